-- An entity's attention and tone by day, normalised by the day's volume.
-- article_share: the part of that day's articles naming it; tone is mention-weighted.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
select
    day,
    name,
    label,
    mentions,
    articles,
    round(article_share, 4) as article_share,
    round(mean_compound, 3) as mean_compound,
    round(mean_tone, 2) as mean_tone
from marts.entity_tone_daily
where
    lower(name) = lower(getvariable('entity'))
    and marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
order by day, label
