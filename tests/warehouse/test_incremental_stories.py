"""Incremental linking on a real warehouse: the sample loaded as a sequence of batches gives the
story tables of one from-scratch batch, each batch rewrites only the stories it touches, and
the history a batch reads is bounded by its time window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.pipeline.backfill import EXTRACT, PER_DAY, REFRESH, split_by_day
from newsflow.pipeline.run_folder import BatchInfo, RunFolder
from newsflow.pipeline.steps import run_steps
from newsflow.warehouse import db
from tests.helpers import REFERENCE_TIME, sample_settings, warehouse_contents
from tests.unit.test_stories import ground_truth

pytestmark = pytest.mark.pipeline  # whole runs of the steps: `make test`, not `make test-fast`

START = datetime(2024, 11, 20, tzinfo=UTC)
# Boundaries that cut each of the sample's four wire stories across two batches (S4 on
# 26 November, S2 on the 27th, S1 on the 30th, S3 around midnight on 1-2 December).
CUTS = [datetime(2024, 11, day, hour, tzinfo=UTC) for day, hour in ((26, 6), (27, 12), (30, 6))]
CUTS.append(datetime(2024, 12, 2, 0, tzinfo=UTC))
STORY_TABLES = ("staging.stories", "staging.story_links", "staging.article_citations", "marts.story_spread")
# When and by which batch a row was loaded differ by design, and a link's similarity weighs
# words against the articles the linker holds (the whole corpus, or one batch and its window).
LEAVE_OUT = ("batch_id", "loaded_at", "staging.story_links.similarity")


def load(tmp_path, name: str, batches: list[BatchInfo]) -> tuple:
    """The sample extracted once, split into ``batches`` and loaded batch after batch."""
    settings = sample_settings(tmp_path / name)
    extracted = RunFolder.for_batch(settings, BatchInfo(START, REFERENCE_TIME))
    EXTRACT.run(settings, extracted)
    folders, _, _ = split_by_day(settings, extracted, batches)
    for folder in folders:
        run_steps(settings, folder, PER_DAY)
    REFRESH.run(settings, folders[-1])
    return settings.warehouse_path, folders


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("incremental")
    bounds = [START, *CUTS, REFERENCE_TIME]
    incremental = load(tmp_path, "incremental", [BatchInfo(a, b) for a, b in zip(bounds, bounds[1:], strict=False)])
    scratch = load(tmp_path, "scratch", [BatchInfo(START, REFERENCE_TIME)])
    return incremental, scratch


def story_of(warehouse) -> dict[str, str]:
    """Each sample URL's story id."""
    with db.connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select a.url, s.story_id from staging.stories s join staging.articles a using (article_id)"
        ).fetchall()
    return dict(rows)


def test_a_sequence_of_batches_gives_the_story_tables_of_one_batch(warehouses):
    (incremental, _), (scratch, _) = warehouses
    ours = warehouse_contents(incremental, schemas=("staging", "marts"), leave_out=LEAVE_OUT)
    theirs = warehouse_contents(scratch, schemas=("staging", "marts"), leave_out=LEAVE_OUT)
    for table in STORY_TABLES:
        assert ours[table], f"{table} is empty"
        assert ours[table] == theirs[table], table
    truth = ground_truth()
    stories = story_of(incremental)
    for story in ("S1", "S2", "S3", "S4"):
        assert len({stories[u] for u, row in truth.items() if row["story"] == story}) == 1, story


def test_each_batch_rewrites_only_the_stories_it_touches(warehouses):
    (incremental, folders), _ = warehouses
    with db.connect(incremental, read_only=True) as con:
        loaded = set()
        for folder in folders:
            batch_id = folder.read_info().batch.batch_id
            delivered = {
                a
                for (a,) in con.execute(
                    "select article_id from raw.article_loads where batch_id = ?", [batch_id]
                ).fetchall()
            }
            written = dict(
                con.execute("select article_id, story_id from raw.stories where batch_id = ?", [batch_id]).fetchall()
            )
            loaded |= delivered
            touched = {written[a] for a in delivered}
            assert delivered <= written.keys(), batch_id
            assert set(written.values()) == touched, f"{batch_id} rewrote a story none of its articles is in"
            if folder is not folders[0]:
                assert len(written) < len(loaded), f"{batch_id} rebuilt every story"


def test_the_history_a_batch_reads_is_bounded_by_its_window(warehouses):
    (incremental, _), _ = warehouses
    truth = ground_truth()
    with db.connect(incremental, read_only=True) as con:
        id_of = dict(con.execute("select url, article_id from staging.articles").fetchall())
        seen = dict(con.execute("select article_id, seen_at from intermediate.article_days").fetchall())
        start, end = datetime(2024, 12, 2, tzinfo=UTC), datetime(2024, 12, 3, tzinfo=UTC)
        history = db.story_history(con, start, end, [])
        s1 = [id_of[u] for u, row in truth.items() if row["story"] == "S1"]
        batch = db.story_history(con, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC), s1[:1])
    in_window = {a for a, t in seen.items() if start <= t <= end}
    assert set(history["window"]["article_id"]) == in_window
    s3 = {id_of[u] for u, row in truth.items() if row["story"] == "S3"}
    earlier = {a for a in s3 if seen[a] < start}  # AP's origin, late on 1 December
    assert earlier and earlier <= set(history["articles"]["article_id"]) - in_window  # its story's member
    read = set(history["articles"]["article_id"]) | set(history["links"]["article_id"])
    read |= set(history["links"]["other_article_id"])
    assert read <= in_window | s3  # nothing of other times: no S1, S2 or S4 article
    assert not history["articles"]["touched"].any()
    # A re-delivered article far from its old story's time: that story alone is read, touched.
    assert batch["window"].empty
    assert set(batch["articles"]["article_id"]) == set(s1[1:])
    assert batch["articles"]["touched"].all()
    assert not {*batch["links"]["article_id"], *batch["links"]["other_article_id"]} & {s1[0]}
