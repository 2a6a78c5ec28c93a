-- The countries an outlet covers most: articles naming a place in each, with and without copies.
-- parameters: outlet (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. SET VARIABLE outlet = 'Korea Ledger';
with coverage as (
    select
        outlet,
        country_code,
        sum(articles) as articles,
        sum(original_articles) as original_articles,
        sum(mentions) as mentions,
        sum(mentions * mention_weighted_compound)
        / sum(mentions) filter (where mention_weighted_compound is not null) as mean_compound
    from marts.outlet_country_coverage
    where
        lower(outlet) = lower(getvariable('outlet'))
        and day between coalesce(cast(getvariable('date_from') as date), date '-infinity')
        and coalesce(cast(getvariable('date_to') as date), date 'infinity')
    group by all
),

countries as (
    select
        country_code,
        name as country
    from staging.places
    where kind = 'country'
)

select
    coverage.outlet,
    coverage.country_code,
    countries.country,
    coverage.articles,
    coverage.original_articles,
    coverage.mentions,
    round(coverage.mean_compound, 3) as mean_compound
from coverage
left join countries using (country_code)
where coverage.articles > 0
order by coverage.articles desc, coverage.mentions desc, coverage.country_code
limit 25
