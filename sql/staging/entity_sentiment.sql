-- grain: one row per entity per article (article_id, entity_id). mentions: the entity's rows in
-- staging.mentions for the article; compound: mean tone in [-1, 1] of the clauses that mention
-- it (newsflow.nlp.sentiment); label: positive / neutral / negative from compound (+-0.05).
create table if not exists staging.entity_sentiment (
    article_id varchar not null,
    entity_id varchar not null,
    mentions integer not null,
    compound double not null,
    label varchar not null,
    primary key (article_id, entity_id)
);
