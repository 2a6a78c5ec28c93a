-- grain: one row per table per validation run (a GX checkpoint run over one batch).
-- reads: raw.validation_results
-- A failed row-level expectation quarantined its rows and the rest of the batch was
-- published; a failed table-level one stopped the batch (published = false).
{{ config(materialized='table') }}
select
    validation_id,
    batch_id,
    table_name,
    min(validated_at) as validated_at,
    bool_and(success) as success,
    bool_and(success or coalesce(expectation_level, 'table') = 'row') as published,
    count(*) as expectations,
    count(*) filter (where not success) as failed_expectations,
    count(*) filter (where not success and expectation_level = 'row') as failed_row_expectations,
    count(*) filter (where not success and coalesce(expectation_level, 'table') = 'table')
        as failed_table_expectations,
    coalesce(sum(unexpected_count) filter (where not success and expectation_level = 'row'), 0)
        as quarantined_rows,
    string_agg(
        case when not success then expectation_type || coalesce('(' || column_name || ')', '') end, ', '
        order by expectation_type
    ) as failed,
    any_value(data_docs_url) as data_docs_url
from {{ source('raw', 'validation_results') }}
group by validation_id, batch_id, table_name
order by validated_at, table_name
