-- grain: one row per entity mention of an article's current version (article_id, start_char),
-- as enrichment found it: entity_id and label before the corpus-wide label vote (the analysts'
-- staging.mentions applies it). model_label is what the NER model said; listed: the alias table
-- or watchlist named the entity, so the vote leaves it alone.
-- reads: raw.mentions, staging.articles
{{ current_version_rows('mentions', [
    'entity_id', 'text', 'label', 'model_label', 'start_char', 'end_char', 'sentence_index',
    'watched', 'listed'
]) }}
