-- grain: one row per article: the version its latest load delivered. Contract: article_id,
-- url, outlet, title, author, published_at, language, text. published_at is UTC, or null when
-- date_flag says the date was missing, unparsed, in the future or before the configured
-- earliest_published_at (the claimed value is kept in raw.articles.published_at_raw).
-- batch_id, ingested_at and loaded_at are those of the latest load (the one written last).
-- reads: raw.article_loads, raw.articles
with latest_loads as (
    select
        article_loads.article_id,
        max_by(article_loads.content_hash, (article_loads.loaded_at, article_loads.batch_id)) as content_hash,
        max_by(article_loads.batch_id, (article_loads.loaded_at, article_loads.batch_id)) as batch_id,
        max_by(article_loads.ingested_at, (article_loads.loaded_at, article_loads.batch_id)) as ingested_at,
        max(article_loads.loaded_at) as loaded_at
    from {{ source('raw', 'article_loads') }} as article_loads
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
    versions.language_confidence,
    versions.declared_language,
    versions.text,
    versions.content_hash,
    versions.word_count,
    versions.is_teaser,
    versions.field_sources,
    versions.source_name,
    versions.source_format,
    latest_loads.batch_id,
    latest_loads.ingested_at,
    latest_loads.loaded_at
from latest_loads
inner join {{ source('raw', 'articles') }} as versions using (article_id, content_hash)
