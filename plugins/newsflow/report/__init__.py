"""Static HTML coverage report built from the marts: one self-contained, offline page."""

from __future__ import annotations

from typing import Any

__all__ = ["build_report"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the report's charts load Altair and its schema (half a second),
    # which the pipeline's steps, importing newsflow.report.vega for the Data Docs, never need.
    if name == "build_report":
        from newsflow.report.build import build_report

        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
