-- grain: one row per outlet per country per day (UTC) on which the outlet names a place in
-- the country.
-- reads: intermediate.country_article_tones
-- articles, mentions, adjective_mentions and original_articles as in country_daily_coverage;
-- sums over days give "countries an outlet covers" and "outlets covering a country" for any
-- period (sql/queries/countries_by_outlet.sql, outlets_for_country.sql).
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    day,
    outlet,
    country_code,
    any_value(country_name) as country,
    count(*) filter (where mentions > 0) as articles,
    sum(mentions) as mentions,
    sum(adjective_mentions) as adjective_mentions,
    count(*) filter (where mentions > 0 and not is_copy) as original_articles,
    case when sum(mentions) > 0 then {{ mention_weighted('compound') }} end as mention_weighted_compound,
    case when sum(mentions) > 0 then {{ mention_weighted('tone') }} end as mention_weighted_tone
from {{ ref('country_article_tones') }}
where {{ only_touched_days() }}
group by day, outlet, country_code
order by day, outlet, mentions desc, country_code
