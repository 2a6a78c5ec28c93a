-- grain: one row per article per batch that loaded it (batch_id, article_id).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.article_sentiment (
    batch_id varchar not null,
    article_id varchar not null,
    compound double not null,
    tone double not null,
    positive double not null,
    negative double not null,
    polarity double not null,
    word_count integer not null,
    sentence_count integer not null,
    primary key (batch_id, article_id)
);
