{#- The measures of a group of intermediate.country_article_tones rows (one row per article per
    country): articles naming a place in the country, those place mentions, NORP adjectives
    counted apart, articles without copies and the mention-weighted tone. Shared by the marts
    that group them by day (country_daily_coverage) and by day and outlet (outlet_country_coverage).
    No tone from a group whose only links are adjectives: there are no mentions to weigh by. -#}
{%- macro country_measures() -%}
    any_value(country_name) as country,
    count(*) filter (where mentions > 0) as articles,
    sum(mentions) as mentions,
    sum(adjective_mentions) as adjective_mentions,
    count(*) filter (where mentions > 0 and not is_copy) as original_articles,
    case when sum(mentions) > 0 then {{ mention_weighted('compound') }} end as mention_weighted_compound,
    case when sum(mentions) > 0 then {{ mention_weighted('tone') }} end as mention_weighted_tone
{%- endmacro %}
