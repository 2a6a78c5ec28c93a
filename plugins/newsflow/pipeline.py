"""The steps of one run, each reading the previous step's Parquet output in a run folder.

source -> article records (extract) -> enriched batch (enrich) -> validated batch
(validate) -> warehouse tables (load) -> marts (refresh).  The DAG calls one step per
task; the CLI calls them in a row.  Nothing here imports Airflow.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from newsflow.config import Settings
from newsflow.ingest.poison import POISON_FILE, PoisonFiles
from newsflow.ingest.records import ARTICLE_COLUMNS, QUARANTINE_COLUMNS, Article, Quarantined
from newsflow.ingest.sources import ExtractResult, extract_articles
from newsflow.ingest.urls import normalise_title
from newsflow.nlp.aliases import load_entity_list
from newsflow.nlp.citations import agency_of, credited_agency, find_citations
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.stories import WINDOW, Link, StoryArticle, StoryLinker, build_stories
from newsflow.quality.validate import raise_for_failures, split_failed_rows, validate_batch
from newsflow.warehouse import db
from newsflow.warehouse.snapshots import SnapshotError, publish_snapshot

log = logging.getLogger(__name__)

FEED_STATE_FILE = "feed_state.json"
PARTITIONS_DIR = "partitions"
LINK_COLUMNS = ("article_id", "other_article_id", "kind", "similarity")
STORY_COLUMNS = ("story_id", "article_id", "is_origin", "copy_kind", "is_copy", "agency")


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

    def to_json(self) -> dict[str, str]:
        return {"interval_start": self.interval_start.isoformat(), "interval_end": self.interval_end.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> BatchInfo:
        return cls(datetime.fromisoformat(data["interval_start"]), datetime.fromisoformat(data["interval_end"]))


def as_utc(moment: datetime) -> datetime:
    """A plain ``datetime`` in UTC (pendulum and naive values included; naive means UTC)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(moment.timestamp(), tz=UTC)


def run_dir_for(settings: Settings, batch: BatchInfo) -> Path:
    return settings.run_root / re.sub(r"[^0-9A-Za-z_-]", "_", batch.batch_id)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def articles_frame(articles: list[Article]) -> pd.DataFrame:
    frame = pd.DataFrame([a.as_row() for a in articles], columns=list(ARTICLE_COLUMNS))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame.astype({"word_count": "int64"})


def quarantine_frame(rows: list[Quarantined]) -> pd.DataFrame:
    frame = pd.DataFrame([q.as_row() for q in rows], columns=list(QUARANTINE_COLUMNS))
    return frame.drop_duplicates("quarantine_id")


def _feed_state(settings: Settings) -> dict[str, dict[str, str]]:
    path = settings.state_dir / FEED_STATE_FILE
    return _read_json(path) if path.exists() else {}


def extract_step(settings: Settings, batch: BatchInfo) -> Path:
    """Read every source for the batch; writes articles/quarantine Parquet; returns the run folder."""
    run_dir = run_dir_for(settings, batch)
    run_dir.mkdir(parents=True, exist_ok=True)
    known_poison = PoisonFiles.load(settings.state_dir / POISON_FILE)
    result: ExtractResult = extract_articles(settings, batch.interval_end, _feed_state(settings), known_poison)
    articles_frame(result.articles).to_parquet(run_dir / "articles.parquet", index=False)
    quarantine_frame(result.quarantined).to_parquet(run_dir / "quarantine.parquet", index=False)
    _write_json(run_dir / FEED_STATE_FILE, result.feed_state)
    result.poison.save(run_dir / POISON_FILE)
    _write_json(
        run_dir / "batch.json",
        {
            **batch.to_json(),
            "batch_id": batch.batch_id,
            "articles": len(result.articles),
            "quarantined": len(result.quarantined),
            "duplicates": result.duplicates,
            "ignored_files": result.ignored_files,
            "skipped_files": dict(result.skipped),
            "not_modified_feeds": result.not_modified,
        },
    )
    log.info("extracted %d articles, quarantined %d", len(result.articles), len(result.quarantined))
    return run_dir


def read_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of the batch: one Parquet file each in the run folder."""
    return {path.stem: pd.read_parquet(path) for path in sorted(run_dir.glob("*.parquet"))}


def partition_step(settings: Settings, run_dir: Path) -> list[Path]:
    """Split the batch's articles into folders of at most ``enrich_partition_size`` articles.

    Each folder is enriched by its own (mapped) task, so several workers share a batch;
    an empty batch still makes one (empty) partition.  A re-run starts from a clean split.
    """
    articles = pd.read_parquet(run_dir / "articles.parquet")
    root = run_dir / PARTITIONS_DIR
    shutil.rmtree(root, ignore_errors=True)
    size = settings.enrich_partition_size
    partitions = []
    for number, start in enumerate(range(0, max(len(articles), 1), size)):
        partition = root / f"{number:04d}"
        partition.mkdir(parents=True)
        articles.iloc[start : start + size].to_parquet(partition / "articles.parquet", index=False)
        partitions.append(partition)
    log.info("split %d articles into %d partitions of up to %d", len(articles), len(partitions), size)
    return partitions


def enrich_step(settings: Settings, run_dir: Path) -> Path:
    """NER and sentiment over the extracted articles of a run (or partition) folder;
    writes one Parquet file per table next to them.

    An article whose enrichment fails is moved from ``articles`` to ``quarantine`` (added to
    what the folder's quarantine already holds, so a re-run keeps it), and the rest go on.
    """
    articles = pd.read_parquet(run_dir / "articles.parquet")
    tables = enriched_tables(articles, _read_if_exists(run_dir / "quarantine.parquet"), settings)
    for name, frame in tables.items():
        frame.to_parquet(run_dir / f"{name}.parquet", index=False)
    return run_dir


def enriched_tables(
    articles: pd.DataFrame, quarantine: pd.DataFrame | None, settings: Settings
) -> dict[str, pd.DataFrame]:
    """The enrichment tables plus ``articles`` and ``quarantine``, articles whose enrichment
    failed moved from the first to the second."""
    tables = enrich_settings_batch(articles, settings)
    failed = tables.pop("quarantine")
    tables["articles"] = articles[~articles["article_id"].isin(failed["article_id"])]
    tables["quarantine"] = quarantine_union(quarantine, failed[list(QUARANTINE_COLUMNS)])
    return tables


def _read_if_exists(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


def quarantine_union(*frames: pd.DataFrame | None) -> pd.DataFrame:
    """Quarantine rows of several steps as one table, one row per ``quarantine_id``."""
    present = [f for f in frames if f is not None and not f.empty]
    if not present:
        return pd.DataFrame(columns=list(QUARANTINE_COLUMNS)).astype("object")
    merged = pd.concat([f.reindex(columns=list(QUARANTINE_COLUMNS)) for f in present], ignore_index=True)
    return merged.drop_duplicates("quarantine_id")


def merge_step(run_dir: Path, partitions: list[Path]) -> Path:
    """Gather the enriched partitions into the run folder: one Parquet file per table.

    Entities found in several partitions become one row with every surface form; the
    partitions' quarantine rows (failed enrichment) join the run's.
    """
    names = sorted({path.stem for part in partitions for path in part.glob("*.parquet")})
    for name in names:
        frames = [
            pd.read_parquet(part / f"{name}.parquet") for part in partitions if (part / f"{name}.parquet").exists()
        ]
        if name == "quarantine":
            merged = quarantine_union(_read_if_exists(run_dir / "quarantine.parquet"), *frames)
        else:
            merged = pd.concat(frames, ignore_index=True)
        if name == "entities":
            merged = merge_entity_rows(merged)
        merged.to_parquet(run_dir / f"{name}.parquet", index=False)
    return run_dir


def merge_entity_rows(entities: pd.DataFrame) -> pd.DataFrame:
    """One row per ``entity_id``: the first name and label seen, the union of the aliases."""
    aliases = entities.groupby("entity_id", sort=False)["aliases"].agg(
        lambda forms: sorted({form for found in forms for form in found})
    )
    first = entities.drop_duplicates("entity_id").set_index("entity_id")
    return first.assign(aliases=aliases).reset_index()[list(entities.columns)]


def enrich_settings_batch(articles: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """:func:`enrich_batch` with the model, alias table and watchlist the settings name."""
    return enrich_batch(
        articles,
        settings.spacy_model,
        settings.nlp_batch_size,
        aliases=load_entity_list(settings.aliases_path),
        watchlist=load_entity_list(settings.watchlist_path),
    )


def _batch_story_articles(
    tables: dict[str, pd.DataFrame], ingested_at: datetime
) -> tuple[list[StoryArticle], pd.DataFrame]:
    """The batch's articles as linking sees them, and their citations table."""
    articles = tables["articles"]
    mentions = tables["mentions"].merge(tables["entities"][["entity_id", "name"]], on="entity_id")
    by_article = {article_id: group for article_id, group in mentions.groupby("article_id")}
    story_articles, citations = [], []
    for row in articles.itertuples(index=False):
        found = by_article.get(row.article_id, mentions.iloc[0:0])
        orgs = found[found["label"] == "ORG"]
        cited = find_citations(
            row.text,
            row.author if isinstance(row.author, str) else None,
            list(zip(orgs["name"], orgs["start_char"], orgs["end_char"], strict=True)),
        )
        citations.extend({"article_id": row.article_id, **asdict(c)} for c in cited)
        seen_at = row.published_at.to_pydatetime() if row.date_flag == "ok" else ingested_at
        story_articles.append(
            StoryArticle(
                article_id=row.article_id,
                outlet=row.outlet,
                seen_at=seen_at,
                text=row.text,
                content_hash=row.content_hash,
                title=normalise_title(row.title, row.outlet),
                entities=set(zip(found["label"], found["name"], strict=True)),
                agency=agency_of(row.outlet) or credited_agency(cited),
            )
        )
    columns = ["article_id", "source", "kind", "is_agency", "start_char", "evidence"]
    return story_articles, pd.DataFrame(citations, columns=columns).astype({"start_char": "int64"})


def _empty_history() -> dict[str, pd.DataFrame]:
    return {
        "articles": pd.DataFrame(columns=["article_id", "outlet", "seen_at", "content_hash", "title", "agency"]),
        "window": pd.DataFrame(columns=["article_id", "text", "entities"]),
        "links": pd.DataFrame(columns=list(LINK_COLUMNS)),
    }


def link_batch(
    tables: dict[str, pd.DataFrame], ingested_at: datetime, history: dict[str, pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """Citations, same-story links and stories for an enriched batch.

    Links connect batch articles to each other and to the ``history`` window (articles of
    earlier batches); stories are recomputed over every article, so a new article can
    join or merge stories of earlier batches.  Returns ``article_citations``,
    ``story_links`` and ``stories``.
    """
    batch_articles, citations = _batch_story_articles(tables, ingested_at)
    history = history or _empty_history()
    earlier = {
        row.article_id: StoryArticle(
            article_id=row.article_id,
            outlet=row.outlet,
            seen_at=pd.Timestamp(row.seen_at).to_pydatetime(),
            text="",
            content_hash=row.content_hash,
            title=normalise_title(row.title, row.outlet),
            agency=agency_of(row.outlet) or (row.agency if isinstance(row.agency, str) else None),
        )
        for row in history["articles"].itertuples(index=False)
    }
    for row in history["window"].itertuples(index=False):
        article = earlier[row.article_id]
        article.text = row.text
        article.entities = {(label, name) for label, name in (row.entities if row.entities is not None else [])}
    linker = StoryLinker()
    linker.add(earlier[article_id] for article_id in history["window"]["article_id"])
    linker.add(batch_articles)
    new_links = linker.link(a.article_id for a in batch_articles)
    old_links = [Link(*row) for row in history["links"][list(LINK_COLUMNS)].itertuples(index=False)]
    stories = build_stories({**earlier, **{a.article_id: a for a in batch_articles}}, [*old_links, *new_links])
    log.info(
        "linked %d pairs; %d articles in %d stories", len(new_links), len(stories), len({m.story_id for m in stories})
    )
    return {
        "article_citations": citations,
        "story_links": pd.DataFrame([asdict(x) for x in new_links], columns=list(LINK_COLUMNS)).astype(
            {"similarity": "float64"}
        ),
        "stories": pd.DataFrame([asdict(m) for m in stories], columns=list(STORY_COLUMNS)),
    }


def link_step(settings: Settings, run_dir: Path) -> Path:
    """Link the batch to itself and to earlier batches; writes three more Parquet tables."""
    batch = BatchInfo.from_json(_read_json(run_dir / "batch.json"))
    tables = read_tables(run_dir)
    history = None
    if settings.warehouse_path.exists() and not tables["articles"].empty:
        times = tables["articles"]["published_at"].where(tables["articles"]["date_flag"] == "ok")
        times = times.fillna(pd.Timestamp(batch.interval_end))
        with db.connect(settings.warehouse_path, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
            history = db.story_history(
                con, times.min() - WINDOW, times.max() + WINDOW, tables["articles"]["article_id"].tolist()
            )
    for name, frame in link_batch(tables, batch.interval_end, history).items():
        frame.to_parquet(run_dir / f"{name}.parquet", index=False)
    return run_dir


def validate_step(settings: Settings, run_dir: Path) -> dict[str, Any]:
    """Audit the batch with its GX suites; records results; raises when the batch fails.

    Rows that break a row-level expectation are quarantined with their article and the
    batch's Parquet files are rewritten without them (write-audit-publish per row); a
    table-level failure raises and nothing is published.  An empty batch (nothing new in
    any source) has nothing to audit and is marked so.
    """
    info = _read_json(run_dir / "batch.json")
    batch = BatchInfo.from_json(info)
    tables = read_tables(run_dir)
    if tables["articles"].empty:
        verdict = {"status": "empty", "success": True, "failures": []}
        _write_json(run_dir / "validation.json", verdict)
        return verdict
    outcome = validate_batch(
        tables, gx_root=settings.gx_root, batch_id=batch.batch_id, reference_time=batch.interval_end
    )
    with db.connect(settings.warehouse_path, lock_timeout_s=settings.lock_timeout_s) as con:
        db.record_validation(con, outcome.results)
    quarantined: list[Quarantined] = []
    if outcome.publishable and outcome.row_failures:
        kept, quarantined = split_failed_rows(tables, outcome.row_failures)
        kept["quarantine"] = quarantine_union(kept["quarantine"], quarantine_frame(quarantined))
        for name, frame in kept.items():
            frame.to_parquet(run_dir / f"{name}.parquet", index=False)
        log.warning(
            "validation quarantined %d articles (row-level expectations): %s",
            len(quarantined),
            "; ".join(f.expectation for f in outcome.row_failures),
        )
    status = "passed" if outcome.success else "quarantined rows" if outcome.publishable else "failed"
    verdict = {
        "status": status,
        "success": outcome.publishable,
        "validation_id": outcome.validation_id,
        "failures": outcome.failures,
        "table_failures": outcome.table_failures,
        "quarantined_articles": len(quarantined),
        "data_docs_url": outcome.data_docs_url,
    }
    _write_json(run_dir / "validation.json", verdict)
    raise_for_failures(outcome)
    return verdict


def load_step(settings: Settings, run_dir: Path) -> dict[str, int]:
    """Publish a validated batch to the warehouse in one transaction, then keep the feed validators."""
    verdict_path = run_dir / "validation.json"
    if not verdict_path.exists() or not _read_json(verdict_path)["success"]:
        raise RuntimeError(f"batch in {run_dir} has not passed validation; refusing to load it")
    info = _read_json(run_dir / "batch.json")
    batch = BatchInfo.from_json(info)
    tables = read_tables(run_dir)
    with db.connect(settings.warehouse_path, lock_timeout_s=settings.lock_timeout_s) as con:
        counts = db.load_batch(
            con,
            batch_id=batch.batch_id,
            interval_start=batch.interval_start,
            interval_end=batch.interval_end,
            tables=tables,
            duplicates=info["duplicates"],
        )
    # Only now may the next fetch be conditional: a failed load must refetch these entries.
    state = _feed_state(settings)
    state.update(_read_json(run_dir / FEED_STATE_FILE))
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _write_json(settings.state_dir / FEED_STATE_FILE, state)
    # Likewise the poison files: skipped from now on, since their quarantine rows are stored.
    poison = PoisonFiles.load(settings.state_dir / POISON_FILE)
    poison.update(PoisonFiles.load(run_dir / POISON_FILE))
    poison.save(settings.state_dir / POISON_FILE)
    return counts


def refresh_step(settings: Settings) -> dict[str, int]:
    """Rebuild the marts from staging, then publish the read-only snapshot analysts open.

    A snapshot that cannot be published is logged, not raised: the load and the marts are
    committed, readers keep the previous snapshot, and the next refresh publishes again.
    """
    with db.connect(settings.warehouse_path, lock_timeout_s=settings.lock_timeout_s) as con:
        counts = db.refresh_marts(con)
        try:
            publish_snapshot(con, settings.warehouse_path, settings.published_path)
        except (OSError, duckdb.Error, SnapshotError) as exc:
            log.error(
                "marts refreshed, but no snapshot was published to %s (%s); readers keep the previous one "
                "and the next refresh publishes again",
                settings.published_path,
                exc,
            )
    return counts


def summarise(settings: Settings, top: int = 10) -> dict[str, Any]:
    """What analysts see (the published snapshot, else the warehouse): counts, top entities, where the files are."""
    with db.connect(settings.reader_path, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
        counts = db.table_counts(con)
        top_entities = con.execute(
            "select e.name, e.label, count(*) as mentions, count(distinct m.article_id) as articles "
            "from staging.mentions m join staging.entities e using (entity_id) "
            "group by all order by mentions desc, e.name limit ?",
            [top],
        ).fetchall()
        reasons = con.execute(
            "select reason, count(*) from raw.quarantine group by reason order by 2 desc, 1"
        ).fetchall()
        outlets = con.execute("select count(distinct outlet) from staging.articles").fetchone()[0]
        dq = con.execute("select count(*), count(*) filter (where success) from marts.dq_results").fetchone()
        stories = con.execute(
            "select count(*), coalesce(sum(copies), 0) from marts.story_spread where articles > 1"
        ).fetchone()
    return {
        "articles_loaded": counts.get("staging.articles", 0),
        "outlets": outlets,
        "quarantined": counts.get("raw.quarantine", 0),
        "quarantine_reasons": reasons,
        "top_entities": top_entities,
        "validations": {"runs": dq[0], "passed": dq[1]},
        "stories": {"multi_article": stories[0], "copies": stories[1]},
        "table_counts": counts,
        "warehouse": str(settings.warehouse_path),
        "read_from": str(settings.reader_path),
        "data_docs": str(settings.data_docs_index),
    }
