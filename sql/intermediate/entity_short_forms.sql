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
-- reads: intermediate.entity_short_form_candidates, intermediate.folded_article_entities
{{ config(materialized='table') }}
with named as (
    select * from {{ ref('folded_article_entities') }}
),

lone as (
    select * from {{ ref('entity_short_form_candidates') }}
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
