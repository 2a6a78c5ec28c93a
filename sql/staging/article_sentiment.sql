-- grain: one row per article. compound: mean VADER sentence compound in [-1, 1];
-- tone/positive/negative/polarity: GDELT-style percentages of all words.
create table if not exists staging.article_sentiment (
    article_id varchar primary key,
    compound double not null,
    tone double not null,
    positive double not null,
    negative double not null,
    polarity double not null,
    word_count integer not null,
    sentence_count integer not null
);
