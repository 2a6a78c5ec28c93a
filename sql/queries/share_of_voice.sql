-- Share of voice for a period: the 25 entities with the largest share of all entity mentions.
-- parameters: optional date_from, date_to (inclusive dates, UTC).
with period as (
    select
        entity_id,
        name,
        label,
        sum(mentions) as mentions
    from marts.share_of_voice
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    group by all
)

select
    name,
    label,
    mentions,
    round(mentions / sum(mentions) over (), 4) as share
from period
order by mentions desc, name
limit 25
