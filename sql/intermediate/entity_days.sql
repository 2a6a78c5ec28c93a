-- grain: one row per entity per day (UTC) on which it is mentioned: every entity-day measure,
-- defined once; the marts of this grain (entity_daily_coverage, entity_tone_daily,
-- share_of_voice) select from it with the entity's name (intermediate.named_entity_days).
-- original_*: the same counts without copies (duplicates, syndicated copies, rewrites). The
-- tones are mention-weighted means (macros/mention_weighted, entity_tones): compound and tone of
-- the articles naming the entity, entity_compound of the clauses about it.
-- reads: intermediate.entity_article_tones
-- Incremental: a table, so that the marts of this grain read only the days they rebuild (a
-- filter on a view's day does not reach below its count(distinct)); a refresh rebuilds the days
-- in intermediate.touched_days.
{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_touched_days() }}") }}
select
    day,
    entity_id,
    sum(mentions) as mentions,
    count(*) as articles,
    count(distinct outlet) as outlets,
    coalesce(sum(mentions) filter (where not is_copy), 0) as original_mentions,
    count(*) filter (where not is_copy) as original_articles,
    {{ entity_tones() }}
from {{ ref('entity_article_tones') }}
where {{ only_touched_days() }}
group by day, entity_id
