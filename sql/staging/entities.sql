-- grain: one row per entity (canonical name and label).
create table if not exists staging.entities (
    entity_id varchar primary key,
    name varchar not null,
    label varchar not null
);
