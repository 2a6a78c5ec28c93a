-- grain: one row per entity (as enrichment named it) per article (current version): the tone
-- of the clauses that mention it, before the corpus-wide vote (see staging.entity_sentiment).
-- reads: raw.entity_sentiment, staging.articles
{{ current_version_rows('entity_sentiment', [
    'entity_id', 'mentions', 'compound', 'label'
]) }}
