-- grain: one row per entity as enrichment named it (enriched_entity_id): the entity it is after
-- the analysts' lists and the corpus-wide label vote. A name on the alias table or watchlist
-- (staging.entity_lists; the watchlist first) is the listed entity, with the listed label, as
-- the list reads at this refresh: an edited list applies to batches loaded before the edit.
-- Any other entity whose name's majority label (intermediate.entity_labels) differs from its
-- own moves to that label. Either way the id is the one enrichment would give the name and
-- label (entity_id(): newsflow.nlp.entities.entity_id, see newsflow.warehouse.sql_functions);
-- every mention, entity tone and quote speaker keyed on it follows. Entities enrichment found
-- listed (a listed mention) never move. name_key: the case-folded name the vote counts.
-- reads: staging.enriched_entities, staging.enriched_mentions, staging.entity_lists,
--        intermediate.entity_labels
{{ config(materialized='table') }}
with listed_entities as (
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
),

decided as (
    select
        entities.entity_id as enriched_entity_id,
        coalesce(lists.name, entities.name) as name,
        entities.label as enriched_label,
        lists.name_key is not null as on_list,
        case
            when lists.name_key is not null then lists.label
            when entities.entity_id in (select listed_entities.entity_id from listed_entities) then entities.label
            else coalesce(labels.label, entities.label)
        end as label
    from {{ ref('enriched_entities') }} as entities
    left join lists on listed_name_key(entities.name, entities.label) = lists.name_key
    left join {{ ref('entity_labels') }} as labels on casefold(entities.name) = labels.name_key
)

select
    enriched_entity_id,
    case
        when label = enriched_label and not on_list then enriched_entity_id
        else entity_id(name, label)
    end as entity_id,
    name,
    casefold(name) as name_key,
    label,
    enriched_label
from decided
