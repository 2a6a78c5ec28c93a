{#- A model's schema is its layer, the folder it lives in: staging/, intermediate/ or marts/. -#}
{%- macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ node.original_file_path.split('/')[0] }}
    {%- endif -%}
{%- endmacro %}
