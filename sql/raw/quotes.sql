-- grain: one row per quote per batch that loaded its article (batch_id, article_id, start_char).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.quotes (
    batch_id varchar not null,
    article_id varchar not null,
    speaker_entity_id varchar,
    speaker_text varchar,
    quote varchar not null,
    start_char integer not null,
    end_char integer not null,
    primary key (batch_id, article_id, start_char)
);
