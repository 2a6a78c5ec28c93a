-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: staging.articles, staging.mentions, staging.entities, staging.article_sentiment
-- Tone is mention-weighted: an article naming the entity five times weighs five times as
-- much as one naming it in passing. article_share normalises by volume: the entity's
-- articles over all articles that day (day_articles), so a timeline compares attention,
-- not how much was published.
with articles as (
    select
        article_id,
        cast(timezone('UTC', case when date_flag = 'ok' then published_at else ingested_at end) as date) as day
    from staging.articles
),

day_volumes as (
    select
        day,
        count(*) as day_articles
    from articles
    group by all
),

article_mentions as (
    select
        article_id,
        entity_id,
        count(*) as mentions
    from staging.mentions
    group by all
),

joined as (
    select
        articles.day,
        article_mentions.entity_id,
        article_mentions.mentions,
        article_sentiment.compound,
        article_sentiment.tone
    from article_mentions
    inner join articles using (article_id)
    left join staging.article_sentiment as article_sentiment using (article_id)
),

entity_days as (
    select
        day,
        entity_id,
        sum(mentions) as mentions,
        count(*) as articles,
        sum(mentions * compound) / sum(mentions) filter (where compound is not null) as mean_compound,
        sum(mentions * tone) / sum(mentions) filter (where tone is not null) as mean_tone
    from joined
    group by all
)

select
    entity_days.day,
    entity_days.entity_id,
    entities.name,
    entities.label,
    entity_days.mentions,
    entity_days.articles,
    day_volumes.day_articles,
    entity_days.articles / day_volumes.day_articles as article_share,
    entity_days.mean_compound,
    entity_days.mean_tone
from entity_days
inner join day_volumes using (day)
inner join staging.entities as entities using (entity_id)
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
