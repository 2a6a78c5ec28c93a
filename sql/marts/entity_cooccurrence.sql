-- grain: one row per ordered pair of distinct entities per day (UTC): both (a, b) and
-- (b, a) are present, so "what is co-mentioned with X" is a filter on entity_id.
-- reads: staging.article_days, staging.mentions, staging.entities
with articles as (
    select article_id, day
    from staging.article_days
),

article_entities as (
    select distinct article_id, entity_id
    from staging.mentions
),

pairs as (
    select
        articles.day,
        a.entity_id,
        b.entity_id as other_entity_id,
        a.article_id
    from article_entities as a
    inner join article_entities as b
        on a.article_id = b.article_id and a.entity_id <> b.entity_id
    inner join articles on articles.article_id = a.article_id
)

select
    pairs.day,
    pairs.entity_id,
    entities.name,
    pairs.other_entity_id,
    others.name as other_name,
    others.label as other_label,
    count(*) as articles
from pairs
inner join staging.entities as entities on entities.entity_id = pairs.entity_id
inner join staging.entities as others on others.entity_id = pairs.other_entity_id
group by all
order by pairs.day, articles desc
