-- The staging tables of a warehouse written before the SQL layers (sql/staging/*.sql at commit
-- 621f744): a fixture for the one-time move of their rows to raw.
-- Each but staging.entities held some of the columns its raw table (sql/raw/*.sql) has now, of
-- the same types: raw added the load key (batch_id, loaded_at) and, for articles, what later
-- versions extract. So each is made from its raw table with its legacy columns named: a column
-- raw gains later is not taken for one that a legacy warehouse has. Keys and not-null checks
-- are left out: the migration only reads these tables.
create table if not exists staging.articles as
select
    article_id, url, outlet, title, author, published_at, date_flag, language, text, content_hash,
    word_count, source_name, source_format, batch_id, ingested_at
from raw.articles limit 0;
create table if not exists staging.mentions as
select
    article_id, entity_id, text, label, model_label, start_char, end_char, sentence_index, watched,
    listed
from raw.mentions limit 0;
create table if not exists staging.article_sentiment as
select article_id, compound, tone, positive, negative, polarity, word_count, sentence_count
from raw.article_sentiment limit 0;
create table if not exists staging.entity_sentiment as
select article_id, entity_id, mentions, compound, label
from raw.entity_sentiment limit 0;
create table if not exists staging.quotes as
select article_id, speaker_entity_id, speaker_text, quote, start_char, end_char
from raw.quotes limit 0;
create table if not exists staging.article_citations as
select article_id, source, kind, is_agency, start_char, evidence
from raw.article_citations limit 0;
create table if not exists staging.story_links as
select article_id, other_article_id, kind, similarity
from raw.story_links limit 0;
create table if not exists staging.stories as
select story_id, article_id, is_origin, copy_kind, is_copy, agency
from raw.stories limit 0;
-- raw.entities keeps one row per batch; the legacy table held each entity once, with the
-- interval ends of the first and last batch that named it.
create table if not exists staging.entities (
    entity_id varchar primary key,
    name varchar not null,
    label varchar not null,
    aliases varchar[] not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null
);
