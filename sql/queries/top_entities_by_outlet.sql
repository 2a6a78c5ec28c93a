-- Top entities per outlet for a period (10 per outlet, by mentions).
-- parameters: date_from, date_to (inclusive dates, UTC), e.g.
--   SET VARIABLE date_from = DATE '2024-11-25'; SET VARIABLE date_to = DATE '2024-12-03';
with articles as (
    select
        article_id,
        outlet,
        cast(timezone('UTC', case when date_flag = 'ok' then published_at else ingested_at end) as date) as day
    from staging.articles
),

counts as (
    select
        articles.outlet,
        mentions.entity_id,
        count(*) as mentions,
        count(distinct mentions.article_id) as articles
    from staging.mentions as mentions
    inner join articles using (article_id)
    where articles.day between cast(getvariable('date_from') as date) and cast(getvariable('date_to') as date)
    group by all
),

ranked as (
    select
        *,
        row_number() over (partition by outlet order by mentions desc, entity_id) as rank
    from counts
)

select ranked.outlet, ranked.rank, entities.name, entities.label, ranked.mentions, ranked.articles
from ranked
inner join staging.entities as entities using (entity_id)
where ranked.rank <= 10
order by ranked.outlet, ranked.rank
