-- grain: one row per entity per article that mentions it: how often, on which day and by which
-- outlet, whether the article is a copy, and the tones the tone measures weight: the article's
-- compound and tone, and entity_compound, the tone of the clauses about the entity.
-- reads: staging.mentions, intermediate.article_days, staging.article_sentiment,
--        staging.entity_sentiment
with article_mentions as (
    select
        article_id,
        entity_id,
        count(*) as mentions
    from {{ ref('mentions') }}
    group by all
)

select
    article_days.day,
    article_days.outlet,
    article_days.is_copy,
    article_mentions.article_id,
    article_mentions.entity_id,
    article_mentions.mentions,
    article_sentiment.compound,
    article_sentiment.tone,
    entity_sentiment.compound as entity_compound
from article_mentions
inner join {{ ref('article_days') }} as article_days using (article_id)
left join {{ ref('article_sentiment') }} as article_sentiment using (article_id)
left join {{ ref('entity_sentiment') }} as entity_sentiment using (article_id, entity_id)
