-- grain: one row per article: the story (connected component of story_links) it belongs to, as
-- the latest batch that linked articles computed it. Exactly one article per story is its
-- origin: the credited agency's own copy when present, else the earliest article. copy_kind is
-- the article's strongest link to an earlier article of its story; is_copy marks duplicates,
-- syndicated copies and rewrites, so every coverage figure can be computed with or without copies.
-- reads: raw.stories, staging.batches
with latest_linking_batch as (
    select max_by(batches.batch_id, batches.load_order) as batch_id
    from {{ ref('batches') }} as batches
    where batches.batch_id in (select distinct stories.batch_id from {{ source('raw', 'stories') }} as stories)
)

select
    stories.story_id,
    stories.article_id,
    stories.is_origin,
    stories.copy_kind,
    stories.is_copy,
    stories.agency
from {{ source('raw', 'stories') }} as stories
inner join latest_linking_batch using (batch_id)
