-- The outlets that cover a country most: articles naming a place in it, with and without copies.
-- parameters: country (ISO 3166-1 alpha-2 code or name, case-insensitive); optional date_from,
-- date_to (inclusive, UTC).
-- e.g. SET VARIABLE country = 'KP';
-- columns: outlet, country_code, country, articles, original_articles, mentions, mean_compound
-- (mention-weighted), from marts.outlet_country_totals (sql/macros/recipe_macros.sql).
select *  -- noqa: AM04
from marts.outlet_country_totals(null, getvariable('country'), getvariable('date_from'), getvariable('date_to'))
order by articles desc, mentions desc, outlet
limit 25
