-- grain: one row per name on the analysts' entity lists (list, name_key): the alias table
-- (NEWSFLOW_ALIASES) and the watchlist (NEWSFLOW_WATCHLIST) as the last refresh read them, one
-- row per entry name and alias. name, label: the entry; alias: the name as listed; name_key:
-- how mentions are looked up (newsflow.nlp.aliases.name_key: canonical, case-folded, no dots).
-- Written by the refresh only (newsflow.warehouse.db.load_entity_lists): replaced whole each time,
-- so an edited list applies to every batch already loaded.
create table if not exists raw.entity_lists (
    list varchar not null,
    name_key varchar not null,
    alias varchar not null,
    name varchar not null,
    label varchar not null,
    primary key (list, name_key)
);
