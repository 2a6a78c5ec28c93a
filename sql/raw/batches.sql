-- grain: one row per batch (one data interval); re-running an interval replaces its row.
create table if not exists raw.batches (
    batch_id varchar primary key,
    interval_start timestamptz not null,
    interval_end timestamptz not null,
    articles integer not null,
    quarantined integer not null,
    duplicates integer not null,
    loaded_at timestamptz not null
);
