-- grain: one row per batch per source: what the extraction read from it (re-running a batch
-- replaces its rows). articles: after de-duplication within the batch (raw.batches.duplicates
-- counts the duplicates dropped, for the whole batch); quarantined: entries set aside.
create table if not exists raw.batch_sources (
    batch_id varchar not null,
    source_name varchar not null,
    articles integer not null,
    quarantined integer not null,
    primary key (batch_id, source_name)
);
