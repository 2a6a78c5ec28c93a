-- grain: one row per country an article of the period names a place in, ranked by those
-- articles: with and without copies, place mentions, NORP adjectives (apart) and the
-- mention-weighted mean compound of the articles.
-- parameters: date_from, date_to (inclusive, UTC days).
select
    country_code,
    coalesce(any_value(country), country_code) as country,
    cast(sum(articles) as bigint) as articles,
    cast(sum(original_articles) as bigint) as original_articles,
    cast(sum(mentions) as bigint) as mentions,
    cast(sum(adjective_mentions) as bigint) as adjective_mentions,
    sum(mentions * mention_weighted_compound)
    / sum(mentions) filter (where mention_weighted_compound is not null) as mean_compound
from marts.country_daily_coverage
where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
group by country_code
having sum(articles) > 0
order by articles desc, mentions desc, country_code
