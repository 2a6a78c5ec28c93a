-- grain: one row per place mention per batch that loaded its article (batch_id, article_id,
-- start_char): GPE/LOC/FAC mentions, resolved or not, and NORP mentions that are a country's
-- adjective (via_adjective), as enrichment resolved them (newsflow.nlp.places).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.mention_places (
    batch_id varchar not null,
    article_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    text varchar not null,
    label varchar not null,
    place_id bigint,
    place_name varchar,
    kind varchar,
    country_code varchar,
    country_name varchar,
    latitude double,
    longitude double,
    method varchar,
    via_adjective boolean not null,
    reason varchar,
    primary key (batch_id, article_id, start_char)
);
