-- The speakers quoted most (quotes linked to an entity), top 25.
-- parameters: optional entity (a name, case-insensitive: only articles that mention it; NULL
-- for every article); optional date_from, date_to (inclusive, UTC, the article's day).
-- e.g. SET VARIABLE entity = 'Russia';
with articles as (
    select
        article_id,
        day
    from staging.article_days
),

topic_articles as (
    select distinct mentions.article_id
    from staging.mentions as mentions
    inner join staging.entities as entities using (entity_id)
    where lower(entities.name) = lower(getvariable('entity'))
),

quotes as (
    select
        quotes.article_id,
        quotes.speaker_entity_id as entity_id
    from staging.quotes as quotes
    inner join articles using (article_id)
    where
        quotes.speaker_entity_id is not null
        and articles.day between coalesce(cast(getvariable('date_from') as date), date '-infinity')
        and coalesce(cast(getvariable('date_to') as date), date 'infinity')
        and (
            getvariable('entity') is null
            or quotes.article_id in (select topic_articles.article_id from topic_articles)
        )
)

select
    entities.name,
    entities.label,
    count(*) as quotes,
    count(distinct quotes.article_id) as articles
from quotes
inner join staging.entities as entities using (entity_id)
group by all
order by quotes desc, articles desc, entities.name
limit 25
