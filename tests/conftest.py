"""Shared fixtures: the reference feeds beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from tests.helpers import SHARED_DIR  # noqa: E402


@pytest.fixture(scope="session")
def shared_feeds() -> Path:
    path = SHARED_DIR / "data" / "feeds"
    if not path.is_dir():
        pytest.skip("../shared/data/feeds is not beside the project")
    return path
