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
where day between getvariable('date_from') and getvariable('date_to')
order by day desc, score desc, name
limit 25
