-- grain: one row per story (a connected component of staging.story_links), single-article
-- stories included (articles = 1). Spread: how long after its origin the story was first
-- picked up, and how long it kept spreading.
-- reads: staging.stories, staging.articles, intermediate.article_days
{{ config(materialized='table') }}
with articles as (
    select
        articles.article_id,
        articles.outlet,
        articles.title,
        article_days.seen_at
    from {{ ref('articles') }} as articles
    inner join {{ ref('article_days') }} as article_days using (article_id)
),

members as (
    select
        stories.story_id,
        stories.article_id,
        stories.is_origin,
        stories.is_copy,
        stories.agency,
        articles.outlet,
        articles.title,
        articles.seen_at
    from {{ ref('stories') }} as stories
    inner join articles using (article_id)
),

origins as (
    select
        story_id,
        article_id as origin_article_id,
        outlet as origin_outlet,
        title as origin_title,
        seen_at as origin_at
    from members
    where is_origin
),

spread as (
    select
        story_id,
        any_value(agency) as agency,
        count(*) as articles,
        count(*) filter (where is_copy) as copies,
        count(distinct outlet) as outlets,
        string_agg(distinct outlet, ', ' order by outlet) as outlet_list,
        min(seen_at) as first_seen,
        max(seen_at) as last_seen
    from members
    group by story_id
),

pickups as (
    select
        members.story_id,
        min(members.seen_at) as first_pickup_at
    from members
    inner join origins using (story_id)
    where not members.is_origin and members.outlet <> origins.origin_outlet
    group by members.story_id
)

select
    spread.story_id,
    origins.origin_article_id,
    origins.origin_outlet,
    origins.origin_title,
    spread.agency,
    spread.articles,
    spread.copies,
    spread.outlets,
    spread.outlet_list,
    spread.first_seen,
    spread.last_seen,
    pickups.first_pickup_at - origins.origin_at as first_pickup_delay,
    spread.last_seen - spread.first_seen as spread_duration
from spread
inner join origins using (story_id)
left join pickups using (story_id)
order by spread.articles desc, spread.first_seen
