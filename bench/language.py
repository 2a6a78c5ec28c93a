"""Language identification: accuracy and speed of the candidate libraries on real text.

Corpora (nothing written for this benchmark):
  * English news: the bundled sample's articles (data/sample) and the gold article bodies
    of ``../shared/data/extraction-dev`` (pages whose gold body is English: all but the 13
    listed in ``bench/data/extraction_dev_languages.json``, checked by eye).
  * Other languages: the headline-style example sentences spaCy ships for each language
    (``spacy.lang.XX.examples``), one text per language made of all its sentences
    (paragraph-length, like an article) and each sentence alone (headline-length, harder),
    plus the entries of two real non-English feeds in ``../shared/data/feeds-real``
    (heise, German; UOL Notícias, Portuguese).

Candidates: newsflow's old stopword screen (the baseline), newsflow's detector (py3langid,
142 languages) and lingua (75 languages; low- and high-accuracy modes, when installed),
each reading the same first ``MAX_CHARS`` characters.
Prints accuracy per corpus and texts per second over the English articles.
Usage: nice python bench/language.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import time
from collections.abc import Callable
from pathlib import Path

import spacy.lang

from newsflow.config import load_settings
from newsflow.ingest.parsers import parse_feed
from newsflow.ingest.sources import extract_articles

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
SAMPLE = REPO_ROOT / "data" / "sample"
# Languages both libraries know, with spaCy example sentences (ISO 639-1).
SHARED_LANGUAGES = (
    "ar ca cs da de el es et eu fa fi fr ga he hi hr hu hy id is it ja ko lt lv mk nb nl pl pt "
    "ro ru sk sl sq sr sv ta te th tr uk ur vi zh"
).split()
OLD_STOPWORDS = frozenset(
    "the of and to in a is that for it on was with as by at from he be this are his said "
    "have an has but not they which were their its been who will would".split()
)
FEEDS = {"heise.atom": "de", "uolNoticias.rss": "pt"}


def english_texts(data_dir: Path) -> list[str]:
    """Bodies of the sample's articles and of extraction-dev's English gold bodies."""
    from datetime import UTC, datetime

    settings = load_settings(overrides={"sources": [str(SAMPLE)]}, environ={})
    sample = [a.text for a in extract_articles(settings, datetime(2030, 1, 1, tzinfo=UTC)).articles]
    gold = json.loads((data_dir / "extraction-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    other = json.loads((REPO_ROOT / "bench" / "data" / "extraction_dev_languages.json").read_text())["pages"]
    bodies = [page["articleBody"] for key, page in gold.items() if key[:12] not in other]
    return sample + bodies


def example_sentences() -> dict[str, list[str]]:
    """spaCy's example sentences per language (only languages in :data:`SHARED_LANGUAGES`)."""
    found = {}
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        if module.name not in SHARED_LANGUAGES:
            continue
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        found[module.name] = [s for s in examples.sentences if len(s.split()) >= 3 or module.name in ("ja", "zh", "th")]
    return found


def feed_texts(data_dir: Path) -> list[tuple[str, str]]:
    """(text, language) of real non-English feed entries with at least 20 words."""
    out = []
    for name, language in FEEDS.items():
        for item in parse_feed((data_dir / "feeds-real" / name).read_bytes()):
            if isinstance(item, dict):
                text = f"{item.get('title') or ''}\n\n{item.get('text') or ''}"
                if len(re.findall(r"\w+", text)) >= 20:
                    out.append((text, language))
    return out


def candidates() -> dict[str, Callable[[str], str]]:
    """The detectors compared; lingua only when installed (pip install lingua-language-detector==2.1.1)."""
    from newsflow.ingest.language import MAX_CHARS, identify_language

    found: dict[str, Callable[[str], str]] = {
        "stopword screen (old)": stopwords,
        "py3langid (newsflow)": lambda text: identify_language(text).language,
    }
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        print("lingua is not installed: pip install lingua-language-detector==2.1.1 to compare it")
        return found
    every = LanguageDetectorBuilder.from_all_languages

    for mode, detector in (
        ("low", every().with_low_accuracy_mode().with_preloaded_language_models().build()),
        ("high", every().with_preloaded_language_models().build()),
    ):
        found[f"lingua {mode}-accuracy"] = _lingua(detector, MAX_CHARS)
    return found


def _lingua(detector, max_chars: int) -> Callable[[str], str]:
    """lingua's answer as an ISO 639-1 code, reading as many characters as newsflow's detector."""

    def detect(text: str) -> str:
        found = detector.detect_language_of(text[:max_chars])
        return found.iso_code_639_1.name.lower() if found else "und"

    return detect


def stopwords(text: str) -> str:
    """newsflow's screen before py3langid: 'en' when 12 % of the words are English stopwords."""
    words = [w.lower() for w in re.findall(r"\w+", text[:5000])]
    share = sum(w in OLD_STOPWORDS for w in words) / max(len(words), 1)
    return "en" if share >= 0.12 else "und"


def accuracy(detect: Callable[[str], str], labelled: list[tuple[str, str]]) -> tuple[float, list[str]]:
    wrong = []
    for text, language in labelled:
        got = detect(text)
        # Norwegian Bokmål: py3langid says "no", lingua "nb"; Serbian may come as "sr" or "hr"/"bs" in Latin script.
        if got != language and {got, language} != {"no", "nb"}:
            wrong.append(f"{language}->{got}: {text[:50]!r}")
    return 1 - len(wrong) / len(labelled), wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    english = [(t, "en") for t in english_texts(args.data_dir)]
    examples = example_sentences()
    paragraphs = [(" ".join(s), lang) for lang, s in examples.items()]
    sentences = [(s, lang) for lang, found in examples.items() for s in found]
    feeds = feed_texts(args.data_dir)
    corpora = {
        f"English articles ({len(english)})": english,
        f"feed entries de/pt ({len(feeds)})": feeds,
        f"paragraphs, {len(paragraphs)} languages": paragraphs,
        f"headlines ({len(sentences)}), {len(paragraphs)} languages": sentences,
    }
    print(f"{'detector':<24}" + "".join(f"{name:>34}" for name in corpora) + f"{'English texts/s':>18}")
    for name, detect in candidates().items():
        row, errors = [], []
        for corpus in corpora.values():
            score, wrong = accuracy(detect, corpus)
            row.append(score)
            errors.extend(wrong)
        detect("warm up: load the model before timing")
        start = time.perf_counter()
        for text, _ in english:
            detect(text)
        speed = len(english) / (time.perf_counter() - start)
        print(f"{name:<24}" + "".join(f"{score:>34.3f}" for score in row) + f"{speed:>18.0f}")
        if args.show_errors:
            for line in errors[:40]:
                print("    ", line)


if __name__ == "__main__":
    main()
