-- grain: one row per entity as enrichment named it (entity_id), over every batch loaded: the
-- name of its first batch, every surface form seen (aliases), the first and last batch (data
-- interval end) that mentioned it. The corpus-wide vote may move it (staging.entities).
-- reads: raw.entities, staging.batches
select
    entities.entity_id,
    arg_min(entities.name, batches.interval_end) as name,
    any_value(entities.label) as label,
    list_sort(list_distinct(flatten(list(entities.aliases)))) as aliases,
    min(batches.interval_end) as first_seen_at,
    max(batches.interval_end) as last_seen_at
from {{ source('raw', 'entities') }} as entities
inner join {{ ref('batches') }} as batches using (batch_id)
group by entities.entity_id
