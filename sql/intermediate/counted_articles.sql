-- grain: one row per article: everything about it the daily marts count (its day, outlet, copy
-- status) and the load it came from (an article delivered again gets a new loaded_at). The refresh
-- keeps a copy as intermediate.refreshed_articles; the difference says which days changed.
-- reads: intermediate.article_days, staging.articles
select
    article_days.article_id,
    article_days.day,
    article_days.outlet,
    article_days.is_copy,
    articles.batch_id,
    articles.loaded_at
from {{ ref('article_days') }} as article_days
inner join {{ ref('articles') }} as articles using (article_id)
