-- grain: one row per article per batch that delivered it (batch_id, article_id): which version
-- (content_hash in raw.articles) the batch loaded and when. The latest load of an article is
-- its current version (staging.articles); a batch that delivers an unchanged text adds a load,
-- not a version. loaded_at: when this load was written (a re-run of the interval that delivers
-- the article again writes it anew; one that leaves it out keeps it).
create table if not exists raw.article_loads (
    batch_id varchar not null,
    article_id varchar not null,
    content_hash varchar not null,
    ingested_at timestamptz not null,
    loaded_at timestamptz not null,
    primary key (batch_id, article_id)
);
