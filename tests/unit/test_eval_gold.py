"""The hand-annotated evaluation sets are usable: every gold quote is in its article, labels are kept ones."""

import json

from newsflow.config import DEFAULT_ALIASES, PROJECT_ROOT
from newsflow.ingest.parsers import parse_text
from newsflow.nlp.aliases import load_entity_list
from newsflow.nlp.entities import ENTITY_LABELS

DATA = PROJECT_ROOT / "bench" / "data"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def text_of(file: str) -> str:
    """An article of the sample, or one written for the quotes gold (bench/data/quote_articles)."""
    path = PROJECT_ROOT / "data" / "sample" / file
    [item] = parse_text((path if path.exists() else DATA / "quote_articles" / file).read_bytes())
    return item["text"]


def test_every_gold_quote_is_printed_in_its_article():
    gold = rows("quotes_gold.jsonl")
    assert len(gold) >= 30 and len({g["file"] for g in gold}) >= 5
    missing = [g["quote"] for g in gold if g["quote"] not in text_of(g["file"])]
    assert missing == []
    assert {g.get("speaker_kind") for g in gold} <= {None, "person", "organisation"}


def test_ner_gold_names_each_entity_once_with_a_kept_label():
    gold = rows("ner_gold.jsonl")
    listed = {entry.name for entry in load_entity_list(DEFAULT_ALIASES).entries}
    assert len(gold) >= 8
    for article in gold:
        pairs = [(e["name"].casefold(), e["label"]) for e in article["entities"]]
        assert len(pairs) == len(set(pairs)), article["file"]
        assert {label for _, label in pairs} <= set(ENTITY_LABELS)
        text = text_of(article["file"])
        # A name not printed is the alias table's name for a spelling that is ("U.S.").
        unprinted = {e["name"] for e in article["entities"] if e["name"] not in text}
        assert unprinted <= listed, article["file"]


def test_places_gold_rows_are_well_formed_and_sample_offsets_match():
    from newsflow.ingest.parsers import parse_html
    from newsflow.nlp.places import load_gazetteer

    gold = rows("places_gold.jsonl")
    assert len(gold) >= 150
    countries = load_gazetteer().countries
    assert {g["kind"] for g in gold} <= {None, "country", "admin", "city", "region", "local"}
    for g in gold:
        assert g["country_code"] is None or g["country_code"] in countries, g
        assert (g["city_id"] is not None) == (g["kind"] == "city"), g
    for g in gold:
        if g["doc"].startswith("sample/text/"):
            text = text_of(g["doc"].removeprefix("sample/"))
        elif g["doc"].startswith("sample/html/"):
            [item] = parse_html((PROJECT_ROOT / "data" / g["doc"]).read_bytes())
            text = item["text"]
        else:
            continue
        assert text[g["start_char"] : g["end_char"]] == g["text"], g
