"""The query benchmark's scripts, at a tiny scale: the warehouse has the promised shape and every recipe is timed."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from newsflow.config import PROJECT_ROOT
from newsflow.queries import recipes

pytestmark = pytest.mark.pipeline  # the bench scripts end to end: `make test`, not `make test-fast`


def bench(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    # recipes.py exits 3 when a p95 misses its target: a fact about this machine's load, not a bug.
    assert result.returncode in (0, 3), result.stderr
    return result.stdout


def test_synthetic_warehouse_then_every_recipe_and_the_report_are_timed(tmp_path):
    warehouse = tmp_path / "synthetic.duckdb"
    out = bench(
        "bench/synthetic_warehouse.py",
        *("--mentions", "30000", "--days", "60", "--outlets", "12", "--entities", "2000", "--out", str(warehouse)),
    )
    assert "staging.mentions" in out and "marts.trending_entities" in out
    con = duckdb.connect(str(warehouse), read_only=True)
    mentions, outlets, days = con.execute(
        "select count(*), count(distinct outlet), count(distinct cast(published_at as date)) "
        "from staging.mentions join staging.articles using (article_id)"
    ).fetchone()
    # Zipf-like: the most-mentioned entity far ahead of the median one.
    top, median = con.execute(
        "with counts as (select entity_id, count(*) as n from staging.mentions group by 1) "
        "select max(n), median(n) from counts"
    ).fetchone()
    con.close()
    assert (mentions, outlets, days) == (30000, 12, 60)
    assert top > 20 * median

    timings = bench("bench/recipes.py", "--warehouse", str(warehouse), "--repeat", "2", "--report-repeat", "1")
    for name in recipes():
        assert f"\n{name} " in timings
    assert "report (build_report)" in timings and "p95 target 1 s" in timings
