-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: intermediate.named_entity_days
-- share: the entity's mentions over all entity mentions that day, so the shares of a day sum
-- to 1 and a busy news day does not look like more attention for everyone.
-- original_share: the same without copies (duplicates, syndicated copies, rewrites); null on a
-- day with no original mention at all.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days (whole days, so the
-- shares of a day always sum to 1).
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    day,
    entity_id,
    name,
    label,
    mentions,
    mentions / sum(mentions) over (partition by day) as share,
    original_mentions,
    original_mentions / nullif(sum(original_mentions) over (partition by day), 0) as original_share
from {{ ref('named_entity_days') }}
where {{ only_touched_days() }}
order by day, mentions desc, entity_id
