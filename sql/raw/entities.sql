-- grain: one row per entity per batch that mentioned it (batch_id, entity_id), as enrichment named
-- it; aliases: the surface forms the batch used.
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.entities (
    batch_id varchar not null,
    entity_id varchar not null,
    name varchar not null,
    label varchar not null,
    aliases varchar[] not null,
    primary key (batch_id, entity_id)
);
