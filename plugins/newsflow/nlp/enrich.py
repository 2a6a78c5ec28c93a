"""Enrich a batch of articles: entity mentions, entities, article and entity sentiment tables."""

from __future__ import annotations

import logging
from collections import defaultdict

import pandas as pd
from spacy.tokens import Span

from newsflow.nlp.entities import ENTITY_LABELS, canonical_name, entity_id
from newsflow.nlp.model import load_nlp
from newsflow.nlp.sentiment import EntityTone, document_tone, score_sentence, sentence_compound

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
ENTITY_SENTIMENT_COLUMNS = ("article_id", "entity_id", "mentions", "compound", "label")


def enrich_batch(articles: pd.DataFrame, model_name: str, batch_size: int = 32) -> dict[str, pd.DataFrame]:
    """Run NER and sentiment over English articles of ``articles``.

    Input needs ``article_id``, ``text`` and ``language``.  Returns the tables
    ``mentions``, ``entities``, ``article_sentiment`` and ``entity_sentiment`` (warehouse
    column names).  An entity's sentiment in an article is the mean tone of the clauses
    that mention it (:meth:`newsflow.nlp.sentiment.ScoredSentence.about`), one score per
    mention.  Articles in other languages get no rows: the model is English-only.
    """
    english = articles[articles["language"] == "en"]
    skipped = len(articles) - len(english)
    if skipped:
        log.info("skipping NER/sentiment for %d non-English articles", skipped)
    nlp = load_nlp(model_name)
    mentions: list[tuple] = []
    entities: dict[str, tuple[str, str]] = {}
    tones: list[tuple] = []
    entity_tones: list[tuple] = []
    docs = nlp.pipe(english["text"].tolist(), batch_size=batch_size)
    for article_id, text, doc in zip(english["article_id"], english["text"], docs, strict=True):
        sentence_of: dict[int, int] = {}
        scores = []
        for index, sent in enumerate(doc.sents):
            sentence_of[sent.start] = index
            scores.append(sentence_compound(sent.text))
        kept_by_sentence: dict[Span, list[tuple[str, int, int]]] = defaultdict(list)
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
            kept_by_sentence[ent.sent].append((eid, ent.start_char, ent.end_char))
        entity_tones.extend(
            (article_id, eid, tone.mentions, tone.compound, tone.label)
            for eid, tone in _entity_tones(kept_by_sentence).items()
        )
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
        "entity_sentiment": pd.DataFrame(entity_tones, columns=list(ENTITY_SENTIMENT_COLUMNS)).astype(
            {"mentions": "int64", "compound": "float64", "label": "str"}
        ),
    }


def _entity_tones(mentions_by_sentence: dict[Span, list[tuple[str, int, int]]]) -> dict[str, EntityTone]:
    """Tone about each entity of one article from its mentions (entity id, start, end) grouped by sentence.

    Each sentence holding a mention is scored once, with every kept name in it treated
    as a name rather than as words ("Hope", "Rose Valley" carry no tone about anything).
    """
    scores: dict[str, list[float]] = defaultdict(list)
    for sent, found in mentions_by_sentence.items():
        offset = sent.start_char
        scored = score_sentence(sent.text, [(start - offset, end - offset) for _, start, end in found])
        for eid, start, end in found:
            scores[eid].append(scored.about(start - offset, end - offset))
    return {eid: EntityTone.from_scores(found) for eid, found in scores.items()}
