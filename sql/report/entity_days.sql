-- grain: one row per charted entity per day of the period that has articles: its mentions,
-- articles, share of the day's articles and share of all the day's mentions (0 on the days
-- without it, so that lines and areas drop to 0 instead of bridging those days).
-- Days go out as ISO text, which Vega reads as UTC midnight.
-- parameters: date_from, date_to (inclusive, UTC days); entity_ids, entities, ranks (parallel
-- lists: the charted entities' ids, display names and ranks).
with observed as (
    select distinct day
    from marts.source_daily_volume
    where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
),

charted as (
    select
        unnest(cast(getvariable('entity_ids') as varchar[])) as entity_id,
        unnest(cast(getvariable('entities') as varchar[])) as entity,
        unnest(cast(getvariable('ranks') as bigint[])) as rank
),

grid as (
    select
        observed.day,
        charted.*
    from observed
    cross join charted
),

tone as (
    select
        day,
        entity_id,
        mentions,
        articles,
        article_share
    from marts.entity_tone_daily
    where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
),

voice as (
    select
        day,
        entity_id,
        share
    from marts.share_of_voice
    where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
)

select
    strftime(grid.day, '%Y-%m-%d') as day,
    grid.entity,
    grid.rank,
    coalesce(tone.mentions, 0) as mentions,
    coalesce(tone.articles, 0) as articles,
    coalesce(tone.article_share, 0) as article_share,
    coalesce(voice.share, 0) as share
from grid
left join tone on grid.day = tone.day and grid.entity_id = tone.entity_id
left join voice on grid.day = voice.day and grid.entity_id = voice.entity_id
order by grid.rank, grid.day
