-- grain: one row per batch (one data interval); re-running an interval replaces its row,
-- so the row describes the latest run of that interval.
create table if not exists raw.batches (
    batch_id varchar primary key,
    interval_start timestamptz not null,
    interval_end timestamptz not null,
    articles integer not null,
    quarantined integer not null,
    duplicates integer not null,
    loaded_at timestamptz not null
);
-- What the run left to the models: articles enriched, copies whose enrichment was reused,
-- and articles left out as unchanged since they were loaded (added by newsflow 0.1's
-- incremental runs; older warehouses get the columns here).
alter table raw.batches add column if not exists unchanged integer default 0;
alter table raw.batches add column if not exists reused integer default 0;
alter table raw.batches add column if not exists enriched integer;
