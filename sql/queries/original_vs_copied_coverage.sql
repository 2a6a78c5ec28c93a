-- How much original reporting did an entity get? Daily articles and mentions, with and
-- without copies (duplicates, syndicated wire copies and rewrites).
-- parameters: entity (a name, case-insensitive), e.g. SET VARIABLE entity = 'Kim Jong Un';
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
where lower(name) = lower(getvariable('entity'))
order by day, label
