-- The outlets that cover an entity most, with how much of their output it takes and in what tone.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. SET VARIABLE entity = 'Kim Jong Un';
with coverage as (
    select
        outlet,
        name,
        label,
        sum(mentions) as mentions,
        sum(articles) as articles,
        sum(mentions * mean_compound) / sum(mentions) filter (where mean_compound is not null) as mean_compound
    from marts.outlet_entity_coverage
    where
        lower(name) = lower(getvariable('entity'))
        and marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    group by all
),

outlet_volumes as (
    select
        outlet,
        sum(articles) as outlet_articles
    from marts.source_daily_volume
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    group by all
)

select
    coverage.outlet,
    coverage.name,
    coverage.label,
    coverage.mentions,
    coverage.articles,
    round(coverage.articles / outlet_volumes.outlet_articles, 4) as share_of_outlet_articles,
    round(coverage.mean_compound, 3) as mean_compound
from coverage
inner join outlet_volumes using (outlet)
order by coverage.articles desc, coverage.mentions desc, coverage.outlet
limit 25
