-- An entity's daily coverage and tone.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. in the DuckDB CLI:
--   SET VARIABLE entity = 'Kim Jong Un';  .read sql/queries/entity_daily_coverage.sql
-- columns: day, name, label, mentions, articles, outlets, mean_compound, mean_tone (mention-weighted),
-- from marts.entity_timeline (sql/macros/recipe_macros.sql).
select * exclude (article_share)  -- noqa: AM04
from marts.entity_timeline(getvariable('entity'), getvariable('date_from'), getvariable('date_to'))
order by day, label
