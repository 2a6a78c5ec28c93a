-- grain: one row per article version (article_id, content_hash), as ingested.
-- Written by the loader; never updated, so every version an outlet published is kept.
create table if not exists raw.articles (
    article_id varchar not null,
    content_hash varchar not null,
    url varchar,
    outlet varchar not null,
    title varchar not null,
    author varchar,
    published_at timestamptz,
    date_flag varchar not null,
    published_at_raw varchar,
    language varchar not null,
    language_confidence double,
    declared_language varchar,
    text varchar not null,
    word_count integer not null,
    is_teaser boolean,
    field_sources varchar,
    source_name varchar not null,
    source_location varchar not null,
    source_format varchar not null,
    batch_id varchar not null,
    ingested_at timestamptz not null,
    primary key (article_id, content_hash)
);
