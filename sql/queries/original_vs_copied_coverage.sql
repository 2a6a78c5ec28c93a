-- How much original reporting did an entity get? Daily articles and mentions, with and
-- without copies (duplicates, syndicated wire copies and rewrites).
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. SET VARIABLE entity = 'Kim Jong Un';
select
    day,
    name,
    label,
    articles,
    original_articles,
    articles - original_articles as copied_articles,
    mentions,
    original_mentions
from marts.entity_daily_coverage
where
    lower(name) = lower(getvariable('entity'))
    and marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
order by day, label
