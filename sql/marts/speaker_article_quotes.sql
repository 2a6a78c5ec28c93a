-- grain: one row per speaker (an entity, after the identity rules) per article quoting them
-- (UTC day as in intermediate.article_days). quotes: the article's quotes attributed to the
-- speaker; mentioned_names: the display names (staging.entities) of every entity the article
-- names, so that "speakers quoted in articles naming X" reads this mart alone
-- (sql/queries/top_quoted_speakers.sql). Quotes without a known speaker are left out.
-- reads: intermediate.article_days, staging.quotes, intermediate.entity_article_tones, staging.entities
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with articles as (
    {{ touched_day_articles() }}
),

speakers as (
    select
        article_id,
        speaker_entity_id as entity_id,
        count(*) as quotes
    from {{ ref('quotes') }}
    where speaker_entity_id is not null and article_id in (select articles.article_id from articles)
    group by all
),

article_entities as (
    -- the entities each quoting article names, identified once in intermediate.entity_article_tones
    select
        article_id,
        entity_id
    from {{ ref('entity_article_tones') }}
    where {{ only_touched_days() }} and article_id in (select speakers.article_id from speakers)
),

entities as (
    -- read once: staging.entities is a view over every entity
    select
        entity_id,
        name,
        label
    from {{ ref('entities') }}
    where
        entity_id in (select speakers.entity_id from speakers)
        or entity_id in (select article_entities.entity_id from article_entities)
),

mentioned as (
    select
        article_entities.article_id,
        list(distinct entities.name order by entities.name) as mentioned_names
    from article_entities
    inner join entities using (entity_id)
    group by article_entities.article_id
)

select
    articles.day,
    speakers.article_id,
    speakers.entity_id,
    entities.name,
    entities.label,
    speakers.quotes,
    coalesce(mentioned.mentioned_names, []) as mentioned_names
from speakers
inner join articles using (article_id)
inner join entities using (entity_id)
left join mentioned using (article_id)
order by articles.day, speakers.article_id, speakers.entity_id
