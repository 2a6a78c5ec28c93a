"""Shared fixtures: the reference feeds beside the project, one cache folder for the session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from tests.helpers import SHARED_DIR  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """One cache folder (stored gazetteer, Vega bundles) for every run of the session, the
    subprocesses and the xdist workers too: they inherit it from the controller's environment.

    Each run of the pipeline would otherwise build these again in its own var folder (seconds
    each).  The first run that needs one still builds it; tests of the cache use their own folder.
    """
    if hasattr(config, "workerinput") or os.environ.get("NEWSFLOW_CACHE_DIR"):
        return
    folder = tempfile.mkdtemp(prefix="newsflow-test-cache-")
    os.environ["NEWSFLOW_CACHE_DIR"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def shared_feeds() -> Path:
    path = SHARED_DIR / "data" / "feeds"
    if not path.is_dir():
        pytest.skip("../shared/data/feeds is not beside the project")
    return path


# How long a test file of each kind runs, roughly: DAG runs and Airflow servers take minutes.
SLOW_KINDS = {"integration": 4, "e2e": 3, "pipeline": 2, "layers": 1}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest kinds of test files first (files whole, each in its collected order).

    xdist hands each worker a file at a time (``--dist loadfile``, with
    ``--no-loadscope-reorder`` so that it keeps this order): a file of minutes handed out last
    would run alone while the other workers wait.
    """
    rank: dict[str, int] = {}
    for item in items:
        kind = max((SLOW_KINDS.get(mark.name, 0) for mark in item.iter_markers()), default=0)
        rank[item.path] = max(rank.get(item.path, 0), kind)
    items.sort(key=lambda item: -rank[item.path])  # stable: a file's tests stay together, in order
