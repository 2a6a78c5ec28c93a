{#- The mention-weighted mean of an article-level measure over the rows of a group: an article
    naming the entity five times weighs five times as much as one naming it in passing. Rows
    without the measure are left out of numerator and denominator alike. -#}
{%- macro mention_weighted(measure) -%}
    sum(mentions * {{ measure }}) / sum(mentions) filter (where {{ measure }} is not null)
{%- endmacro %}

{#- The tones of a group of intermediate.entity_article_tones rows (one row per entity per
    article), each mention-weighted: compound and tone of the articles naming the entity,
    entity_compound of the clauses about it. Shared by the models that group them by day
    (intermediate.entity_days) and by day and outlet (marts.outlet_entity_coverage). -#}
{%- macro entity_tones() -%}
    {{ mention_weighted('compound') }} as mention_weighted_compound,
    {{ mention_weighted('tone') }} as mention_weighted_tone,
    {{ mention_weighted('entity_compound') }} as mention_weighted_entity_compound
{%- endmacro %}
