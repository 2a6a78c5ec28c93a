-- grain: one row per entity as enrichment named it (enriched_entity_id): the entity it is after
-- the corpus-wide label vote (intermediate.voted_entities) and the folding of spelling variants
-- (intermediate.entity_variants); every mention, entity tone and quote speaker keyed on it
-- follows. name: the entity's display name, the spelling its mentions use most often (among
-- mention texts that are the name in some case: "Eindhoven" over a dateline's "EINDHOVEN"),
-- ties to a mixed-case spelling, then the first in byte order; the same whatever the order
-- or the batches the articles came in. An entity whose mentions never spell its name
-- (possessives only) keeps enrichment's name.
-- reads: intermediate.voted_entities, intermediate.entity_variants, staging.enriched_mentions
{{ config(materialized='table') }}
with identified as (
    select
        voted.enriched_entity_id,
        coalesce(variants.variant_of, voted.entity_id) as entity_id,
        voted.entity_id as voted_entity_id,
        voted.name,
        voted.name_key,
        voted.label
    from {{ ref('voted_entities') }} as voted
    left join {{ ref('entity_variants') }} as variants on voted.entity_id = variants.entity_id
),

texts as (
    select
        entity_id,
        text,
        count(*) as mentions
    from {{ ref('enriched_mentions') }}
    group by entity_id, text
),

spellings as (
    select
        identified.entity_id,
        regexp_replace(trim(texts.text), '\s+', ' ', 'g') as spelling,
        sum(texts.mentions) as mentions
    from texts
    inner join identified on texts.entity_id = identified.enriched_entity_id
    -- a variant's spellings name the variant, not the entity it folds into
    where identified.voted_entity_id = identified.entity_id
    group by all
    having casefold(spelling) = any_value(identified.name_key)
),

display_names as (
    select
        entity_id,
        spelling as name
    from spellings
    qualify
        row_number() over (
            partition by entity_id order by mentions desc, spelling = upper(spelling), spelling
        ) = 1
),

targets as (
    -- the label of the entity itself (a variant takes the label of the entity it folds into)
    select
        entity_id,
        any_value(label) as label,
        min(name) as fallback_name
    from identified
    where voted_entity_id = entity_id
    group by entity_id
)

select
    identified.enriched_entity_id,
    identified.entity_id,
    coalesce(display_names.name, targets.fallback_name) as name,
    targets.label
from identified
inner join targets using (entity_id)
left join display_names using (entity_id)
