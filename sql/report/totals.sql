-- grain: one row: the period's articles, outlets and entity mentions.
-- parameters: date_from, date_to (inclusive, UTC days).
select
    cast(coalesce(sum(articles), 0) as bigint) as articles,
    count(distinct outlet) as outlets,
    (
        select cast(coalesce(sum(share_of_voice.mentions), 0) as bigint)
        from marts.share_of_voice
        where marts.in_period(share_of_voice.day, getvariable('date_from'), getvariable('date_to'))
    ) as mentions
from marts.source_daily_volume
where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
