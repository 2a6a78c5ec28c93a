-- grain: one row per entity (canonical name and label). aliases: every surface form
-- mentions used for it; first/last seen: the earliest and latest batch (data interval
-- end) that mentioned it.
create table if not exists staging.entities (
    entity_id varchar primary key,
    name varchar not null,
    label varchar not null,
    aliases varchar[] not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null
);
