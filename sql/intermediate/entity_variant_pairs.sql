-- grain: one row per candidate pair of spellings of one name (alias_id, target_id, kind): two
-- entities of one label (after the label vote) whose names differ by a hyphen, one added
-- hyphenated word or one typo (see intermediate.entity_variants, which keeps the pairs that
-- share their context), the alias being the one in fewer articles. A table of its own, so that
-- the context counts start from these few pairs.
-- reads: intermediate.article_entities
{{ config(materialized='table') }}
{%- set min_typo_chars = 6 %}
{#- a name yields one typo key per character: a run-on span of thousands (a caption glued into
    one word) is no name to misspell, and its keys would take gigabytes #}
{%- set max_typo_chars = 60 %}
with entities as (
    select
        entity_id,
        any_value(name_key) as name_key,
        any_value(label) as label,
        count(*) as articles
    from {{ ref('article_entities') }}
    group by entity_id
),

keys as (
    -- self: the name; joined: its hyphens as spaces or as nothing; stem: the part before a
    -- hyphen followed by one word (people); typo: the name without one of its characters (two names one
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
    -- people only: a place or body named with a hyphen is often another one ('Asia-Pacific',
    -- 'Guinea-Bissau', 'Austria-Hungary'), a person's added word a typo or a double name
    where regexp_matches(name_key, '^[^-]+-[a-z]+$') and label = 'PERSON'
    union all
    select distinct
        entities.entity_id,
        left(entities.name_key, position - 1) || substr(entities.name_key, position + 1) as variant_key,
        'typo' as kind
    from entities
    cross join unnest(range(1, length(entities.name_key) + 1)) as positions (position)
    where
        length(entities.name_key) between {{ min_typo_chars }} and {{ max_typo_chars }}
        and not regexp_matches(entities.name_key, '[0-9]')
),

variant_keys as (
    -- each key with what the pair test needs, so that pairs are one join on (key, label)
    select
        keys.entity_id,
        keys.variant_key,
        keys.kind,
        entities.name_key,
        entities.label,
        entities.articles
    from keys
    inner join entities using (entity_id)
),

pairs as (
    select distinct
        alias.entity_id as alias_id,
        target.entity_id as target_id,
        case when alias.kind = 'typo' or target.kind = 'typo' then 'typo' else 'hyphen' end as kind,
        alias.articles as alias_articles,
        target.articles as target_articles
    from variant_keys as alias
    inner join variant_keys as target
        on alias.variant_key = target.variant_key and alias.label = target.label and alias.entity_id <> target.entity_id
    where
        -- which keys may meet: a stem only the other's name, a typo key a name or a typo key
        (
            (alias.kind = 'joined' and target.kind in ('self', 'joined'))
            or (alias.kind = 'self' and target.kind = 'joined')
            or (alias.kind = 'stem' and target.kind = 'self')
            or (alias.kind = 'typo' and target.kind in ('self', 'typo'))
            or (alias.kind = 'self' and target.kind = 'typo')
        )
        and (
            alias.articles < target.articles
            or (alias.articles = target.articles and alias.name_key > target.name_key)
        )
        and (
            'typo' not in (alias.kind, target.kind)
            or (
                left(alias.name_key, 1) = left(target.name_key, 1)
                and damerau_levenshtein(alias.name_key, target.name_key) = 1
                and alias.articles < target.articles
            )
        )
)

select * from pairs
