-- grain: one row per country per day (UTC) on which an article names a place in it (or a
-- country adjective: then articles and mentions are 0). country: the gazetteer's name.
-- reads: intermediate.country_article_tones
-- articles: articles naming a place in the country (the country, its areas, cities or
-- landmarks); mentions: those place mentions; adjective_mentions: NORP adjectives linked to
-- the country ("Russian"), counted apart; original_*: the same without copies (duplicates,
-- syndicated copies, rewrites). Tone: the mention-weighted compound and tone of the articles
-- (macros/mention_weighted), as in entity_daily_coverage. Measures: macros/country_measures.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with country_days as (
    select
        day,
        country_code,
        {{ country_measures() }},
        coalesce(sum(mentions) filter (where not is_copy), 0) as original_mentions,
        count(distinct outlet) filter (where mentions > 0) as outlets
    from {{ ref('country_article_tones') }}
    where {{ only_touched_days() }}
    group by day, country_code
)

select
    country_days.day,
    country_days.country_code,
    country_days.country,
    country_days.articles,
    country_days.mentions,
    country_days.adjective_mentions,
    country_days.original_articles,
    country_days.original_mentions,
    country_days.outlets,
    country_days.mention_weighted_compound,
    country_days.mention_weighted_tone
from country_days
order by country_days.day, country_days.articles desc, country_days.country_code
