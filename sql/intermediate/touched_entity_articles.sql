-- grain: one row per article whose rows in intermediate.article_entities this refresh rebuilds:
-- articles new or changed since the last refresh (a new load, another day: the difference of
-- intermediate.counted_articles and the refresh's copy, intermediate.refreshed_articles), and
-- articles naming an entity the label vote or the lists moved or renamed since then (the
-- difference of intermediate.voted_entities and its copy, refreshed_voted_entities; found by
-- enrichment's entity id, so a refresh that failed after rebuilding article_entities leaves
-- nothing behind). Every article without a previous refresh. Rows of articles gone from the
-- warehouse are deleted by article_entities itself.
-- reads: intermediate.counted_articles, intermediate.voted_entities, staging.enriched_mentions,
--        the refresh's copies of the first two
{{ config(materialized='table') }}
-- depends_on: {{ ref('voted_entities') }}, {{ ref('enriched_mentions') }}
{%- set refreshed_articles = refreshed_relation('refreshed_articles') -%}
{%- set refreshed_voted = refreshed_relation('refreshed_voted_entities') -%}
{%- set built = refreshed_relation('article_entities') -%}
{%- set voted_columns = 'enriched_entity_id, entity_id, name_key, label' -%}
{%- if refreshed_articles is none or refreshed_voted is none or built is none %}
select article_id
from {{ ref('counted_articles') }}
{%- else %}
with changed_articles as (
    select * from {{ ref('counted_articles') }}
    except
    select * from {{ refreshed_articles }}
),

moved_entities as (
    {{ changed_rows(ref('voted_entities'), refreshed_voted, voted_columns) }}
)

select article_id
from changed_articles
union
{{ articles_naming('moved_entities') }}
{%- endif %}
