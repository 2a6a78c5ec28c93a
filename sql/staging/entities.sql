-- grain: one row per entity (canonical name and label) after the corpus-wide label vote.
-- aliases: every surface form mentions used for it, over the entities the vote folded into it;
-- first/last seen: the earliest and latest batch (data interval end) that mentioned it.
-- reads: intermediate.entity_identities, staging.enriched_entities
select
    identities.entity_id,
    -- the entity's own name when enrichment already knew it under this id
    arg_min(identities.name, identities.enriched_entity_id <> identities.entity_id) as name,
    any_value(identities.label) as label,
    list_sort(list_distinct(flatten(list(enriched.aliases)))) as aliases,
    min(enriched.first_seen_at) as first_seen_at,
    max(enriched.last_seen_at) as last_seen_at
from {{ ref('entity_identities') }} as identities
inner join {{ ref('enriched_entities') }} as enriched
    on identities.enriched_entity_id = enriched.entity_id
group by identities.entity_id
