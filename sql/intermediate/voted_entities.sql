-- grain: one row per entity as enrichment named it (enriched_entity_id): the entity it is after
-- the corpus-wide label vote. An entity whose name's majority label (intermediate.entity_labels)
-- differs from its own moves to that label, with the id enrichment would give it
-- (entity_id(), newsflow.nlp.entities.entity_id registered by newsflow.warehouse.sql_functions);
-- every mention, entity tone and quote speaker keyed on it follows. Entities the alias table or
-- watchlist named (a listed mention) never move. name_key: the case-folded name the vote counts.
-- reads: staging.enriched_entities, staging.enriched_mentions, intermediate.entity_labels
{{ config(materialized='table') }}
with listed_entities as (
    select distinct entity_id
    from {{ ref('enriched_mentions') }}
    where listed
),

decided as (
    select
        entities.entity_id as enriched_entity_id,
        entities.name,
        casefold(entities.name) as name_key,
        entities.label as enriched_label,
        case
            when entities.entity_id in (select listed_entities.entity_id from listed_entities) then entities.label
            else coalesce(labels.label, entities.label)
        end as label
    from {{ ref('enriched_entities') }} as entities
    left join {{ ref('entity_labels') }} as labels on casefold(entities.name) = labels.name_key
)

select
    enriched_entity_id,
    case
        when label = enriched_label then enriched_entity_id
        else entity_id(name, label)
    end as entity_id,
    name,
    name_key,
    label,
    enriched_label
from decided
