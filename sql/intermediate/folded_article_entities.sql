-- grain: one row per article per entity it mentions after the label vote and the folding of
-- spelling variants (intermediate.entity_variants): the evidence the short-form rule reads.
-- reads: intermediate.article_entities, intermediate.entity_variants
{{ config(materialized='table') }}
select
    article_entities.article_id,
    coalesce(variants.variant_of, article_entities.entity_id) as entity_id,
    any_value(article_entities.day) as day
from {{ ref('article_entities') }} as article_entities
left join {{ ref('entity_variants') }} as variants on article_entities.entity_id = variants.entity_id
group by all
