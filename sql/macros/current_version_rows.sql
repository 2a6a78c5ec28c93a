{#- The rows of a raw enrichment table (keyed by the load: batch_id, article_id, ...) that
    belong to each article's current version: those of the load staging.articles keeps, the
    latest. `columns` are the staging view's columns after article_id, named as in raw; the
    load key stays in raw. Every staging view of enrichment reads raw through this one rule. -#}
{%- macro current_version_rows(raw_table, columns) -%}
select
    loaded.article_id,
    {%- for column in columns %}
    loaded.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ source('raw', raw_table) }} as loaded
inner join {{ ref('articles') }} using (article_id, batch_id)
{%- endmacro %}
