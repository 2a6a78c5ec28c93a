"""Enrich a batch of articles: entity mentions, entities and sentiment tables."""

from __future__ import annotations

import logging

import pandas as pd

from newsflow.nlp.entities import ENTITY_LABELS, canonical_name, entity_id
from newsflow.nlp.model import load_nlp
from newsflow.nlp.sentiment import document_tone, sentence_compound

log = logging.getLogger(__name__)

MENTION_COLUMNS = ("article_id", "entity_id", "text", "label", "start_char", "end_char", "sentence_index")
ENTITY_COLUMNS = ("entity_id", "name", "label")
SENTIMENT_COLUMNS = (
    "article_id",
    "compound",
    "tone",
    "positive",
    "negative",
    "polarity",
    "word_count",
    "sentence_count",
)


def enrich_batch(articles: pd.DataFrame, model_name: str, batch_size: int = 32) -> dict[str, pd.DataFrame]:
    """Run NER and sentiment over English articles of ``articles``.

    Input needs ``article_id``, ``text`` and ``language``.  Returns the tables
    ``mentions``, ``entities`` and ``article_sentiment`` (warehouse column names).
    Articles in other languages get no rows: the model is English-only.
    """
    english = articles[articles["language"] == "en"]
    skipped = len(articles) - len(english)
    if skipped:
        log.info("skipping NER/sentiment for %d non-English articles", skipped)
    nlp = load_nlp(model_name)
    mentions: list[tuple] = []
    entities: dict[str, tuple[str, str]] = {}
    tones: list[tuple] = []
    docs = nlp.pipe(english["text"].tolist(), batch_size=batch_size)
    for article_id, text, doc in zip(english["article_id"], english["text"], docs, strict=True):
        sentence_of: dict[int, int] = {}
        scores = []
        for index, sent in enumerate(doc.sents):
            sentence_of[sent.start] = index
            scores.append(sentence_compound(sent.text))
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            name = canonical_name(ent.text, ent.label_)
            if not name:
                continue
            eid = entity_id(name, ent.label_)
            entities.setdefault(eid, (name, ent.label_))
            sentence_index = sentence_of[ent.sent.start]
            mentions.append((article_id, eid, ent.text, ent.label_, ent.start_char, ent.end_char, sentence_index))
        tone = document_tone(text, scores)
        tones.append(
            (
                article_id,
                tone.compound,
                tone.tone,
                tone.positive,
                tone.negative,
                tone.polarity,
                tone.word_count,
                tone.sentence_count,
            )
        )
    return {
        "mentions": pd.DataFrame(mentions, columns=list(MENTION_COLUMNS)).astype(
            {"start_char": "int64", "end_char": "int64", "sentence_index": "int64"}
        ),
        "entities": pd.DataFrame(
            [(eid, name, label) for eid, (name, label) in entities.items()], columns=list(ENTITY_COLUMNS)
        ),
        "article_sentiment": pd.DataFrame(tones, columns=list(SENTIMENT_COLUMNS)).astype(
            {"word_count": "int64", "sentence_count": "int64"}
        ),
    }
