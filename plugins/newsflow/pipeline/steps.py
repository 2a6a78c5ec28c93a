"""The steps of one run, in order: :data:`STEPS` is the one list the DAG and the CLI follow.

source -> article records (extract) -> partitions -> enriched partitions (enrich, mapped)
-> enriched batch (merge) -> linked batch (link) -> validated batch (validate) ->
warehouse tables (load) -> marts (refresh).  Each step reads what the steps before it
wrote in the run folder (:class:`~newsflow.pipeline.run_folder.RunFolder`) and adds its
own files.  The DAG runs one step per task; :func:`run_steps` runs them in a row in
this process.  Nothing here imports Airflow, and the models' libraries (spaCy for
enrichment, datasketch and SciPy for linking) are imported by the steps that use them: a
task runs in a process that may run no other step, and a run with nothing new to analyse
should not pay seconds of imports in extraction.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import pandas as pd

from newsflow.config import Settings
from newsflow.ingest.poison import FileManifest, PoisonFiles
from newsflow.ingest.records import Quarantined, failure_reason
from newsflow.ingest.sources import ExtractResult, extract_articles
from newsflow.memory import releases_memory
from newsflow.nlp.aliases import EntityList, load_entity_list
from newsflow.pipeline.run_folder import (
    RunFolder,
    articles_frame,
    quarantine_frame,
    quarantine_union,
    read_feed_state,
    write_feed_state,
)
from newsflow.quality.datadocs import OfflineAssetError, localise_site
from newsflow.quality.validate import (
    drop_articles,
    gx_folder_lock,
    raise_for_failures,
    split_failed_rows,
    validate_batch,
)
from newsflow.warehouse import db
from newsflow.warehouse.enriched import ENRICHMENT_TABLES, already_loaded, enrichment_of_copies
from newsflow.warehouse.snapshots import SnapshotError, publish_snapshot

log = logging.getLogger(__name__)
# What an operator watching a run should see (the console of `python -m newsflow run` shows
# this logger, errors and newsflow's own warnings; everything else goes to the run's log file).
progress = logging.getLogger("newsflow.progress")

# Seconds by which a file's modification time may precede the clock reading taken before writing it.
MTIME_MARGIN_S = 2.0
# Below this many articles per process, a spawned worker, which loads the models itself (seconds),
# costs more than it saves.  A forked one shares its parent's (see enrich_workers).
MIN_ARTICLES_PER_SPAWNED_PROCESS = 50


@releases_memory
def extract_step(settings: Settings, run: RunFolder) -> None:
    """Read every source for the batch; writes the ``articles`` and ``quarantine`` tables.

    Files of the folder manifest unchanged since they were loaded are skipped unread, unless
    the warehouse they were loaded into is absent or ``full_refresh`` asks to read everything.
    """
    info = run.read_info()
    state = read_feed_state(settings.state_dir / RunFolder.FEED_STATE)
    pages = read_feed_state(settings.state_dir / RunFolder.PAGE_STATE)
    known_poison = PoisonFiles.load(settings.state_dir / RunFolder.POISON)
    manifest = FileManifest(str(settings.warehouse_path))
    if not settings.full_refresh and settings.warehouse_path.exists():
        manifest = FileManifest.load(settings.state_dir / RunFolder.MANIFEST, settings.warehouse_path)
    result: ExtractResult = extract_articles(settings, info.batch.interval_end, state, pages, known_poison, manifest)
    run.write_table("articles", articles_frame(result.articles))
    run.write_table("quarantine", quarantine_frame(result.quarantined))
    run.write_feed_state(result.feed_state)
    run.write_page_state(result.page_state)
    run.write_poison(result.poison)
    run.write_manifest(replace(result.manifest, warehouse=str(settings.warehouse_path)))
    info.articles, info.quarantined = len(result.articles), len(result.quarantined)
    info.duplicates, info.ignored_files = result.duplicates, result.ignored_files
    info.skipped_files = dict(result.skipped)
    info.not_modified_feeds = list(result.not_modified)
    info.sources = source_counts(settings, result)
    run.write_info(info)
    log_extraction(result)


def source_counts(settings: Settings, result: ExtractResult) -> list[dict[str, Any]]:
    """Per source: the articles extracted from it and the entries quarantined."""
    articles = Counter(a.source_name for a in result.articles)
    quarantined = Counter(q.source_name for q in result.quarantined)
    configured = [s.name for s in settings.sources]
    names = configured + sorted((set(articles) | set(quarantined)) - set(configured))
    return [{"source_name": n, "articles": articles[n], "quarantined": quarantined[n]} for n in names]


def log_extraction(result: ExtractResult) -> None:
    """One line for what was read, then one per quarantine reason class (each entry is logged at INFO)."""
    progress.info(
        "extract: read %d articles (%d duplicates dropped), quarantined %d entries, skipped %s",
        len(result.articles),
        result.duplicates,
        len(result.quarantined),
        ", ".join(f"{count} files ({why})" for why, count in sorted(result.skipped.items())) or "no files",
    )
    by_class: dict[str, list[Quarantined]] = {}
    for row in result.quarantined:
        by_class.setdefault(row.reason_class, []).append(row)
    for name, rows in sorted(by_class.items(), key=lambda item: (-len(item[1]), item[0])):
        progress.info(
            "extract: quarantined %d x %s, e.g. %s: %s", len(rows), name, rows[0].source_location, rows[0].reason
        )
    if result.pages_fetched or result.pages_already_loaded:
        progress.info(
            "extract: followed entries to %d pages; %d pages already loaded were not fetched again",
            result.pages_fetched,
            result.pages_already_loaded,
        )


@releases_memory
def select_new_step(settings: Settings, run: RunFolder) -> dict[str, int]:
    """Send to the models only texts they have not analysed (``full_refresh``: every text).

    Against the warehouse: an article loaded before with the same content is left out
    (``unchanged``), and so is the same outlet's same text under another URL (a
    ``duplicate``, as the extractor drops one within a batch); another outlet's exact copy
    of a loaded text stays, with that text's enrichment re-keyed to it.  Within the batch:
    of the articles sharing one text, the first (smallest id) is enriched and the others
    take its rows at merge.  Both kinds of copies count as ``reused``.
    """
    articles = run.read_table("articles")
    info = run.read_info()
    reused = run.reused()
    shutil.rmtree(reused.path, ignore_errors=True)
    reused.path.mkdir(parents=True)
    known = pd.Series(None, index=articles.index, dtype="object")
    checks_warehouse = not settings.full_refresh and not articles.empty
    if checks_warehouse and db.has_staging(settings.warehouse_path, settings.lock_timeout_s):
        with db.open_warehouse(settings, read_only=True) as con:
            known = already_loaded(con, articles)
            articles = articles[known.isna()]
            for name, frame in enrichment_of_copies(con, articles).items():
                reused.write_table(name, frame)
    copied = set(reused.read_table("articles")["article_id"]) if reused.has_table("articles") else set()
    within = copies_within(articles[~articles["article_id"].isin(copied)])
    reused.write_table("copies", within)
    duplicates = int(known.eq("duplicate").sum())
    info.unchanged, info.reused = int(known.eq("unchanged").sum()), len(copied) + len(within)
    info.duplicates += duplicates
    run.write_table("articles", articles)
    run.write_info(info)
    progress.info(
        "select: %d articles to enrich; %d copies of texts already enriched; left out: %d unchanged, %d duplicates",
        len(articles) - info.reused,
        info.reused,
        info.unchanged,
        duplicates,
    )
    return {"articles": len(articles), "reused": info.reused, "unchanged": info.unchanged}


def copies_within(articles: pd.DataFrame) -> pd.DataFrame:
    """``article_id`` -> ``source_article_id`` for every article whose text another article
    of the batch with a smaller id also has (the source is the smallest id of the text)."""
    keys = articles[["article_id", "content_hash"]]
    sources = keys.sort_values("article_id").drop_duplicates("content_hash")
    pairs = keys.merge(sources, on="content_hash", suffixes=("", "_source"))
    pairs = pairs[pairs["article_id"] != pairs["article_id_source"]]
    return pairs.rename(columns={"article_id_source": "source_article_id"})[["article_id", "source_article_id"]]


def partition_step(settings: Settings, run: RunFolder) -> list[RunFolder]:
    """Split the batch's articles to enrich into folders of at most ``enrich_partition_size``.

    Each folder is enriched by its own (mapped) task, so several workers share a batch;
    an empty batch still makes one (empty) partition.  A re-run starts from a clean split.
    Copies of texts already enriched (see :func:`select_new_step`) are not enriched again.
    """
    articles = run.read_table("articles")
    reused = run.reused()
    skipped = set(reused.read_table("copies")["article_id"]) if reused.has_table("copies") else set()
    if reused.has_table("articles"):
        skipped |= set(reused.read_table("articles")["article_id"])
    articles = articles[~articles["article_id"].isin(skipped)]
    size = settings.enrich_partition_size
    starts = range(0, max(len(articles), 1), size)
    partitions = run.new_partitions(len(starts))
    for partition, start in zip(partitions, starts, strict=True):
        partition.write_table("articles", articles.iloc[start : start + size])
    log.info("split %d articles into %d partitions of up to %d", len(articles), len(partitions), size)
    return partitions


def enrich_step(settings: Settings, run: RunFolder) -> None:
    """NER and sentiment over the articles of a partition folder; one table each.

    Articles whose enrichment failed are written to the partition's ``quarantine`` (with
    their ``article_id``); :func:`merge_step` moves them out of the batch.  The partition's
    ``articles`` stay as they were split, so a re-run meets the same input.
    """
    articles = run.read_table("articles")
    started = time.monotonic()
    tables = enrich_with_settings(articles, settings)
    for name, frame in tables.items():
        run.write_table(name, frame)
    seconds = time.monotonic() - started
    progress.info(
        "enrich %s: %d articles in %.1f s (%.1f articles/s), %d mentions, %d quotes",
        run.path.name,
        len(articles),
        seconds,
        len(articles) / seconds if seconds else 0.0,
        len(tables.get("mentions", ())),
        len(tables.get("quotes", ())),
    )


def enriched_tables(
    articles: pd.DataFrame, quarantine: pd.DataFrame | None, settings: Settings
) -> dict[str, pd.DataFrame]:
    """The enrichment tables plus ``articles`` and ``quarantine``, the articles whose
    enrichment failed moved from the first to the second (for the ``enrich`` command)."""
    tables = enrich_with_settings(articles, settings)
    failed = tables.pop("quarantine")
    tables["articles"] = articles[~articles["article_id"].isin(failed["article_id"])]
    tables["quarantine"] = quarantine_union(quarantine, failed)
    return tables


def enrich_with_settings(articles: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """:func:`~newsflow.nlp.enrich.enrich_batch` with the model, alias table, watchlist and
    processes the settings name."""
    from newsflow.nlp.enrich import enrich_batch

    return enrich_batch(
        articles,
        settings.spacy_model,
        settings.nlp_batch_size,
        aliases=load_entity_list(settings.aliases_path),
        watchlist=load_entity_list(settings.watchlist_path),
        language_models=settings.language_models,
        n_process=enrich_workers(settings, len(articles)),
        cache_dir=settings.cache_dir,
    )


def enrich_workers(settings: Settings, articles: int, start_method: str | None = None) -> int:
    """Model processes for one enrich task: ``enrich_processes``, where 0 means every core.

    The default, 1, suits Airflow's executors, which run the mapped enrich tasks side by
    side (LocalExecutor's parallelism, Celery and Kubernetes workers); the embedded run and
    the CLI backfill run one task at a time and ask for every core (see ``newsflow.cli``).
    Forked workers (``start_method``, the platform's by default) share the models the task
    loaded, so enrichment uses as many as it has chunks of articles for: two processes were
    faster from 8 articles on (``bench/enrich_small.py``).  Spawned workers load the models
    themselves and get :data:`MIN_ARTICLES_PER_SPAWNED_PROCESS` articles each at least.
    """
    wanted = settings.enrich_processes or len(os.sched_getaffinity(0))
    if (start_method or multiprocessing.get_start_method()) == "fork":
        return wanted
    return max(1, min(wanted, articles // MIN_ARTICLES_PER_SPAWNED_PROCESS))


@releases_memory
def merge_step(settings: Settings, run: RunFolder) -> None:
    """Gather the enriched partitions, and the enrichment reused for copies, into the run
    folder: one Parquet file per table.

    Entities found in several partitions become one row with every surface form; a copy
    within the batch takes the rows of the article whose text it shares.  Articles whose
    enrichment failed leave the batch for its quarantine.
    """
    reused = run.reused()
    parts = [*run.partitions(), *([reused] if reused.has_table("articles") else [])]
    copies = reused.read_table("copies") if reused.has_table("copies") else pd.DataFrame()
    failed = [part.read_table("quarantine") for part in run.partitions() if part.has_table("quarantine")]
    if failed:
        failed_ids = set(pd.concat(failed)["article_id"])
        articles = run.read_table("articles")
        run.write_table("articles", articles[~articles["article_id"].isin(failed_ids)])
        run.write_table("quarantine", quarantine_union(run.read_table("quarantine"), *failed))
    names = sorted({name for part in parts for name in part.table_names()} - {"articles", "copies", "quarantine"})
    for name in names:
        frames = [part.read_table(name) for part in parts if part.has_table(name)]
        merged = pd.concat([frame for frame in frames if not frame.empty] or frames[:1], ignore_index=True)
        if name == "entities":
            merged = merge_entity_rows(merged)
        elif not copies.empty and name in ENRICHMENT_TABLES:
            copied = copies.merge(merged, left_on="source_article_id", right_on="article_id", suffixes=("", "_of"))
            copied = copied.drop(columns=["source_article_id", "article_id_of"])[list(merged.columns)]
            merged = pd.concat([merged, copied], ignore_index=True)
        run.write_table(name, merged.astype(frames[0].dtypes.to_dict()))


def merge_entity_rows(entities: pd.DataFrame) -> pd.DataFrame:
    """One row per ``entity_id``: the first name and label seen, the union of the aliases."""
    aliases = entities.groupby("entity_id", sort=False)["aliases"].agg(
        lambda forms: sorted({form for found in forms for form in found})
    )
    first = entities.drop_duplicates("entity_id").set_index("entity_id")
    return first.assign(aliases=aliases).reset_index()[list(entities.columns)]


@releases_memory
def link_step(settings: Settings, run: RunFolder) -> None:
    """Link the batch to itself and to earlier batches within
    :data:`~newsflow.nlp.stories.WINDOW`; three more tables."""
    ingested_at = run.read_info().batch.interval_end
    tables = run.read_tables()
    if tables["articles"].empty:
        # An empty batch touches no story: it has nothing to link.
        log.info("nothing new to link")
        return
    from newsflow.nlp.linking import counted_at, link_batch
    from newsflow.nlp.stories import WINDOW

    history = None
    # A warehouse whose first batch never loaded (it failed validation) has no staging layer yet.
    if db.has_staging(settings.warehouse_path, settings.lock_timeout_s):
        times = counted_at(tables["articles"], ingested_at)
        with db.open_warehouse(settings, read_only=True) as con:
            history = db.story_history(
                con, times.min() - WINDOW, times.max() + WINDOW, tables["articles"]["article_id"].tolist()
            )
    failed: dict[str, Exception] = {}
    linked = link_batch(tables, ingested_at, history, on_failure=failed.__setitem__)
    if failed:
        # An article linking cannot read leaves the batch for the quarantine, with all its rows.
        sources = tables["articles"].set_index("article_id")
        rows = [
            Quarantined(
                source_name=sources.at[article_id, "source_name"],
                source_location=sources.at[article_id, "source_location"],
                source_format=sources.at[article_id, "source_format"],
                reason=f"linking failed: {failure_reason(exc)}",
                detail=str(sources.at[article_id, "title"])[:200],
                step="link",
            )
            for article_id, exc in failed.items()
        ]
        tables = drop_articles(tables, set(failed))
        tables["quarantine"] = quarantine_union(tables["quarantine"], quarantine_frame(rows))
        log.warning("linking quarantined %d articles: %s", len(rows), "; ".join(r.reason for r in rows))
        for name in ("articles", "quarantine", *ENRICHMENT_TABLES, "entities"):
            run.write_table(name, tables[name])
    for name, frame in linked.items():
        run.write_table(name, frame)


@releases_memory
def validate_step(settings: Settings, run: RunFolder) -> dict[str, Any]:
    """Audit the batch with its GX suites; records results; raises when the batch fails.

    Rows that break a row-level expectation are quarantined with their article and the
    batch's tables are rewritten without them (write-audit-publish per row); a table-level
    failure raises and nothing is published.  An empty batch (nothing new in any source)
    has nothing to audit and is marked so.
    """
    batch = run.read_info().batch
    tables = run.read_tables()
    if tables["articles"].empty:
        verdict = {"status": "empty", "success": True, "failures": []}
        run.write_verdict(verdict)
        return verdict
    started = time.time()
    outcome = validate_batch(
        tables,
        gx_root=settings.gx_root,
        batch_id=batch.batch_id,
        reference_time=batch.interval_end,
        earliest_published_at=settings.earliest_published_at,
    )
    offline_data_docs(settings, since=started)
    with db.open_warehouse(settings) as con:
        db.record_validation(con, outcome.results)
    quarantined: list[Quarantined] = []
    if outcome.publishable and outcome.row_failures:
        kept, quarantined = split_failed_rows(tables, outcome.row_failures)
        kept["quarantine"] = quarantine_union(kept["quarantine"], quarantine_frame(quarantined))
        for name, frame in kept.items():
            run.write_table(name, frame)
        log.warning(
            "validation quarantined %d articles (row-level expectations): %s",
            len(quarantined),
            "; ".join(f"{f.table}: {f.expectation}" for f in outcome.row_failures),
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
    run.write_verdict(verdict)
    passed = outcome.results.groupby("table_name")["success"].all()
    progress.info("validate: %d of %d tables passed their suites", int(passed.sum()), len(passed))
    raise_for_failures(outcome)
    return verdict


def offline_data_docs(settings: Settings, since: float | None = None) -> None:
    """Point the Data Docs built ``since`` then (a ``time.time()`` value; None: every page) at
    local copies of their assets; a failure is logged, never fatal."""
    try:
        # A margin for file systems whose timestamps lag the clock: rewriting a page twice changes nothing.
        site = settings.data_docs_index.parent
        with gx_folder_lock(settings.gx_root):  # a page GX is writing must not be read half-written
            localise_site(site, None if since is None else since - MTIME_MARGIN_S, cache_dir=settings.cache_dir)
    except (OSError, OfflineAssetError) as exc:
        log.error("the Data Docs still load assets from the internet: %s", exc)


@releases_memory
def load_step(settings: Settings, run: RunFolder) -> dict[str, int]:
    """Publish a validated batch to the warehouse in one transaction, then keep the feed validators."""
    verdict = run.read_verdict()
    if not verdict or not verdict["success"]:
        raise RuntimeError(f"batch in {run.path} has not passed validation; refusing to load it")
    info = run.read_info()
    tables = run.read_tables()
    with db.open_warehouse(settings) as con:
        counts = db.load_batch(
            con,
            batch_id=info.batch.batch_id,
            interval_start=info.batch.interval_start,
            interval_end=info.batch.interval_end,
            tables=tables,
            duplicates=info.duplicates,
            unchanged=info.unchanged,
            reused=info.reused,
            sources=pd.DataFrame(info.sources, columns=["source_name", "articles", "quarantined"]),
        )
    progress.info("load: %s", ", ".join(f"{n} {name}" for name, n in counts.items() if n))
    # Only now may the next fetch be conditional, and a page count as loaded: a failed load
    # must refetch these feeds and pages.
    state_path = settings.state_dir / RunFolder.FEED_STATE
    write_feed_state(state_path, {**read_feed_state(state_path), **run.read_feed_state()})
    pages_path = settings.state_dir / RunFolder.PAGE_STATE
    write_feed_state(pages_path, {**read_feed_state(pages_path), **run.read_page_state()})
    # Likewise the poison files: skipped from now on, since their quarantine rows are stored;
    # and the files read into articles, now loaded (a manifest kept for another warehouse is replaced).
    poison = PoisonFiles.load(settings.state_dir / RunFolder.POISON)
    poison.update(run.read_poison())
    poison.save(settings.state_dir / RunFolder.POISON)
    manifest = FileManifest.load(settings.state_dir / RunFolder.MANIFEST, settings.warehouse_path)
    manifest.update(run.read_manifest())
    manifest.save(settings.state_dir / RunFolder.MANIFEST)
    return counts


def entity_lists(settings: Settings) -> dict[str, EntityList]:
    """The alias table and watchlist the settings name, as the warehouse stores them (raw.entity_lists)."""
    return {"aliases": load_entity_list(settings.aliases_path), "watchlist": load_entity_list(settings.watchlist_path)}


def refresh_step(settings: Settings, run: RunFolder | None = None) -> dict[str, int]:
    """Rebuild the marts from staging, then publish the read-only snapshot analysts open.

    A snapshot that cannot be published is logged, not raised: the load and the marts are
    committed, readers keep the previous snapshot, and the next refresh publishes again.
    """
    with db.open_warehouse(settings) as con:
        counts = db.refresh_marts(con, lists=entity_lists(settings))
        progress.info("marts: %d rebuilt", len(counts))
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


@dataclass(frozen=True)
class Step:
    """One step of a run: the DAG's task id and the function it calls.

    ``mapped``: runs once per partition folder (dynamic task mapping in the DAG).
    ``opens_warehouse``: the task takes the single-writer pool (and the warehouse queue).
    """

    name: str
    run: Callable[[Settings, RunFolder], Any]
    mapped: bool = False
    opens_warehouse: bool = False


STEPS: tuple[Step, ...] = (
    Step("extract_articles", extract_step),
    Step("select_new_articles", select_new_step, opens_warehouse=True),
    Step("partition_batch", partition_step),
    Step("enrich_articles", enrich_step, mapped=True),
    Step("merge_partitions", merge_step),
    Step("link_stories", link_step, opens_warehouse=True),
    Step("validate_batch", validate_step, opens_warehouse=True),
    Step("load_batch", load_step, opens_warehouse=True),
    Step("refresh_marts", refresh_step, opens_warehouse=True),
)


def step_named(name: str) -> Step:
    return next(step for step in STEPS if step.name == name)


def run_steps(settings: Settings, run: RunFolder, steps: Sequence[Step] = STEPS) -> dict[str, Any]:
    """Run ``steps`` on one run folder in this process, in order; returns each step's result.

    A mapped step runs on every partition of the folder, one after the other.
    """
    results: dict[str, Any] = {}
    for step in steps:
        if step.mapped:
            results[step.name] = [step.run(settings, part) for part in run.partitions()]
        else:
            results[step.name] = step.run(settings, run)
    return results
