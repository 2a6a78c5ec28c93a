-- grain: one row per article, cited source and kind of evidence. kind: dateline, byline or
-- signoff (the article is that agency's copy) or attribution ("according to X", "X reported",
-- "X said"). is_agency tells news agencies from other organisations.
-- reads: raw.article_citations, staging.articles
select
    citations.article_id,
    citations.source,
    citations.kind,
    citations.is_agency,
    citations.start_char,
    citations.evidence
from {{ source('raw', 'article_citations') }} as citations
inner join {{ ref('articles') }} using (article_id, batch_id)
