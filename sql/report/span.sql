-- grain: one row: the warehouse's range of article days, and where the default period starts.
-- parameters: days (the default period holds the latest `days` days that have articles).
-- e.g. SET VARIABLE days = 90;
with article_days as (
    select
        day,
        sum(articles) as articles
    from marts.source_daily_volume
    group by day
),

recent as (
    select day
    from article_days
    order by day desc
    limit getvariable('days')
)

select
    (select min(day) from article_days) as first_day,
    (select max(day) from article_days) as last_day,
    (select count(*) from article_days) as article_days,
    (select cast(coalesce(sum(articles), 0) as bigint) from article_days) as articles,
    (select min(day) from recent) as default_first
