-- grain: one row per outlet per entity per day (UTC) on which the outlet mentions the entity.
-- reads: intermediate.entity_article_tones, staging.entities
-- original_articles: the articles that are not copies. Tones are mention-weighted
-- (macros/mention_weighted), as in entity_tone_daily: mention_weighted_entity_compound is the
-- outlet's tone about the entity (the clauses that mention it), mention_weighted_compound/_tone
-- the tone of the outlet's articles naming it; the mean_* columns are the names queries used
-- before the weighting was named.
-- Sums over days give "top outlets per entity" and "top entities per outlet" for any period;
-- divide articles by marts.source_daily_volume.articles for the share of an outlet's output.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with outlet_entity_days as (
    select
        day,
        outlet,
        entity_id,
        sum(mentions) as mentions,
        count(*) as articles,
        count(*) filter (where not is_copy) as original_articles,
        {{ entity_tones() }}
    from {{ ref('entity_article_tones') }}
    where {{ only_touched_days() }}
    group by day, outlet, entity_id
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
    outlet_entity_days.mention_weighted_entity_compound,
    outlet_entity_days.mention_weighted_compound,
    outlet_entity_days.mention_weighted_tone,
    outlet_entity_days.mention_weighted_entity_compound as mean_entity_compound,
    outlet_entity_days.mention_weighted_compound as mean_compound,
    outlet_entity_days.mention_weighted_tone as mean_tone
from outlet_entity_days
inner join {{ ref('entities') }} as entities using (entity_id)
order by
    outlet_entity_days.day, outlet_entity_days.outlet, outlet_entity_days.mentions desc, outlet_entity_days.entity_id
