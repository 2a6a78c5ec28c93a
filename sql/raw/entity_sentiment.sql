-- grain: one row per entity per article per batch (batch_id, article_id, entity_id), keyed on the
-- entity as enrichment named it.
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.entity_sentiment (
    batch_id varchar not null,
    article_id varchar not null,
    entity_id varchar not null,
    mentions integer not null,
    compound double not null,
    label varchar not null,
    primary key (batch_id, article_id, entity_id)
);
