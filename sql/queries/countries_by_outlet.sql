-- The countries an outlet covers most: articles naming a place in each, with and without copies.
-- parameters: outlet (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. SET VARIABLE outlet = 'Korea Ledger';
-- columns: outlet, country_code, country, articles, original_articles, mentions, mean_compound
-- (mention-weighted), from marts.outlet_country_totals (sql/macros/recipe_macros.sql).
select *  -- noqa: AM04
from marts.outlet_country_totals(getvariable('outlet'), null, getvariable('date_from'), getvariable('date_to'))
order by articles desc, mentions desc, country_code
limit 25
