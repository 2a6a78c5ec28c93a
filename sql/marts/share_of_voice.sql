-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: intermediate.entity_days, staging.entities
-- share: the entity's mentions over all entity mentions that day, so the shares of a day sum
-- to 1 and a busy news day does not look like more attention for everyone.
-- original_share: the same without copies (duplicates, syndicated copies, rewrites); null on a
-- day with no original mention at all.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days (whole days, so the
-- shares of a day always sum to 1).
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    entity_days.day,
    entity_days.entity_id,
    entities.name,
    entities.label,
    entity_days.mentions,
    entity_days.mentions / sum(entity_days.mentions) over (partition by entity_days.day) as share,
    entity_days.original_mentions,
    entity_days.original_mentions
    / nullif(sum(entity_days.original_mentions) over (partition by entity_days.day), 0) as original_share
from {{ ref('entity_days') }} as entity_days
inner join {{ ref('entities') }} as entities using (entity_id)
where {{ only_touched_days('entity_days.day') }}
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
