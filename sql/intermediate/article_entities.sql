-- grain: one row per article per entity it mentions after the corpus-wide label vote
-- (intermediate.voted_entities), before spelling variants and short forms are folded: the
-- evidence both of those rules read (which entities share articles, and on which day).
-- reads: staging.enriched_mentions, intermediate.voted_entities, intermediate.article_days
{{ config(materialized='table') }}
select
    mentions.article_id,
    voted.entity_id,
    any_value(voted.name_key) as name_key,
    any_value(voted.label) as label,
    any_value(article_days.day) as day,
    count(*) as mentions
from {{ ref('enriched_mentions') }} as mentions
inner join {{ ref('voted_entities') }} as voted on mentions.entity_id = voted.enriched_entity_id
inner join {{ ref('article_days') }} as article_days on mentions.article_id = article_days.article_id
group by mentions.article_id, voted.entity_id
