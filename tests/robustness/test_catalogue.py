"""Every bad-input class beside a good article, in one run of the real steps.

The catalogue (tests/robustness/catalogue.py) is written to a folder and served on
127.0.0.1, then extract -> partition -> enrich -> merge -> link -> validate -> load ->
refresh run once on a temporary warehouse.  Each class must leave its good article loaded
and its bad input loaded correctly or quarantined with a reason; the run must succeed.
"""

from __future__ import annotations

import time

import pytest

from tests.robustness.catalogue import all_cases, run_catalogue
from tests.robustness.server import closed_port_url, misbehaving_server

pytestmark = pytest.mark.pipeline  # whole runs of the steps: `make test`, not `make test-fast`

CASES = all_cases()


@pytest.fixture(scope="module")
def catalogue_run(tmp_path_factory):
    started = time.monotonic()
    with misbehaving_server() as base_url:
        run = run_catalogue(tmp_path_factory.mktemp("catalogue"), base_url, closed_port_url(), CASES)
    run.seconds = time.monotonic() - started
    return run


def test_the_catalogue_covers_at_least_forty_classes_of_files_and_network():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    assert sum(case.served is not None for case in CASES) >= 10


def test_the_run_succeeds_and_the_good_feed_beside_the_bad_ones_loads(catalogue_run):
    assert catalogue_run.verdict["success"] is True
    assert catalogue_run.good_feed_loaded


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_each_class_keeps_its_good_article_and_loads_or_quarantines_the_bad_one(catalogue_run, name):
    assert catalogue_run.problems[name] is None, catalogue_run.problems[name]


def test_quarantine_rows_name_the_item_the_step_and_the_reason(catalogue_run):
    rows = [row for seen in catalogue_run.seen.values() for row in seen.quarantine]
    assert len(rows) >= 40
    assert all(row["reason"] and row["step"] and row["source_location"] for row in rows)
    assert {row["step"] for row in rows} >= {"read", "decode", "parse", "record", "fetch"}
