-- grain: one row per article, cited source and kind per batch (batch_id, article_id, source,
-- kind).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.article_citations (
    batch_id varchar not null,
    article_id varchar not null,
    source varchar not null,
    kind varchar not null,
    is_agency boolean not null,
    start_char integer not null,
    evidence varchar not null,
    primary key (batch_id, article_id, source, kind)
);
