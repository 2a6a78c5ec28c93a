-- grain: one row per entity as enrichment named it that the analysts' lists name: found
-- listed by enrichment (a mention the alias table or watchlist named then), or on the lists
-- as this refresh reads them (staging.entity_lists, looked up as enrichment looks names up:
-- listed_name_key(), newsflow.nlp.aliases.name_key; the watchlist first). name, label: the
-- entity the list says it is (the entity's own when only enrichment's flag says so). Listed
-- entities never vote nor move in the label vote.
-- reads: staging.enriched_entities, staging.enriched_mentions, staging.entity_lists
{{ config(materialized='table') }}
with flagged as (
    select distinct entity_id
    from {{ ref('enriched_mentions') }}
    where listed
),

lists as (
    select
        name_key,
        name,
        label
    from {{ ref('entity_lists') }}
    qualify row_number() over (partition by name_key order by list = 'watchlist' desc, list) = 1
)

select
    entities.entity_id as enriched_entity_id,
    coalesce(lists.name, entities.name) as name,
    coalesce(lists.label, entities.label) as label
from {{ ref('enriched_entities') }} as entities
left join lists on listed_name_key(entities.name, entities.label) = lists.name_key
where lists.name_key is not null or entities.entity_id in (select flagged.entity_id from flagged)
