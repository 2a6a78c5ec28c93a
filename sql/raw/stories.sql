-- grain: one row per article per batch (batch_id, article_id): every batch recomputes the stories
-- it touches, whole, so each article's row from the latest batch that wrote it is its current story.
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.stories (
    batch_id varchar not null,
    story_id varchar not null,
    article_id varchar not null,
    is_origin boolean not null,
    copy_kind varchar,
    is_copy boolean not null,
    agency varchar,
    primary key (batch_id, article_id)
);
