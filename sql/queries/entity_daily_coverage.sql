-- An entity's daily coverage and tone.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. in the DuckDB CLI:
--   SET VARIABLE entity = 'Kim Jong Un';  .read sql/queries/entity_daily_coverage.sql
select
    day,
    name,
    label,
    mentions,
    articles,
    outlets,
    round(mean_compound, 3) as mean_compound,
    round(mean_tone, 2) as mean_tone
from marts.entity_daily_coverage
where
    lower(name) = lower(getvariable('entity'))
    and marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
order by day, label
