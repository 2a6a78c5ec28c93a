-- grain: one row per article: the story (connected component of story_links) it belongs
-- to. Exactly one article per story is its origin: the credited agency's own copy when
-- present, else the earliest article. copy_kind is the article's strongest link to an
-- earlier article of its story; is_copy marks duplicates, syndicated copies and rewrites,
-- so every coverage figure can be computed with or without copies.
create table if not exists staging.stories (
    story_id varchar not null,
    article_id varchar primary key,
    is_origin boolean not null,
    copy_kind varchar,
    is_copy boolean not null,
    agency varchar
);
