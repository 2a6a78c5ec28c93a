{#- The mention-weighted mean of an article-level measure over the rows of a group: an article
    naming the entity five times weighs five times as much as one naming it in passing. Rows
    without the measure are left out of numerator and denominator alike. -#}
{%- macro mention_weighted(measure) -%}
    sum(mentions * {{ measure }}) / sum(mentions) filter (where {{ measure }} is not null)
{%- endmacro %}
