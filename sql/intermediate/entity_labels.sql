-- grain: one row per entity name (case-insensitive name_key) with a corpus-wide majority: the
-- label the NER model gives it most often across the warehouse ("Oslo", tagged ORG in some
-- sentences and GPE in most, is GPE). Names with a tie at the top have no row: their mentions
-- keep the labels enrichment gave them. The vote counts the model's own labels (model_label)
-- of unlisted mentions; entities the alias table or watchlist names (intermediate.listed_entities)
-- never vote nor move.
-- name_key: the name case-folded as entity ids fold it (casefold(), sql_functions.py; a table,
-- since readers' connections lack that function).
-- reads: staging.enriched_mentions, staging.enriched_entities, intermediate.listed_entities
{{ config(materialized='table') }}
with voters as (
    select
        entity_id,
        casefold(name) as name_key
    from {{ ref('enriched_entities') }}
    where entity_id not in (select listed.enriched_entity_id from {{ ref('listed_entities') }} as listed)
),

votes as (
    select
        voters.name_key,
        mentions.model_label as label,
        count(*) as mentions
    from {{ ref('enriched_mentions') }} as mentions
    inner join voters using (entity_id)
    where not mentions.listed
    group by all
),

ranked as (
    select
        name_key,
        label,
        mentions,
        max(mentions) over (partition by name_key) as top_mentions
    from votes
)

select
    name_key,
    any_value(label) as label,
    any_value(mentions) as mentions
from ranked
where mentions = top_mentions
group by name_key
having count(*) = 1
