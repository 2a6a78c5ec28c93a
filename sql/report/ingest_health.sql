-- grain: one row per batch per source: the latest 20 (see marts.ingest_health).
select
    loaded_at,
    batch_id,
    source_name,
    read,
    added,
    updated,
    unchanged,
    quarantined,
    quarantined_by_reason,
    duplicates,
    by_language,
    teaser_only
from marts.ingest_health
order by loaded_at desc nulls last, batch_id desc, read desc nulls last, source_name
limit 20
