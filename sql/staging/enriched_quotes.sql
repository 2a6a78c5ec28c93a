-- grain: one row per quote of an article's current version (article_id, start_char), the
-- speaker as enrichment named it (see staging.quotes for the speaker after the vote).
-- reads: raw.quotes, staging.articles
{{ current_version_rows('quotes', [
    'speaker_entity_id', 'speaker_text', 'quote', 'start_char', 'end_char'
]) }}
