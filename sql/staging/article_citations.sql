-- grain: one row per article, cited source and kind of evidence. kind: dateline, byline or
-- signoff (the article is that agency's copy) or attribution ("according to X", "X reported",
-- "X said"). is_agency tells news agencies from other organisations.
-- reads: raw.article_citations, staging.articles
{{ current_version_rows('article_citations', [
    'source', 'kind', 'is_agency', 'start_char', 'evidence'
]) }}
