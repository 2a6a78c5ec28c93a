-- grain: one row per article. staging.article_days, kept for queries written before the rule
-- moved to its layer: intermediate.article_days is the one definition.
-- reads: intermediate.article_days
{{ config(alias='article_days') }}
select * from {{ ref('article_days') }}  -- noqa: AM04
