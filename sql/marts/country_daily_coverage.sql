-- grain: one row per country per day (UTC) on which an article names a place in it.
-- reads: intermediate.country_article_tones, staging.places
-- articles: articles naming a place in the country (the country, its areas, cities or
-- landmarks); mentions: those place mentions; adjective_mentions: NORP adjectives linked to
-- the country ("Russian"), counted apart; original_*: the same without copies (duplicates,
-- syndicated copies, rewrites). Tone: the mention-weighted compound and tone of the articles
-- (macros/mention_weighted), as in entity_daily_coverage.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with country_days as (
    select
        day,
        country_code,
        count(*) filter (where mentions > 0) as articles,
        sum(mentions) as mentions,
        sum(adjective_mentions) as adjective_mentions,
        count(*) filter (where mentions > 0 and not is_copy) as original_articles,
        coalesce(sum(mentions) filter (where not is_copy), 0) as original_mentions,
        count(distinct outlet) filter (where mentions > 0) as outlets,
        {{ mention_weighted('compound') }} as mention_weighted_compound,
        {{ mention_weighted('tone') }} as mention_weighted_tone
    from {{ ref('country_article_tones') }}
    where {{ only_touched_days() }}
    group by day, country_code
),

countries as (
    select
        country_code,
        name as country
    from {{ ref('places') }}
    where kind = 'country'
)

select
    country_days.day,
    country_days.country_code,
    countries.country,
    country_days.articles,
    country_days.mentions,
    country_days.adjective_mentions,
    country_days.original_articles,
    country_days.original_mentions,
    country_days.outlets,
    country_days.mention_weighted_compound,
    country_days.mention_weighted_tone
from country_days
left join countries using (country_code)
order by country_days.day, country_days.articles desc, country_days.country_code
