-- grain: one row per article, cited source and kind of evidence. kind: dateline, byline
-- or signoff (the article is that agency's copy) or attribution ("according to X",
-- "X reported", "X said"). is_agency tells news agencies from other organisations.
create table if not exists staging.article_citations (
    article_id varchar not null,
    source varchar not null,
    kind varchar not null,
    is_agency boolean not null,
    start_char integer not null,
    evidence varchar not null,
    primary key (article_id, source, kind)
);
