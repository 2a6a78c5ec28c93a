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
