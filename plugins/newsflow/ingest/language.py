"""Language identification of article text, with the declared language kept beside it.

py3langid (langid.py's naive Bayes model, 142 languages) was chosen over lingua by
``bench/language.py``: on article-length text both named every English article of the
sample and of extraction-dev, and 38 and 39 of 39 languages (py3langid calls the Chinese
paragraph "wuu", a Chinese variety); lingua was better on headline-length text (0.95
against 0.93) but 8 to 12 times slower on the same first 1,500 to 3,000 characters (546
against 38-47 texts/s in one run at 3,000) and held 1.6 GB of models in memory.  Articles
are long, so speed and memory won.

A feed or page that declares a language is often wrong (a feed saying ``kn`` over English
text); the text decides whenever the model is reasonably sure of it (``MIN_CONFIDENCE``),
and the declared code is recorded either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from py3langid import langid

# Detection reads the first characters only: accuracy on the benchmark did not change
# between 1,500 and 3,000 characters, speed halves with each doubling.
MAX_CHARS = 3000
# Below this normalised probability the text is too short or mixed to overrule a declared
# language: the wrong answers on headline-length text were all below 0.83, most below 0.55,
# and the lowest score of an English article at 1,500 characters was 0.59.
MIN_CONFIDENCE = 0.5
UNDETERMINED = "und"


@dataclass(frozen=True)
class LanguageGuess:
    """The language an article is treated as, how sure the model was, and what the source said."""

    language: str
    confidence: float | None
    declared: str | None


@lru_cache(maxsize=1)
def _identifier() -> langid.LanguageIdentifier:
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def language_code(declared: str | None) -> str | None:
    """ISO code of a declared language tag: ``en-GB`` -> ``en``, ``pt_BR`` -> ``pt``; junk -> None."""
    if not declared or not isinstance(declared, str):
        return None
    code = declared.strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def identify_language(text: str, declared: str | None = None) -> LanguageGuess:
    """The article's language: the text's when the model is sure enough, else the declared one.

    ``confidence`` is the model's probability of the language returned.  Text without
    letters is ``und`` unless a language was declared.
    """
    declared_code = language_code(declared)
    sample = text[:MAX_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return LanguageGuess(declared_code or UNDETERMINED, None, declared_code)
    detected, probability = _identifier().classify(sample)
    if declared_code and probability < MIN_CONFIDENCE:
        # The model's probability of the declared language (0 for a language it does not know).
        ranked = dict(_identifier().rank(sample))
        return LanguageGuess(declared_code, round(float(ranked.get(declared_code, 0.0)), 4), declared_code)
    return LanguageGuess(detected, round(float(probability), 4), declared_code)
