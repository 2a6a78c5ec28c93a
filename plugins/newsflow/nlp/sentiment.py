"""Sentence and entity sentiment (VADER's rules with a news lexicon), and a GDELT-style document tone.

A sentence is scored token by token with VADER's lexicon, boosters, negation and
contrast rules, plus :data:`newsflow.nlp.lexicon.NEWS_LEXICON` for news words VADER
lacks.  The token valences are kept with their character offsets and clauses, so the
tone *about* a name is read from the clause that mentions it rather than the whole
sentence ("Infosys rises, Wipro slips" is good for one and bad for the other).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SentimentIntensityAnalyzer

from newsflow.nlp.lexicon import CLAUSE_OPENERS, CONTRASTS, MOVEMENTS, NEWS_LEXICON, UP_DOWN

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_WORD = re.compile(r"\S+")
# Punctuation stripped from a token before lexicon look-up (VADER's, plus typographic quotes and dashes).
_EDGE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…–—"
# A token ending with one of these (or with "--") closes its clause.
_CLAUSE_END_CHARS = frozenset(",;:—–")
# VADER's negation words, plus "no" (VADER handles "no" by a rule of its own with the same effect).
_NEGATIONS = frozenset(NEGATE) | {"no"}
# Boosters further from the word they modify count a little less (VADER's decay).
_BOOSTER_DECAY = (1.0, 0.95, 0.9)
# VADER's weights around a contrast word: before it counts half, after it one and a half.
_BEFORE_CONTRAST, _AFTER_CONTRAST = 0.5, 1.5
# VADER's normalisation constant: compound = s / sqrt(s^2 + alpha), s a sum of valences.
_ALPHA = 15.0
# People weigh bad news more than good news of the same strength ("negativity bias", Rozin &
# Royzman 2001): negative valences count this much more.  1.5 is a round value; each half
# of the NYT dev set, checked separately, gains about 0.015 Pearson r from it.
NEGATIVE_WEIGHT = 1.5
# A negation that negates no rated word still leans negative ("it isn't working"; Potts
# 2011, "On the negativity of negation"): it counts as a mild negative word on VADER's scale
# (like "bribe" or "lows"); -0.4 to -1.2 gain alike on both halves of the NYT dev set.
NEGATION_VALENCE = -0.8
# How much a clause that does not mention a name says about it, relative to the clause that does.
OTHER_CLAUSE_WEIGHT = 0.25
# ... and a segment on the other side of a colon (in headlines, usually the source: "Buy X: analyst")
# or of a contrast word ("X rises, but Y slips").
OTHER_SEGMENT_WEIGHT = 0.0
# How many tokens back a movement word looks for the rated word it moves ("net profit of X falls").
_MOVEMENT_REACH = 4
_SEASON_BEFORE = frozenset({"last", "this", "next", "early", "late", "that"})
# People rate how strongly a sentence speaks, not how many rated words it holds; VADER's sum
# grows with every one, so long sentences saturate and short ones look mild.  A sentence's sum
# is divided by the square root of its length in sentences of this many words (the square
# root: the sum of n independent valences grows like it).  On the NYT editorial dev set,
# tuned on one half and checked on the other (bench/eval_sentiment.py), Pearson r 0.573 -> 0.581 and
# 0.505 -> 0.523; a linear length scale gains less on both (0.570, 0.519).
TYPICAL_SENTENCE_WORDS = 10
# VADER's recommended cut-offs on compound for positive / negative labels.
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """VADER's analyser (its lexicon ships inside the package: nothing is fetched)."""
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """VADER's lexicon, plus news words it lacks (VADER's own rating wins where both have a word)."""
    return {**NEWS_LEXICON, **analyzer().lexicon}


def normalize(total: float) -> float:
    """Map a sum of valences to (-1, 1) as VADER's compound does."""
    return total / math.sqrt(total * total + _ALPHA)


def label_of(compound: float) -> str:
    """positive / neutral / negative from a compound score, with VADER's cut-offs."""
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class ScoredSentence:
    """One sentence's token valences (VADER's scale) with their character spans, clauses and segments.

    Clauses end at , ; : and dashes and before words such as "but" or "while"; segments
    end at colons, which in news separate a statement from its source ("Sell X: analyst"),
    and before contrast words, which oppose what comes after to what came before.
    """

    spans: tuple[tuple[int, int], ...]
    valences: tuple[float, ...]
    clauses: tuple[int, ...]
    segments: tuple[int, ...]
    emphasis: float
    word_count: int = TYPICAL_SENTENCE_WORDS

    @property
    def compound(self) -> float:
        """Tone of the whole sentence in [-1, 1]: the sum of its valences per square root of
        its length in typical sentences (see TYPICAL_SENTENCE_WORDS)."""
        return self._squash(sum(self.valences) / math.sqrt(max(self.word_count, 1) / TYPICAL_SENTENCE_WORDS))

    def about(self, start: int, end: int) -> float:
        """Tone in [-1, 1] about the name at characters ``start:end`` (offsets into the sentence).

        The clause holding the name counts fully; other clauses of its segment count
        :data:`OTHER_CLAUSE_WEIGHT` as much, so they decide only when the name's own clause
        carries no tone ("Sensex, Nifty fall"); other segments count :data:`OTHER_SEGMENT_WEIGHT`.
        """
        tokens = [k for k, (s, e) in enumerate(self.spans) if s < end and e > start]
        if not tokens:
            return 0.0
        clauses = {self.clauses[k] for k in tokens}
        segments = {self.segments[k] for k in tokens}
        total = 0.0
        for valence, clause, segment in zip(self.valences, self.clauses, self.segments, strict=True):
            if clause in clauses:
                total += valence
            elif segment in segments:
                total += OTHER_CLAUSE_WEIGHT * valence
            else:
                total += OTHER_SEGMENT_WEIGHT * valence
        return self._squash(total)

    def _squash(self, total: float) -> float:
        if total > 0:
            total += self.emphasis
        elif total < 0:
            total -= self.emphasis
        return round(normalize(total), 4)


def score_sentence(sentence: str, names: Sequence[tuple[int, int]] = ()) -> ScoredSentence:
    """Score one sentence: a valence per whitespace token, following VADER's rules.

    ``names`` are character spans (offsets into ``sentence``) of names, whose words carry
    no tone ("Nifty", "Hope", "Rose Valley").  Differences from VADER's ``polarity_scores``:
    words it does not rate come from the news lexicon; punctuation is stripped from every
    token (VADER keeps it on short words, so "no." or "bad," go unrated); a movement word
    takes its sign from a rated word just before it in its clause ("losses rise", "profit
    falls", "unemployment falls" read as bad, bad, good); the contrast rule also covers "yet"
    and "however" and weighs each token by its position (VADER's looks tokens up by value
    and can reweigh the wrong one); negation and boosters do not reach across a clause;
    negative valences weigh :data:`NEGATIVE_WEIGHT` times more, and a negation with nothing
    to negate counts :data:`NEGATION_VALENCE`.
    """
    lex = lexicon()
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    clauses: list[int] = []
    segments: list[int] = []
    upper: list[bool] = []
    clause = segment = 0
    for match in _WORD.finditer(sentence):
        raw = match.group()
        word = raw.strip(_EDGE) or raw
        lowered = word.lower().replace("’", "'")
        if lowered in CLAUSE_OPENERS and spans:
            clause += 1
            segment += lowered in CONTRASTS
        start, end = match.span()
        if names and any(s < end and e > start for s, e in names):
            lowered = ""  # a name: neither rated nor a cue word
        spans.append((start, end))
        words.append(lowered)
        upper.append(word.isupper())
        clauses.append(clause)
        segments.append(segment)
        if raw[-1] in _CLAUSE_END_CHARS or raw.endswith("--"):
            clause += 1
            segment += raw[-1] == ":"
    # VADER's emphasis for a word in capitals only counts when the rest is not shouted too.
    shouting_some = 0 < sum(upper) < len(upper)
    # Most tokens are unrated: only look closer at those the lexicon (or "up"/"down") knows.
    valences = [
        _valence(i, words, clauses, upper, shouting_some, lex) if word in lex or word in UP_DOWN else 0.0
        for i, word in enumerate(words)
    ]
    _turn_movements(words, clauses, valences)
    for i, word in enumerate(words):
        if (word in _NEGATIONS or "n't" in word) and not valences[i] and not any(valences[i + 1 : i + 4]):
            if _negates(words, i):
                valences[i] += NEGATION_VALENCE
    valences = [v * NEGATIVE_WEIGHT if v < 0 else v for v in valences]
    contrast = next((i for i, w in enumerate(words) if w in CONTRASTS), None)
    if contrast is not None:
        valences = [
            v * _BEFORE_CONTRAST if i < contrast else v * _AFTER_CONTRAST if i > contrast else v
            for i, v in enumerate(valences)
        ]
    return ScoredSentence(
        tuple(spans),
        tuple(valences),
        tuple(clauses),
        tuple(segments),
        _emphasis(sentence),
        len(_WORD.findall(sentence)),
    )


def _is_movement(i: int, words: list[str]) -> bool:
    word = words[i]
    if word in UP_DOWN:
        return any(any(c.isdigit() for c in words[j]) for j in (i - 1, i + 1) if 0 <= j < len(words))
    return word in MOVEMENTS


def _turn_movements(words: list[str], clauses: list[int], valences: list[float]) -> None:
    """Give a movement word the sign of the rated word it moves, which it then stands for (in place).

    "net profit falls": profit (+) falls (-) -> one negative; "unemployment falls": (-)(-) -> positive.
    """
    for i in range(len(words)):
        if not valences[i] or not _is_movement(i, words):
            continue
        for j in range(i - 1, max(i - 1 - _MOVEMENT_REACH, -1), -1):
            if clauses[j] != clauses[i]:
                break
            if valences[j] and not _is_movement(j, words):
                valences[i] = math.copysign(valences[i], valences[i] * valences[j])
                valences[j] = 0.0
                break


def _valence(
    i: int, words: list[str], clauses: list[int], upper: list[bool], shouting_some: bool, lex: dict[str, float]
) -> float:
    """Valence of token ``i`` after VADER's boosters, negation, "no" and "least" rules."""
    word = words[i]
    base = lex.get(word)
    if base is None and word in UP_DOWN and _is_movement(i, words):
        base = UP_DOWN[word]
    if base is None or word in BOOSTER_DICT:
        return 0.0
    # "last fall", "this fall": the season, not a drop.
    if word == "fall" and i > 0 and words[i - 1] in _SEASON_BEFORE:
        return 0.0
    if word == "kind" and i + 1 < len(words) and words[i + 1] == "of":
        return 0.0
    # "no" before a rated word negates it instead of counting as a negative word itself.
    if word == "no" and i + 1 < len(words) and words[i + 1] in lex:
        return 0.0
    valence = base
    if upper[i] and shouting_some:
        valence += C_INCR if valence > 0 else -C_INCR
    for distance in range(1, 4):
        j = i - distance
        if j < 0 or clauses[j] != clauses[i]:
            break
        before = words[j]
        if before in lex and before != "no":
            continue
        boost = BOOSTER_DICT.get(before, 0.0)
        if boost:
            boost = boost if valence > 0 else -boost
            if upper[j] and shouting_some:
                boost += C_INCR if valence > 0 else -C_INCR
            valence += boost * _BOOSTER_DECAY[distance - 1]
        if _negates(words, j):
            valence *= N_SCALAR
    if i > 0 and words[i - 1] == "least" and (i < 2 or words[i - 2] not in ("at", "very")):
        valence *= N_SCALAR
    return valence


def _negates(words: list[str], j: int) -> bool:
    """Whether token ``j`` negates what follows ("not only ... but" and "without doubt" do not)."""
    word = words[j]
    if word not in _NEGATIONS and "n't" not in word:
        return False
    following = words[j + 1] if j + 1 < len(words) else ""
    return not ((word == "not" and following == "only") or (word == "without" and following == "doubt"))


def _emphasis(text: str) -> float:
    """VADER's boost for exclamation marks (up to 4) and repeated question marks."""
    exclamations = min(text.count("!"), 4) * 0.292
    questions = text.count("?")
    if questions <= 1:
        return exclamations
    return exclamations + (questions * 0.18 if questions <= 3 else 0.96)


def sentence_compound(sentence: str) -> float:
    """Tone of one sentence in [-1, 1] (VADER's compound scale)."""
    return score_sentence(sentence).compound


@dataclass(frozen=True)
class EntityTone:
    """Tone of a text about one name: how often it is mentioned and the mean tone of those mentions.

    ``compound`` is in [-1, 1] and ``label`` is positive/neutral/negative; both are None
    when the name is not mentioned (``mentions == 0``).
    """

    mentions: int
    compound: float | None
    label: str | None

    @classmethod
    def from_scores(cls, scores: list[float]) -> EntityTone:
        """Combine the tone of each mention (empty: not mentioned)."""
        if not scores:
            return cls(0, None, None)
        compound = round(sum(scores) / len(scores), 4)
        return cls(len(scores), compound, label_of(compound))


# A sentence ends at . ! ? (and any closing quotes or brackets) before white space, or at a line break...
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n+")
# ...unless the period closes an initial or a short title such as "Dr.", "Mr.", "St." or "Ltd.".
_ABBREVIATION = re.compile(r"(?:^|\s)(?:[A-Z]|[A-Z][a-z]{1,2}|[A-Z]\.[A-Z])\.$")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) for each sentence of ``text``: a light splitter for text NER did not see."""
    sentences = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if end.group().startswith(".") and _ABBREVIATION.search(text, 0, end.end()):
            continue
        sentences.append((start, text[start : end.end()]))
        start = end.end()
    sentences.append((start, text[start:]))
    return [(offset, sentence) for offset, sentence in sentences if sentence.strip()]


def _target_pattern(target: str) -> re.Pattern[str]:
    """Whole-word matches of ``target``, also in plural or possessive form ("NBFCs", "Infosys'", "Sebi's").

    Acronyms keep their case ("US" is not "us"); other names match in any case.
    """
    flags = 0 if target.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(target)}(?:['’]s|['’]|s|es)?(?!\w)", flags)


def entity_sentiment(text: str, targets: list[str]) -> dict[str, EntityTone]:
    """Tone of ``text`` about each name in ``targets``, read from the clauses that mention it.

    Names are matched as whole words (in any case, except all-capital acronyms).  Returns
    one :class:`EntityTone` per target; a target the text never mentions gets
    ``mentions == 0`` and no score.
    """
    patterns = {target: _target_pattern(target.strip()) for target in targets if target.strip()}
    scores: dict[str, list[float]] = {target: [] for target in targets}
    for _, sentence in split_sentences(text):
        found = {t: [m.span() for m in p.finditer(sentence)] for t, p in patterns.items()}
        if not any(found.values()):
            continue
        scored = score_sentence(sentence, [span for spans in found.values() for span in spans])
        for target, spans in found.items():
            scores[target].extend(scored.about(start, end) for start, end in spans)
    return {target: EntityTone.from_scores(found) for target, found in scores.items()}


@dataclass(frozen=True)
class DocumentTone:
    """Tone in the spirit of GDELT's V2Tone; percentages are of all words.

    tone = positive - negative; polarity = positive + negative; compound is the
    mean sentence compound (:func:`sentence_compound`).
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
    vader_lexicon = analyzer().lexicon
    words = [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]
    positive = sum(1 for w in words if vader_lexicon.get(w, 0.0) > 0)
    negative = sum(1 for w in words if vader_lexicon.get(w, 0.0) < 0)
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
