-- grain: one row per article (its current version). compound: mean VADER sentence compound in
-- [-1, 1]; tone/positive/negative/polarity: GDELT-style percentages of all words.
-- reads: raw.article_sentiment, staging.articles
{{ current_version_rows('article_sentiment', [
    'compound', 'tone', 'positive', 'negative', 'polarity', 'word_count', 'sentence_count'
]) }}
