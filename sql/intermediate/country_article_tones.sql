-- grain: one row per country per article that names it (a place in it: the country, its
-- areas, cities or landmarks): how often, on which day and by which outlet, whether the
-- article is a copy, and the article's compound and tone. adjective_mentions counts the NORP
-- adjectives linked to the country ("Russian"), kept apart: they are not in mentions, and an
-- article naming a country only by adjective has mentions = 0.
-- reads: staging.mention_places, intermediate.article_days, staging.article_sentiment
with article_countries as (
    select
        article_id,
        country_code,
        any_value(country_name) as country_name,
        count(*) filter (where not via_adjective) as mentions,
        count(*) filter (where via_adjective) as adjective_mentions
    from {{ ref('mention_places') }}
    where country_code is not null
    group by all
)

select
    article_days.day,
    article_days.outlet,
    article_days.is_copy,
    article_countries.article_id,
    article_countries.country_code,
    article_countries.country_name,
    article_countries.mentions,
    article_countries.adjective_mentions,
    article_sentiment.compound,
    article_sentiment.tone
from article_countries
inner join {{ ref('article_days') }} as article_days using (article_id)
left join {{ ref('article_sentiment') }} as article_sentiment using (article_id)
