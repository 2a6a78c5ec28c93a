-- grain: one row per article (its current version). compound: mean VADER sentence compound in
-- [-1, 1]; tone/positive/negative/polarity: GDELT-style percentages of all words.
-- reads: raw.article_sentiment, staging.articles
select
    sentiment.article_id,
    sentiment.compound,
    sentiment.tone,
    sentiment.positive,
    sentiment.negative,
    sentiment.polarity,
    sentiment.word_count,
    sentiment.sentence_count
from {{ source('raw', 'article_sentiment') }} as sentiment
inner join {{ ref('articles') }} using (article_id, batch_id)
