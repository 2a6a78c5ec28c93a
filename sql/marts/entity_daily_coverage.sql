-- grain: one row per entity per day (UTC).
-- reads: staging.article_days, staging.mentions, staging.entities, staging.article_sentiment,
--        staging.stories
-- day: the publication day when the date is trustworthy, else the day it was ingested.
-- original_*: the same counts without copies (duplicates, syndicated copies, rewrites).
with articles as (
    select article_id, outlet, day
    from staging.article_days
),

copies as (
    select article_id, is_copy
    from staging.stories
),

mentions as (
    select article_id, entity_id, count(*) as mentions
    from staging.mentions
    group by all
),

joined as (
    select
        articles.day,
        mentions.entity_id,
        mentions.article_id,
        articles.outlet,
        coalesce(copies.is_copy, false) as is_copy,
        mentions.mentions,
        article_sentiment.compound,
        article_sentiment.tone
    from mentions
    inner join articles using (article_id)
    left join staging.article_sentiment as article_sentiment using (article_id)
    left join copies using (article_id)
)

select
    joined.day,
    joined.entity_id,
    entities.name,
    entities.label,
    sum(joined.mentions) as mentions,
    count(distinct joined.article_id) as articles,
    count(distinct joined.outlet) as outlets,
    coalesce(sum(joined.mentions) filter (where not joined.is_copy), 0) as original_mentions,
    count(distinct joined.article_id) filter (where not joined.is_copy) as original_articles,
    avg(joined.compound) as mean_compound,
    avg(joined.tone) as mean_tone
from joined
inner join staging.entities as entities using (entity_id)
group by all
order by joined.day, mentions desc
