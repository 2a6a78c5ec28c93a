"""Shared fixtures: the project's real files, seeds and temporary settings."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from newsflow.config import PROJECT_ROOT, Settings, load_settings  # noqa: E402

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
SEEDS = {
    "afp": SAMPLE_DIR / "text" / "afp_kim_belousov_20241130.txt",
    "rewrite": SAMPLE_DIR / "text" / "korealedger_kim_belousov_20241130.txt",
}
REFERENCE_TIME = datetime(2024, 12, 4, tzinfo=UTC)


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings that write only under a temporary folder and read the bundled sample."""
    return load_settings(
        config_path=PROJECT_ROOT / "newsflow.yaml",
        environ={},
        overrides={"var_dir": str(tmp_path / "var"), "warehouse": str(tmp_path / "warehouse.duckdb")},
    )


@pytest.fixture(scope="session")
def shared_feeds() -> Path:
    path = SHARED_DIR / "data" / "feeds"
    if not path.is_dir():
        pytest.skip("../shared/data/feeds is not beside the project")
    return path
