"""Figures of the real-Airflow runs, printed in the pytest summary and written to bench/out/."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsflow.config import PROJECT_ROOT

FIGURES = pytest.StashKey[list[dict[str, Any]]]()
FIGURES_FILE = PROJECT_ROOT / "bench" / "out" / "integration.json"


@pytest.fixture
def record_figure(request: pytest.FixtureRequest, tmp_path):
    """Record one run's figures: a summary line plus the numbers, also kept in the test's tmp dir."""

    def record(line: str, **numbers: Any) -> None:
        figure = {"test": request.node.nodeid, "line": line, **numbers}
        request.config.stash.setdefault(FIGURES, []).append(figure)
        (tmp_path / "figures.json").write_text(json.dumps(figure, indent=2) + "\n", encoding="utf-8")

    return record


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    figures = config.stash.get(FIGURES, [])
    if not figures:
        return
    terminalreporter.section("Airflow integration runs (newsflow_ingest on data/sample)")
    for figure in figures:
        terminalreporter.write_line(figure["line"])
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"(also in {FIGURES_FILE})")
