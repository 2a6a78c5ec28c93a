"""The run folder: where one batch's steps hand their output to the next.

Every step reads the files the previous steps wrote here and adds its own; only the
folder's path travels between Airflow tasks (never the data through XCom).  The file
names are spelled once, in :class:`RunFolder`, for the DAG, the CLI and the tests alike.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from newsflow.config import Settings
from newsflow.ingest.poison import MANIFEST_FILE, POISON_FILE, FileManifest, PoisonFiles
from newsflow.ingest.records import ARTICLE_COLUMNS, QUARANTINE_COLUMNS, Article, Quarantined


def as_utc(moment: datetime) -> datetime:
    """A plain ``datetime`` in UTC (pendulum and naive values included; naive means UTC)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(moment.timestamp(), tz=UTC)


@dataclass(frozen=True)
class BatchInfo:
    """Identity of one batch: its data interval."""

    interval_start: datetime
    interval_end: datetime

    @property
    def batch_id(self) -> str:
        return f"{self.interval_start:%Y%m%dT%H%M%SZ}_{self.interval_end:%Y%m%dT%H%M%SZ}"

    @classmethod
    def for_interval(cls, start: datetime | None, end: datetime | None) -> BatchInfo:
        """Normalise an Airflow data interval to UTC; a point interval (manual run) stays a point."""
        end_utc = as_utc(end) if end else datetime.now(tz=UTC)
        return cls(as_utc(start) if start else end_utc, end_utc)


@dataclass
class RunInfo:
    """What ``batch.json`` records: the batch and what extraction found for it."""

    batch: BatchInfo
    articles: int = 0
    quarantined: int = 0
    duplicates: int = 0
    ignored_files: int = 0
    skipped_files: dict[str, int] = field(default_factory=dict)  # files passed over, by reason
    not_modified_feeds: list[str] = field(default_factory=list)
    unchanged: int = 0  # articles already loaded with the same content: left out of the batch
    reused: int = 0  # exact copies of texts already enriched: their enrichment is reused
    # per source: source_name, articles (after de-duplication), quarantined (raw.batch_sources)
    sources: list[dict[str, Any]] = field(default_factory=list)
    backfill_of: str | None = None  # the extraction a backfill day was split from

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["batch"] = {
            "interval_start": self.batch.interval_start.isoformat(),
            "interval_end": self.batch.interval_end.isoformat(),
        }
        return {"batch_id": self.batch.batch_id, **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunInfo:
        batch = BatchInfo(
            datetime.fromisoformat(data["batch"]["interval_start"]),
            datetime.fromisoformat(data["batch"]["interval_end"]),
        )
        fields = {key: value for key, value in data.items() if key not in ("batch", "batch_id")}
        return cls(batch=batch, **fields)


@dataclass(frozen=True)
class RunFolder:
    """One batch's folder: a Parquet file per table, plus the run's JSON records.

    ``partitions/NNNN/`` are run folders of their own, each holding a slice of the articles
    for one mapped enrichment task.
    """

    path: Path

    INFO = "batch.json"
    VALIDATION = "validation.json"
    FEED_STATE = "feed_state.json"
    POISON = POISON_FILE
    MANIFEST = MANIFEST_FILE
    PAGE_STATE = "page_state.json"
    PARTITIONS = "partitions"
    REUSED = "reused"

    @classmethod
    def for_batch(cls, settings: Settings, batch: BatchInfo) -> RunFolder:
        """The batch's folder under the settings' run root, holding only its ``batch.json``:
        a re-run of the interval must not find the previous run's tables or verdict."""
        folder = cls(settings.run_root / re.sub(r"[^0-9A-Za-z_-]", "_", batch.batch_id))
        shutil.rmtree(folder.path, ignore_errors=True)
        folder.path.mkdir(parents=True)
        folder.write_info(RunInfo(batch=batch))
        return folder

    # Tables
    def table_path(self, name: str) -> Path:
        return self.path / f"{name}.parquet"

    def has_table(self, name: str) -> bool:
        return self.table_path(name).exists()

    def read_table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.table_path(name))

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_parquet(self.table_path(name), index=False)

    def table_names(self) -> list[str]:
        return sorted(path.stem for path in self.path.glob("*.parquet"))

    def read_tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the batch: one Parquet file each."""
        return {name: self.read_table(name) for name in self.table_names()}

    # Records
    def write_info(self, info: RunInfo) -> None:
        _write_json(self.path / self.INFO, info.to_json())

    def read_info(self) -> RunInfo:
        return RunInfo.from_json(_read_json(self.path / self.INFO))

    def write_verdict(self, verdict: dict[str, Any]) -> None:
        _write_json(self.path / self.VALIDATION, verdict)

    def read_verdict(self) -> dict[str, Any] | None:
        path = self.path / self.VALIDATION
        return _read_json(path) if path.exists() else None

    def write_feed_state(self, state: dict[str, dict[str, str]]) -> None:
        _write_json(self.path / self.FEED_STATE, state)

    def read_feed_state(self) -> dict[str, dict[str, str]]:
        return read_feed_state(self.path / self.FEED_STATE)

    def write_poison(self, poison: PoisonFiles) -> None:
        poison.save(self.path / self.POISON)

    def read_poison(self) -> PoisonFiles:
        """The poison files this run found (remembered once its batch is loaded)."""
        return PoisonFiles.load(self.path / self.POISON)

    def write_manifest(self, manifest: FileManifest) -> None:
        manifest.save(self.path / self.MANIFEST)

    def read_manifest(self) -> FileManifest:
        """The files this run read into articles (kept in the folder manifest once its batch is loaded)."""
        return FileManifest.load(self.path / self.MANIFEST)

    def write_page_state(self, state: dict[str, dict[str, str]]) -> None:
        _write_json(self.path / self.PAGE_STATE, state)

    def read_page_state(self) -> dict[str, dict[str, str]]:
        return read_feed_state(self.path / self.PAGE_STATE)

    # Partitions
    def new_partitions(self, count: int) -> list[RunFolder]:
        """``count`` empty partition folders, replacing any earlier split."""
        root = self.path / self.PARTITIONS
        shutil.rmtree(root, ignore_errors=True)
        parts = [RunFolder(root / f"{number:04d}") for number in range(count)]
        for part in parts:
            part.path.mkdir(parents=True)
        return parts

    def reused(self) -> RunFolder:
        """The folder of enrichment rows reused from the warehouse for copies of known texts."""
        return RunFolder(self.path / self.REUSED)

    def partitions(self) -> Iterator[RunFolder]:
        yield from (RunFolder(path) for path in sorted((self.path / self.PARTITIONS).glob("[0-9]*")))


def read_feed_state(path: Path) -> dict[str, dict[str, str]]:
    """Feed or page validators (ETag, Last-Modified; a page's entry date) by URL, as saved in
    ``path``; none if it is absent."""
    return _read_json(path) if path.exists() else {}


def write_feed_state(path: Path, state: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(path, state)


def articles_frame(articles: list[Article]) -> pd.DataFrame:
    """Article records as the ``articles`` table (UTC timestamps, integer word counts)."""
    frame = pd.DataFrame([a.as_row() for a in articles], columns=list(ARTICLE_COLUMNS))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame.astype({"word_count": "int64"})


def quarantine_frame(rows: list[Quarantined]) -> pd.DataFrame:
    """Quarantine records as the ``quarantine`` table, one row per distinct problem."""
    frame = pd.DataFrame([q.as_row() for q in rows], columns=list(QUARANTINE_COLUMNS))
    return frame.drop_duplicates("quarantine_id")


def quarantine_union(*frames: pd.DataFrame | None) -> pd.DataFrame:
    """Quarantine rows of several steps as one table, one row per ``quarantine_id``."""
    present = [f for f in frames if f is not None and not f.empty]
    if not present:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS)).astype("object")
    merged = pd.concat([f.reindex(columns=list(QUARANTINE_COLUMNS)) for f in present], ignore_index=True)
    return merged.drop_duplicates("quarantine_id")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
