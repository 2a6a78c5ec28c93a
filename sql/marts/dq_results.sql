-- grain: one row per table per validation run (a GX checkpoint run over one batch).
-- reads: raw.validation_results
{{ config(materialized='table') }}
select
    validation_id,
    batch_id,
    table_name,
    min(validated_at) as validated_at,
    bool_and(success) as success,
    count(*) as expectations,
    count(*) filter (where not success) as failed_expectations,
    string_agg(
        case when not success then expectation_type || coalesce('(' || column_name || ')', '') end, ', '
        order by expectation_type
    ) as failed,
    any_value(data_docs_url) as data_docs_url
from {{ source('raw', 'validation_results') }}
group by validation_id, batch_id, table_name
order by validated_at, table_name
