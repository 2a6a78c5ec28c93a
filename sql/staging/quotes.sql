-- grain: one row per quote (article_id, start_char): a direct quote (text inside quote
-- marks, without them) or the reported clause of an attributed statement. Offsets are
-- character offsets into staging.articles.text; speaker_text is the speaker as written
-- ("Hong", "he"), speaker_entity_id the entity it names (null when none is known).
create table if not exists staging.quotes (
    article_id varchar not null,
    speaker_entity_id varchar,
    speaker_text varchar,
    quote varchar not null,
    start_char integer not null,
    end_char integer not null,
    primary key (article_id, start_char)
);
