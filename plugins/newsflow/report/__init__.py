"""Static HTML coverage report built from the marts: one self-contained, offline page."""

from newsflow.report.build import build_report

__all__ = ["build_report"]
