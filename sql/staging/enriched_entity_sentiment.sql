-- grain: one row per entity (as enrichment named it) per article (current version): the tone
-- of the clauses that mention it, before the corpus-wide vote (see staging.entity_sentiment).
-- reads: raw.entity_sentiment, staging.articles
select
    sentiment.article_id,
    sentiment.entity_id,
    sentiment.mentions,
    sentiment.compound,
    sentiment.label
from {{ source('raw', 'entity_sentiment') }} as sentiment
inner join {{ ref('articles') }} using (article_id, batch_id)
