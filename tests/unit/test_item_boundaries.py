"""One bad item never stops the rest: extraction and enrichment quarantine it with a reason."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from newsflow.config import default_spacy_model
from newsflow.nlp import enrich
from newsflow.nlp.enrich import enrich_batch, split_text
from newsflow.pipeline.run_folder import articles_frame
from tests.helpers import REFERENCE_TIME, SEEDS, folder_source, run_settings
from tests.unit.test_sources import settings_for

GOOD = SEEDS["afp"].read_bytes()


def good_json(**changes) -> dict:
    """A JSON article; its text differs by its URL so that two of them are two articles."""
    url = changes.get("url", "https://wire.example/a")
    body = "Russian Defence Minister Andrei Belousov met North Korean leader Kim Jong Un in Pyongyang on Friday. " * 3
    return {"url": url, "title": "Belousov in Pyongyang", "text": f"{body} Filed as {url}.", **changes}


def extract(tmp_path, files: dict[str, bytes]):
    from newsflow.ingest.sources import extract_articles

    root = tmp_path / "src"
    root.mkdir()
    for name, data in files.items():
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
        with open(path, "wb") as handle:
            handle.write(data)
    return extract_articles(settings_for([{"kind": "folder", "path": str(root)}], tmp_path), REFERENCE_TIME)


def test_bad_files_are_quarantined_naming_step_and_reason_beside_a_good_article(tmp_path):
    result = extract(
        tmp_path,
        {
            "good.txt": GOOD,
            "number_url.json": json.dumps(good_json(url=12345)).encode(),
            "deep.json": b"[" * 100_000 + b"]" * 100_000,
            "surrogate.jsonl": json.dumps(good_json(url="https://wire.example/s", title="bad \ud800 half")).encode(),
            "offset.json": json.dumps(
                good_json(url="https://wire.example/o", published_at="2024-11-30T10:00+25:00")
            ).encode(),
            "empty.jsonl": b"",
            ".hidden.txt": GOOD,
            "README.md": b"# docs",
            b"caf\xe9.txt": SEEDS["rewrite"].read_bytes(),
        },
    )
    by_location = {q.source_location.rsplit("/", 1)[-1]: q for q in result.quarantined}
    assert by_location["number_url.json"].reason == "field 'url': expected a URL as text, got int"
    assert by_location["number_url.json"].step == "record"
    assert by_location["deep.json"].reason.startswith("parse failed: RecursionError")
    assert by_location["empty.jsonl"].reason.startswith("empty file")
    assert by_location["empty.jsonl"].step == "read"
    assert len(result.quarantined) == 3
    loaded = {a.source_location.rsplit("/", 1)[-1]: a for a in result.articles}
    assert "good.txt" in loaded
    assert loaded["surrogate.jsonl"].title == "bad \ufffd half"
    assert loaded["offset.json"].date_flag == "unparsed"
    assert "caf\\xe9.txt" in loaded
    assert result.skipped == {"hidden": 1, "ignored name": 1}


def test_long_texts_are_cut_between_paragraphs_and_join_back_exactly():
    text = ("A sentence about Seoul. " * 30 + "\n\n") * 40
    pieces = split_text(text, 1000)
    assert "".join(pieces) == text
    assert all(len(p) <= 1000 for p in pieces)
    assert all(p.endswith("\n\n") for p in pieces[:-1])
    assert split_text("x" * 2500, 1000) == ["x" * 1000, "x" * 1000, "x" * 500]


def test_a_text_longer_than_a_piece_is_enriched_with_offsets_into_the_whole_text(monkeypatch):
    text = SEEDS["afp"].read_text(encoding="utf-8").split("\n", 1)[1]
    articles = pd.DataFrame([{"article_id": "a" * 16, "text": text, "language": "en"}])
    whole = enrich_batch(articles, default_spacy_model())["mentions"]
    monkeypatch.setattr(enrich, "PIECE_CHARS", 400)
    pieced = enrich_batch(articles, default_spacy_model())["mentions"]
    assert len(text) > 1200
    assert all(text[s:e] == t for s, e, t in zip(pieced["start_char"], pieced["end_char"], pieced["text"], strict=True))
    assert "Kim Jong Un" in set(pieced["text"])
    # Cutting at paragraphs changes little: most mentions are found either way.
    assert len(set(pieced["start_char"]) & set(whole["start_char"])) >= 0.8 * len(whole)


def test_an_article_whose_enrichment_fails_is_quarantined_and_the_rest_enriched(monkeypatch, tmp_path):
    from newsflow.ingest.sources import extract_articles

    sources = [{"kind": "file", "path": str(p), "name": k} for k, p in SEEDS.items()]
    result = extract_articles(settings_for(sources, tmp_path), REFERENCE_TIME)
    articles = articles_frame(result.articles)
    poisoned = articles["article_id"].iloc[0]
    real_tone = enrich.document_tone

    def tone(text, scores):
        if text == articles["text"].iloc[0]:
            raise ValueError("tone exploded")
        return real_tone(text, scores)

    monkeypatch.setattr(enrich, "document_tone", tone)
    tables = enrich_batch(articles, default_spacy_model())
    failed = tables["quarantine"]
    assert failed["article_id"].tolist() == [poisoned]
    assert failed["reason"].iloc[0] == "enrichment failed: ValueError: tone exploded"
    assert failed["step"].iloc[0] == "enrich"
    assert failed["source_location"].iloc[0] == articles["source_location"].iloc[0]
    for name in ("mentions", "article_sentiment", "entity_sentiment", "quotes"):
        assert poisoned not in set(tables[name]["article_id"]), name
    assert set(tables["article_sentiment"]["article_id"]) == set(articles["article_id"]) - {poisoned}
    assert set(tables["entities"]["entity_id"]) == set(tables["mentions"]["entity_id"])


def test_a_document_of_many_bad_items_gets_a_row_for_the_first_hundred_and_one_counting_the_rest(tmp_path):
    good = json.dumps(good_json(url="https://wire.example/kept")).encode()
    result = extract(tmp_path, {"mixed.jsonl": b"not json\n" * 500 + good + b"\n"})
    assert [a.url for a in result.articles] == ["https://wire.example/kept"]
    assert len(result.quarantined) == 101
    assert result.quarantined[-1].reason == "400 more items of this document rejected (the first 100 have rows)"


def seeds_settings(tmp_path, **overrides):
    """Settings for a run over a folder holding the two seed articles, on a fresh warehouse."""
    folder = tmp_path / "src"
    folder.mkdir()
    for path in SEEDS.values():
        (folder / path.name).write_bytes(path.read_bytes())
    return run_settings(tmp_path, [folder_source(folder, "seeds")], **overrides)


def run_seeds_failing_on_the_rewrite(monkeypatch, settings, module, function: str, error: BaseException) -> tuple:
    """Run every step over the seeds with ``module.function`` raising ``error`` on the rewrite's text
    (and working on the other's); returns the staged articles' titles, the quarantine's (step, reason,
    source_location) rows and the count of staged mentions whose article is not staged."""
    from newsflow.pipeline.run_folder import BatchInfo, RunFolder
    from newsflow.pipeline.steps import run_steps
    from newsflow.warehouse import db

    poisoned_text = SEEDS["rewrite"].read_text(encoding="utf-8").rsplit("\n\n", 1)[-1].strip()
    real = getattr(module, function)

    def failing(text, *args):
        if poisoned_text in text:
            raise error
        return real(text, *args)

    monkeypatch.setattr(module, function, failing)
    results = run_steps(settings, RunFolder.for_batch(settings, BatchInfo.for_interval(None, REFERENCE_TIME)))
    assert results["validate_batch"]["status"] == "passed"
    with db.connect(settings.warehouse_path, read_only=True) as con:
        titles = [title for (title,) in con.execute("select title from staging.articles").fetchall()]
        quarantined = con.execute("select step, reason, source_location from raw.quarantine").fetchall()
        orphans = con.execute(
            "select count(*) from staging.mentions where article_id not in (select article_id from staging.articles)"
        ).fetchone()[0]
    return titles, quarantined, orphans


@pytest.mark.pipeline
def test_a_failed_enrichment_is_quarantined_through_the_steps_and_the_batch_loads(monkeypatch, tmp_path):
    settings = seeds_settings(tmp_path, enrich_partition_size=1)
    error = MemoryError("the model ran out of memory on this text")
    titles, quarantined, _ = run_seeds_failing_on_the_rewrite(monkeypatch, settings, enrich, "document_tone", error)
    assert len(titles) == 1 and "Kim" in titles[0]
    [(step, reason, location)] = quarantined
    assert (step, reason) == ("enrich", "enrichment failed: MemoryError: the model ran out of memory on this text")
    assert location.endswith(SEEDS["rewrite"].name)


@pytest.mark.pipeline
def test_an_article_linking_cannot_read_is_quarantined_with_its_rows_and_the_batch_loads(monkeypatch, tmp_path):
    from newsflow.nlp import linking

    error = RecursionError("maximum recursion depth exceeded")
    titles, quarantined, orphans = run_seeds_failing_on_the_rewrite(
        monkeypatch, seeds_settings(tmp_path), linking, "find_citations", error
    )
    assert len(titles) == 1 and "Kim" in titles[0]
    [(step, reason, location)] = quarantined
    assert (step, reason) == ("link", "linking failed: RecursionError: maximum recursion depth exceeded")
    assert location.endswith(SEEDS["rewrite"].name)
    assert orphans == 0  # the quarantined article's mentions went with it
