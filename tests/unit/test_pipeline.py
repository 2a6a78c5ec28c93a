"""The run steps without Airflow: write-audit-publish and idempotent re-runs."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from newsflow.config import load_settings
from newsflow.ingest.poison import FileManifest
from newsflow.ingest.sources import UNCHANGED_FILE, extract_articles
from newsflow.nlp.enrich import enrich_batch
from newsflow.pipeline.run_folder import BatchInfo, RunFolder, articles_frame
from newsflow.pipeline.steps import (
    MIN_ARTICLES_PER_SPAWNED_PROCESS,
    STEPS,
    enrich_step,
    enrich_workers,
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
from tests.helpers import BATCH_FILES, RUN_RECORDS, SAMPLE_DIR, SEEDS, folder_source, run_settings, warehouse_contents

BATCH = BatchInfo(datetime(2024, 12, 1, tzinfo=UTC), datetime(2024, 12, 1, 1, tzinfo=UTC))


@pytest.fixture
def seeds_settings(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_text("Title only\n")
    return run_settings(tmp_path, [folder_source(folder, "seeds")])


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


def batch_record(settings, batch=BATCH) -> dict:
    with db.connect(settings.warehouse_path, read_only=True) as con:
        cursor = con.execute(
            "select articles, enriched, reused, unchanged from raw.batches where batch_id = ?", [batch.batch_id]
        )
        return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


@pytest.mark.pipeline
def test_steps_load_the_seeds_and_rerunning_the_interval_changes_nothing(seeds_settings):
    run = run_all(seeds_settings)
    assert sorted(p.name for p in run.path.glob("*.parquet")) == BATCH_FILES
    first = counts(seeds_settings)
    assert first["staging.articles"] == 2
    assert first["raw.quarantine"] == 1
    assert batch_record(seeds_settings) == {"articles": 2, "enriched": 2, "reused": 0, "unchanged": 0}
    # When the quarantined file was last seen is the record of a run, not content.
    everything = {"schemas": ("raw", "staging", "marts"), "leave_out": ("raw.quarantine.last_seen_at",)}
    loaded = warehouse_contents(seeds_settings.warehouse_path, **everything)
    run = run_all(seeds_settings)
    # Nothing new: no file is read again (the two seeds are in the folder manifest, the empty
    # file is remembered as poison), no article meets the models, and no table changes but
    # the run's record (raw.batches, raw.batch_sources and marts.ingest_health built from them).
    assert run.read_info().skipped_files == {UNCHANGED_FILE: 2, "poison file read before (unchanged)": 1}
    assert batch_record(seeds_settings) == {"articles": 0, "enriched": 0, "reused": 0, "unchanged": 0}
    again = warehouse_contents(seeds_settings.warehouse_path, **everything)
    changed = {table for table in loaded if loaded[table] != again[table]}
    assert changed == {"raw.batches", "raw.batch_sources", "staging.batches", "marts.ingest_health"}
    summary = summarise(seeds_settings)
    assert summary["articles_loaded"] == 2 and summary["quarantined"] == 1
    assert ("Kim Jong Un", "PERSON") in {(name, label) for name, label, *_ in summary["top_entities"]}


@pytest.mark.pipeline
def test_a_full_refresh_enriches_every_article_again_to_the_same_tables(seeds_settings):
    run_all(seeds_settings)
    loaded = warehouse_contents(seeds_settings.warehouse_path, leave_out=("loaded_at",))
    run = run_all(replace(seeds_settings, full_refresh=True))
    assert UNCHANGED_FILE not in run.read_info().skipped_files  # every file is read again
    assert batch_record(seeds_settings) == {"articles": 2, "enriched": 2, "reused": 0, "unchanged": 0}
    assert warehouse_contents(seeds_settings.warehouse_path, leave_out=("loaded_at",), skip_tables=RUN_RECORDS) == {
        table: rows for table, rows in loaded.items() if table not in RUN_RECORDS
    }


def files_read(run: RunFolder) -> list[str]:
    """The names of the files a run read articles from."""
    return sorted({Path(location.split("#")[0]).name for location in run.read_table("articles")["source_location"]})


@pytest.mark.pipeline
def test_the_folder_manifest_reads_changed_and_new_files_only(seeds_settings):
    folder = Path(seeds_settings.sources[0].location)
    run_all(seeds_settings)
    afp, rewrite = SEEDS["afp"].name, SEEDS["rewrite"].name
    assert sorted(Path(p).name for p in FileManifest.load(seeds_settings.state_dir / "folder_manifest.json").files) == [
        afp,
        rewrite,
    ]
    text = (folder / rewrite).read_text(encoding="utf-8")
    (folder / rewrite).write_text(text + "\nA correction was added.\n", encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "text" / "korealedger_seoul_night_bus_20241127.txt", folder)
    os.utime(folder / afp)  # touched, same bytes: hashed, not parsed
    later = BatchInfo(datetime(2024, 12, 2, tzinfo=UTC), datetime(2024, 12, 2, 1, tzinfo=UTC))
    run = run_all(seeds_settings, later)
    assert files_read(run) == sorted(["korealedger_seoul_night_bus_20241127.txt", rewrite])
    assert run.read_info().skipped_files[UNCHANGED_FILE] == 1
    assert batch_record(seeds_settings, later) == {"articles": 2, "enriched": 2, "reused": 0, "unchanged": 0}
    with db.connect(seeds_settings.warehouse_path, read_only=True) as con:
        corrected = con.execute("select count(*) from staging.articles where text like '%A correction was added.%'")
        assert corrected.fetchone() == (1,)
    # The touched file's new mtime is kept: the next run skips it without reading it.
    again = BatchInfo(datetime(2024, 12, 2, 1, tzinfo=UTC), datetime(2024, 12, 2, 2, tzinfo=UTC))
    assert run_all(seeds_settings, again).read_info().skipped_files[UNCHANGED_FILE] == 3


@pytest.mark.pipeline
def test_the_folder_manifest_is_kept_only_once_the_batch_loads_and_only_for_its_warehouse(seeds_settings, tmp_path):
    folder = Path(seeds_settings.sources[0].location)
    run_all(seeds_settings)
    rewrite = folder / SEEDS["rewrite"].name
    rewrite.write_text(rewrite.read_text(encoding="utf-8") + "\nA correction was added.\n", encoding="utf-8")
    later = BatchInfo(datetime(2024, 12, 2, tzinfo=UTC), datetime(2024, 12, 2, 1, tzinfo=UTC))
    assert files_read(run_until(seeds_settings, "validate_batch", later)) == [rewrite.name]
    # That batch was not loaded: its run reads the changed file again.
    assert files_read(run_all(seeds_settings, later)) == [rewrite.name]
    # A deleted warehouse, or another one, holds none of these articles: every file is read.
    seeds_settings.warehouse_path.unlink()
    assert files_read(run_all(seeds_settings)) == [SEEDS["afp"].name, SEEDS["rewrite"].name]
    other = replace(seeds_settings, warehouse_path=tmp_path / "other.duckdb")
    assert files_read(run_all(other)) == [SEEDS["afp"].name, SEEDS["rewrite"].name]


def syndicated(text: str, url: str) -> str:
    """Another outlet's word-for-word copy of a front-matter article, at ``url``."""
    text = re.sub(r"(?m)^url: .*$", f"url: {url}", text)
    return re.sub(r"(?m)^outlet: .*$", "outlet: Mirror Daily", text)


@pytest.mark.pipeline
def test_a_copy_under_a_new_url_reuses_the_enrichment_of_its_text(seeds_settings, tmp_path):
    run_all(seeds_settings)
    copies = tmp_path / "copies"
    copies.mkdir()
    afp = SEEDS["afp"].read_text(encoding="utf-8")
    mirror_url = "https://mirror.example/kim-belousov"
    (copies / "mirror.txt").write_text(syndicated(afp, mirror_url))
    (copies / "changed.txt").write_text(SEEDS["rewrite"].read_text(encoding="utf-8") + "\nA new closing line.\n")
    later = BatchInfo(datetime(2024, 12, 1, 1, tzinfo=UTC), datetime(2024, 12, 1, 2, tzinfo=UTC))
    settings = replace(seeds_settings, sources=load_settings(environ={}, overrides={"sources": [str(copies)]}).sources)
    run = RunFolder.for_batch(settings, later)
    run_steps(settings, run)
    # The mirror's text is the AFP seed's: its enrichment is reused; the changed rewrite is a new text.
    assert batch_record(settings, later) == {"articles": 2, "enriched": 1, "reused": 1, "unchanged": 0}
    assert [len(part.read_table("articles")) for part in run.partitions()] == [1]
    with db.connect(settings.warehouse_path, read_only=True) as con:
        ids = dict(con.execute("select url, article_id from staging.articles").fetchall())
        mirror = ids[mirror_url]
        original = next(i for u, i in ids.items() if u and u.startswith("https://www.afp"))
        for table in ("mentions", "quotes", "entity_sentiment"):
            rows = {
                article: sorted(con.execute(f"select * exclude (article_id) from staging.{table} where article_id = ?",
                                            [article]).fetchall(), key=repr)
                for article in (mirror, original)
            }  # fmt: skip
            assert rows[mirror] == rows[original] and rows[mirror], table
        kinds = con.execute(
            "select kind from staging.story_links where [article_id, other_article_id] in ([$a, $b], [$b, $a])",
            {"a": mirror, "b": original},
        ).fetchall()
    assert kinds == [("duplicate",)]  # published at the same minute: either may be the origin


@pytest.mark.pipeline
def test_a_broken_batch_is_audited_recorded_and_never_published(seeds_settings):
    run = run_until(seeds_settings, "link_stories")
    mentions = run.read_table("mentions")
    run.write_table("mentions", pd.concat([mentions, mentions.iloc[[0]]]))

    with pytest.raises(BatchValidationError, match=r"mentions: expect_compound_columns_to_be_unique"):
        validate_step(seeds_settings, run)
    verdict = json.loads((run.path / "validation.json").read_text())
    assert verdict["success"] is False
    with pytest.raises(RuntimeError, match="has not passed validation"):
        load_step(seeds_settings, run)
    after = counts(seeds_settings)
    assert after.get("staging.articles", 0) == 0
    assert after["raw.validation_results"] > 0  # the failed audit is kept for quality trends
    # The warehouse file now exists without a staging layer: the next run links and loads.
    rerun = run_until(seeds_settings, "refresh_marts")
    assert rerun.read_info().batch.batch_id == BATCH.batch_id
    assert counts(seeds_settings)["staging.articles"] == len(SEEDS)


@pytest.mark.pipeline
def test_rows_breaking_a_row_level_expectation_are_quarantined_and_the_rest_published(seeds_settings):
    run = run_until(seeds_settings, "link_stories")
    mentions = run.read_table("mentions")
    bad_article = mentions.loc[0, "article_id"]
    mentions.loc[0, "start_char"] = -1
    run.write_table("mentions", mentions)

    verdict = validate_step(seeds_settings, run)
    assert verdict["status"] == "quarantined rows" and verdict["quarantined_articles"] == 1
    run_steps(seeds_settings, run, [step_named("load_batch"), step_named("refresh_marts")])
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


@pytest.mark.pipeline
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


@pytest.mark.pipeline
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


@pytest.mark.pipeline
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


@pytest.mark.pipeline
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


@pytest.mark.pipeline
def test_an_incremental_run_gives_the_tables_of_a_run_from_scratch(seeds_settings, tmp_path):
    """Day 1 loads the seeds; day 2 the folder has grown (another outlet's copy of one seed,
    a changed rewrite, a new article).  Loading both days incrementally must give what one run over
    day 2's folder gives on an empty warehouse, table by table."""
    folder = seeds_settings.sources[0].location
    run_all(seeds_settings)
    afp = SEEDS["afp"].read_text(encoding="utf-8")
    Path(folder, "mirror.txt").write_text(syndicated(afp, "https://mirror.example/kim"))
    Path(folder, SEEDS["rewrite"].name).write_text(SEEDS["rewrite"].read_text(encoding="utf-8") + "\nOne more line.\n")
    shutil.copy(SAMPLE_DIR / "text" / "korealedger_seoul_night_bus_20241127.txt", folder)
    day2 = BatchInfo(datetime(2024, 12, 2, tzinfo=UTC), datetime(2024, 12, 2, 1, tzinfo=UTC))
    run = run_all(seeds_settings, day2)
    # The unchanged seed's file is not read; of the three read, the copy reuses the seed's enrichment.
    assert run.read_info().skipped_files[UNCHANGED_FILE] == 1
    assert batch_record(seeds_settings, day2) == {"articles": 3, "enriched": 2, "reused": 1, "unchanged": 0}

    scratch = replace(seeds_settings, warehouse_path=tmp_path / "scratch.duckdb", var_dir=tmp_path / "scratch")
    run_all(scratch, day2)
    leave_out = (
        "batch_id",
        "ingested_at",
        "loaded_at",
        "first_seen_at",
        "last_seen_at",
        "staging.story_links.similarity",
    )
    skip = RUN_RECORDS
    incremental = warehouse_contents(seeds_settings.warehouse_path, leave_out=leave_out, skip_tables=skip)
    assert incremental == warehouse_contents(scratch.warehouse_path, leave_out=leave_out, skip_tables=skip)
    assert len(incremental["staging.articles"]) == 4
    # From scratch, the copy shares its text with an article of its own batch: enriched once too.
    assert batch_record(scratch, day2) == {"articles": 4, "enriched": 3, "reused": 1, "unchanged": 0}


def test_enrichment_uses_the_configured_processes_with_enough_articles_for_each(seeds_settings):
    cores = len(os.sched_getaffinity(0))
    assert enrich_workers(seeds_settings, 10_000) == 1  # the default: executors run tasks side by side
    every_core = replace(seeds_settings, enrich_processes=0)
    three = replace(seeds_settings, enrich_processes=3)
    for start_method in ("fork", "spawn", "forkserver"):
        assert enrich_workers(every_core, 10_000, start_method) == cores
    # Forked workers share the loaded models: the chunks of a batch bound them (enrich._analyse).
    assert enrich_workers(three, 8, "fork") == 3
    # Spawned ones load the models themselves: each needs enough articles to pay for that.
    for start_method in ("spawn", "forkserver"):
        assert enrich_workers(every_core, MIN_ARTICLES_PER_SPAWNED_PROCESS - 1, start_method) == 1
        assert enrich_workers(three, 2 * MIN_ARTICLES_PER_SPAWNED_PROCESS, start_method) == 2


@pytest.mark.pipeline
def test_enrichment_in_two_or_three_processes_equals_one(seeds_settings):
    # Twelve articles: three chunks of four (chunk_sizes), shared by this process and one or two
    # workers, each process taking chunks as it frees up; the tables keep the input's order.
    articles = pd.concat(
        [articles_frame(extract_articles(seeds_settings, BATCH.interval_end).articles)] * 6, ignore_index=True
    )
    articles["article_id"] = [f"a{i}" for i in range(len(articles))]
    one = enrich_batch(articles, seeds_settings.spacy_model, n_process=1)
    for n_process in (2, 3):
        several = enrich_batch(articles, seeds_settings.spacy_model, n_process=n_process)
        for name, frame in one.items():
            pd.testing.assert_frame_equal(several[name], frame, obj=f"{name} in {n_process} processes")
    assert len(one["quotes"]) > 0 and len(one["mentions"]) > 0
