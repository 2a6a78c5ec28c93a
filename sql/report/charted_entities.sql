-- grain: one row per charted entity: the period's `top` entities by mentions, plus every
-- watched one (names matched case-insensitively), with its rank among all the period's entities.
-- entity: the name, with its label when two charted entities share a name.
-- parameters: date_from, date_to (inclusive, UTC days), top, watchlist (a list of names).
-- e.g. SET VARIABLE top = 8; SET VARIABLE watchlist = ['Kim Jong Un'];
with period as materialized (
    select
        entity_id,
        cast(sum(mentions) as bigint) as mentions
    from marts.share_of_voice
    where marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    group by entity_id
),

watched as materialized (
    select distinct entity_id
    from marts.share_of_voice
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
        and lower(name) in (select lower(unnest(cast(getvariable('watchlist') as varchar[]))))
),

charted as (
    -- a top-N, then a rank for the few charted: ranking every entity costs 5x more
    (select
        entity_id,
        mentions
    from period
    order by mentions desc, entity_id limit getvariable('top'))
    union
    (select
        period.entity_id,
        period.mentions
    from period semi join watched using (entity_id))
),

ranked as (
    select
        charted.entity_id,
        charted.mentions,
        1 + (
            select count(*) from period
            where
                period.mentions > charted.mentions
                or (period.mentions = charted.mentions and period.entity_id < charted.entity_id)
        ) as rank,
        charted.entity_id in (select watched.entity_id from watched) as watched
    from charted
),

names as (
    select distinct
        entity_id,
        name,
        label
    from marts.share_of_voice
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
        and entity_id in (select charted.entity_id from charted)
)

select
    ranked.entity_id,
    names.name
    || case when count(*) over (partition by names.name) > 1 then ' (' || names.label || ')' else '' end
        as entity,
    ranked.mentions,
    ranked.rank,
    ranked.watched
from ranked
inner join names using (entity_id)
order by ranked.rank
