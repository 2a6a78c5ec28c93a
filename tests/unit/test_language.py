"""Language identification on real text: English news, news text in other languages, declared tags."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsflow.config import PROJECT_ROOT, load_settings
from newsflow.ingest.language import MIN_CONFIDENCE, identify_language, language_code
from newsflow.ingest.parsers import parse_feed
from newsflow.ingest.sources import extract_articles
from tests.helpers import SAMPLE_DIR, SHARED_DIR

# extraction-dev pages whose gold body is not English (checked by eye); every other page is English.
NOT_ENGLISH_PAGES = json.loads((PROJECT_ROOT / "bench" / "data" / "extraction_dev_languages.json").read_text())["pages"]
# News headlines spaCy ships as example sentences, one paragraph per language.
SPACY_EXAMPLE_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "tr", "ar", "ja", "ko", "uk", "el")


def test_every_sample_article_is_english():
    settings = load_settings(overrides={"sources": [str(SAMPLE_DIR)]}, environ={})
    articles = extract_articles(settings, datetime(2030, 1, 1, tzinfo=UTC)).articles
    assert len(articles) >= 40
    assert {(a.article_id, a.language) for a in articles} == {(a.article_id, "en") for a in articles}
    assert all(a.language_confidence >= MIN_CONFIDENCE for a in articles)


def test_every_english_extraction_dev_body_is_english_and_the_others_are_not():
    path = SHARED_DIR / "data" / "extraction-dev" / "ground-truth.json"
    if not path.exists():
        pytest.skip("../shared/data/extraction-dev is not beside the project")
    gold = json.loads(path.read_text(encoding="utf-8"))
    found = {key[:12]: identify_language(page["articleBody"]).language for key, page in gold.items()}
    english = {key: lang for key, lang in found.items() if key not in NOT_ENGLISH_PAGES}
    assert len(english) >= 75
    assert set(english.values()) == {"en"}
    assert {key: found[key] for key in NOT_ENGLISH_PAGES} == NOT_ENGLISH_PAGES


@pytest.mark.parametrize("language", SPACY_EXAMPLE_LANGUAGES)
def test_news_text_in_other_languages(language):
    examples = pytest.importorskip(f"spacy.lang.{language}.examples")
    paragraph = " ".join(examples.sentences)
    guess = identify_language(paragraph)
    assert guess.language == language
    assert guess.confidence > 0.9


@pytest.mark.parametrize(("name", "language"), [("heise.atom", "de"), ("uolNoticias.rss", "pt")])
def test_real_feed_entries_in_german_and_portuguese(name, language):
    path = SHARED_DIR / "data" / "feeds-real" / name
    if not path.exists():
        pytest.skip("../shared/data/feeds-real is not beside the project")
    items = [i for i in parse_feed(path.read_bytes()) if isinstance(i, dict) and len((i["text"] or "").split()) >= 20]
    assert len(items) >= 5
    assert {identify_language(f"{i['title']}\n\n{i['text']}").language for i in items} == {language}


def test_the_text_wins_over_a_wrong_declared_language_and_both_are_kept():
    text = (SAMPLE_DIR / "text" / "afp_kim_belousov_20241130.txt").read_text(encoding="utf-8")
    guess = identify_language(text, declared="kn")
    assert (guess.language, guess.declared) == ("en", "kn")
    assert guess.confidence > 0.99


def test_a_declared_language_decides_when_the_text_is_too_short_to_tell():
    guess = identify_language("Oslo 2-1", declared="nb-NO")
    assert (guess.language, guess.declared) == ("nb", "nb")
    assert guess.confidence < MIN_CONFIDENCE


def test_text_without_letters_is_undetermined():
    assert identify_language("2024 - 11 - 30").language == "und"
    assert identify_language("", declared="fr").language == "fr"


def test_declared_tags_are_reduced_to_their_language():
    assert [language_code(t) for t in ("en-GB", "pt_BR", " FR ", "", None, "12", "english")] == [
        "en",
        "pt",
        "fr",
        None,
        None,
        None,
        None,
    ]
