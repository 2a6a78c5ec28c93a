-- How stories spread: multi-outlet stories first seen in a period, with their origin,
-- credited agency, the outlets that picked them up and how fast.
-- parameters: optional date_from, date_to (inclusive dates, UTC), e.g.
--   SET VARIABLE date_from = DATE '2024-11-25'; SET VARIABLE date_to = DATE '2024-12-03';
select
    origin_outlet,
    agency,
    origin_title,
    articles,
    copies,
    outlets,
    outlet_list,
    first_seen,
    first_pickup_delay,
    spread_duration
from marts.stories_first_seen_in(getvariable('date_from'), getvariable('date_to'))
order by outlets desc, articles desc, first_seen
