{#- Incremental daily marts: on an incremental run a mart reads and replaces only the days in
    intermediate.touched_days; a first run or `--full-refresh` builds every day. The ref is
    taken outside the `if` so dbt sees the dependency when it parses the model. -#}
{%- macro only_touched_days(day_column='day') -%}
    {%- set touched = ref('touched_days') -%}
    {%- if is_incremental() -%}
        {{ day_column }} in (select day from {{ touched }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{%- macro delete_touched_days() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where day in (select day from {{ ref('touched_days') }})
    {%- endif -%}
{%- endmacro %}

{#- The articles a daily mart counts on the days it rebuilds, with their day
    (intermediate.article_days): every article on a first run or `--full-refresh`. -#}
{%- macro touched_day_articles() -%}
    select
        article_id,
        day
    from {{ ref('article_days') }}
    where {{ only_touched_days() }}
{%- endmacro %}
