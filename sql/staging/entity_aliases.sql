-- grain: one row per entity merged into another (alias_entity_id, rule): which name became
-- which entity, by which identity rule, on what evidence (evidence says it in words).
--   label_vote:       the label the warehouse gives the name most often moved it (alias: the
--                     entity as enrichment named it);
--   spelling_variant: a hyphen or typo variant (kind) of the entity's name, sharing
--                     shared_context of its context_entities co-mentioned entities;
--   short_form:       a lone short form linked to the full name seen with the same context in
--                     the recent warehouse; articles: the articles it was linked in, the context
--                     counts summed over them.
-- articles: the alias's articles that the merge moved.
-- reads: intermediate.voted_entities, intermediate.entity_labels, intermediate.entity_variants,
--        intermediate.entity_short_forms, intermediate.entity_identities, intermediate.article_entities
with display_names as (
    select distinct
        entity_id,
        name,
        label
    from {{ ref('entity_identities') }}
),

voted_names as (
    select
        entity_id,
        min(name) as name,
        any_value(label) as label
    from {{ ref('voted_entities') }}
    group by entity_id
),

moved as (
    select
        voted.enriched_entity_id as alias_entity_id,
        voted.name as alias_name,
        voted.enriched_label as alias_label,
        identities.entity_id,
        'label_vote' as rule,
        null as kind,
        count(distinct mentions.article_id) as articles,
        null::bigint as context_entities,
        null::bigint as shared_context,
        printf('%d mentions of the name are labelled %s', any_value(labels.mentions), any_value(labels.label))
            as evidence
    from {{ ref('voted_entities') }} as voted
    inner join {{ ref('entity_identities') }} as identities using (enriched_entity_id)
    inner join {{ ref('entity_labels') }} as labels on voted.name_key = labels.name_key
    left join {{ ref('enriched_mentions') }} as mentions on voted.enriched_entity_id = mentions.entity_id
    where voted.entity_id <> voted.enriched_entity_id
    group by voted.enriched_entity_id, voted.name, voted.enriched_label, identities.entity_id
),

variants as (
    select
        variants.entity_id as alias_entity_id,
        voted_names.name as alias_name,
        voted_names.label as alias_label,
        variants.variant_of as entity_id,
        'spelling_variant' as rule,
        variants.kind,
        variants.articles,
        variants.context_entities,
        variants.shared_context,
        printf(
            '%s variant in %d articles (the entity: %d); %d of its %d co-mentioned entities shared',
            variants.kind, variants.articles, variants.target_articles, variants.shared_context,
            variants.context_entities
        ) as evidence
    from {{ ref('entity_variants') }} as variants
    inner join voted_names on variants.entity_id = voted_names.entity_id
),

short_forms as (
    select
        short_forms.entity_id as alias_entity_id,
        any_value(display_names.name) as alias_name,
        any_value(display_names.label) as alias_label,
        short_forms.linked_entity_id as entity_id,
        'short_form' as rule,
        null as kind,
        count(*) as articles,
        sum(short_forms.context_entities) as context_entities,
        sum(short_forms.shared_context) as shared_context,
        printf(
            'linked in %d articles, each naming the full name''s co-mentioned entities (%d of %d in all); '
            || 'the full name seen in up to %d recent articles',
            count(*), sum(short_forms.shared_context), sum(short_forms.context_entities),
            max(short_forms.full_articles)
        ) as evidence
    from {{ ref('entity_short_forms') }} as short_forms
    inner join display_names on short_forms.entity_id = display_names.entity_id
    group by short_forms.entity_id, short_forms.linked_entity_id
),

merged as (
    select * from moved
    union all
    select * from variants
    union all
    select * from short_forms
)

select
    merged.alias_entity_id,
    merged.alias_name,
    merged.alias_label,
    merged.entity_id,
    display_names.name,
    display_names.label,
    merged.rule,
    merged.kind,
    merged.articles,
    merged.context_entities,
    merged.shared_context,
    merged.evidence
from merged
inner join display_names on merged.entity_id = display_names.entity_id
