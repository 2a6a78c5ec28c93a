"""Backfill a date range one UTC day at a time with the DAG's own steps.

Why days: the marts' grain is a UTC day, so a daily batch is the unit an analyst reasons
about; each day is audited on its own (a day that breaks its suites is held back while the
others publish) and re-running a day replaces just that day.  Hourly batches would multiply
the validation runs by 24 for nothing an analyst can see.

How: the sources are read once (the ``extract_articles`` step, dated against now, as a
scheduled run would), the articles are split by publication day into one run folder per
day, and each folder goes through every later step of :data:`~newsflow.pipeline.steps.STEPS`
in order, as a DAG run would: partition, enrich, merge, link (to the days loaded before
it), validate and load.  The marts are refreshed once at the end.  Articles without a
trustworthy date belong to no day and are left out (a normal ``run`` loads them); so are
articles dated outside the range.  So a backfill never adds to the folder manifest: a file
it read may hold articles it left out, which the next run must still read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from tqdm import tqdm

from newsflow.config import Settings
from newsflow.pipeline.run_folder import BatchInfo, RunFolder, RunInfo
from newsflow.pipeline.steps import STEPS, run_steps
from newsflow.quality.validate import BatchValidationError

log = logging.getLogger(__name__)

EXTRACT, *PER_DAY, REFRESH = STEPS


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


def split_by_day(
    settings: Settings, extracted: RunFolder, batches: list[BatchInfo]
) -> tuple[list[RunFolder], int, int]:
    """One run folder per batch holding the extracted articles published in it.

    The quarantine and duplicate count go with the first day only, so they are loaded once.
    Returns the folders, and how many articles were undated or dated outside the range.
    """
    articles = extracted.read_table("articles")
    quarantine = extracted.read_table("quarantine")
    info = extracted.read_info()
    dated = articles[articles["date_flag"].eq("ok") & articles["published_at"].notna()]
    folders, placed = [], 0
    for i, batch in enumerate(batches):
        published = dated["published_at"]
        day = dated[(published >= batch.interval_start) & (published < batch.interval_end)]
        placed += len(day)
        first = i == 0
        folder = RunFolder.for_batch(settings, batch)
        folder.write_table("articles", day)
        folder.write_table("quarantine", quarantine if first else quarantine.iloc[0:0])
        folder.write_feed_state(extracted.read_feed_state())
        folder.write_page_state(extracted.read_page_state())
        if first:  # remembered with the quarantine rows they explain
            folder.write_poison(extracted.read_poison())
        folder.write_info(
            RunInfo(
                batch=batch,
                articles=len(day),
                quarantined=len(quarantine) if first else 0,
                duplicates=info.duplicates if first else 0,
                ignored_files=info.ignored_files if first else 0,
                skipped_files=info.skipped_files if first else {},
                backfill_of=str(extracted.path),
            )
        )
        folders.append(folder)
    return folders, len(articles) - len(dated), len(dated) - placed


def backfill(settings: Settings, first: date, last: date, *, progress: bool = True) -> BackfillResult:
    """Extract once, then run the later steps on each day from ``first`` to ``last``; refresh the marts."""
    batches = daily_batches(first, last)
    extracted = RunFolder.for_batch(settings, BatchInfo(batches[0].interval_start, datetime.now(tz=UTC)))
    EXTRACT.run(settings, extracted)
    folders, undated, outside = split_by_day(settings, extracted, batches)
    result = BackfillResult(days=len(batches), undated=undated, outside_range=outside)
    bar = tqdm(list(zip(batches, folders, strict=True)), desc="backfill", unit="day", disable=not progress)
    for batch, folder in bar:
        bar.set_postfix_str(f"{batch.interval_start:%Y-%m-%d}, {result.articles_loaded} articles loaded")
        try:
            done = run_steps(settings, folder, PER_DAY)
        except BatchValidationError as exc:
            result.failed[batch.interval_start.date()] = str(exc)
            log.warning("%s held back: %s", batch.interval_start.date(), exc)
            continue
        result.articles_loaded += done["load_batch"]["articles"]
    result.marts = REFRESH.run(settings, folders[-1])
    return result
