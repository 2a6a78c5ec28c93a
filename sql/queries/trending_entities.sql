-- Entities trending in a period (coverage far above their own trailing baseline), latest first.
-- parameters: optional date_from, date_to (inclusive dates, UTC).
-- score: standard deviations of the day's articles naming the entity above its 28-day
-- baseline (articles per day); see sql/marts/trending_entities.sql.
select
    day,
    name,
    label,
    mentions,
    articles,
    round(baseline, 2) as baseline,
    round(score, 1) as score
from marts.trending_entities
where
    marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
order by day desc, score desc, name
limit 100
