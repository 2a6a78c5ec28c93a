"""The run steps without Airflow: write-audit-publish and idempotent re-runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
import pytest

from newsflow.config import load_settings
from newsflow.pipeline.run_folder import BatchInfo, RunFolder
from newsflow.pipeline.steps import (
    STEPS,
    enrich_step,
    extract_step,
    load_step,
    merge_entity_rows,
    merge_step,
    partition_step,
    run_steps,
    step_named,
    validate_step,
)
from newsflow.pipeline.summary import summarise
from newsflow.quality.validate import BatchValidationError
from newsflow.warehouse import db
from tests.helpers import BATCH_FILES, SEEDS

BATCH = BatchInfo(datetime(2024, 12, 1, tzinfo=UTC), datetime(2024, 12, 1, 1, tzinfo=UTC))


@pytest.fixture
def seeds_settings(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_text("Title only\n")
    return load_settings(
        environ={},
        overrides={
            "sources": [{"kind": "folder", "path": str(folder), "name": "seeds"}],
            "var_dir": str(tmp_path / "var"),
            "warehouse": str(tmp_path / "w.duckdb"),
        },
    )


def run_all(settings, batch=BATCH):
    run = RunFolder.for_batch(settings, batch)
    run_steps(settings, run)
    return run


def run_until(settings, last_step, batch=BATCH):
    """A run folder after every step up to ``last_step`` (included)."""
    run = RunFolder.for_batch(settings, batch)
    steps = [step.name for step in STEPS]
    run_steps(settings, run, STEPS[: steps.index(last_step) + 1])
    return run


def counts(settings):
    with db.connect(settings.warehouse_path, read_only=True) as con:
        return db.table_counts(con)


def test_steps_load_the_seeds_and_rerunning_the_interval_changes_nothing(seeds_settings):
    run = run_all(seeds_settings)
    assert sorted(p.name for p in run.path.glob("*.parquet")) == BATCH_FILES
    first = counts(seeds_settings)
    assert first["staging.articles"] == 2
    assert first["raw.quarantine"] == 1
    run_all(seeds_settings)
    second = counts(seeds_settings)
    # Only the validation history grows: a re-run is a new audit of the same batch.
    changed = {k for k in first if first[k] != second[k]}
    assert changed == {"raw.validation_results", "marts.dq_results"}
    summary = summarise(seeds_settings)
    assert summary["articles_loaded"] == 2 and summary["quarantined"] == 1
    assert ("Kim Jong Un", "PERSON") in {(name, label) for name, label, *_ in summary["top_entities"]}


def test_a_broken_batch_is_audited_recorded_and_never_published(seeds_settings):
    run = run_until(seeds_settings, "link_stories")
    mentions = run.read_table("mentions")
    mentions.loc[0, "start_char"] = -1
    run.write_table("mentions", mentions)

    with pytest.raises(BatchValidationError, match=r"mentions: expect_column_values_to_be_between\(start_char\)"):
        validate_step(seeds_settings, run)
    verdict = json.loads((run.path / "validation.json").read_text())
    assert verdict["success"] is False
    with pytest.raises(RuntimeError, match="has not passed validation"):
        load_step(seeds_settings, run)
    after = counts(seeds_settings)
    assert after.get("staging.articles", 0) == 0
    assert after["raw.validation_results"] > 0  # the failed audit is kept for quality trends


def test_an_empty_batch_is_not_an_error(seeds_settings, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    settings = load_settings(
        environ={},
        overrides={
            "sources": [{"kind": "folder", "path": str(empty)}],
            "var_dir": str(tmp_path / "var2"),
            "warehouse": str(tmp_path / "w2.duckdb"),
        },
    )
    run = run_until(settings, "link_stories")
    assert validate_step(settings, run)["status"] == "empty"
    assert load_step(settings, run)["articles"] == 0


def test_an_empty_batch_after_a_loaded_one_keeps_its_stories(seeds_settings, tmp_path):
    run_all(seeds_settings)
    before = counts(seeds_settings)
    assert before["staging.stories"] == 2  # the AFP seed and its rewrite: one story
    empty = tmp_path / "quiet"
    empty.mkdir()
    quiet = replace(seeds_settings, sources=load_settings(environ={}, overrides={"sources": [str(empty)]}).sources)
    run_all(quiet, BatchInfo(datetime(2024, 12, 1, 1, tzinfo=UTC), datetime(2024, 12, 1, 2, tzinfo=UTC)))
    after = counts(seeds_settings)
    assert after["raw.batches"] == before["raw.batches"] + 1
    for table in ("staging.stories", "staging.story_links", "staging.articles", "marts.story_spread"):
        assert after[table] == before[table], table


def test_point_intervals_and_timezones_normalise_to_utc():
    import pendulum

    batch = BatchInfo.for_interval(pendulum.datetime(2024, 12, 1, 9, tz="Asia/Seoul"), None)
    assert batch.interval_start == datetime(2024, 12, 1, 0, tzinfo=UTC)
    naive = BatchInfo.for_interval(datetime(2024, 12, 1), datetime(2024, 12, 1, 1))
    assert naive.batch_id == "20241201T000000Z_20241201T010000Z"


def test_partitions_enriched_apart_and_merged_equal_the_whole_batch(seeds_settings, tmp_path):
    run = RunFolder.for_batch(seeds_settings, BATCH)
    extract_step(seeds_settings, run)
    whole = RunFolder(tmp_path / "whole")
    shutil.copytree(run.path, whole.path)
    enrich_step(seeds_settings, whole)
    split = replace(seeds_settings, enrich_partition_size=1)
    partitions = partition_step(split, run)
    assert [len(p.read_table("articles")) for p in partitions] == [1, 1]
    for partition in partitions:
        enrich_step(split, partition)
    merge_step(split, run)
    for table in ("mentions", "entity_sentiment", "quotes", "article_sentiment"):
        keys = ["article_id", "start_char"] if table in ("mentions", "quotes") else ["article_id"]
        merged = run.read_table(table).sort_values(keys).reset_index(drop=True)
        expected = whole.read_table(table).sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(merged, expected, check_like=True)
    # Both seed articles name Kim Jong Un: one entity row with the surface forms of both partitions.
    entities = run.read_table("entities").set_index("name")
    assert entities.index.is_unique
    assert set(entities.loc["Kim Jong Un", "aliases"]) == set(
        whole.read_table("entities").set_index("name").loc["Kim Jong Un", "aliases"]
    )
    # A second split replaces the first: no stale partition is left behind.
    assert len(partition_step(seeds_settings, run)) == 1
    assert len(list(run.partitions())) == 1


def test_a_rerun_of_an_interval_starts_from_an_empty_folder(seeds_settings):
    run = run_all(seeds_settings)
    assert run.read_verdict()["success"]
    again = RunFolder.for_batch(seeds_settings, BATCH)
    assert again.path == run.path
    # Nothing of the previous run may stand in for this one's output, a passed verdict least of all.
    assert again.table_names() == [] and again.read_verdict() is None
    assert again.read_info().batch == BATCH
    with pytest.raises(RuntimeError, match="has not passed validation"):
        step_named("load_batch").run(seeds_settings, again)


def test_merged_entity_rows_union_their_surface_forms():
    rows = pd.DataFrame(
        [
            ("e1", "Kim Jong Un", "PERSON", ["Kim"]),
            ("e2", "KCNA", "ORG", ["KCNA"]),
            ("e1", "Kim Jong Un", "PERSON", ["Kim Jong Un", "Kim"]),
        ],
        columns=["entity_id", "name", "label", "aliases"],
    )
    merged = merge_entity_rows(rows)
    assert merged.to_dict("records") == [
        {"entity_id": "e1", "name": "Kim Jong Un", "label": "PERSON", "aliases": ["Kim", "Kim Jong Un"]},
        {"entity_id": "e2", "name": "KCNA", "label": "ORG", "aliases": ["KCNA"]},
    ]
