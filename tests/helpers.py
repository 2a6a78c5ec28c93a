"""Paths and constants the tests share."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.config import PROJECT_ROOT

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
DAGS_DIR = PROJECT_ROOT / "dags"
SEEDS = {
    "afp": SAMPLE_DIR / "text" / "afp_kim_belousov_20241130.txt",
    "rewrite": SAMPLE_DIR / "text" / "korealedger_kim_belousov_20241130.txt",
}
REFERENCE_TIME = datetime(2024, 12, 4, tzinfo=UTC)
# Every table a run (and `newsflow enrich`) writes: one Parquet file each, named like the warehouse table.
BATCH_FILES = [
    "article_citations.parquet",
    "article_sentiment.parquet",
    "articles.parquet",
    "entities.parquet",
    "entity_sentiment.parquet",
    "mentions.parquet",
    "quarantine.parquet",
    "quotes.parquet",
    "stories.parquet",
    "story_links.parquet",
]
