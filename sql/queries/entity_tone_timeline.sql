-- An entity's attention and tone by day, normalised by the day's volume.
-- article_share: the part of that day's articles naming it; tone is mention-weighted.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- columns: day, name, label, mentions, articles, article_share, mean_compound, mean_tone,
-- from marts.entity_timeline (sql/macros/recipe_macros.sql).
select * exclude (outlets)  -- noqa: AM04
from marts.entity_timeline(getvariable('entity'), getvariable('date_from'), getvariable('date_to'))
order by day, label
