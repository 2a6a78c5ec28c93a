-- grain: one row per quote (article_id, start_char): a direct quote (text inside quote marks,
-- without them) or the reported clause of an attributed statement. Offsets are character
-- offsets into staging.articles.text; speaker_text is the speaker as written ("Hong", "he"),
-- speaker_entity_id the entity it names after the corpus-wide vote (null when none is known).
-- reads: staging.enriched_quotes, intermediate.entity_identities, intermediate.entity_short_forms
select
    quotes.article_id,
    {{ identified_entity_id('quotes', 'speaker_entity_id') }} as speaker_entity_id,
    quotes.speaker_text,
    quotes.quote,
    quotes.start_char,
    quotes.end_char
from {{ ref('enriched_quotes') }} as quotes
{{ join_entity_identity('quotes', 'speaker_entity_id') }}
