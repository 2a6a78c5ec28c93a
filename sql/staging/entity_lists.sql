-- grain: one row per name on the analysts' entity lists (list, name_key): the alias table and
-- the watchlist as the last refresh read them (raw.entity_lists, a seed table loaded from the
-- files). name_key: how a name is looked up (canonical, case-folded, no dots: "U.S." is "us");
-- name, label: the entity the list says it is.
-- reads: raw.entity_lists
select
    list,
    name_key,
    alias,
    name,
    label
from {{ source('raw', 'entity_lists') }}
