-- The speakers quoted most (quotes linked to an entity), top 25.
-- parameters: optional entity (a name, case-insensitive: only articles that mention it; NULL
-- for every article); optional date_from, date_to (inclusive, UTC, the article's day).
-- e.g. SET VARIABLE entity = 'Russia';
with quotes as (
    select
        article_id,
        name,
        label,
        quotes
    from marts.speaker_article_quotes
    where
        marts.in_period(day, getvariable('date_from'), getvariable('date_to'))
        and (
            getvariable('entity') is null
            or list_contains(list_transform(mentioned_names, lambda name: lower(name)), lower(getvariable('entity')))
        )
)

select
    name,
    label,
    cast(sum(quotes) as bigint) as quotes,
    count(distinct article_id) as articles
from quotes
group by name, label
order by quotes desc, articles desc, name
limit 25
