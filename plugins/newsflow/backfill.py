"""Backfill a date range one UTC day at a time with the DAG's own steps.

Why days: the marts' grain is a UTC day, so a daily batch is the unit an analyst reasons
about; each day is audited on its own (a day that breaks its suites is held back while the
others publish) and re-running a day replaces just that day.  Hourly batches would multiply
the validation runs by 24 for nothing an analyst can see.

How: the sources are read once (``extract_step``, dated against now, as a scheduled run
would), the articles are split by publication day into one run folder per day, and each
folder goes through ``enrich_step``, ``validate_step`` and ``load_step``; the marts are
rebuilt once at the end (``refresh_step``) since they are rebuilt from staging in full
anyway.  Articles without a trustworthy date belong to no day and are left out (a normal
``run`` loads them); so are articles dated outside the range.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from newsflow.config import Settings
from newsflow.ingest.poison import POISON_FILE
from newsflow.pipeline import (
    FEED_STATE_FILE,
    BatchInfo,
    enrich_step,
    extract_step,
    load_step,
    refresh_step,
    run_dir_for,
    validate_step,
)
from newsflow.quality.validate import BatchValidationError

log = logging.getLogger(__name__)


@dataclass
class BackfillResult:
    """What a backfill did; ``failed`` maps a day to why it was held back."""

    days: int = 0
    articles_loaded: int = 0
    outside_range: int = 0
    undated: int = 0
    failed: dict[date, str] = field(default_factory=dict)
    marts: dict[str, int] = field(default_factory=dict)


def daily_batches(first: date, last: date) -> list[BatchInfo]:
    """One batch per UTC day from ``first`` to ``last`` inclusive."""
    if last < first:
        raise ValueError(f"--to ({last}) is before --from ({first})")
    start = datetime.combine(first, time(), tzinfo=UTC)
    return [BatchInfo(start + timedelta(days=i), start + timedelta(days=i + 1)) for i in range((last - first).days + 1)]


def split_by_day(settings: Settings, extracted: Path, batches: list[BatchInfo]) -> tuple[list[Path], int, int]:
    """Write one run folder per batch holding the extracted articles published in it.

    The quarantine and duplicate count go with the first day only, so they are loaded once.
    Returns the folders, and how many articles were undated or dated outside the range.
    """
    articles = pd.read_parquet(extracted / "articles.parquet")
    quarantine = pd.read_parquet(extracted / "quarantine.parquet")
    info = json.loads((extracted / "batch.json").read_text(encoding="utf-8"))
    dated = articles[articles["date_flag"].eq("ok") & articles["published_at"].notna()]
    folders, placed = [], 0
    for i, batch in enumerate(batches):
        published = dated["published_at"]
        day = dated[(published >= batch.interval_start) & (published < batch.interval_end)]
        placed += len(day)
        folder = run_dir_for(settings, batch)
        folder.mkdir(parents=True, exist_ok=True)
        day.to_parquet(folder / "articles.parquet", index=False)
        (quarantine if i == 0 else quarantine.iloc[0:0]).to_parquet(folder / "quarantine.parquet", index=False)
        shutil.copyfile(extracted / FEED_STATE_FILE, folder / FEED_STATE_FILE)
        if i == 0 and (extracted / POISON_FILE).exists():  # remembered with the quarantine rows
            shutil.copyfile(extracted / POISON_FILE, folder / POISON_FILE)
        counts = {
            "articles": len(day),
            "quarantined": len(quarantine) if i == 0 else 0,
            "duplicates": info["duplicates"] if i == 0 else 0,
        }
        batch_json = {**batch.to_json(), "batch_id": batch.batch_id, **counts, "backfill_of": str(extracted)}
        (folder / "batch.json").write_text(json.dumps(batch_json, indent=2) + "\n", encoding="utf-8")
        folders.append(folder)
    return folders, len(articles) - len(dated), len(dated) - placed


def backfill(settings: Settings, first: date, last: date, *, progress: bool = True) -> BackfillResult:
    """Extract once, then enrich, validate and load each day from ``first`` to ``last``; refresh the marts."""
    batches = daily_batches(first, last)
    extracted = extract_step(settings, BatchInfo(batches[0].interval_start, datetime.now(tz=UTC)))
    folders, undated, outside = split_by_day(settings, extracted, batches)
    result = BackfillResult(days=len(batches), undated=undated, outside_range=outside)
    bar = tqdm(list(zip(batches, folders, strict=True)), desc="backfill", unit="day", disable=not progress)
    for batch, folder in bar:
        bar.set_postfix_str(f"{batch.interval_start:%Y-%m-%d}, {result.articles_loaded} articles loaded")
        enrich_step(settings, folder)
        try:
            validate_step(settings, folder)
        except BatchValidationError as exc:
            result.failed[batch.interval_start.date()] = str(exc)
            log.warning("%s held back: %s", batch.interval_start.date(), exc)
            continue
        result.articles_loaded += load_step(settings, folder)["articles"]
    result.marts = refresh_step(settings)
    return result
