-- grain: one row per outlet per day (UTC).
-- reads: intermediate.article_days, staging.article_sentiment
-- original_articles: articles that are not copies (duplicates, syndicated copies, rewrites).
-- toned_articles: articles with a tone (VADER scores English text only), the ones the means rest on;
-- mean_compound, mean_tone: each of those articles counts once.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    article_days.day,
    article_days.outlet,
    count(*) as articles,
    count(*) filter (where not article_days.is_copy) as original_articles,
    sum(article_days.word_count) as words,
    count(article_sentiment.compound) as toned_articles,
    avg(article_sentiment.compound) as mean_compound,
    avg(article_sentiment.tone) as mean_tone
from {{ ref('article_days') }} as article_days
left join {{ ref('article_sentiment') }} as article_sentiment using (article_id)
where {{ only_touched_days('article_days.day') }}
group by article_days.day, article_days.outlet
order by article_days.day, article_days.outlet
