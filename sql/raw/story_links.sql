-- grain: one row per linked pair of articles found by a batch (batch_id, article_id,
-- other_article_id).
-- Written by the loader only: re-loading a batch replaces its rows, nothing else changes.
create table if not exists raw.story_links (
    batch_id varchar not null,
    article_id varchar not null,
    other_article_id varchar not null,
    kind varchar not null,
    similarity double not null,
    loaded_at timestamptz not null,
    primary key (batch_id, article_id, other_article_id)
);
