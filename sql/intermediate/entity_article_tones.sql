-- grain: one row per entity per article that mentions it: how often, on which day and by which
-- outlet, whether the article is a copy, and the tones the tone measures weight: the article's
-- compound and tone, and entity_compound, the tone of the clauses about the entity.
-- reads: staging.mentions, intermediate.article_days, staging.article_sentiment,
--        staging.entity_sentiment
-- Incremental: a table, so that the marts of entity days and outlet-entity days read it instead
-- of re-deriving every mention's identity; a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with articles as (
    select *
    from {{ ref('article_days') }}
    where {{ only_touched_days() }}
),

article_mentions as (
    select
        article_id,
        entity_id,
        count(*) as mentions
    from {{ ref('mentions') }}
    where article_id in (select articles.article_id from articles)
    group by all
),

entity_sentiment as (
    select
        article_id,
        entity_id,
        compound
    from {{ ref('entity_sentiment') }}
    where article_id in (select articles.article_id from articles)
)

select
    articles.day,
    articles.outlet,
    articles.is_copy,
    article_mentions.article_id,
    article_mentions.entity_id,
    article_mentions.mentions,
    article_sentiment.compound,
    article_sentiment.tone,
    entity_sentiment.compound as entity_compound
from article_mentions
inner join articles using (article_id)
left join {{ ref('article_sentiment') }} as article_sentiment using (article_id)
left join entity_sentiment using (article_id, entity_id)
