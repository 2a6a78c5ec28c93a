{#- What the recipes (sql/queries/) and the report's queries (sql/report/) share, written once
    as DuckDB macros in the warehouse's marts schema. dbt creates them after every run
    (on-run-end in dbt_project.yml), so they are in the file the snapshot copies, and a recipe
    calls them in plain SQL: in `python -m newsflow sql`, the DuckDB CLI or Python alike. A
    recipe passes its own getvariable() values in, so newsflow.queries still sees which
    parameters it reads. DuckDB checks a table macro's tables when it is created, so those wait
    for a run that has built their marts (a failed first build reports its own error, not
    theirs); a full refresh, which replaces the marts, is followed by their re-creation. -#}
{%- macro create_recipe_macros() -%}
    {%- set built = [] -%}
    {%- set marts = ['entity_daily_coverage', 'entity_tone_daily', 'outlet_country_coverage', 'story_spread'] -%}
    {%- for mart in marts -%}
        {%- if adapter.get_relation(database=target.database, schema='marts', identifier=mart) is not none -%}
            {%- do built.append(mart) -%}
        {%- endif -%}
    {%- endfor %}
    create schema if not exists marts;

    -- The period filter: day lies in [date_from, date_to], both inclusive; a NULL bound is
    -- no bound (recipes make dates optional).
    create or replace macro marts.in_period(day, date_from, date_to) as
        day between coalesce(cast(date_from as date), date '-infinity')
        and coalesce(cast(date_to as date), date 'infinity');

    {%- if built | length == marts | length %}

    -- grain: one row per entity named so (case-insensitive; one per label) per day of the period
    -- on which it is mentioned: its coverage (entity_daily_coverage) and its part of the day's
    -- articles (article_share, entity_tone_daily), two marts of one grain read from
    -- intermediate.named_entity_days; tones are mention-weighted, rounded as the recipes show them.
    create or replace macro marts.entity_timeline(entity, date_from, date_to) as table
        select
            coverage.day,
            coverage.name,
            coverage.label,
            coverage.mentions,
            coverage.articles,
            coverage.outlets,
            round(tones.article_share, 4) as article_share,
            round(coverage.mean_compound, 3) as mean_compound,
            round(coverage.mean_tone, 2) as mean_tone
        from marts.entity_daily_coverage as coverage
        inner join marts.entity_tone_daily as tones using (day, entity_id)
        where
            lower(coverage.name) = lower(entity)
            and marts.in_period(coverage.day, date_from, date_to);

    -- grain: one row per outlet per country over the period, for the outlet (or every outlet:
    -- NULL) and the country (ISO code or name, case-insensitive; NULL: every country) asked for.
    -- Tone: mention-weighted over the period's days (macros/mention_weighted).
    create or replace macro marts.outlet_country_totals(wanted_outlet, wanted_country, date_from, date_to) as table
        select
            outlet,
            country_code,
            any_value(country) as country,
            sum(articles) as articles,
            sum(original_articles) as original_articles,
            sum(mentions) as mentions,
            round({{ mention_weighted('mention_weighted_compound') }}, 3) as mean_compound
        from marts.outlet_country_coverage
        where
            marts.in_period(day, date_from, date_to)
            and (wanted_outlet is null or lower(outlet) = lower(wanted_outlet))
            and (
                wanted_country is null
                or lower(country_code) = lower(wanted_country)
                or lower(country) = lower(wanted_country)
            )
        group by outlet, country_code
        having sum(articles) > 0;

    -- grain: one row per story carried by several articles, first seen (UTC day) in the period.
    create or replace macro marts.stories_first_seen_in(date_from, date_to) as table
        select *
        from marts.story_spread
        where articles > 1 and marts.in_period(cast(timezone('UTC', first_seen) as date), date_from, date_to);
    {%- endif %}
{%- endmacro %}
