-- grain: one row per entity mention of an article's current version (article_id, start_char),
-- as enrichment found it: entity_id and label before the corpus-wide label vote (the analysts'
-- staging.mentions applies it). model_label is what the NER model said; listed: the alias table
-- or watchlist named the entity, so the vote leaves it alone.
-- reads: raw.mentions, staging.articles
select
    mentions.article_id,
    mentions.entity_id,
    mentions.text,
    mentions.label,
    mentions.model_label,
    mentions.start_char,
    mentions.end_char,
    mentions.sentence_index,
    mentions.watched,
    mentions.listed
from {{ source('raw', 'mentions') }} as mentions
inner join {{ ref('articles') }} using (article_id, batch_id)
