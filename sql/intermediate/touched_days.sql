-- grain: one row per day (UTC) whose daily mart rows this refresh rebuilds: the days of
-- articles that are new, gone or changed (a new load, another day, outlet or copy status) since
-- the last refresh, old and new day alike, and the days of articles that mention an entity the
-- corpus-wide vote moved or renamed. Without a previous refresh: every day.
-- reads: intermediate.counted_articles, intermediate.entity_identities,
--        staging.enriched_mentions, and the refresh's copies of the first two
--        (intermediate.refreshed_articles, intermediate.refreshed_identities)
{{ config(materialized='table') }}
-- depends_on: {{ ref('entity_identities') }}, {{ ref('enriched_mentions') }}
{%- set refreshed_articles = refreshed_relation('refreshed_articles') -%}
{%- set refreshed_identities = refreshed_relation('refreshed_identities') -%}
{%- set identity_columns = 'enriched_entity_id, entity_id, name, label' -%}
{%- if refreshed_articles is none or refreshed_identities is none %}
select distinct day
from {{ ref('counted_articles') }}
{%- else %}
with new_or_changed_articles as (
    select * from {{ ref('counted_articles') }}
    except
    select * from {{ refreshed_articles }}
),

gone_or_changed_articles as (
    select * from {{ refreshed_articles }}
    except
    select * from {{ ref('counted_articles') }}
),

new_or_changed_identities as (
    select {{ identity_columns }}
    from {{ ref('entity_identities') }}
    except
    select {{ identity_columns }}
    from {{ refreshed_identities }}
),

gone_or_changed_identities as (
    select {{ identity_columns }}
    from {{ refreshed_identities }}
    except
    select {{ identity_columns }}
    from {{ ref('entity_identities') }}
),

moved_articles as (
    select distinct article_id
    from {{ ref('enriched_mentions') }}
    where
        entity_id in (select new_or_changed_identities.enriched_entity_id from new_or_changed_identities)
        or entity_id in (select gone_or_changed_identities.enriched_entity_id from gone_or_changed_identities)
)

select day from new_or_changed_articles
union
select day from gone_or_changed_articles
union
select counted_articles.day
from {{ ref('counted_articles') }} as counted_articles
where counted_articles.article_id in (select moved_articles.article_id from moved_articles)
{%- endif %}
