-- grain: one row per entity mention (article_id, start_char). Offsets are character
-- offsets into staging.articles.text; sentence_index counts sentences from 0. label is
-- the entity's label, model_label what the NER model said here; watched: the entity is
-- on the analyst's watchlist; listed: the watchlist or alias table named the entity (and
-- its label), so the corpus-wide label vote leaves the mention alone.
create table if not exists staging.mentions (
    article_id varchar not null,
    entity_id varchar not null,
    text varchar not null,
    label varchar not null,
    model_label varchar not null,
    start_char integer not null,
    end_char integer not null,
    sentence_index integer not null,
    watched boolean not null,
    listed boolean not null,
    primary key (article_id, start_char)
);
-- warehouses created before `listed` existed: their mentions were not told apart
alter table staging.mentions add column if not exists listed boolean default false;
