"""The real newsflow_ingest DAG (airflow dags test, SQLite metadata DB) over the bundled sample."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys

import duckdb
import lxml.html
import pandas as pd
import pytest

from newsflow.config import PROJECT_ROOT
from newsflow.warehouse import db
from tests.helpers import BATCH_FILES, RUN_RECORDS, warehouse_contents

pytestmark = pytest.mark.e2e
LOGICAL_DATE = "2024-12-04T00:00:00+00:00"
PARTITION_SIZE = 20  # the sample's 43 articles: three mapped enrich tasks


def newsflow(*args: str, home, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home / "airflow"),
        NEWSFLOW_VAR_DIR=str(home / "var"),
        NEWSFLOW_ENRICH_PARTITION_SIZE=str(PARTITION_SIZE),
    )
    env.pop("NEWSFLOW_SOURCES", None)
    result = subprocess.run(
        [sys.executable, "-m", "newsflow", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(f"newsflow {args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
    return result


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e")
    warehouse = home / "warehouse.duckdb"
    args = ("run", "--warehouse", str(warehouse), "--logical-date", LOGICAL_DATE)
    first = newsflow(*args, home=home)
    with db.connect(warehouse, read_only=True) as con:
        counts_first = db.table_counts(con)
    # The second run of the interval starts its folder afresh: keep the first one's.
    (run_dir,) = (home / "var" / "runs").iterdir()
    shutil.copytree(run_dir, home / "first_run")
    shutil.copy(home / "airflow" / "airflow.db", home / "first_run" / "airflow.db")
    second = newsflow(*args, home=home)
    with db.connect(warehouse, read_only=True) as con:
        counts_second = db.table_counts(con)
        record_second = con.execute("select articles, enriched, reused, unchanged from raw.batches").fetchall()
    return home, warehouse, first, counts_first, second, counts_second, record_second


def query(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_summary_is_printed_with_counts_entities_and_paths(two_runs):
    home, warehouse, first, *_ = two_runs
    out = first.stdout
    assert "articles loaded : 43 from 8 outlets" in out
    assert "quarantined     : 2" in out
    assert "validations     : 11/11 table checks passed" in out
    assert "stories         : 4 carried by several articles (5 copies)" in out
    assert f"warehouse       : {warehouse}" in out
    assert f"report          : {home / 'var' / 'reports' / 'index.html'}" in out
    assert (home / "var" / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_each_run_publishes_the_snapshot_analysts_read(two_runs):
    home, _, first, _, second, counts_second, _ = two_runs
    published = home / "warehouse.published.duckdb"
    assert f"analysts open   : {published}" in first.stdout and f"analysts open   : {published}" in second.stdout
    with db.connect(published, read_only=True) as con:
        assert db.table_counts(con) == counts_second  # the second run's data, every table


def test_both_seed_articles_load_and_name_kim_jong_un_and_kcna(two_runs):
    _, warehouse, *_ = two_runs
    seeds = query(
        warehouse,
        "select article_id, outlet from staging.articles where title in (?, ?) order by outlet",
        [
            "North Korea's Kim, Russian minister agree to boost military ties",
            "North Korea and Russian Defense Minister Seek Closer Military Ties to Counter U.S. Influence",
        ],
    )
    assert [outlet for _, outlet in seeds] == ["AFP", "The Korea Ledger"]
    for article_id, _ in seeds:
        named = set(
            query(
                warehouse,
                "select e.name, m.label from staging.mentions m join staging.entities e using (entity_id) "
                "where m.article_id = ?",
                [article_id],
            )
        )
        assert ("Kim Jong Un", "PERSON") in named
        assert ("KCNA", "ORG") in named


def test_quarantine_holds_the_bad_inputs_with_reasons(two_runs):
    _, warehouse, *_ = two_runs
    rows = query(warehouse, "select source_location, reason from raw.quarantine order by reason")
    assert len(rows) == 2
    assert rows[0][0].endswith("harborpost_subscribe_wall.html") and rows[0][1].startswith("boilerplate only (paywall)")
    assert rows[1][0].endswith("newswire_desk.jsonl#6") and rows[1][1].startswith("line 7: invalid JSON")


def test_marts_answer_coverage_questions(two_runs):
    _, warehouse, *_ = two_runs
    kim = query(
        warehouse,
        "select day::varchar, articles, outlets from marts.entity_daily_coverage where name = 'Kim Jong Un' "
        "and label = 'PERSON' order by day",
    )
    assert ("2024-11-30", 3, 3) in kim  # AFP, its rewrite and Harbor Post's syndicated copy
    volume = query(warehouse, "select count(distinct outlet), count(distinct day) from marts.source_daily_volume")
    assert volume[0][0] >= 5 and volume[0][1] >= 7
    dq = query(warehouse, "select count(*), bool_and(success) from marts.dq_results")
    assert dq == [(11, True)]  # 11 tables; the second run had nothing new to audit


def test_enrichment_is_mapped_over_partitions_and_merged(two_runs):
    home, warehouse, *_ = two_runs
    run_dir = home / "first_run"
    partitions = sorted((run_dir / "partitions").iterdir())
    sizes = [len(pd.read_parquet(p / "articles.parquet")) for p in partitions]
    assert sizes == [20, 20, 3]
    # Every partition was enriched by its own mapped task instance and all of it was loaded.
    for table in ("mentions", "quotes", "entity_sentiment"):
        rows = sum(len(pd.read_parquet(p / f"{table}.parquet")) for p in partitions)
        assert rows == len(pd.read_parquet(run_dir / f"{table}.parquet")) > 0
    mapped = sqlite3.connect(run_dir / "airflow.db").execute(
        "select count(distinct map_index) from task_instance where task_id = 'enrich_articles' and state = 'success'"
    )
    assert mapped.fetchone()[0] == 3


def test_second_run_of_the_same_interval_changes_no_table(two_runs):
    *_, counts_first, _, counts_second, record_second = two_runs
    audit_tables = {"raw.validation_results", "marts.dq_results"}
    assert {k: v for k, v in counts_first.items() if k not in audit_tables} == {
        k: v for k, v in counts_second.items() if k not in audit_tables
    }
    assert counts_second["staging.articles"] == 43
    assert counts_second["raw.batches"] == 1
    # The second run read no file (the folder manifest) and so analysed nothing again.
    assert record_second == [(0, 0, 0, 0)]
    assert re.search(r"extract: read 0 articles .* files \(unchanged since loaded\)", two_runs[4].stdout)
    # Airflow's metadata DB and pool were prepared by the first run: the second starts the DAG at once.
    assert "preparing Airflow" in two_runs[2].stdout and "preparing Airflow" not in two_runs[4].stdout


def test_enrich_command_writes_one_parquet_file_per_table(tmp_path):
    source = PROJECT_ROOT / "data" / "sample" / "jsonl" / "newswire_desk.jsonl"
    result = newsflow("enrich", str(source), "--out", str(tmp_path / "out"), home=tmp_path)
    files = sorted(p.name for p in (tmp_path / "out").glob("*.parquet"))
    assert files == BATCH_FILES
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet")
    assert len(articles) == 7 and "articles.parquet: 7 rows" in result.stdout
    mentions = pd.read_parquet(tmp_path / "out" / "mentions.parquet")
    assert set(mentions.article_id) <= set(articles.article_id)
    assert len(pd.read_parquet(tmp_path / "out" / "quarantine.parquet")) == 1


def test_bad_configuration_exits_with_a_clear_message(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("sources:\n  - {kind: folder}\n")
    result = newsflow("run", "--config", str(config), home=tmp_path, check=False)
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "needs 'path' or 'url'" in result.stderr


def test_story_spread_finds_the_wire_stories_and_their_origins(two_runs):
    _, warehouse, *_ = two_runs
    spread = query(
        warehouse,
        "select origin_outlet, agency, articles, outlets from marts.story_spread where articles > 1 order by 1",
    )
    assert spread == [
        ("AFP", "AFP", 3, 3),
        ("AP", "AP", 3, 3),
        ("Reuters", "Reuters", 3, 3),
        ("Yonhap", "Yonhap", 2, 2),
    ]
    rewrite = query(
        warehouse,
        "select s.copy_kind, s.is_copy from staging.stories s join staging.articles a using (article_id) "
        "where a.title like 'North Korea and Russian Defense Minister%'",
    )
    assert rewrite == [("rewrite", True)]


def test_report_dag_builds_the_page_from_the_loaded_warehouse(two_runs):
    home, warehouse, *_ = two_runs
    from newsflow.cli import airflow_env

    env = airflow_env(base=dict(os.environ, AIRFLOW_HOME=str(home / "airflow"), NEWSFLOW_VAR_DIR=str(home / "var")))
    env.update(NEWSFLOW_WAREHOUSE=str(warehouse))
    env.pop("NEWSFLOW_SOURCES", None)
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", "newsflow_report", LOGICAL_DATE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    page = (home / "var" / "reports" / "index.html").read_text(encoding="utf-8")
    assert "2024-11-25 to 2024-12-03" in page  # the sample's days
    assert "<td>North Korea</td>" in page and '"entity": "North Korea"' in page  # a top entity, in a chart too
    assert '<a href="../gx/gx/uncommitted/data_docs/local_site/index.html">GX Data Docs</a>' in page
    assert "11/11</b>table checks passed" in page
    story_rows = lxml.html.fromstring(page).xpath("//section[@id='stories']//tbody/tr")
    cells = [[c.text_content() for c in row.xpath("td")] for row in story_rows]
    assert ["AFP", "AFP", "North Korea's Kim, Russian minister agree to boost military ties"] in [c[:3] for c in cells]
    assert len(cells) == 4


# Columns that say when or in which batch a row was loaded: a backfill loads the sample
# in 16 daily batches, the DAG run in one, so these differ by design.
LOAD_COLUMNS = ("batch_id", "ingested_at", "loaded_at", "first_seen_at", "last_seen_at")
# What enrichment said before the corpus-wide vote (each batch's partitions vote alone, so
# these differ with the batching by design; the vote's results, staging.mentions and
# entities, must agree), and the batches themselves.
PER_BATCH_VIEWS = {
    "staging.batches",
    "staging.enriched_mentions",
    "staging.enriched_entities",
    "staging.enriched_entity_sentiment",
    "staging.enriched_quotes",
}


def test_backfill_of_the_sample_gives_the_tables_of_the_dag_run(two_runs, tmp_path):
    _, dag_warehouse, *_ = two_runs
    backfilled = tmp_path / "backfill.duckdb"
    newsflow(
        "backfill", "--from", "2024-11-20", "--to", "2024-12-05", "--warehouse", str(backfilled), "--no-progress",
        home=tmp_path,
    )  # fmt: skip
    # The similarity score of a link weighs words against the articles the linker holds (the
    # whole batch, or one day and its window); the links and their kinds must agree.
    # dq_results and ingest_health describe runs (one DAG batch against a batch per day)
    leave_out = (*LOAD_COLUMNS, "staging.story_links.similarity")
    skip = {*RUN_RECORDS, *PER_BATCH_VIEWS}
    dag = warehouse_contents(dag_warehouse, leave_out=leave_out, skip_tables=skip)
    assert len(dag) > 15
    assert warehouse_contents(backfilled, leave_out=leave_out, skip_tables=skip) == dag
    assert query(backfilled, "select count(*) from marts.story_spread where articles > 1") == [(4,)]
    # which names the identity rules merged across articles, and why, agrees too
    merged = "select * from staging.entity_aliases where rule <> 'label_vote' order by all"
    assert query(backfilled, merged) == query(dag_warehouse, merged)
    assert query(dag_warehouse, "select count(*) from staging.entity_aliases where rule = 'short_form'")[0][0] > 0


def readme_sql_examples() -> list[str]:
    """Every ```sql block of the README, in order."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def test_every_readme_sql_example_runs_in_the_documented_shell(two_runs):
    home, warehouse, *_ = two_runs
    examples = readme_sql_examples()
    assert len(examples) >= 9
    answered = 0
    for example in examples:
        result = subprocess.run(
            [sys.executable, "-m", "newsflow", "sql", "--warehouse", str(warehouse)],
            input=example,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0 and result.stderr == "", (example, result.stderr)
        counts = [int(n) for n in re.findall(r"^\((\d+) rows?\)$", result.stdout, flags=re.M)]
        assert counts, example  # every example prints at least one result table
        answered += any(counts)
    # over the sample every example has rows but "what is trending" and "every failed check" (none fail)
    assert answered >= len(examples) - 2


def test_a_full_refresh_reads_and_enriches_everything_again_to_the_same_tables(two_runs):
    """Last in the module: it adds a validation run to the warehouse the other tests read."""
    home, warehouse, *_, counts_second, _ = two_runs
    newsflow("run", "--warehouse", str(warehouse), "--logical-date", LOGICAL_DATE, "--full-refresh", home=home)
    assert query(warehouse, "select articles, enriched, reused, unchanged from raw.batches") == [(43, 43, 0, 0)]
    audit_tables = {"raw.validation_results", "marts.dq_results"}  # this run's validation adds its results
    with db.connect(warehouse, read_only=True) as con:
        counts = db.table_counts(con)
    assert {k: v for k, v in counts.items() if k not in audit_tables} == {
        k: v for k, v in counts_second.items() if k not in audit_tables
    }
