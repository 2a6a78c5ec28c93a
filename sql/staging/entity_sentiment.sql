-- grain: one row per entity per article (article_id, entity_id). mentions: the entity's rows
-- in staging.mentions for the article; compound: mean tone in [-1, 1] of the clauses that
-- mention it (newsflow.nlp.sentiment), mention-weighted where the identity rules folded two of an
-- article's entities into one; label: positive / neutral / negative from compound (+-0.05).
-- reads: staging.enriched_entity_sentiment, intermediate.entity_identities,
--        intermediate.entity_short_forms
with folded as (
    select
        sentiment.article_id,
        {{ identified_entity_id('sentiment') }} as entity_id,
        sum(sentiment.mentions) as mentions,
        case
            when count(*) = 1 then any_value(sentiment.compound)
            else round(sum(sentiment.mentions * sentiment.compound) / sum(sentiment.mentions), 4)
        end as compound
    from {{ ref('enriched_entity_sentiment') }} as sentiment
    {{ join_entity_identity('sentiment') }}
    group by sentiment.article_id, {{ identified_entity_id('sentiment') }}
)

select
    article_id,
    entity_id,
    cast(mentions as integer) as mentions,
    compound,
    case when compound >= 0.05 then 'positive' when compound <= -0.05 then 'negative' else 'neutral' end as label
from folded
