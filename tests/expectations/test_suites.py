"""The GX suites pass a good batch and fail a broken one, naming the broken expectations."""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pandas as pd
import pytest

from newsflow.config import DEFAULT_ALIASES, SourceConfig, default_spacy_model, load_settings
from newsflow.ingest.records import Quarantined
from newsflow.ingest.sources import Extractor
from newsflow.nlp.aliases import load_entity_list
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.linking import link_batch
from newsflow.pipeline.run_folder import articles_frame, quarantine_frame
from newsflow.quality.validate import (
    EXPECTATIONS_DIR,
    BatchValidationError,
    build_suite,
    raise_for_failures,
    split_failed_rows,
    suite_tables,
    validate_batch,
)
from tests.helpers import REFERENCE_TIME, SEEDS


@pytest.fixture(scope="module")
def good_batch():
    settings = load_settings(environ={})
    sources = tuple(SourceConfig(name=k, kind="file", location=str(p)) for k, p in SEEDS.items())
    result = Extractor(settings, REFERENCE_TIME, {}).run(sources)
    articles = articles_frame(result.articles)
    quarantined = [Quarantined("test", "bad.jsonl#2", "jsonl", "line 2: invalid JSON")]
    tables = enrich_batch(articles, default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))
    tables.update({"articles": articles, "quarantine": quarantine_frame(quarantined)})
    tables.update(link_batch(tables, REFERENCE_TIME))
    return tables


def run(tables, tmp_path):
    return validate_batch(tables, gx_root=tmp_path / "gx", batch_id="test", reference_time=REFERENCE_TIME)


def test_every_table_has_a_suite_that_gx_loads():
    assert suite_tables() == [
        "article_citations",
        "article_sentiment",
        "articles",
        "entities",
        "entity_sentiment",
        "mention_places",
        "mentions",
        "quarantine",
        "quotes",
        "stories",
        "story_links",
    ]
    for table in suite_tables():
        suite = build_suite(table)
        assert suite.name == f"newsflow.{table}"
        assert len(suite.expectations) >= 5


def test_good_batch_passes_and_builds_data_docs(good_batch, tmp_path):
    outcome = run(good_batch, tmp_path)
    assert outcome.success, outcome.failures
    assert set(outcome.results.table_name) == set(suite_tables())
    assert outcome.results.success.all()
    index = tmp_path / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.exists() and outcome.data_docs_url == index.as_uri()
    mentions_suite = (index.parent / "expectations" / "newsflow" / "mentions.html").read_text(encoding="utf-8")
    assert "Row-level: rows that break it are quarantined" in mentions_suite  # the Data Docs say which kind
    assert "Table-level: breaking it stops the batch" in mentions_suite
    raise_for_failures(outcome)  # does not raise


def test_broken_batch_fails_and_names_each_broken_expectation(good_batch, tmp_path):
    broken = {name: frame.copy() for name, frame in good_batch.items()}
    articles = broken["articles"]
    articles.loc[0, "published_at"] = pd.Timestamp(datetime(2031, 1, 1, tzinfo=UTC))  # a date in the future
    articles.loc[1, "article_id"] = None  # a null key
    mentions = broken["mentions"]
    mentions.loc[0, "start_char"] = -5  # a negative offset
    mentions.loc[1, "end_char"] = 10**6  # past the end of the text
    mentions.loc[2, "model_label"] = "DATE"  # a label that is never kept
    broken["entities"].loc[0, "aliases"] = None  # an entity seen under no name
    broken["article_sentiment"].loc[0, "compound"] = 1.5  # outside VADER's range
    tones = broken["entity_sentiment"]
    tones.loc[0, "label"] = "great"  # not a tone label
    tones.loc[1, "mentions"] = 0  # a row for an entity never mentioned
    tones.loc[2, "entity_id"] = tones.loc[3, "entity_id"]  # the same entity twice in an article
    tones.loc[2, "article_id"] = tones.loc[3, "article_id"]

    outcome = run(broken, tmp_path)
    assert not outcome.success
    failed = set(
        zip(
            outcome.results[~outcome.results.success].table_name,
            outcome.results[~outcome.results.success].expectation_type,
            outcome.results[~outcome.results.success].column_name,
            strict=True,
        )
    )
    assert ("articles", "expect_column_values_to_be_between", "published_at") in failed
    assert ("articles", "expect_column_values_to_not_be_null", "article_id") in failed
    assert ("mentions", "expect_column_values_to_be_between", "start_char") in failed
    assert ("mentions", "expect_column_pair_values_a_to_be_greater_than_b", "text_length") in failed
    assert ("mentions", "expect_column_values_to_be_in_set", "offsets_match_text") in failed
    assert ("mentions", "expect_column_values_to_be_in_set", "model_label") in failed
    assert ("entities", "expect_column_values_to_not_be_null", "aliases") in failed
    assert ("article_sentiment", "expect_column_values_to_be_between", "compound") in failed
    assert ("entity_sentiment", "expect_column_values_to_be_in_set", "label") in failed
    assert ("entity_sentiment", "expect_column_values_to_be_between", "mentions") in failed
    assert "entity_sentiment: expect_compound_columns_to_be_unique 2 unexpected" in outcome.failures
    with pytest.raises(BatchValidationError) as error:
        raise_for_failures(outcome)
    message = str(error.value)
    assert "not published" in message
    # Only table-level failures stop the batch: keys, and rows of tables shared by articles.
    assert "entity_sentiment: expect_compound_columns_to_be_unique 2 unexpected" in message
    assert "entities: expect_column_values_to_not_be_null(aliases) 1 unexpected" in message
    assert "mentions:" not in message and "articles:" not in message


def test_a_quiet_batch_naming_no_one_passes_but_an_empty_articles_table_does_not(good_batch, tmp_path):
    quiet = dict(good_batch)
    for name in ("mentions", "entities", "entity_sentiment", "quotes", "article_citations"):
        quiet[name] = good_batch[name].iloc[0:0]
    outcome = run(quiet, tmp_path)
    assert outcome.success, outcome.failures
    empty = {name: frame.iloc[0:0] for name, frame in good_batch.items()}
    outcome = run(empty, tmp_path / "empty")
    assert "articles: expect_table_row_count_to_be_between observed 0" in outcome.table_failures


def test_row_level_failures_quarantine_their_article_and_table_level_ones_stop_the_batch(good_batch, tmp_path):
    broken = {name: frame.copy() for name, frame in good_batch.items()}
    bad_article = broken["mentions"].loc[0, "article_id"]
    broken["mentions"].loc[0, "start_char"] = -5
    broken["articles"].loc[broken["articles"]["article_id"] == bad_article, "language"] = "English"
    outcome = run(broken, tmp_path)
    assert not outcome.success and outcome.publishable
    assert outcome.table_failures == []
    assert {(f.table, f.expectation) for f in outcome.row_failures} == {
        ("mentions", "expect_column_values_to_be_between(start_char)"),
        ("mentions", "expect_column_values_to_be_in_set(offsets_match_text)"),
        ("articles", "expect_column_values_to_match_regex(language)"),
    }
    levels = outcome.results.set_index(["table_name", "column_name", "expectation_type"])["expectation_level"]
    assert levels[("mentions", "start_char", "expect_column_values_to_be_between")] == "row"
    assert levels[("articles", "article_id", "expect_column_values_to_be_unique")] == "table"
    kept, quarantined = split_failed_rows(broken, outcome.row_failures)
    assert bad_article not in set(kept["articles"]["article_id"])
    assert len(kept["articles"]) == len(broken["articles"]) - 1
    for name in ("mentions", "article_sentiment", "entity_sentiment", "quotes", "stories"):
        assert bad_article not in set(kept[name]["article_id"]), name
    assert set(kept["entities"]["entity_id"]) <= set(kept["mentions"]["entity_id"])
    [row] = quarantined
    assert row.step == "validate"
    assert "mentions: expect_column_values_to_be_between(start_char)" in row.reason
    assert "articles: expect_column_values_to_match_regex(language)" in row.reason
    assert row.source_location == broken["articles"].set_index("article_id").loc[bad_article, "source_location"]
    raise_for_failures(outcome)  # row-level only: does not raise

    duplicated = dict(broken, mentions=pd.concat([broken["mentions"], broken["mentions"].iloc[[1]]]))
    outcome = run(duplicated, tmp_path / "dup")
    assert not outcome.publishable
    assert outcome.table_failures == ["mentions: expect_compound_columns_to_be_unique 2 unexpected"]
    with pytest.raises(BatchValidationError, match="1 table-level expectations"):
        raise_for_failures(outcome)


def test_story_tables_fail_on_two_origins_self_links_and_unknown_kinds(good_batch, tmp_path):
    stories = good_batch["stories"].copy()
    assert stories["is_origin"].sum() == 1 and stories["story_id"].nunique() == 1  # the seeds: one story
    stories["is_origin"] = True
    links = good_batch["story_links"].copy()
    links.loc[0, "other_article_id"] = links.loc[0, "article_id"]
    links.loc[0, "kind"] = "plagiarism"
    outcome = run(dict(good_batch, stories=stories, story_links=links), tmp_path)
    failed = {f.split(" ")[1] for f in outcome.failures}
    assert "expect_column_values_to_be_in_set(origins_in_story)" in failed
    assert "expect_column_values_to_be_in_set(self_link)" in failed
    assert "expect_column_values_to_be_in_set(kind)" in failed


def test_quotes_fail_on_empty_text_reversed_offsets_and_text_not_at_the_offsets(good_batch, tmp_path):
    quotes = good_batch["quotes"].copy()
    quotes.loc[0, "quote"] = ""  # an empty quote
    quotes.loc[1, "end_char"] = quotes.loc[1, "start_char"] - 1  # offsets out of order
    quotes.loc[2, "quote"] = "words nobody said"  # not the article's text at the offsets
    outcome = run(dict(good_batch, quotes=quotes), tmp_path)
    failed = outcome.results[~outcome.results.success]
    assert set(zip(failed.expectation_type, failed.column_name, strict=True)) == {
        ("expect_column_value_lengths_to_be_between", "quote"),
        ("expect_column_pair_values_a_to_be_greater_than_b", "end_char"),
        ("expect_column_values_to_be_in_set", "offsets_match_text"),
    }
    assert set(failed.table_name) == {"quotes"}


def test_an_archive_batch_passes_and_earliest_published_at_is_the_only_lower_bound(good_batch, tmp_path):
    archive = dict(good_batch, articles=good_batch["articles"].copy())
    archive["articles"]["published_at"] = pd.Timestamp(datetime(1987, 3, 26, 9, 30, tzinfo=UTC))
    assert run(archive, tmp_path / "a").success
    guarded = validate_batch(
        archive,
        gx_root=tmp_path / "b" / "gx",
        batch_id="test",
        reference_time=REFERENCE_TIME,
        earliest_published_at=datetime(1990, 1, 1, tzinfo=UTC),
    )
    assert guarded.failures == ["articles: expect_column_values_to_be_between(published_at) 2 unexpected"]


def test_a_changed_suite_is_applied_at_the_next_validate_and_only_its_table_is_registered_again(good_batch, tmp_path):
    expectations = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, expectations)
    gx_root = tmp_path / "gx"

    def validate(batch_id):
        return validate_batch(
            good_batch, gx_root=gx_root, batch_id=batch_id, reference_time=REFERENCE_TIME, expectations_dir=expectations
        )

    def stored():  # each table's suite, validation definition and checkpoint in the GX stores, with its last change
        folder = gx_root / "gx"
        stores = ("expectations", "validation_definitions", "checkpoints")
        return {
            path.relative_to(folder).as_posix(): path.stat().st_mtime_ns
            for store in stores
            for path in (folder / store).rglob("*.json")
        }

    first = validate("first")
    assert first.success, first.failures
    registered = stored()
    assert len(registered) == 3 * len(suite_tables())
    suite = json.loads((expectations / "quotes.json").read_text(encoding="utf-8"))
    original = json.dumps(suite)
    suite["expectations"].append({"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 0}})
    (expectations / "quotes.json").write_text(json.dumps(suite), encoding="utf-8")

    second = validate("second")
    quotes = len(good_batch["quotes"])
    assert second.failures == [f"quotes: expect_table_row_count_to_be_between observed {quotes}"]
    assert len(second.results) == len(first.results) + 1
    changed = {name for name, mtime in stored().items() if registered[name] != mtime}
    assert changed == {
        "expectations/newsflow/quotes.json",
        "validation_definitions/newsflow_quotes.json",
        "checkpoints/newsflow_quotes.json",
    }

    site = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site"

    def page_text(name):
        html = (site / "expectations" / "newsflow" / f"{name}.html").read_text(encoding="utf-8")
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "Must have less than or equal to 0 rows." in page_text("quotes")  # the suite's page shows it

    (expectations / "quotes.json").write_text(original, encoding="utf-8")  # and back: the expectation goes
    (site / "expectations" / "newsflow" / "mentions.html").unlink()  # a page lost is made again
    third = validate("third")
    assert third.success, third.failures
    assert len(third.results) == len(first.results)
    assert "0 rows" not in page_text("quotes") and "Row-level" in page_text("mentions")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f"{run}:quotes" in index for run in ("first", "second", "third"))  # the Data Docs list every run


def _validate_in(gx_root, batch_id, tables):
    outcome = validate_batch(tables, gx_root=gx_root, batch_id=batch_id, reference_time=REFERENCE_TIME)
    return outcome.success, len(outcome.results)


def test_two_validates_at_once_on_one_gx_folder_both_land_whole(good_batch, tmp_path):
    gx_root = tmp_path / "gx"
    # forked: the workers start with GX imported, so their validates overlap
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        outcomes = list(pool.map(_validate_in, [gx_root] * 2, ["one", "two"], [good_batch] * 2))
    expected = len(run(good_batch, tmp_path / "alone").results)
    assert outcomes == [(True, expected)] * 2
    folder = gx_root / "gx"
    for path in folder.glob("[!u]*/**/*.json"):  # every store file whole (the Data Docs are not JSON)
        json.loads(path.read_text(encoding="utf-8"))
    assert len(list((folder / "uncommitted" / "validations").rglob("*.json"))) == 2 * len(suite_tables())
    index = (folder / "uncommitted" / "data_docs" / "local_site" / "index.html").read_text(encoding="utf-8")
    assert all(f"{run_name}:{table}" in index for run_name in ("one", "two") for table in suite_tables())
