-- grain: one row per article: the story (connected component of story_links) it belongs to, as
-- the latest batch that linked it computed it. A batch writes the stories it touches whole (the
-- stories its articles are in, join, merge or leave), so every member of a story carries the row
-- of one batch. Exactly one article per story is its origin: the credited agency's own copy when
-- present, else the earliest article. copy_kind is the article's strongest link to an earlier
-- article of its story; is_copy marks duplicates, syndicated copies and rewrites, so every
-- coverage figure can be computed with or without copies.
-- reads: raw.stories, staging.batches
select
    stories.story_id,
    stories.article_id,
    stories.is_origin,
    stories.copy_kind,
    stories.is_copy,
    stories.agency
from {{ source('raw', 'stories') }} as stories
inner join {{ ref('batches') }} as batches using (batch_id)
qualify row_number() over (partition by stories.article_id order by batches.load_order desc) = 1
