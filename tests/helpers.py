"""Paths, constants and set-ups the tests share."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.config import PROJECT_ROOT, Settings, load_settings

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
DAGS_DIR = PROJECT_ROOT / "dags"
SEEDS = {
    "afp": SAMPLE_DIR / "text" / "afp_kim_belousov_20241130.txt",
    "rewrite": SAMPLE_DIR / "text" / "korealedger_kim_belousov_20241130.txt",
}
REFERENCE_TIME = datetime(2024, 12, 4, tzinfo=UTC)
# The batch the sample's one-batch runs load (after the sample's last article).
SAMPLE_INTERVAL = (datetime(2024, 12, 5, tzinfo=UTC), datetime(2024, 12, 5, 1, tzinfo=UTC))
# Every table a run (and `newsflow enrich`) writes: one Parquet file each, named like the warehouse table.
BATCH_FILES = [
    "article_citations.parquet",
    "article_sentiment.parquet",
    "articles.parquet",
    "entities.parquet",
    "entity_sentiment.parquet",
    "mention_places.parquet",
    "mentions.parquet",
    "quarantine.parquet",
    "quotes.parquet",
    "stories.parquet",
    "story_links.parquet",
]


# Marts that record runs rather than content: two ways to load the same articles differ here.
# Also the batches themselves and what enrichment said per batch before the corpus-wide vote
# (each batch's partitions vote alone; the vote's results, staging.mentions and entities, agree),
# and so the label_vote rows of staging.entity_aliases (its other rules must agree: compared apart).
RUN_RECORDS = frozenset(
    {
        "marts.dq_results",
        "marts.ingest_health",
        "staging.batches",
        "staging.enriched_mentions",
        "staging.enriched_entities",
        "staging.enriched_entity_sentiment",
        "staging.enriched_quotes",
        "staging.entity_aliases",
    }
)


def warehouse_contents(path, schemas=("staging", "marts"), leave_out=(), skip_tables=()) -> dict[str, list[tuple]]:
    """Every row of every table of ``schemas`` in the warehouse at ``path``, sorted, by table.

    ``leave_out``: columns to leave out of every table (e.g. when or in which batch a row was
    loaded). Floats are rounded to 9 places: a sum over several batches adds in another order
    than one sum.
    """
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1",
            list(schemas),
        ).fetchall()
        contents = {}
        for (table,) in tables:
            if table in skip_tables:
                continue
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema || '.' || table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if name not in leave_out and f"{table}.{name}" not in leave_out
            ]
            rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
            contents[table] = sorted(
                (tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows), key=repr
            )
        return contents
    finally:
        con.close()


def run_settings(folder: Path, sources: list, **overrides: Any) -> Settings:
    """Settings for runs over ``sources`` with their var folder and warehouse (``w.duckdb``) in ``folder``."""
    base = {"sources": sources, "var_dir": str(folder / "var"), "warehouse": str(folder / "w.duckdb")}
    if os.environ.get("NEWSFLOW_CACHE_DIR"):  # the session's shared cache (tests/conftest.py)
        base["cache_dir"] = os.environ["NEWSFLOW_CACHE_DIR"]
    return load_settings(environ={}, overrides={**base, **overrides})


def folder_source(folder: Path, name: str) -> dict[str, str]:
    """A folder source named ``name`` (its files read through the manifest)."""
    return {"kind": "folder", "path": str(folder), "name": name}


def sample_settings(folder: Path) -> Settings:
    """Settings that read the bundled sample into a warehouse and var folder in ``folder``."""
    return run_settings(folder, [str(SAMPLE_DIR)])


def seed_rows() -> list[dict[str, str]]:
    """The seed articles as enrichment's input rows: article_id (the key in :data:`SEEDS`), text, language."""
    from newsflow.ingest.parsers import parse_text  # trafilatura & co: only for the tests that read the seeds

    rows = []
    for key, path in SEEDS.items():
        [item] = parse_text(path.read_bytes())
        rows.append({"article_id": key, "text": item["text"].strip(), "language": "en"})
    return rows


def run_sample(folder: Path) -> Path:
    """The sample through every step of the DAG as one batch (:data:`SAMPLE_INTERVAL`); returns the warehouse."""
    # the pipeline imports spaCy and the linker: only the tests that run it pay for them
    from newsflow.pipeline.run_folder import BatchInfo, RunFolder
    from newsflow.pipeline.steps import STEPS, run_steps

    settings = sample_settings(folder)
    run_steps(settings, RunFolder.for_batch(settings, BatchInfo(*SAMPLE_INTERVAL)), STEPS)
    return settings.warehouse_path
