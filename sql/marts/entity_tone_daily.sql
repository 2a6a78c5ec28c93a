-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: staging.article_days, staging.entity_article_tones, staging.entities
-- mean_entity_compound: the tone of the clauses about the entity (staging.entity_sentiment);
-- mean_compound/mean_tone: the tone of the whole articles naming it.
-- original_articles: the articles that are not copies (duplicates, syndicated, rewrites).
-- Tone is mention-weighted: an article naming the entity five times weighs five times as
-- much as one naming it in passing. article_share normalises by volume: the entity's
-- articles over all articles that day (day_articles), so a timeline compares attention,
-- not how much was published.
with articles as (
    select article_id, day
    from staging.article_days
),

day_volumes as (
    select
        day,
        count(*) as day_articles
    from articles
    group by all
),

entity_days as (
    select
        day,
        entity_id,
        sum(mentions) as mentions,
        count(*) as articles,
        count(*) filter (where not is_copy) as original_articles,
        sum(mentions * entity_compound) / sum(mentions) filter (where entity_compound is not null)
            as mean_entity_compound,
        sum(mentions * compound) / sum(mentions) filter (where compound is not null) as mean_compound,
        sum(mentions * tone) / sum(mentions) filter (where tone is not null) as mean_tone
    from staging.entity_article_tones
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
    entity_days.original_articles,
    entity_days.mean_entity_compound,
    entity_days.mean_compound,
    entity_days.mean_tone
from entity_days
inner join day_volumes using (day)
inner join staging.entities as entities using (entity_id)
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
