-- grain: one row per article, person named there only by a short form (short_id: one or two
-- words of a longer name) and candidate full name (full_id: a person whose name holds those
-- words), when no name of the article holds them (whatever the model called that name:
-- "Bettie Page" tagged as an organisation still gives "Page" its full form). The few rows the
-- short-form rule (intermediate.entity_short_forms) then weighs, in a table of their own.
-- reads: intermediate.article_entities, intermediate.entity_variants,
--        intermediate.folded_article_entities
{{ config(materialized='table') }}
with named as (
    select * from {{ ref('folded_article_entities') }}
),

names as (
    select distinct
        article_entities.entity_id,
        article_entities.label,
        string_split(article_entities.name_key, ' ') as words
    from {{ ref('article_entities') }} as article_entities
    anti join {{ ref('entity_variants') }} as variants on article_entities.entity_id = variants.entity_id
),

full_names as (
    -- each one word and each ordered pair of words of a name of two to five words
    select
        entity_id,
        label,
        words[first] || case when second is null then '' else ' ' || words[second] end as short_form
    from names
    cross join unnest(range(1, len(words) + 1)) as firsts (first)
    cross join unnest(list_prepend(null, range(first + 1, len(words) + 1))) as seconds (second)
    where len(words) between 2 and 5
),

short_forms as (
    -- a person's one or two words and the names that hold them, of any label
    select
        names.entity_id as short_id,
        full_names.entity_id as full_id,
        full_names.label = 'PERSON' as is_candidate
    from names
    inner join full_names on array_to_string(names.words, ' ') = full_names.short_form
    where names.label = 'PERSON' and len(names.words) <= 2 and names.entity_id <> full_names.entity_id
),

lone as (
    select
        named.article_id,
        named.day,
        short_forms.short_id,
        short_forms.full_id
    from named
    inner join short_forms on named.entity_id = short_forms.short_id and short_forms.is_candidate
    where not exists (
        select 1
        from named as own
        inner join short_forms as own_forms on own.entity_id = own_forms.full_id
        where own.article_id = named.article_id and own_forms.short_id = named.entity_id
    )
)

select * from lone
