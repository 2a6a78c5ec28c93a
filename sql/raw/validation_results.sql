-- grain: one row per expectation per table per validation run (GX checkpoint run).
-- Failing runs are recorded too, so data quality itself can be trended.
create table if not exists raw.validation_results (
    validation_id varchar not null,
    batch_id varchar not null,
    table_name varchar not null,
    result_index integer not null,
    expectation_type varchar not null,
    column_name varchar,
    success boolean not null,
    unexpected_count bigint,
    observed_value varchar,
    validated_at timestamptz not null,
    data_docs_url varchar,
    primary key (validation_id, table_name, result_index)
);
-- row: breaking it quarantined the rows (their articles) and the rest was published;
-- table: breaking it stopped the batch.  Added after the first release, hence the alter.
alter table raw.validation_results add column if not exists expectation_level varchar;
