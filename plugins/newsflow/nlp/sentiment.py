"""Sentence sentiment with VADER and a GDELT-style document tone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """VADER's analyser (its lexicon ships inside the package: nothing is fetched)."""
    return SentimentIntensityAnalyzer()


def sentence_compound(sentence: str) -> float:
    """VADER compound score of one sentence, in [-1, 1]."""
    return float(analyzer().polarity_scores(sentence)["compound"])


@dataclass(frozen=True)
class DocumentTone:
    """Tone in the spirit of GDELT's V2Tone; percentages are of all words.

    tone = positive - negative; polarity = positive + negative; compound is the
    mean VADER compound of the sentences.
    """

    compound: float
    tone: float
    positive: float
    negative: float
    polarity: float
    word_count: int
    sentence_count: int


def document_tone(text: str, sentence_scores: list[float]) -> DocumentTone:
    """Tone of a document from its words (VADER lexicon) and its sentence scores."""
    lexicon = analyzer().lexicon
    words = [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]
    positive = sum(1 for w in words if lexicon.get(w, 0.0) > 0)
    negative = sum(1 for w in words if lexicon.get(w, 0.0) < 0)
    total = len(words)
    pos_pct = 100.0 * positive / total if total else 0.0
    neg_pct = 100.0 * negative / total if total else 0.0
    compound = sum(sentence_scores) / len(sentence_scores) if sentence_scores else 0.0
    return DocumentTone(
        compound=round(compound, 4),
        tone=round(pos_pct - neg_pct, 4),
        positive=round(pos_pct, 4),
        negative=round(neg_pct, 4),
        polarity=round(pos_pct + neg_pct, 4),
        word_count=total,
        sentence_count=len(sentence_scores),
    )
