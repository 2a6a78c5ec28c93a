-- grain: one row per table per validation run: the latest 15 GX validations.
select
    validated_at,
    batch_id,
    table_name,
    success,
    expectations,
    failed_expectations,
    failed
from marts.dq_results
order by validated_at desc, table_name
limit 15
