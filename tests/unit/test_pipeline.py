"""The run steps without Airflow: write-audit-publish and idempotent re-runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
import pytest

from newsflow.config import load_settings
from newsflow.pipeline import (
    BatchInfo,
    enrich_step,
    extract_step,
    link_step,
    load_step,
    merge_entity_rows,
    merge_step,
    partition_step,
    refresh_step,
    summarise,
    validate_step,
)
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
    run_dir = link_step(settings, enrich_step(settings, extract_step(settings, batch)))
    validate_step(settings, run_dir)
    load_step(settings, run_dir)
    refresh_step(settings)
    return run_dir


def counts(settings):
    with db.connect(settings.warehouse_path, read_only=True) as con:
        return db.table_counts(con)


def test_steps_load_the_seeds_and_rerunning_the_interval_changes_nothing(seeds_settings):
    run_dir = run_all(seeds_settings)
    assert sorted(p.name for p in run_dir.glob("*.parquet")) == BATCH_FILES
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
    run_dir = link_step(seeds_settings, enrich_step(seeds_settings, extract_step(seeds_settings, BATCH)))
    mentions = pd.read_parquet(run_dir / "mentions.parquet")
    pd.concat([mentions, mentions.iloc[[0]]]).to_parquet(run_dir / "mentions.parquet", index=False)

    with pytest.raises(BatchValidationError, match=r"mentions: expect_compound_columns_to_be_unique"):
        validate_step(seeds_settings, run_dir)
    verdict = json.loads((run_dir / "validation.json").read_text())
    assert verdict["success"] is False
    with pytest.raises(RuntimeError, match="has not passed validation"):
        load_step(seeds_settings, run_dir)
    after = counts(seeds_settings)
    assert after.get("staging.articles", 0) == 0
    assert after["raw.validation_results"] > 0  # the failed audit is kept for quality trends


def test_rows_breaking_a_row_level_expectation_are_quarantined_and_the_rest_published(seeds_settings):
    run_dir = link_step(seeds_settings, enrich_step(seeds_settings, extract_step(seeds_settings, BATCH)))
    mentions = pd.read_parquet(run_dir / "mentions.parquet")
    bad_article = mentions.loc[0, "article_id"]
    mentions.loc[0, "start_char"] = -1
    mentions.to_parquet(run_dir / "mentions.parquet", index=False)

    verdict = validate_step(seeds_settings, run_dir)
    assert verdict["status"] == "quarantined rows" and verdict["quarantined_articles"] == 1
    load_step(seeds_settings, run_dir)
    refresh_step(seeds_settings)
    with db.connect(seeds_settings.warehouse_path, read_only=True) as con:
        loaded = {r[0] for r in con.execute("select article_id from staging.articles").fetchall()}
        quarantined = con.execute("select reason from raw.quarantine where step = 'validate'").fetchall()
        dq = con.execute(
            "select published, success, failed_row_expectations, failed_table_expectations, quarantined_rows "
            "from marts.dq_results where table_name = 'mentions'"
        ).fetchall()
    assert len(loaded) == 1 and bad_article not in loaded
    [(reason,)] = quarantined
    assert reason.startswith("failed row-level expectation: mentions: expect_column_values_to_be_between(start_char)")
    assert dq == [(True, False, 2, 0, 2)]  # the offset is negative, so the text there is not the mention


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
    run_dir = link_step(settings, enrich_step(settings, extract_step(settings, BATCH)))
    assert validate_step(settings, run_dir)["status"] == "empty"
    assert load_step(settings, run_dir)["articles"] == 0


def test_point_intervals_and_timezones_normalise_to_utc():
    import pendulum

    batch = BatchInfo.for_interval(pendulum.datetime(2024, 12, 1, 9, tz="Asia/Seoul"), None)
    assert batch.interval_start == datetime(2024, 12, 1, 0, tzinfo=UTC)
    naive = BatchInfo.for_interval(datetime(2024, 12, 1), datetime(2024, 12, 1, 1))
    assert naive.batch_id == "20241201T000000Z_20241201T010000Z"


def test_partitions_enriched_apart_and_merged_equal_the_whole_batch(seeds_settings, tmp_path):
    run_dir = extract_step(seeds_settings, BATCH)
    whole = tmp_path / "whole"
    shutil.copytree(run_dir, whole)
    enrich_step(seeds_settings, whole)
    split = replace(seeds_settings, enrich_partition_size=1)
    partitions = partition_step(split, run_dir)
    assert [len(pd.read_parquet(p / "articles.parquet")) for p in partitions] == [1, 1]
    merge_step(run_dir, [enrich_step(split, p) for p in partitions])
    for table in ("mentions", "entity_sentiment", "quotes", "article_sentiment"):
        keys = ["article_id", "start_char"] if table in ("mentions", "quotes") else ["article_id"]
        merged = pd.read_parquet(run_dir / f"{table}.parquet").sort_values(keys).reset_index(drop=True)
        expected = pd.read_parquet(whole / f"{table}.parquet").sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(merged, expected, check_like=True)
    # Both seed articles name Kim Jong Un: one entity row with the surface forms of both partitions.
    entities = pd.read_parquet(run_dir / "entities.parquet").set_index("name")
    assert entities.index.is_unique
    assert set(entities.loc["Kim Jong Un", "aliases"]) == set(
        pd.read_parquet(whole / "entities.parquet").set_index("name").loc["Kim Jong Un", "aliases"]
    )
    # A second split replaces the first: no stale partition is left behind.
    assert len(partition_step(seeds_settings, run_dir)) == 1


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
