-- The staging tables of a warehouse written before the SQL layers (sql/staging/*.sql at commit
-- 621f744): a fixture for the one-time move of their rows to raw.
create table if not exists staging.articles (
    article_id varchar primary key,
    url varchar,
    outlet varchar not null,
    title varchar not null,
    author varchar,
    published_at timestamptz,
    date_flag varchar not null,
    language varchar not null,
    text varchar not null,
    content_hash varchar not null,
    word_count integer not null,
    source_name varchar not null,
    source_format varchar not null,
    batch_id varchar not null,
    ingested_at timestamptz not null
);
create table if not exists staging.mentions (
    article_id varchar not null,
    entity_id varchar not null,
    text varchar not null,
    label varchar not null,
    model_label varchar not null,
    start_char integer not null,
    end_char integer not null,
    sentence_index integer not null,
    watched boolean not null,
    listed boolean not null,
    primary key (article_id, start_char)
);
create table if not exists staging.entities (
    entity_id varchar primary key,
    name varchar not null,
    label varchar not null,
    aliases varchar[] not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null
);
create table if not exists staging.article_sentiment (
    article_id varchar primary key,
    compound double not null,
    tone double not null,
    positive double not null,
    negative double not null,
    polarity double not null,
    word_count integer not null,
    sentence_count integer not null
);
create table if not exists staging.entity_sentiment (
    article_id varchar not null,
    entity_id varchar not null,
    mentions integer not null,
    compound double not null,
    label varchar not null,
    primary key (article_id, entity_id)
);
create table if not exists staging.quotes (
    article_id varchar not null,
    speaker_entity_id varchar,
    speaker_text varchar,
    quote varchar not null,
    start_char integer not null,
    end_char integer not null,
    primary key (article_id, start_char)
);
create table if not exists staging.article_citations (
    article_id varchar not null,
    source varchar not null,
    kind varchar not null,
    is_agency boolean not null,
    start_char integer not null,
    evidence varchar not null,
    primary key (article_id, source, kind)
);
create table if not exists staging.story_links (
    article_id varchar not null,
    other_article_id varchar not null,
    kind varchar not null,
    similarity double not null,
    primary key (article_id, other_article_id)
);
create table if not exists staging.stories (
    story_id varchar not null,
    article_id varchar primary key,
    is_origin boolean not null,
    copy_kind varchar,
    is_copy boolean not null,
    agency varchar
);
