-- grain: one row per outlet per country per day (UTC) on which the outlet names a place in
-- the country.
-- reads: intermediate.country_article_tones
-- articles, mentions, adjective_mentions and original_articles as in country_daily_coverage
-- (macros/country_measures); sums over days give "countries an outlet covers" and "outlets
-- covering a country" for any period (marts.outlet_country_totals in macros/recipe_macros).
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    day,
    outlet,
    country_code,
    {{ country_measures() }}
from {{ ref('country_article_tones') }}
where {{ only_touched_days() }}
group by day, outlet, country_code
order by day, outlet, mentions desc, country_code
