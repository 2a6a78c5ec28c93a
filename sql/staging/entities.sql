-- grain: one row per entity (canonical name and label) after the corpus-wide label vote.
-- aliases: every surface form mentions used for it, over the entities the vote folded into it;
-- first/last seen: the earliest and latest batch (data interval end) that mentioned it. Until
-- the next refresh, an entity first loaded since the last one is as enrichment named it.
-- reads: staging.enriched_entities, intermediate.entity_identities
with identified as (
    select
        enriched.entity_id as enriched_entity_id,
        coalesce(identities.entity_id, enriched.entity_id) as entity_id,
        enriched.name,
        coalesce(identities.label, enriched.label) as label,
        enriched.aliases,
        enriched.first_seen_at,
        enriched.last_seen_at
    from {{ ref('enriched_entities') }} as enriched
    left join {{ ref('entity_identities') }} as identities
        on enriched.entity_id = identities.enriched_entity_id
)

select
    entity_id,
    -- the entity's own name when enrichment already knew it under this id
    arg_min(name, enriched_entity_id <> entity_id) as name,
    any_value(label) as label,
    list_sort(list_distinct(flatten(list(aliases)))) as aliases,
    min(first_seen_at) as first_seen_at,
    max(last_seen_at) as last_seen_at
from identified
group by entity_id
