-- grain: one row per entity per day (UTC) on which the entity is mentioned.
-- reads: intermediate.named_entity_days, intermediate.article_days
-- Tones are mention-weighted (intermediate.entity_days): mention_weighted_entity_compound is
-- the tone of the clauses about the entity, mention_weighted_compound/_tone the tone of the
-- whole articles naming it; mean_entity_compound, mean_compound and mean_tone are the names
-- queries used before the weighting was named. article_share normalises by volume: the
-- entity's articles over all articles that day (day_articles), so a timeline compares
-- attention, not how much was published.
-- Incremental: a refresh rebuilds the days in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
with day_volumes as (
    select
        day,
        count(*) as day_articles
    from {{ ref('article_days') }}
    where {{ only_touched_days() }}
    group by day
)

select
    entity_days.day,
    entity_days.entity_id,
    entity_days.name,
    entity_days.label,
    entity_days.mentions,
    entity_days.articles,
    day_volumes.day_articles,
    entity_days.articles / day_volumes.day_articles as article_share,
    entity_days.original_articles,
    entity_days.mention_weighted_entity_compound,
    entity_days.mention_weighted_compound,
    entity_days.mention_weighted_tone,
    entity_days.mention_weighted_entity_compound as mean_entity_compound,
    entity_days.mention_weighted_compound as mean_compound,
    entity_days.mention_weighted_tone as mean_tone
from {{ ref('named_entity_days') }} as entity_days
inner join day_volumes using (day)
where {{ only_touched_days('entity_days.day') }}
order by entity_days.day, entity_days.mentions desc, entity_days.entity_id
