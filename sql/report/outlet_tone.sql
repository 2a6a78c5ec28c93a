-- grain: one row per outlet of the period (the 20 busiest): its articles, how many of them
-- have a tone (VADER scores English text only) and their mean tone (NULL when none has).
-- parameters: date_from, date_to (inclusive, UTC days).
select
    outlet,
    cast(sum(articles) as bigint) as articles,
    cast(sum(toned_articles) as bigint) as toned_articles,
    sum(toned_articles * mean_compound) / nullif(sum(toned_articles), 0) as mean_compound,
    sum(toned_articles * mean_tone) / nullif(sum(toned_articles), 0) as mean_tone
from marts.source_daily_volume
where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
group by all
order by articles desc, outlet
limit 20
