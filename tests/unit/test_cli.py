"""The analyst commands (query, report, backfill, --help) through ``main(argv)``, on real warehouses."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import duckdb
import pytest

from newsflow.cli import main
from newsflow.queries import recipes
from tests.helpers import SEEDS
from tests.warehouses import HOSTILE_IMG, build, forty_days, validation_results


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    return build(folder / "w.duckdb", forty_days(), [validation_results("b1", datetime(2024, 11, 10, tzinfo=UTC))])


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def query(capsys, warehouse, *argv):
    """``run`` of ``query ARGV`` on ``warehouse``."""
    return run(capsys, "query", *argv, "--warehouse", str(warehouse))


def test_query_without_a_recipe_lists_every_recipe(capsys):
    code, out, _ = run(capsys, "query")
    assert code == 0
    for name in recipes():
        assert f"  {name} " in out
    assert "[--entity --from --to]" in out


def test_unknown_recipe_is_a_clear_error_listing_the_recipes(capsys, warehouse):
    code, out, err = query(capsys, warehouse, "top_entities")
    assert code == 2 and out == ""
    assert "unknown recipe 'top_entities'" in err and "top_entities_by_outlet" in err and "share_of_voice" in err


def test_a_recipe_that_needs_an_entity_says_so(capsys, warehouse):
    code, _, err = query(capsys, warehouse, "top_outlets_for_entity")
    assert code == 2 and "needs --entity" in err


def test_query_prints_a_table_with_dates_bound(capsys, warehouse):
    code, out, _ = query(capsys, warehouse, "trending_entities", "--from", "2024-11-06", "--to", "2024-11-09")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["day", "name", "label", "mentions", "articles", "baseline", "score"]
    assert lines[2].split() == ["2024-11-08", "Newcomer", "PERSON", "10", "5", "0.0", "5.0"]
    assert lines[-1] == "(1 row)"  # the burst on 2024-11-05 is outside the range


def test_entity_values_are_bound_not_pasted(capsys, warehouse):
    # The name holds both quote characters: pasted into SQL it would break the statement.
    code, out, _ = query(capsys, warehouse, "entity_tone_timeline", "--entity", HOSTILE_IMG, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 8 and {r["name"] for r in rows} == {HOSTILE_IMG}  # every fifth day of 40
    assert rows[0]["day"] == "2024-10-01" and rows[0]["article_share"] == pytest.approx(1 / 3, abs=1e-4)


def test_query_writes_csv_and_parquet_files(capsys, warehouse, tmp_path):
    args = ("top_outlets_for_entity", "--entity", "burst person")
    code, _, err = query(capsys, warehouse, *args, "--format", "csv", "--out", str(tmp_path / "top.csv"))
    assert code == 0 and "wrote" in err
    lines = (tmp_path / "top.csv").read_text().splitlines()
    assert lines[0] == "outlet,name,label,mentions,articles,share_of_outlet_articles,mean_compound"
    assert lines[1:] == ["Alpha,Burst Person,PERSON,46,39,1.0,0.5", "Beta,Burst Person,PERSON,12,6,0.1333,-0.5"]
    assert query(capsys, warehouse, *args, "--format", "parquet")[0] == 2  # parquet needs --out
    code, *_ = query(capsys, warehouse, *args, "--format", "parquet", "--out", str(tmp_path / "top.parquet"))
    assert code == 0
    got = duckdb.sql(f"select outlet, mentions from '{tmp_path / 'top.parquet'}' order by mentions desc").fetchall()
    assert got == [("Alpha", 46), ("Beta", 12)]


def test_a_bad_date_is_refused_by_the_parser(capsys, warehouse):
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "share_of_voice", "--from", "30/11/2024", "--warehouse", str(warehouse)])
    assert exit_info.value.code == 2
    assert "not a date (YYYY-MM-DD): '30/11/2024'" in capsys.readouterr().err


def test_report_command_writes_the_page_and_prints_its_path(capsys, warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_VAR_DIR", str(tmp_path / "var"))
    code, out, _ = run(
        capsys, "report", "--warehouse", str(warehouse), "--out", str(tmp_path / "r"), "--watch", "nobody"
    )
    assert code == 0 and out.strip() == str(tmp_path / "r" / "index.html")
    page = (tmp_path / "r" / "index.html").read_text()
    assert "Burst Person" in page and "Watched but not mentioned in the period: nobody" in page


def test_report_on_a_missing_warehouse_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "report", "--warehouse", str(tmp_path / "none.duckdb"), "--out", str(tmp_path))
    assert code == 2 and "no warehouse at" in err


@pytest.mark.parametrize("command", ["run", "enrich", "summary", "backfill", "query", "report"])
def test_every_command_explains_itself_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert f"example:\n  python -m newsflow {command} " in out


@pytest.mark.pipeline
def test_backfill_loads_each_day_as_its_own_batch(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    folder.mkdir()
    for path in SEEDS.values():  # both seeds were published on 2024-11-30
        shutil.copy(path, folder / path.name)
    (folder / "earlier.txt").write_text(
        "---\noutlet: Daily Test\npublished_at: 2024-11-29T08:00:00+00:00\n---\n"
        "Harbor cranes idle in Busan\n\n" + "Dock workers in Busan said the cranes stood idle for a second day. " * 4
    )
    (folder / "later.txt").write_text(
        "---\noutlet: Daily Test\npublished_at: 2024-12-02T08:00:00+00:00\n---\n"
        "Ferry service resumes\n\n" + "The ferry between Busan and Fukuoka sailed again on Monday morning. " * 4
    )
    (folder / "undated.txt").write_text("Undated note\n\n" + "A note without any date in it at all, for sure. " * 4)
    monkeypatch.setenv("NEWSFLOW_VAR_DIR", str(tmp_path / "var"))
    warehouse = tmp_path / "w.duckdb"
    code, out, _ = run(
        capsys,
        "backfill",
        "--from",
        "2024-11-29",
        "--to",
        "2024-11-30",
        "--source",
        str(folder),
        "--warehouse",
        str(warehouse),
        "--no-progress",
    )
    assert code == 0
    assert "backfill 2024-11-29 .. 2024-11-30: 2 days" in out
    assert "articles loaded : 3" in out
    assert "left out        : 1 undated, 1 dated outside the range" in out
    con = duckdb.connect(str(warehouse), read_only=True)
    batches = con.execute("select batch_id, articles from raw.batches order by 1").fetchall()
    days = con.execute(
        "select day::varchar, sum(articles) from marts.source_daily_volume group by 1 order by 1"
    ).fetchall()
    con.close()
    assert batches == [("20241129T000000Z_20241130T000000Z", 1), ("20241130T000000Z_20241201T000000Z", 2)]
    assert days == [("2024-11-29", 1), ("2024-11-30", 2)]
