{#- The refresh's copy of what it counted last time (see newsflow.warehouse.transform), or
    none before the first refresh and after a full one. -#}
{%- macro refreshed_relation(identifier) -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
{%- endmacro %}
