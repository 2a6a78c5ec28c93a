-- Top entities per outlet for a period (10 per outlet, by mentions).
-- parameters: optional date_from, date_to (inclusive dates, UTC), e.g.
--   SET VARIABLE date_from = DATE '2024-11-25'; SET VARIABLE date_to = DATE '2024-12-03';
with counts as (
    select
        outlet,
        entity_id,
        name,
        label,
        sum(mentions) as mentions,
        sum(articles) as articles
    from marts.outlet_entity_coverage
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    group by all
),

ranked as (
    select
        *,
        row_number() over (partition by outlet order by mentions desc, entity_id) as rank
    from counts
)

select
    outlet,
    rank,
    name,
    label,
    mentions,
    articles
from ranked
where rank <= 10
order by outlet, rank
