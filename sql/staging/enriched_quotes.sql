-- grain: one row per quote of an article's current version (article_id, start_char), the
-- speaker as enrichment named it (see staging.quotes for the speaker after the vote).
-- reads: raw.quotes, staging.articles
select
    quotes.article_id,
    quotes.speaker_entity_id,
    quotes.speaker_text,
    quotes.quote,
    quotes.start_char,
    quotes.end_char
from {{ source('raw', 'quotes') }} as quotes
inner join {{ ref('articles') }} using (article_id, batch_id)
