"""Reading the warehouse while the pipeline loads it, with a real second process on the files.

Analysts read the snapshot each refresh publishes; the pipeline alone opens the warehouse
and, when someone else holds it anyway, waits for them and then fails naming them.  The
second process (``other_process.py``) is plain duckdb, as an analyst's session would be.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsflow.cli import main
from newsflow.config import Settings, load_settings
from newsflow.pipeline.run_folder import BatchInfo, RunFolder, RunInfo
from newsflow.pipeline.steps import load_step, refresh_step
from newsflow.warehouse import db
from tests.helpers import run_settings
from tests.warehouses import Story, forty_days, tables

pytestmark = pytest.mark.layers  # batch after batch through the SQL layers: `make test`, not `make test-fast`

OTHER_PROCESS = Path(__file__).with_name("other_process.py")
STORIES = forty_days()
FIRST, SECOND = STORIES[:60], STORIES[60:]


def batch_folder(settings: Settings, stories: list[Story], prefix: str) -> RunFolder:
    """A run folder as validate_batch leaves it for load_batch: the batch's Parquet tables and a passed verdict.

    Article ids get ``prefix`` so that two batches hold different articles.
    """
    start = datetime.combine(min(s.day for s in stories), datetime.min.time(), tzinfo=UTC)
    batch = BatchInfo(start, start + timedelta(days=(max(s.day for s in stories) - start.date()).days + 1))
    folder = RunFolder(settings.run_root / prefix)
    folder.path.mkdir(parents=True)
    for name, frame in tables(stories).items():
        if "article_id" in frame:
            frame = frame.assign(article_id=prefix + frame["article_id"])
        folder.write_table(name, frame)
    folder.write_info(RunInfo(batch=batch, articles=len(stories)))
    folder.write_verdict({"status": "passed", "success": True})
    folder.write_feed_state({prefix: {"etag": prefix}})
    return folder


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    base = {"warehouse": str(tmp_path / "w.duckdb"), "var_dir": str(tmp_path / "var"), "sources": []}
    return load_settings(environ={}, overrides={**base, **overrides})


def counts_in(path: Path) -> tuple[int, int]:
    """Articles loaded and batches in a warehouse file, through a fresh read-only connection."""
    with db.connect(path, read_only=True, lock_timeout_s=0) as con:
        return con.execute(
            "select (select count(distinct article_id) from raw.article_loads), (select count(*) from raw.batches)"
        ).fetchone()


def start(*args: str) -> subprocess.Popen:
    """Start the other process and wait until it has the file open."""
    process = subprocess.Popen(
        [sys.executable, str(OTHER_PROCESS), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = process.stdout.readline().strip()
    assert ready == "ready", process.stderr.read()
    return process


def stop(process: subprocess.Popen) -> str:
    out, err = process.communicate(input="stop\n", timeout=30)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def loaded(tmp_path) -> Settings:
    """A warehouse holding the first batch, with its snapshot published."""
    settings = settings_for(tmp_path)
    load_step(settings, batch_folder(settings, FIRST, "a"))
    refresh_step(settings)
    return settings


def test_the_first_refresh_publishes_a_read_only_copy_beside_the_warehouse(tmp_path):
    settings = settings_for(tmp_path)
    assert settings.published_path == tmp_path / "w.published.duckdb"
    load_step(settings, batch_folder(settings, FIRST, "a"))
    assert settings.reader_path == settings.warehouse_path  # loaded, not yet refreshed: nothing published
    refresh_step(settings)
    assert settings.reader_path == settings.published_path
    assert counts_in(settings.published_path) == counts_in(settings.warehouse_path) == (len(FIRST), 1)
    assert settings.published_path.stat().st_mode & 0o222 == 0  # nobody writes to a snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var", "w.duckdb", "w.published.duckdb"]


def test_a_reader_holding_the_snapshot_keeps_its_view_while_a_batch_loads(loaded):
    log = loaded.var_dir / "reader.jsonl"
    reader = start("read", str(loaded.published_path), str(log))
    try:
        time.sleep(0.2)  # let it query the snapshot before the load starts
        began = time.time()
        loaded_counts = load_step(loaded, batch_folder(loaded, SECOND, "b"))
        refreshed = refresh_step(loaded)
        ended = time.time()
        # Let it query again after the publish, still on the file it opened.
        deadline = time.time() + 10
        while time.time() < deadline and not any(
            json.loads(line)["t"] > ended for line in log.read_text().splitlines()
        ):
            time.sleep(0.02)
    finally:
        stop(reader)
    *seen, final = [json.loads(line) for line in log.read_text().splitlines()]
    assert not [s for s in [*seen, final] if "error" in s]
    first = tables(FIRST)
    assert final == {
        "final": True,
        "texts": len(FIRST),
        "words": int(first["articles"]["word_count"].sum()),
        "mentions": len(first["mentions"]),
        "unchanged": True,  # the publish never wrote to the file the reader had open
    }
    old = {"articles": len(FIRST), "batches": 1, "mart_articles": len(FIRST)}
    assert {(s["articles"], s["batches"], s["mart_articles"]) for s in seen} == {tuple(old.values())}
    during = [s for s in seen if began <= s["t"] <= ended]
    assert len(during) >= 5, f"the reader queried {len(during)} times during {ended - began:.2f} s of load and refresh"
    assert any(s["t"] > ended for s in seen)
    assert loaded_counts["articles"] == len(SECOND) and refreshed["source_daily_volume"] > 0
    # A new reader gets the new snapshot.
    assert counts_in(loaded.published_path) == (len(STORIES), 2)


def test_a_writer_waits_for_a_process_holding_the_warehouse_then_loads(loaded, caplog):
    holder = start("hold", str(loaded.warehouse_path), "rw", "inf")
    released: list[tuple[float, str]] = []

    def release_once_the_writer_waits() -> None:
        # Let go only after the writer has said it waits (not after a fixed time, which a
        # loaded machine can outlast before the writer even tries).
        deadline = time.monotonic() + 120
        while f"locked by PID {holder.pid}" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        released.append((time.monotonic(), stop(holder)))

    releaser = threading.Thread(target=release_once_the_writer_waits)
    with caplog.at_level(logging.WARNING, logger="newsflow.warehouse.db"):
        releaser.start()
        load_step(loaded, batch_folder(loaded, SECOND, "b"))
    loaded_at = time.monotonic()
    releaser.join()
    assert f"locked by PID {holder.pid}" in caplog.text
    (let_go_at, said), *_ = released
    assert said.strip() == "released"
    assert loaded_at >= let_go_at  # it could only load once the holder let go
    assert counts_in(loaded.warehouse_path) == (len(STORIES), 2)


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_a_writer_gives_up_naming_the_process_that_holds_the_warehouse(tmp_path, mode):
    settings = settings_for(tmp_path, lock_timeout_s=1.0)
    load_step(settings, batch_folder(settings, FIRST, "a"))
    state = (settings.state_dir / "feed_state.json").read_text()
    holder = start("hold", str(settings.warehouse_path), mode, "inf")
    try:
        began = time.monotonic()
        with pytest.raises(db.WarehouseLockedError) as raised:
            load_step(settings, batch_folder(settings, SECOND, "b"))
        waited = time.monotonic() - began
    finally:
        stop(holder)
    message = str(raised.value)
    assert f"locked by PID {holder.pid} (" in message
    assert str(settings.warehouse_path) in message and "published snapshot" in message
    assert 1.0 <= waited < 10
    assert counts_in(settings.warehouse_path) == (len(FIRST), 1)  # nothing of the second batch
    assert (settings.state_dir / "feed_state.json").read_text() == state  # its entries will be fetched again


def test_a_failed_publish_keeps_the_load_and_the_next_refresh_publishes(tmp_path, caplog):
    blocked = tmp_path / "blocked.duckdb"
    blocked.mkdir()  # a folder where the snapshot should go: the final rename fails
    settings = settings_for(tmp_path, published_warehouse=str(blocked))
    load_step(settings, batch_folder(settings, FIRST, "a"))
    with caplog.at_level(logging.ERROR, logger="newsflow.pipeline.steps"):
        marts = refresh_step(settings)
    assert marts["source_daily_volume"] > 0
    assert "no snapshot was published" in caplog.text
    assert counts_in(settings.warehouse_path) == (len(FIRST), 1)
    assert not list(tmp_path.glob(".*.tmp"))  # the copy made for it is gone
    fixed = settings_for(tmp_path)
    (tmp_path / ".w.published.duckdb.crashed.tmp").write_bytes(b"left by a publish that died")
    refresh_step(fixed)
    assert counts_in(fixed.published_path) == (len(FIRST), 1)
    assert not list(tmp_path.glob(".*.tmp"))


def test_analyst_commands_read_the_snapshot_while_a_writer_holds_the_warehouse(loaded, capsys, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_LOCK_TIMEOUT", "0.5")  # touching the held warehouse would fail fast
    holder = start("hold", str(loaded.warehouse_path), "rw", "inf")
    try:
        assert main(["summary", "--warehouse", str(loaded.warehouse_path)]) == 0
        summary = capsys.readouterr().out
        assert main(["query", "share_of_voice", "--format", "json", "--warehouse", str(loaded.warehouse_path)]) == 0
        rows = json.loads(capsys.readouterr().out)
    finally:
        stop(holder)
    assert f"articles loaded : {len(FIRST)} from 3 outlets" in summary
    assert f"analysts open   : {loaded.published_path}" in summary
    assert rows and {"Steady Corp", "Burst Person"} <= {row["name"] for row in rows}


@pytest.mark.parametrize(("limit", "shown"), [("256MB", "244.1 MiB"), ("2GiB", "2.0 GiB")])
def test_the_pipeline_opens_the_warehouse_within_its_memory_limit(tmp_path, limit, shown):
    settings = run_settings(tmp_path, [], warehouse_memory_limit=limit)
    with db.open_warehouse(settings) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == (shown,)
    with db.open_warehouse(settings, read_only=True) as con:  # the linker's reads are bounded too
        assert con.execute("select current_setting('memory_limit')").fetchone() == (shown,)
