-- Entities co-mentioned with a given one (articles mentioning both), top 25.
-- parameters: entity (a name, case-insensitive); optional date_from, date_to (inclusive, UTC).
-- e.g. SET VARIABLE entity = 'KCNA';
select
    other_name as name,
    other_label as label,
    sum(articles) as articles
from marts.entity_cooccurrence
where
    lower(name) = lower(getvariable('entity'))
    and marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
group by all
order by articles desc, name
limit 25
