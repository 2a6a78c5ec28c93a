-- grain: one row per trending entity-day of the period (the latest 25).
-- parameters: date_from, date_to (inclusive, UTC days).
select
    day,
    name,
    label,
    mentions,
    articles,
    baseline,
    score
from marts.trending_entities
where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
order by day desc, score desc, name
limit 25
