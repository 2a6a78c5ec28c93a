"""The SQL layers' build: views are built again only when their definitions change."""

from __future__ import annotations

import re

import pytest

from newsflow.warehouse import db, transform
from tests.sql.test_incremental_marts import load_stories
from tests.warehouses import DAYS, Story, build, forty_days

pytestmark = pytest.mark.layers  # batch after batch through the SQL layers: `make test`, not `make test-fast`


def view_ids(con) -> dict[str, int]:
    """Every view of the SQL layers with its object id: a view created again gets a new one while
    the database stays open (ids are given anew when a file is opened)."""
    rows = con.execute(
        "select schema_name || '.' || view_name, view_oid from duckdb_views() "
        "where schema_name in ('staging', 'intermediate', 'marts') and not internal"
    ).fetchall()
    return dict(rows)


def outlets_on(path, day) -> set[str]:
    with db.connect(path, read_only=True) as con:
        rows = con.execute("select outlet from marts.source_daily_volume where day = ?", [day]).fetchall()
    return {outlet for (outlet,) in rows}


@pytest.fixture
def warehouse(tmp_path):
    return build(tmp_path / "w.duckdb", forty_days())


def test_a_refresh_keeps_the_views_and_derives_the_new_batch(warehouse, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NEWSFLOW_DBT_WORK_DIR", str(tmp_path / "dbt"))
    assert "Late Outlet" not in outlets_on(warehouse, DAYS[-1])
    with db.connect(warehouse) as con:
        views = view_ids(con)
        assert "staging.articles" in views
        load_stories(con, "late", [Story(DAYS[-1], "Late Outlet", {"Newcomer": 1})], "late-")
        with caplog.at_level("INFO", logger=transform.__name__):
            db.refresh_marts(con)
        assert view_ids(con) == views  # the same objects: not created again
    assert "Late Outlet" in outlets_on(warehouse, DAYS[-1])  # read through them
    # What each model and test took is in the log, not in dbt's JSON files (not written: slow).
    [timed] = [r for r in caplog.records if hasattr(r, transform.NODE_SECONDS)]
    nodes = dict(getattr(timed, transform.NODE_SECONDS))
    assert "source_daily_volume" in nodes and "slowest" in timed.getMessage()
    assert not (tmp_path / "dbt" / "target" / "run_results.json").exists()
    assert not (tmp_path / "dbt" / "target" / "manifest.json").exists()


def test_changed_definitions_or_a_missing_view_build_the_views_again(warehouse, monkeypatch):
    with db.connect(warehouse) as con:
        views = view_ids(con)
        monkeypatch.setattr(transform, "definitions_fingerprint", lambda: "the next version of sql/")
        db.refresh_marts(con)
        rebuilt = view_ids(con)
        assert rebuilt.keys() == views.keys()
        assert not set(rebuilt.values()) & set(views.values())
        con.execute("drop view staging.articles")
        db.refresh_marts(con)
        assert view_ids(con).keys() == views.keys()


def test_a_new_process_reads_the_stored_parse_and_parses_again_only_a_damaged_one(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DBT_WORK_DIR", str(tmp_path / "dbt"))
    real_parse, parses = transform._parse, []
    monkeypatch.setattr(transform, "_parse", lambda *args: parses.append(args) or real_parse(*args))
    with db.connect(warehouse) as con:
        monkeypatch.setattr(transform, "_MANIFESTS", {})  # what a new process holds
        db.refresh_marts(con)
        assert len(parses) == 1
        [stored] = (tmp_path / "dbt" / "manifests").glob("manifest-*-w.msgpack")
        load_stories(con, "late", [Story(DAYS[-1], "Late Outlet", {"Newcomer": 1})], "late-")
        monkeypatch.setattr(transform, "_MANIFESTS", {})
        db.refresh_marts(con)
        assert len(parses) == 1  # read back, not parsed
        stored.write_bytes(b"\x93not a manifest")
        monkeypatch.setattr(transform, "_MANIFESTS", {})
        db.refresh_marts(con)
        assert len(parses) == 2
    assert "Late Outlet" in outlets_on(warehouse, DAYS[-1])  # the stored parse built the marts


def test_a_parse_store_that_others_can_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DBT_WORK_DIR", str(tmp_path))
    assert transform._manifest_store() == tmp_path / "manifests"
    (tmp_path / "manifests").chmod(0o777)
    assert transform._manifest_store() is None


def test_the_lineage_docs_are_one_offline_page_of_every_layer(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DBT_WORK_DIR", str(tmp_path / "dbt"))
    with db.connect(warehouse) as con:
        page = transform.write_lineage_docs(con, tmp_path / "lineage")
    html = page.read_text(encoding="utf-8")
    for model in ("model.newsflow.articles", "model.newsflow.entity_identities", "model.newsflow.share_of_voice"):
        assert model in html  # the manifest, inlined: staging, intermediate and marts
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']https?://""", html)  # nothing from the network
