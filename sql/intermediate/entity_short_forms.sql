-- grain: one row per person named in an article only by a short form ("Kim", "Putin", "Kim
-- Jong") that this article links to a full name seen in other articles of the recent warehouse
-- (entity_id: the short form's entity, linked_entity_id: the full name's). Within one article,
-- enrichment links short forms already (newsflow.nlp.entities.link_short_forms); this is the
-- rule across articles and batches, for an article that never gives the full form.
-- Candidates: people whose name holds the short form's one or two words, mentioned in an
-- article of the last var entity_window_days days up to the article's day. The winner shares
-- the most context with the article (entities the article names that were named with the
-- candidate in those articles), then is seen in the most articles; it needs var
-- entity_min_shared_context shared entities and half of the article's other entities, and a
-- tie links nothing. A lone "Kim" in a North Korea story is Kim Jong Un; in a story about
-- Seoul's budget whose other names were never seen with him, it stays "Kim".
-- reads: intermediate.article_entities, intermediate.entity_variants
{{ config(materialized='table') }}
with named as (
    -- the article's entities after spelling variants fold
    select
        article_entities.article_id,
        coalesce(variants.variant_of, article_entities.entity_id) as entity_id,
        any_value(article_entities.day) as day
    from {{ ref('article_entities') }} as article_entities
    left join {{ ref('entity_variants') }} as variants on article_entities.entity_id = variants.entity_id
    group by all
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
    -- articles naming the short form and no longer name holding it (whatever the model called
    -- that name: "Bettie Page" tagged as an organisation still gives "Page" its full form)
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
),

seen as (
    -- the candidate's articles in the window (other articles only)
    select
        lone.article_id,
        lone.short_id,
        lone.full_id,
        seen.article_id as seen_article_id
    from lone
    inner join named as seen
        on
            lone.full_id = seen.entity_id
            and lone.article_id <> seen.article_id
            and seen.day between lone.day - {{ var('entity_window_days') }} and lone.day
),

lone_articles as (
    select distinct
        article_id,
        short_id
    from lone
),

context as (
    select
        lone_articles.article_id,
        lone_articles.short_id,
        count(*) as context_entities
    from lone_articles
    inner join named as other
        on lone_articles.article_id = other.article_id and lone_articles.short_id <> other.entity_id
    group by all
),

shared as (
    select
        seen.article_id,
        seen.short_id,
        seen.full_id,
        count(distinct seen.seen_article_id) as full_articles,
        count(distinct own.entity_id) filter (where own.entity_id is not null) as shared_context
    from seen
    left join named as cooccurring
        on seen.seen_article_id = cooccurring.article_id and seen.full_id <> cooccurring.entity_id
    left join named as own
        on
            seen.article_id = own.article_id
            and cooccurring.entity_id = own.entity_id
            and seen.short_id <> own.entity_id
    group by all
),

ranked as (
    select
        shared.*,
        coalesce(context.context_entities, 0) as context_entities,
        row_number() over (
            partition by shared.article_id, shared.short_id
            order by shared.shared_context desc, shared.full_articles desc
        ) as rank,
        count(*) over (
            partition by shared.article_id, shared.short_id, shared.shared_context, shared.full_articles
        ) as tied
    from shared
    left join context using (article_id, short_id)
)

select
    article_id,
    short_id as entity_id,
    full_id as linked_entity_id,
    full_articles,
    context_entities,
    shared_context
from ranked
where
    rank = 1
    and tied = 1
    and shared_context >= {{ var('entity_min_shared_context') }}
    and shared_context * 2 >= context_entities
