"""Time every recipe in sql/queries, and the report build, over a warehouse (p50/p95 of N runs).

Target: p95 < 1 s for each recipe and for the report.  Parameters are those an analyst
would pass: the most-mentioned entity (the most rows to aggregate) and the last 30 days.
Each timing covers binding the parameters, running the recipe and fetching every row.
The report is timed with its Vega bundle cached (a first build also bundles the
JavaScript, a few seconds once per vl-convert version).  Also printed: the marts refresh
times bench/synthetic_warehouse.py measured on the same warehouse (one new day, incrementally,
against a full rebuild), and the slowest recipe p95 against the 218.6 ms measured before the
SQL layers moved to dbt.

Usage: python bench/recipes.py --warehouse bench/out/synthetic.duckdb --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import duckdb

from newsflow.queries import recipes, run_recipe
from newsflow.report import build_report
from newsflow.warehouse import db

TARGET_S = 1.0
BASELINE_P95_MS = 218.6  # top_entities_by_outlet, README table, before the SQL layers moved to dbt
MISSED = 3  # exit status when a p95 misses the target (1 stays "crashed")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 (inclusive method, so they stay within the observed range)."""
    if len(samples) < 2:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples), cuts[18]


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    func()  # warm-up: first-touch I/O and caches are not what an analyst waits for twice
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=Path("bench/out/synthetic.duckdb"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--report-repeat", type=int, default=10)
    args = parser.parse_args()

    with db.connect(args.warehouse, read_only=True) as con:
        entity = con.execute(
            "select name from marts.share_of_voice group by entity_id, name order by sum(mentions) desc limit 1"
        ).fetchone()[0]
        last_day = con.execute("select max(day) from marts.source_daily_volume").fetchone()[0]
        mentions = con.execute("select count(*) from staging.mentions").fetchone()[0]
        outlet = con.execute(
            "select outlet from marts.source_daily_volume group by outlet order by sum(articles) desc limit 1"
        ).fetchone()[0]
        # The synthetic warehouse names no places: then any country, for the timing alone.
        country = (
            con.execute(
                "select country_code from marts.country_daily_coverage group by 1 order by sum(articles) desc limit 1"
            ).fetchone()
            or ("FR",)
        )[0]
        values = {
            "entity": entity,
            "outlet": outlet,
            "country": country,
            "date_from": last_day - timedelta(days=29),
            "date_to": last_day,
        }
        print(
            f"{args.warehouse}: {mentions:,} mentions; entity {entity!r}, outlet {outlet!r}, country {country}, "
            f"{values['date_from']} .. {last_day}"
        )
        print(f"{'':<26}{'rows':>8}{'p50 ms':>10}{'p95 ms':>10}")
        results = {}
        for name, recipe in recipes().items():
            rows = len(run_recipe(con, recipe, values).fetchall())
            results[name] = percentiles(timed(lambda r=recipe: run_recipe(con, r, values).fetchall(), args.repeat))
            print(f"{name:<26}{rows:>8}{results[name][0] * 1000:>10.1f}{results[name][1] * 1000:>10.1f}")

    with tempfile.TemporaryDirectory() as folder:
        out, cache = Path(folder) / "report", Path(folder) / "cache"
        samples = timed(lambda: build_report(args.warehouse, out, cache_dir=cache), args.report_repeat)
        results["report (build_report)"] = percentiles(samples)
        size = (out / "index.html").stat().st_size
    p50, p95 = results["report (build_report)"]
    print(f"{'report (build_report)':<26}{size // 1024:>6}kB{p50 * 1000:>10.1f}{p95 * 1000:>10.1f}")
    slowest = max((p95, name) for name, (_, p95) in results.items() if name != "report (build_report)")
    print(f"slowest recipe p95: {slowest[0] * 1000:.1f} ms ({slowest[1]}); before the SQL layers: {BASELINE_P95_MS} ms")
    print_refresh_timings(args.warehouse)
    slow = [name for name, (_, p95) in results.items() if p95 >= TARGET_S]
    print(
        f"p95 target {TARGET_S:.0f} s: "
        + (f"missed by {', '.join(slow)}" if slow else "met by every recipe and the report")
    )
    return MISSED if slow else 0


def print_refresh_timings(warehouse: Path) -> None:
    """What bench/synthetic_warehouse.py measured: one new day refreshed incrementally vs a full rebuild."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "select new_day_s, full_rebuild_s, days_rebuilt, same_as_full_rebuild from bench.refresh_timings"
        ).fetchone()
    except duckdb.CatalogException:
        row = None
    finally:
        con.close()
    if row is None:
        print("marts refresh: not measured in this warehouse (bench/synthetic_warehouse.py measures it)")
        return
    new_day, full, days, same = row
    print(
        f"marts refresh, one new day: {new_day:.1f} s ({days} day rebuilt); full rebuild: {full:.1f} s "
        f"({full / new_day:.1f}x); same marts as the full rebuild: {same}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
