-- grain: one row per entity per day (UTC).
-- reads: intermediate.entity_days, staging.entities
-- day: the publication day when the date is trustworthy, else the day it was ingested
-- (intermediate.article_days). original_*: the same counts without copies (duplicates,
-- syndicated copies, rewrites). Tone is mention-weighted (intermediate.entity_days), the same
-- figure as in entity_tone_daily: mean_compound and mean_tone are the names queries used
-- before the weighting was named.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    entity_days.day,
    entity_days.entity_id,
    entities.name,
    entities.label,
    entity_days.mentions,
    entity_days.articles,
    entity_days.outlets,
    entity_days.original_mentions,
    entity_days.original_articles,
    entity_days.mention_weighted_compound,
    entity_days.mention_weighted_tone,
    entity_days.mention_weighted_compound as mean_compound,
    entity_days.mention_weighted_tone as mean_tone
from {{ ref('entity_days') }} as entity_days
inner join {{ ref('entities') }} as entities using (entity_id)
where {{ only_touched_days('entity_days.day') }}
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
