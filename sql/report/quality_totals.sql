-- grain: one row: how many table validations ran and how many failed.
select
    count(*) as runs,
    count(*) filter (where not success) as failed
from marts.dq_results
