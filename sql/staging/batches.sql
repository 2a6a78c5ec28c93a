-- grain: one row per batch (data interval), with load_order: 1 for the batch loaded first.
-- The batch loaded last that delivered an article holds its current version (staging.articles),
-- as re-running an interval replaces what it loaded.
-- reads: raw.batches
select
    batch_id,
    interval_start,
    interval_end,
    articles,
    quarantined,
    duplicates,
    loaded_at,
    row_number() over (order by loaded_at, batch_id) as load_order
from {{ source('raw', 'batches') }}
