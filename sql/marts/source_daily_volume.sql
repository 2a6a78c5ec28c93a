-- grain: one row per outlet per day (UTC).
-- reads: staging.article_days, staging.article_sentiment, staging.stories
-- original_articles: articles that are not copies (duplicates, syndicated copies, rewrites);
-- toned_articles: articles with a tone (VADER scores English text only), the ones the means rest on.
with articles as (
    select article_id, outlet, word_count, day
    from staging.article_days
)

select
    articles.day,
    articles.outlet,
    count(*) as articles,
    count(*) filter (where not coalesce(stories.is_copy, false)) as original_articles,
    sum(articles.word_count) as words,
    count(article_sentiment.compound) as toned_articles,
    avg(article_sentiment.compound) as mean_compound,
    avg(article_sentiment.tone) as mean_tone
from articles
left join staging.article_sentiment as article_sentiment using (article_id)
left join staging.stories as stories using (article_id)
group by all
order by articles.day, articles.outlet
