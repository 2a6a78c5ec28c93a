-- grain: one row per article: the moment and UTC day it counts on in every daily mart, and
-- whether it is a copy (duplicate, syndicated copy or rewrite: see staging.stories).
-- The publication time when the date is trustworthy (date_flag = 'ok'), else the time the
-- article was ingested: one definition for every mart and recipe.
create or replace view staging.article_days as
select
    articles.article_id,
    articles.outlet,
    articles.word_count,
    case when articles.date_flag = 'ok' then articles.published_at else articles.ingested_at end as seen_at,
    cast(
        timezone('UTC', case when articles.date_flag = 'ok' then articles.published_at else articles.ingested_at end)
        as date
    ) as day,
    coalesce(stories.is_copy, false) as is_copy
from staging.articles as articles
left join staging.stories as stories using (article_id);
