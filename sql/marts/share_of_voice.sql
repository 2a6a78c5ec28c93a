-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: staging.article_days, staging.mentions, staging.entities, staging.stories
-- share: the entity's mentions over all entity mentions that day, so the shares of a day sum
-- to 1 and a busy news day does not look like more attention for everyone.
-- original_share: the same without copies (duplicates, syndicated copies, rewrites); null
-- on a day with no original mention at all.
-- day: the publication day when the date is trustworthy, else the day it was ingested.
with articles as (
    select article_id, day, is_copy
    from staging.article_days
),

entity_days as (
    select
        articles.day,
        mentions.entity_id,
        count(*) as mentions,
        count(*) filter (where not articles.is_copy) as original_mentions
    from staging.mentions as mentions
    inner join articles using (article_id)
    group by all
)

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
from entity_days
inner join staging.entities as entities using (entity_id)
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
