-- grain: one row per article (its latest version). Contract: article_id, url, outlet,
-- title, author, published_at, language, text. published_at is UTC, or null when
-- date_flag says the date was missing, unparsed, in the future or before the configured
-- earliest_published_at (the claimed value is kept in raw.articles.published_at_raw).
create table if not exists staging.articles (
    article_id varchar primary key,
    url varchar,
    outlet varchar not null,
    title varchar not null,
    author varchar,
    published_at timestamptz,
    date_flag varchar not null,
    language varchar not null,
    language_confidence double,
    declared_language varchar,
    text varchar not null,
    content_hash varchar not null,
    word_count integer not null,
    is_teaser boolean,
    field_sources varchar,
    source_name varchar not null,
    source_format varchar not null,
    batch_id varchar not null,
    ingested_at timestamptz not null
);
