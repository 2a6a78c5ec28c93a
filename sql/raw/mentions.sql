-- grain: one row per entity mention per batch that loaded its article (batch_id, article_id,
-- start_char), as enrichment found it: entity_id and label before the corpus-wide vote (see
-- intermediate/entity_identities.sql).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.mentions (
    batch_id varchar not null,
    article_id varchar not null,
    entity_id varchar not null,
    text varchar not null,
    label varchar not null,
    model_label varchar not null,
    start_char integer not null,
    end_char integer not null,
    sentence_index integer not null,
    watched boolean not null,
    listed boolean not null,
    primary key (batch_id, article_id, start_char)
);
