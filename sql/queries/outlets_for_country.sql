-- The outlets that cover a country most: articles naming a place in it, with and without copies.
-- parameters: country (ISO 3166-1 alpha-2 code or name, case-insensitive); optional date_from,
-- date_to (inclusive, UTC).
-- e.g. SET VARIABLE country = 'KP';
select
    outlet,
    country_code,
    any_value(country) as country,
    sum(articles) as articles,
    sum(original_articles) as original_articles,
    sum(mentions) as mentions,
    round(
        sum(mentions * mention_weighted_compound)
        / sum(mentions) filter (where mention_weighted_compound is not null),
        3
    ) as mean_compound
from marts.outlet_country_coverage
where
    (lower(country_code) = lower(getvariable('country')) or lower(country) = lower(getvariable('country')))
    and day between coalesce(cast(getvariable('date_from') as date), date '-infinity')
    and coalesce(cast(getvariable('date_to') as date), date 'infinity')
group by outlet, country_code
having sum(articles) > 0
order by articles desc, mentions desc, outlet
limit 25
