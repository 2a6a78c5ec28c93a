-- grain: one row per article: the version its latest load delivered. Contract: article_id,
-- url, outlet, title, author, published_at, language, text. published_at is UTC, or null when
-- date_flag says the date was missing, unparsed or in the future (the claimed value is kept in
-- raw.articles.published_at_raw). batch_id and ingested_at are those of the latest load.
-- reads: raw.article_loads, raw.articles, staging.batches
with latest_loads as (
    select
        article_loads.article_id,
        max_by(article_loads.content_hash, batches.load_order) as content_hash,
        max_by(article_loads.batch_id, batches.load_order) as batch_id,
        max_by(article_loads.ingested_at, batches.load_order) as ingested_at,
        max(batches.load_order) as load_order
    from {{ source('raw', 'article_loads') }} as article_loads
    inner join {{ ref('batches') }} as batches using (batch_id)
    group by article_loads.article_id
)

select
    versions.article_id,
    versions.url,
    versions.outlet,
    versions.title,
    versions.author,
    versions.published_at,
    versions.date_flag,
    versions.language,
    versions.text,
    versions.content_hash,
    versions.word_count,
    versions.source_name,
    versions.source_format,
    latest_loads.batch_id,
    latest_loads.ingested_at,
    latest_loads.load_order
from latest_loads
inner join {{ source('raw', 'articles') }} as versions using (article_id, content_hash)
