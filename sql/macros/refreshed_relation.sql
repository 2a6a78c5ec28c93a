{#- The refresh's copy of what it counted last time (see newsflow.warehouse.transform), or
    none before the first refresh and after a full one. -#}
{%- macro refreshed_relation(identifier) -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
{%- endmacro %}

{#- The rows of `current` not in `previous` and those of `previous` not in `current` (over
    `columns`): what changed between a model and the refresh's copy of it, both ways, so a row
    that moved is seen where it was and where it is. -#}
{%- macro changed_rows(current, previous, columns='*') -%}
    (
        select {{ columns }} from {{ current }}
        except
        select {{ columns }} from {{ previous }}
    )
    union all
    (
        select {{ columns }} from {{ previous }}
        except
        select {{ columns }} from {{ current }}
    )
{%- endmacro %}

{#- The articles whose rows in an enrichment model (`model`, keyed on enrichment's entity id in
    `column`) name an entity of `changed`, a relation of enriched_entity_id: the articles an
    identity change reaches, found by enrichment's ids, which the change does not move. -#}
{%- macro articles_naming(changed, model='enriched_mentions', column='entity_id') -%}
    select distinct article_id
    from {{ ref(model) }}
    where {{ column }} in (select {{ changed }}.enriched_entity_id from {{ changed }})
{%- endmacro %}
