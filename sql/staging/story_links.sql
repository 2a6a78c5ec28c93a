-- grain: one row per linked pair of articles (article_id, other_article_id), pointing from
-- the later article to the earlier one. kind: duplicate (same text), syndicated (a wire
-- copy with light edits), rewrite (same quotes/facts, new prose), same_event (independent
-- reports grouped into one event by average-link clustering; `related` in links stored by
-- earlier versions); similarity in [0, 1] is the pair's score for its kind.
create table if not exists staging.story_links (
    article_id varchar not null,
    other_article_id varchar not null,
    kind varchar not null,
    similarity double not null,
    primary key (article_id, other_article_id)
);
