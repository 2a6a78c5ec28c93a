-- grain: one row per story carried by several articles, first seen in the period (15 widest).
-- parameters: date_from, date_to (inclusive, UTC days).
select
    origin_outlet,
    agency,
    origin_title,
    articles,
    copies,
    outlets,
    outlet_list,
    first_seen,
    first_pickup_delay
from marts.story_spread
where
    articles > 1
    and cast(timezone('UTC', first_seen) as date) between getvariable('date_from') and getvariable('date_to')
order by outlets desc, articles desc, first_seen
limit 15
