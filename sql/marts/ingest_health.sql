-- grain: one row per batch per source: what the run read from the source, what it loaded
-- (new articles, new versions of known ones, unchanged ones skipped) and what it set aside.
-- reads: raw.batches, raw.batch_sources, raw.articles, raw.quarantine
-- quarantined_by_reason: reason class -> entries whose latest sighting is this batch (an entry
-- seen again later counts there); by_language: the loaded articles (new or changed) by language;
-- duplicates: dropped within the batch, for the whole batch (the same on each of its sources).
-- teaser_only: the loaded articles that are only a feed's teaser (no page to read them in full).
{{ config(materialized='table') }}
with keys as (
    select
        batch_id,
        source_name
    from {{ source('raw', 'batch_sources') }}
    union
    select
        batch_id,
        source_name
    from {{ source('raw', 'articles') }}
    union
    select
        last_batch_id as batch_id,
        source_name
    from {{ source('raw', 'quarantine') }}
),

versions as (
    select
        batch_id,
        source_name,
        coalesce(language, 'unknown') as language,
        coalesce(is_teaser, false) as is_teaser,
        row_number() over (partition by article_id order by ingested_at, batch_id) = 1 as is_new
    from {{ source('raw', 'articles') }}
),

loaded as (
    select
        batch_id,
        source_name,
        count(*) filter (where is_new) as added,
        count(*) filter (where not is_new) as updated,
        count(*) filter (where is_teaser) as teaser_only
    from versions
    group by all
),

language_counts as (
    select
        batch_id,
        source_name,
        language,
        count(*) as articles
    from versions
    group by all
),

languages as (
    select
        batch_id,
        source_name,
        map_from_entries(list((language, articles) order by articles desc, language)) as by_language
    from language_counts
    group by all
),

reason_counts as (
    select
        last_batch_id as batch_id,
        source_name,
        coalesce(reason_class, reason) as reason_class,
        count(*) as entries
    from {{ source('raw', 'quarantine') }}
    group by all
),

reasons as (
    select
        batch_id,
        source_name,
        sum(entries) as quarantined,
        map_from_entries(list((reason_class, entries) order by entries desc, reason_class)) as quarantined_by_reason
    from reason_counts
    group by all
)

select
    keys.batch_id,
    batches.loaded_at,
    keys.source_name,
    coalesce(sources.articles + sources.quarantined, loaded.added + loaded.updated) as read,
    sources.articles,
    coalesce(loaded.added, 0) as added,
    coalesce(loaded.updated, 0) as updated,
    sources.articles - coalesce(loaded.added, 0) - coalesce(loaded.updated, 0) as unchanged,
    coalesce(sources.quarantined, reasons.quarantined, 0) as quarantined,
    reasons.quarantined_by_reason,
    batches.duplicates,
    languages.by_language,
    coalesce(loaded.teaser_only, 0) as teaser_only
from keys
left join {{ source('raw', 'batches') }} as batches using (batch_id)
left join {{ source('raw', 'batch_sources') }} as sources using (batch_id, source_name)
left join loaded using (batch_id, source_name)
left join languages using (batch_id, source_name)
left join reasons using (batch_id, source_name)
order by batches.loaded_at, keys.batch_id, keys.source_name
