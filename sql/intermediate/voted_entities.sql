-- grain: one row per entity as enrichment named it (enriched_entity_id): the entity it is after
-- the analysts' lists and the corpus-wide label vote. A name the alias table or watchlist
-- names (intermediate.listed_entities, as the lists read at this refresh: an edited list
-- applies to batches loaded before the edit) is the listed entity, with the listed label.
-- Any other entity whose name's majority label (intermediate.entity_labels) differs from its
-- own moves to that label. Either way the id is the one enrichment would give the name and
-- label (entity_id(): newsflow.nlp.entities.entity_id, see newsflow.warehouse.sql_functions);
-- every mention, entity tone and quote speaker keyed on it follows. name_key: the case-folded
-- name the vote counts.
-- reads: staging.enriched_entities, intermediate.listed_entities, intermediate.entity_labels
{{ config(materialized='table') }}
with decided as (
    select
        entities.entity_id as enriched_entity_id,
        entities.name as enriched_name,
        entities.label as enriched_label,
        coalesce(listed.name, entities.name) as name,
        coalesce(listed.label, labels.label, entities.label) as label
    from {{ ref('enriched_entities') }} as entities
    left join {{ ref('listed_entities') }} as listed on entities.entity_id = listed.enriched_entity_id
    left join {{ ref('entity_labels') }} as labels
        on casefold(entities.name) = labels.name_key and listed.enriched_entity_id is null
)

select
    enriched_entity_id,
    case
        when label = enriched_label and name = enriched_name then enriched_entity_id
        else entity_id(name, label)
    end as entity_id,
    name,
    casefold(name) as name_key,
    label,
    enriched_label
from decided
