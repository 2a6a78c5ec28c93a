-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: staging.articles, staging.mentions, staging.entities
-- share: the entity's mentions over all entity mentions that day, so the shares of a day sum
-- to 1 and a busy news day does not look like more attention for everyone.
-- day: the publication day when the date is trustworthy, else the day it was ingested.
with articles as (
    select
        article_id,
        cast(timezone('UTC', case when date_flag = 'ok' then published_at else ingested_at end) as date) as day
    from staging.articles
),

entity_days as (
    select
        articles.day,
        mentions.entity_id,
        count(*) as mentions
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
    entity_days.mentions / sum(entity_days.mentions) over (partition by entity_days.day) as share
from entity_days
inner join staging.entities as entities using (entity_id)
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
