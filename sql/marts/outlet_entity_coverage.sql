-- grain: one row per outlet per entity per day (UTC) on which the outlet mentions the entity.
-- reads: staging.entity_article_tones, staging.entities (original_articles: the articles
--        that are not copies); mean_entity_compound: the outlet's tone about the entity (the clauses
--        that mention it), mean_compound: the tone of the outlet's articles naming it.
-- Sums over days give "top outlets per entity" and "top entities per outlet" for any period;
-- divide articles by marts.source_daily_volume.articles for the share of an outlet's output.
-- Tone is mention-weighted, as in entity_tone_daily.
with outlet_entity_days as (
    select
        day,
        outlet,
        entity_id,
        sum(mentions) as mentions,
        count(*) as articles,
        count(*) filter (where not is_copy) as original_articles,
        sum(mentions * entity_compound) / sum(mentions) filter (where entity_compound is not null)
            as mean_entity_compound,
        sum(mentions * compound) / sum(mentions) filter (where compound is not null) as mean_compound,
        sum(mentions * tone) / sum(mentions) filter (where tone is not null) as mean_tone
    from staging.entity_article_tones
    group by all
)

select
    outlet_entity_days.day,
    outlet_entity_days.outlet,
    outlet_entity_days.entity_id,
    entities.name,
    entities.label,
    outlet_entity_days.mentions,
    outlet_entity_days.articles,
    outlet_entity_days.original_articles,
    outlet_entity_days.mean_entity_compound,
    outlet_entity_days.mean_compound,
    outlet_entity_days.mean_tone
from outlet_entity_days
inner join staging.entities as entities using (entity_id)
order by outlet_entity_days.day, outlet_entity_days.outlet, outlet_entity_days.mentions desc, outlet_entity_days.entity_id
