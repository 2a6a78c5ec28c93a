-- grain: one row per charted outlet per top entity it names in the period: mentions, the
-- articles they are in, and the mention-weighted tone of those articles.
-- parameters: date_from, date_to (inclusive, UTC days); entity_ids, outlets (lists).
select
    outlet,
    entity_id,
    cast(sum(mentions) as bigint) as mentions,
    cast(sum(articles) as bigint) as articles,
    sum(mentions * mean_compound) / sum(mentions) filter (where mean_compound is not null) as mean_compound
from marts.outlet_entity_coverage
where
    marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
    and entity_id in (select unnest(cast(getvariable('entity_ids') as varchar[])))
    and outlet in (select unnest(cast(getvariable('outlets') as varchar[])))
group by all
