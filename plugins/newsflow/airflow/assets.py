"""Names shared by DAG files; cheap to import at parse time (no Airflow, no I/O)."""

from __future__ import annotations

import os

WAREHOUSE_POOL = "newsflow_warehouse"


def warehouse_uri() -> str:
    """URI of the warehouse Asset; an env var so that parsing reads no file or database."""
    return os.environ.get("NEWSFLOW_WAREHOUSE_URI", "file:///newsflow/warehouse.duckdb")


def ingest_schedule() -> str | None:
    """The ingest DAG's schedule from ``NEWSFLOW_SCHEDULE`` (default ``@hourly``); ``none``: manual runs only."""
    value = os.environ.get("NEWSFLOW_SCHEDULE", "@hourly").strip()
    return None if value.lower() in ("", "none") else value


def warehouse_task() -> dict[str, str]:
    """Arguments of every task that opens the warehouse file: the single-slot pool, and the
    queue named by ``NEWSFLOW_WAREHOUSE_QUEUE`` if set, so that with Celery only the worker on
    the machine that holds the DuckDB file runs them (docs/deploy.md, "a warehouse host")."""
    queue = os.environ.get("NEWSFLOW_WAREHOUSE_QUEUE", "").strip()
    return {"pool": WAREHOUSE_POOL, **({"queue": queue} if queue else {})}
