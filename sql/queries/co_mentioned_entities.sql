-- Entities co-mentioned with a given one (articles mentioning both), over all days.
-- parameters: entity (a name, case-insensitive), e.g. SET VARIABLE entity = 'KCNA';
select
    other_name as name,
    other_label as label,
    sum(articles) as articles
from marts.entity_cooccurrence
where lower(name) = lower(getvariable('entity'))
group by all
order by articles desc, name
limit 25
