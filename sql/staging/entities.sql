-- grain: one row per entity (display name and label) after the identity rules: the corpus-wide
-- label vote, spelling variants and short forms (intermediate/entity_*.sql; which names were
-- merged and why: staging.entity_aliases). name: the spelling its mentions use most often.
-- aliases: every surface form mentions used for it, over the entities folded into it;
-- first/last seen: the earliest and latest batch (data interval end) that mentioned it. Until
-- the next refresh, an entity first loaded since the last one is as enrichment named it.
-- reads: staging.enriched_entities, intermediate.entity_identities, intermediate.entity_short_forms
with identified as (
    select
        coalesce(identities.entity_id, enriched.entity_id) as entity_id,
        coalesce(identities.name, enriched.name) as name,
        coalesce(identities.label, enriched.label) as label,
        enriched.aliases,
        enriched.first_seen_at,
        enriched.last_seen_at
    from {{ ref('enriched_entities') }} as enriched
    left join {{ ref('entity_identities') }} as identities
        on enriched.entity_id = identities.enriched_entity_id
),

short_form_aliases as (
    -- a short form linked across articles is an alias of the full name too
    select
        short_forms.linked_entity_id as entity_id,
        list(distinct identities.name) as names
    from {{ ref('entity_short_forms') }} as short_forms
    inner join {{ ref('entity_identities') }} as identities on short_forms.entity_id = identities.entity_id
    group by short_forms.linked_entity_id
)

select
    identified.entity_id,
    min(identified.name) as name,
    any_value(identified.label) as label,
    list_sort(list_distinct(flatten(list(identified.aliases)) || coalesce(any_value(linked.names), []))) as aliases,
    min(identified.first_seen_at) as first_seen_at,
    max(identified.last_seen_at) as last_seen_at
from identified
left join short_form_aliases as linked on identified.entity_id = linked.entity_id
group by identified.entity_id
