-- grain: one row per rejected input (a file, a feed entry, a JSON line) and reason.
-- Re-seeing the same bad input updates last_seen_at; nothing is ever silently dropped.
create table if not exists raw.quarantine (
    quarantine_id varchar primary key,
    source_name varchar not null,
    source_location varchar not null,
    source_format varchar not null,
    reason varchar not null,
    detail varchar,
    first_batch_id varchar not null,
    last_batch_id varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null
);
-- reason_class: a stable class of the reason (newsflow.ingest.records.REASON_CLASSES), which
-- counts group by; the reason itself keeps its numbers and positions. Added after the table.
alter table raw.quarantine add column if not exists reason_class varchar;
