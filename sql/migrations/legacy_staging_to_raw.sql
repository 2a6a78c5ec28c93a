-- Once, on a warehouse written before the SQL layers: staging then held each article's current
-- enrichment in tables that every load rewrote. Their rows move to raw as rows of the batch that
-- last loaded the article (staging.articles.batch_id); stories as the latest batch's; each entity
-- as a row of the batches it was first and last seen in. Then staging is left to dbt.
-- Run in one transaction by newsflow.warehouse.db.create_schema.
-- legacy.* is safe: every insert is `by name`.
-- noqa: disable=AM04
insert or ignore into raw.article_loads by name
select
    legacy.batch_id,
    legacy.article_id,
    legacy.content_hash,
    legacy.ingested_at,
    batches.loaded_at
from staging.articles as legacy inner join raw.batches as batches using (batch_id);

-- An enrichment table's legacy rows, each with the batch that last loaded its article.
create or replace temp macro rows_with_load_batch(legacy_table) as table
    select
        loads.batch_id,
        legacy.*
    from query_table(legacy_table) as legacy inner join staging.articles as loads using (article_id);  -- noqa: RF02

insert or ignore into raw.mentions by name from rows_with_load_batch('staging.mentions');
insert or ignore into raw.article_sentiment by name from rows_with_load_batch('staging.article_sentiment');
insert or ignore into raw.entity_sentiment by name from rows_with_load_batch('staging.entity_sentiment');
insert or ignore into raw.quotes by name from rows_with_load_batch('staging.quotes');
insert or ignore into raw.article_citations by name from rows_with_load_batch('staging.article_citations');
drop macro table temp.rows_with_load_batch;

insert or ignore into raw.story_links by name
select
    loads.batch_id,
    batches.loaded_at,
    legacy.*
from staging.story_links as legacy
inner join staging.articles as loads using (article_id)
inner join raw.batches as batches on loads.batch_id = batches.batch_id;

insert or ignore into raw.stories by name
with latest as (
    select max_by(batches.batch_id, batches.loaded_at) as batch_id
    from raw.batches as batches
)

select
    latest.batch_id,
    legacy.*
from staging.stories as legacy
cross join latest;

insert or ignore into raw.entities by name
select
    batches.batch_id,
    legacy.entity_id,
    legacy.name,
    legacy.label,
    legacy.aliases
from staging.entities as legacy
inner join raw.batches as batches on batches.interval_end in (legacy.first_seen_at, legacy.last_seen_at);

drop view if exists staging.article_days;
drop view if exists staging.entity_article_tones;
drop table staging.mentions;
drop table staging.article_sentiment;
drop table staging.entity_sentiment;
drop table staging.quotes;
drop table staging.article_citations;
drop table staging.story_links;
drop table staging.stories;
drop table staging.entities;
drop table staging.articles;
