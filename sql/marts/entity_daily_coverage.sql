-- grain: one row per entity per day (UTC).
-- reads: intermediate.named_entity_days
-- day: the publication day when the date is trustworthy, else the day it was ingested
-- (intermediate.article_days). original_*: the same counts without copies (duplicates,
-- syndicated copies, rewrites). Tone is mention-weighted (intermediate.entity_days), the same
-- figure as in entity_tone_daily: mean_compound and mean_tone are the names queries used
-- before the weighting was named.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    day,
    entity_id,
    name,
    label,
    mentions,
    articles,
    outlets,
    original_mentions,
    original_articles,
    mention_weighted_compound,
    mention_weighted_tone,
    mention_weighted_compound as mean_compound,
    mention_weighted_tone as mean_tone
from {{ ref('named_entity_days') }}
where {{ only_touched_days() }}
order by day, mentions desc, entity_id
