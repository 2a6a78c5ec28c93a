{#- The entity a row keyed on enrichment's entity id names after the identity rules: the label
    vote and spelling variants (intermediate.entity_identities), then, in the row's article, the
    full name a lone short form stands for (intermediate.entity_short_forms). Rows of entities
    loaded since the last refresh keep enrichment's id. Used with join_entity_identity. -#}
{%- macro identified_entity_id(relation, column='entity_id') -%}
    coalesce(short_forms.linked_entity_id, identities.entity_id, {{ relation }}.{{ column }})
{%- endmacro %}

{%- macro join_entity_identity(relation, column='entity_id') -%}
    left join {{ ref('entity_identities') }} as identities
        on {{ relation }}.{{ column }} = identities.enriched_entity_id
    left join {{ ref('entity_short_forms') }} as short_forms
        on {{ relation }}.article_id = short_forms.article_id and identities.entity_id = short_forms.entity_id
{%- endmacro %}
