-- grain: one row per entity per article. staging.entity_article_tones, kept for queries written
-- before the rule moved to its layer: intermediate.entity_article_tones is the one definition.
-- reads: intermediate.entity_article_tones
{{ config(alias='entity_article_tones') }}
select * from {{ ref('entity_article_tones') }}  -- noqa: AM04
