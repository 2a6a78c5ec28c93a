-- grain: one row per linked pair of articles (article_id, other_article_id), pointing from the
-- later article to the earlier one. kind: duplicate (same text), syndicated (a wire copy with
-- light edits), rewrite (same quotes/facts, new prose), same_event (independent reports grouped
-- into one event by average-link clustering; `related` in links stored by earlier versions);
-- similarity in [0, 1] is the pair's score for its kind.
-- A link holds while neither article was loaded again after the load that found it.
-- reads: raw.story_links, staging.articles
select
    links.article_id,
    links.other_article_id,
    links.kind,
    links.similarity
from {{ source('raw', 'story_links') }} as links
inner join {{ ref('articles') }} as later_articles on links.article_id = later_articles.article_id
inner join {{ ref('articles') }} as earlier_articles on links.other_article_id = earlier_articles.article_id
where
    links.loaded_at >= later_articles.loaded_at
    and links.loaded_at >= earlier_articles.loaded_at
