-- The outlets that cover a country most: articles naming a place in it, with and without copies.
-- parameters: country (ISO 3166-1 alpha-2 code or name, case-insensitive); optional date_from,
-- date_to (inclusive, UTC).
-- e.g. SET VARIABLE country = 'KP';
with wanted as (
    select distinct country_code
    from staging.places
    where
        kind = 'country'
        and (lower(country_code) = lower(getvariable('country')) or lower(name) = lower(getvariable('country')))
    union
    select upper(getvariable('country')) as country_code
),

coverage as (
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
        country_code in (select wanted.country_code from wanted)
        and day between coalesce(cast(getvariable('date_from') as date), date '-infinity')
        and coalesce(cast(getvariable('date_to') as date), date 'infinity')
    group by all
)

select
    outlet,
    country_code,
    articles,
    original_articles,
    mentions,
    round(mean_compound, 3) as mean_compound
from coverage
where articles > 0
order by articles desc, mentions desc, outlet
limit 25
