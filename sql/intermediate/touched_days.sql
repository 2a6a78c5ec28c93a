-- grain: one row per day (UTC) whose daily mart rows this refresh rebuilds: the days of
-- articles that are new, gone or changed (a new load, another day, outlet or copy status) since
-- the last refresh, old and new day alike, and the days of articles that mention or quote an
-- entity the identity rules moved or renamed (vote, spelling variants) and of articles whose
-- short forms link elsewhere. Without a previous refresh: every day.
-- reads: intermediate.counted_articles, intermediate.entity_identities,
--        intermediate.entity_short_forms, staging.enriched_mentions, staging.enriched_quotes, and
--        the refresh's copies of the first three (intermediate.refreshed_articles,
--        refreshed_identities, refreshed_short_forms)
{{ config(materialized='table') }}
-- depends_on: {{ ref('entity_identities') }}, {{ ref('enriched_mentions') }}, {{ ref('enriched_quotes') }},
-- {{ ref('entity_short_forms') }}
{%- set refreshed_articles = refreshed_relation('refreshed_articles') -%}
{%- set refreshed_identities = refreshed_relation('refreshed_identities') -%}
{%- set refreshed_short_forms = refreshed_relation('refreshed_short_forms') -%}
{%- set identity_columns = 'enriched_entity_id, entity_id, name, label' -%}
{%- set short_form_columns = 'article_id, entity_id, linked_entity_id' -%}
{%- if refreshed_articles is none or refreshed_identities is none or refreshed_short_forms is none %}
select distinct day
from {{ ref('counted_articles') }}
{%- else %}
with changed_articles as (
    {{ changed_rows(ref('counted_articles'), refreshed_articles) }}
),

changed_identities as (
    {{ changed_rows(ref('entity_identities'), refreshed_identities, identity_columns) }}
),

changed_short_forms as (
    {{ changed_rows(ref('entity_short_forms'), refreshed_short_forms, short_form_columns) }}
),

moved_articles as (
    select article_id
    from changed_short_forms
    union
    {{ articles_naming('changed_identities') }}
    union
    -- a quote's speaker need not be named in its article (marts.speaker_article_quotes)
    {{ articles_naming('changed_identities', 'enriched_quotes', 'speaker_entity_id') }}
)

select day from changed_articles
union
select counted_articles.day
from {{ ref('counted_articles') }} as counted_articles
where counted_articles.article_id in (select moved_articles.article_id from moved_articles)
{%- endif %}
