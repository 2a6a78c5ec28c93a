"""Enrichment with the real spaCy model on the seed articles."""

import pandas as pd
import pytest

from newsflow.config import default_spacy_model
from newsflow.ingest.parsers import parse_text
from newsflow.nlp.enrich import enrich_batch
from tests.helpers import SEEDS


@pytest.fixture(scope="module")
def seeds_enriched():
    rows = []
    for key, path in SEEDS.items():
        [item] = parse_text(path.read_bytes())
        rows.append({"article_id": key, "text": item["text"].strip(), "language": "en"})
    rows.append({"article_id": "de", "text": "Der Minister traf sich mit dem Staatschef.", "language": "de"})
    articles = pd.DataFrame(rows)
    return articles, enrich_batch(articles, default_spacy_model())


def names(tables, article_id, label):
    mentions = tables["mentions"]
    entities = tables["entities"].set_index("entity_id")
    found = mentions[(mentions.article_id == article_id) & (mentions.label == label)]
    return set(entities.loc[found.entity_id, "name"])


@pytest.mark.parametrize("article_id", ["afp", "rewrite"])
def test_both_seeds_name_kim_jong_un_and_kcna(seeds_enriched, article_id):
    _, tables = seeds_enriched
    assert "Kim Jong Un" in names(tables, article_id, "PERSON")
    assert "Andrei Belousov" in names(tables, article_id, "PERSON")
    assert "KCNA" in names(tables, article_id, "ORG")
    assert {"Russia", "Ukraine", "North Korea"} <= names(tables, article_id, "GPE")


def test_possessives_fold_into_one_entity(seeds_enriched):
    _, tables = seeds_enriched
    mentions = tables["mentions"]
    korea = mentions[mentions.text.isin(["North Korea’s", "North Korea's", "North Korea"]) & (mentions.label == "GPE")]
    assert korea.text.nunique() >= 2
    assert korea.entity_id.nunique() == 1


def test_offsets_point_at_the_mention_and_sentences_count_up(seeds_enriched):
    articles, tables = seeds_enriched
    texts = articles.set_index("article_id")["text"]
    for row in tables["mentions"].itertuples():
        assert texts[row.article_id][row.start_char : row.end_char] == row.text
    per_article = tables["mentions"].groupby("article_id")["sentence_index"]
    assert (per_article.min() >= 0).all()
    assert per_article.max()["afp"] > 10


def test_only_people_organisations_places_and_groups_are_kept(seeds_enriched):
    _, tables = seeds_enriched
    assert set(tables["mentions"].label) <= {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
    assert not tables["mentions"].text.str.fullmatch(r"Saturday|Friday|June|two").any()


def test_sentiment_per_article_and_non_english_is_skipped(seeds_enriched):
    _, tables = seeds_enriched
    sentiment = tables["article_sentiment"].set_index("article_id")
    assert list(sentiment.index) == ["afp", "rewrite"]
    assert sentiment.loc["afp", "word_count"] > 400
    assert -1 <= sentiment.loc["afp", "compound"] <= 1
    assert sentiment.loc["afp", "polarity"] == pytest.approx(
        sentiment.loc["afp", "positive"] + sentiment.loc["afp", "negative"], abs=1e-3
    )
    assert "de" not in set(tables["mentions"].article_id)


def test_sentences_break_at_paragraphs_and_after_closing_quotes():
    from newsflow.nlp.model import load_nlp

    doc = load_nlp(default_spacy_model())(
        "He said: “It is over.” Then he left. Mr. Kim went to the U.S. on Monday!\n\nNew one"
    )
    assert [s.text.strip() for s in doc.sents] == [
        "He said: “It is over.”",
        "Then he left.",
        "Mr. Kim went to the U.S. on Monday!",
        "New one",
    ]


def test_entity_sentiment_has_one_row_per_entity_per_article_consistent_with_mentions(seeds_enriched):
    _, tables = seeds_enriched
    tones = tables["entity_sentiment"]
    counts = tables["mentions"].groupby(["article_id", "entity_id"]).size().rename("expected")
    joined = tones.set_index(["article_id", "entity_id"]).join(counts, how="outer")
    assert joined["mentions"].notna().all() and (joined["mentions"] == joined["expected"]).all()
    assert tones["compound"].between(-1, 1).all()
    expected_labels = tones["compound"].map(
        lambda c: "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
    )
    assert (tones["label"] == expected_labels).all()
    assert "de" not in set(tones.article_id)


def test_entity_sentiment_reads_the_clauses_about_each_entity(seeds_enriched):
    _, tables = seeds_enriched
    names = tables["entities"].set_index("entity_id")["name"]
    afp = tables["entity_sentiment"].query("article_id == 'afp'").assign(name=lambda f: f.entity_id.map(names))
    tone = afp.groupby("name")["compound"].first()
    # Belousov agrees, praises and thanks; Ukraine appears with invasion, conflict and sanctions.
    assert tone["Belousov"] > 0.05 and tone["Ukraine"] < -0.05
    assert afp["label"].nunique() == 3
