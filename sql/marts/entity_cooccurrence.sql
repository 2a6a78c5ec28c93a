-- grain: one row per ordered pair of distinct entities per day (UTC): both (a, b) and (b, a)
-- are present, so "what is co-mentioned with X" is a filter on entity_id.
-- reads: intermediate.article_days, staging.mentions, staging.entities
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with articles as (
    {{ touched_day_articles() }}
),

article_entities as (
    select distinct
        mentions.article_id,
        mentions.entity_id
    from {{ ref('mentions') }} as mentions
    where mentions.article_id in (select articles.article_id from articles)
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
    inner join articles on a.article_id = articles.article_id
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
inner join {{ ref('entities') }} as entities on pairs.entity_id = entities.entity_id
inner join {{ ref('entities') }} as others on pairs.other_entity_id = others.entity_id
group by all
order by pairs.day, articles desc
