-- grain: one row per article per entity it mentions after the corpus-wide label vote
-- (intermediate.voted_entities), before spelling variants and short forms are folded: the
-- evidence both of those rules read (which entities share articles, and on which day).
-- reads: staging.enriched_mentions, intermediate.voted_entities, intermediate.article_days,
--        intermediate.touched_entity_articles
-- Incremental: a refresh rebuilds the rows of intermediate.touched_entity_articles and deletes
-- those of articles gone from the warehouse.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where article_id in (select article_id from "
        ~ "{{ ref('touched_entity_articles') }}) or article_id not in (select article_id from "
        ~ "{{ ref('article_days') }}){% endif %}"
) }}
{%- set touched = ref('touched_entity_articles') %}
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
{%- if is_incremental() %}
where mentions.article_id in (select touched.article_id from {{ touched }} as touched)
{%- endif %}
group by mentions.article_id, voted.entity_id
