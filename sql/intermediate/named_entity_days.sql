-- grain: one row per entity per day (UTC) on which it is mentioned: intermediate.entity_days
-- with the entity's display name and label (staging.entities), the rows the marts of this grain
-- (entity_daily_coverage, entity_tone_daily, share_of_voice) select their columns from.
-- reads: intermediate.entity_days, staging.entities
select
    entities.name,
    entities.label,
    -- every measure of entity_days, each defined there once
    entity_days.*  -- noqa: AM04
from {{ ref('entity_days') }} as entity_days
inner join {{ ref('entities') }} as entities using (entity_id)
