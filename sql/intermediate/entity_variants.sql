-- grain: one row per entity (after the label vote) folded into another spelling of its name:
-- variant_of is the entity it folds into, kind says how the names differ:
--   hyphen: the same words with a hyphen, a space or nothing between them ("Kim Jong-un",
--           "Kim Jong Un"), or the name with one hyphenated word added ("Belousov-North",
--           "Belousov"; "Middle East-Western Europe" is not "Middle East");
--   typo:   one character added, dropped, changed or two swapped, in a name of 6+ characters
--           without digits, same first letter ("Belousow", "Belousov"; "G7" and "G8" never).
-- Names alone never fold: the two must share their context, the entities co-mentioned with
-- them (shared_context, at least var entity_min_shared_context and half of the alias's own
-- context_entities). The alias is the one in fewer articles (a hyphen variant on a tie: the
-- later name in byte order), so a rare misspelling folds into the common spelling, never back.
-- reads: intermediate.article_entities
{{ config(materialized='table') }}
{%- set min_typo_chars = 6 %}
with entities as (
    select
        entity_id,
        any_value(name_key) as name_key,
        any_value(label) as label,
        count(*) as articles
    from {{ ref('article_entities') }}
    group by entity_id
),

variant_keys as (
    -- self: the name; joined: its hyphens as spaces or as nothing; stem: the part before a
    -- hyphen followed by one word; typo: the name without one of its characters (two names one
    -- edit apart share one: found by a join, not by comparing every pair)
    select
        entity_id,
        name_key as variant_key,
        'self' as kind
    from entities
    union all
    select
        entity_id,
        unnest([replace(name_key, '-', ' '), replace(name_key, '-', '')]) as variant_key,
        'joined' as kind
    from entities
    where contains(name_key, '-')
    union all
    select
        entity_id,
        regexp_extract(name_key, '^(.+)-[a-z]+$', 1) as variant_key,
        'stem' as kind
    from entities
    where regexp_matches(name_key, '^[^-]+-[a-z]+$')
    union all
    select
        entities.entity_id,
        left(entities.name_key, position - 1) || substr(entities.name_key, position + 1) as variant_key,
        'typo' as kind
    from entities
    cross join unnest(range(1, length(entities.name_key) + 1)) as positions (position)
    where length(entities.name_key) >= {{ min_typo_chars }} and not regexp_matches(entities.name_key, '[0-9]')
),

pairs as (
    select distinct
        alias.entity_id as alias_id,
        target.entity_id as target_id,
        case when alias_keys.kind = 'typo' or target_keys.kind = 'typo' then 'typo' else 'hyphen' end as kind,
        alias.articles as alias_articles,
        target.articles as target_articles
    from variant_keys as alias_keys
    inner join variant_keys as target_keys
        on alias_keys.variant_key = target_keys.variant_key and alias_keys.entity_id <> target_keys.entity_id
    inner join entities as alias on alias_keys.entity_id = alias.entity_id
    inner join entities as target on target_keys.entity_id = target.entity_id
    where
        alias.label = target.label
        -- which keys may meet: a stem only the other's name, a typo key a name or a typo key
        and (
            (alias_keys.kind = 'joined' and target_keys.kind in ('self', 'joined'))
            or (alias_keys.kind = 'self' and target_keys.kind = 'joined')
            or (alias_keys.kind = 'stem' and target_keys.kind = 'self')
            or (alias_keys.kind = 'typo' and target_keys.kind in ('self', 'typo'))
            or (alias_keys.kind = 'self' and target_keys.kind = 'typo')
        )
        and (
            alias.articles < target.articles
            or (alias.articles = target.articles and alias.name_key > target.name_key)
        )
        and (
            'typo' not in (alias_keys.kind, target_keys.kind)
            or (
                left(alias.name_key, 1) = left(target.name_key, 1)
                and damerau_levenshtein(alias.name_key, target.name_key) = 1
                and alias.articles < target.articles
            )
        )
),

alias_context as (
    select distinct
        pairs.alias_id,
        pairs.target_id,
        other.entity_id as context_id
    from pairs
    inner join {{ ref('article_entities') }} as own on pairs.alias_id = own.entity_id
    inner join {{ ref('article_entities') }} as other
        on own.article_id = other.article_id and other.entity_id not in (pairs.alias_id, pairs.target_id)
),

shared_context as (
    select distinct
        alias_context.alias_id,
        alias_context.target_id,
        alias_context.context_id
    from alias_context
    inner join {{ ref('article_entities') }} as context on alias_context.context_id = context.entity_id
    inner join {{ ref('article_entities') }} as target
        on context.article_id = target.article_id and alias_context.target_id = target.entity_id
),

context_counts as (
    select
        alias_id,
        target_id,
        count(*) as context_entities
    from alias_context
    group by alias_id, target_id
),

shared_counts as (
    select
        alias_id,
        target_id,
        count(*) as shared_context
    from shared_context
    group by alias_id, target_id
),

scored as (
    select
        pairs.*,
        coalesce(context_counts.context_entities, 0) as context_entities,
        coalesce(shared_counts.shared_context, 0) as shared_context
    from pairs
    left join context_counts using (alias_id, target_id)
    left join shared_counts using (alias_id, target_id)
),

folded as (
    select *
    from scored
    where
        shared_context >= {{ var('entity_min_shared_context') }}
        and shared_context * 2 >= context_entities
    -- an alias with several such spellings folds into the one in most articles
    qualify row_number() over (partition by alias_id order by target_articles desc, shared_context desc, target_id) = 1
)

select
    folded.alias_id as entity_id,
    -- a target that is itself a variant passes its own alias on
    coalesce(further.target_id, folded.target_id) as variant_of,
    folded.kind,
    folded.alias_articles as articles,
    folded.target_articles,
    folded.context_entities,
    folded.shared_context
from folded
left join folded as further on folded.target_id = further.alias_id
