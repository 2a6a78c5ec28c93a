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
-- reads: intermediate.entity_variant_pairs, intermediate.article_entities
{{ config(materialized='table') }}
with pairs as (
    select * from {{ ref('entity_variant_pairs') }}
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
