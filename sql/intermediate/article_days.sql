-- grain: one row per article: the moment and UTC day it counts on in every daily mart and
-- recipe, and whether it is a copy (duplicate, syndicated copy or rewrite: see staging.stories).
-- The publication time when the date is trustworthy (date_flag = 'ok'), else the time the
-- article was ingested: the one definition of an article's day.
-- reads: staging.articles, staging.stories
with counted as (
    select
        articles.article_id,
        articles.outlet,
        articles.word_count,
        case when articles.date_flag = 'ok' then articles.published_at else articles.ingested_at end as seen_at,
        coalesce(stories.is_copy, false) as is_copy
    from {{ ref('articles') }} as articles
    left join {{ ref('stories') }} as stories using (article_id)
)

select
    article_id,
    outlet,
    word_count,
    seen_at,
    cast(timezone('UTC', seen_at) as date) as day,
    is_copy
from counted
