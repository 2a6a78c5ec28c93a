"""Validate a batch with GX Core checkpoints (write-audit-publish) and build Data Docs.

Suites are GX's own JSON, one per table, in ``expectations/<table>.json``.  Two kinds of
expectation (:func:`expectation_level`):

- row-level (a value, or a pair of values, of one row): the rows that break one are
  quarantined with the expectation's name, with every row of their article, and the rest of
  the batch is published (write-audit-publish per row);
- table-level (keys unique, the batch's shape) and row-level ones on tables whose rows
  belong to no single article of the batch (entities, stories): a failure stops the batch.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from newsflow.config import PROJECT_ROOT
from newsflow.ingest.records import Quarantined

# GX must not phone home; set before great_expectations is imported anywhere.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)
# GX logs every datasource save at INFO; a task log needs only its warnings.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "newsflow_batches"
# COMPLETE: the positions of the rows that broke an expectation, to quarantine them.
RESULT_FORMAT = {"result_format": "COMPLETE"}
LOCK_FILE = "gx.lock"  # in the GX project root (:func:`gx_folder_lock`)
# What each table's checkpoint was registered from, in the GX folder (so it goes with the stores).
REGISTRATIONS = Path("uncommitted") / "newsflow_registrations.json"


class BatchValidationError(RuntimeError):
    """The batch broke its suites and must not be published; the message names the failures."""


# Tables whose every row belongs to one article of the batch: a row-level failure there
# quarantines that article.  (Stories are recomputed over earlier batches too; entities
# are shared by articles: their failures stop the batch.)
ARTICLE_TABLES = (
    "articles",
    "mentions",
    "mention_places",
    "article_sentiment",
    "entity_sentiment",
    "quotes",
    "article_citations",
    "story_links",
)
# Column-map expectations judge each row alone, except the uniqueness ones, which judge rows
# against each other (a key) and so are table-level.
_ROW_LEVEL_PREFIXES = ("expect_column_values_to_", "expect_column_value_lengths_", "expect_column_pair_values_")
_TABLE_LEVEL_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


def expectation_level(expectation_type: str, table: str) -> str:
    """``row`` when breaking the expectation quarantines rows, ``table`` when it stops the batch."""
    per_row = expectation_type.startswith(_ROW_LEVEL_PREFIXES) and expectation_type not in _TABLE_LEVEL_TYPES
    return "row" if per_row and table in ARTICLE_TABLES else "table"


@dataclass
class RowFailure:
    """Rows of one table (their positions) that broke one row-level expectation."""

    table: str
    expectation: str  # type(column), as in failures
    positions: list[int]


@dataclass
class ValidationOutcome:
    """Result of validating every table of one batch.

    ``success``: every expectation held.  ``publishable``: no table-level expectation
    failed, so the batch is published without the rows in ``row_failures``.
    """

    validation_id: str
    success: bool
    results: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    data_docs_url: str | None = None
    table_failures: list[str] = field(default_factory=list)
    row_failures: list[RowFailure] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        return not self.table_failures


def load_suite_json(table: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite for ``table`` as stored (GX ExpectationSuite JSON)."""
    return json.loads((directory / f"{table}.json").read_text(encoding="utf-8"))


def build_suite(table: str, directory: Path = EXPECTATIONS_DIR):  # -> gx.ExpectationSuite
    """A GX ExpectationSuite object built from ``expectations/<table>.json``."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    stored = load_suite_json(table, directory)
    expectations = [
        ExpectationConfiguration(
            type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta", {}), notes=_level_note(e["type"], table)
        ).to_domain_obj()
        for e in stored["expectations"]
    ]
    return gx.ExpectationSuite(name=stored["name"], expectations=expectations, meta=stored.get("meta", {}))


def _level_note(expectation_type: str, table: str) -> str:
    """What breaking the expectation does, shown beside it in the Data Docs."""
    if expectation_level(expectation_type, table) == "row":
        return "Row-level: rows that break it are quarantined with their article; the rest of the batch is published."
    return "Table-level: breaking it stops the batch; nothing is published."


def suite_tables(directory: Path = EXPECTATIONS_DIR) -> list[str]:
    """Tables that have a suite: one ``<table>.json`` each."""
    return sorted(path.stem for path in directory.glob("*.json"))


def prepare_frames(tables: dict[str, pd.DataFrame], directory: Path = EXPECTATIONS_DIR) -> dict[str, pd.DataFrame]:
    """Frames as validated: every batch table must have a suite; some gain derived check columns.

    GX expectations look at one table at a time; rules that span rows or tables
    (offsets inside the article's text, one origin per story) become columns here.
    """
    missing = set(tables) - set(suite_tables(directory))
    if missing:
        raise ValueError(f"no GX suite in {directory} for batch tables {sorted(missing)}")
    frames = dict(tables)
    batch_ids = set(tables["articles"]["article_id"]) if "articles" in tables else set()
    for name in ("mentions", "mention_places", "article_sentiment", "entity_sentiment", "quotes", "article_citations"):
        if name in frames:
            frames[name] = frames[name].assign(article_in_batch=frames[name]["article_id"].isin(batch_ids))
    if "articles" in tables and "article_sentiment" in tables:
        articles = tables["articles"]
        # Every English article is analysed (others are not: the model is English-only).
        frames["articles"] = articles.assign(
            enriched=(articles["language"] != "en")
            | articles["article_id"].isin(tables["article_sentiment"]["article_id"])
        )
    if "entities" in tables and "mentions" in tables:
        entities = tables["entities"]
        frames["entities"] = entities.assign(mentioned=entities["entity_id"].isin(tables["mentions"]["entity_id"]))
    if "mentions" in tables:
        frames["mentions"] = _mention_checks(frames["mentions"], tables["articles"])
    if "mention_places" in tables:
        places = frames["mention_places"]
        frames["mention_places"] = places.assign(
            kind_or_reason=places["kind"].notna() != places["reason"].notna(),
            adjective_is_norp=~places["via_adjective"].astype(bool) | (places["label"] == "NORP"),
        )
    if "quotes" in tables:
        frames["quotes"] = _quote_checks(frames["quotes"], tables["articles"])
    if "story_links" in tables:
        links = tables["story_links"]
        frames["story_links"] = links.assign(self_link=links["article_id"] == links["other_article_id"])
    if "stories" in tables:
        stories = tables["stories"]
        frames["stories"] = stories.assign(
            origins_in_story=stories.groupby("story_id")["is_origin"].transform("sum").astype("int64"),
            origin_copy=stories["is_origin"] & stories["is_copy"],
        )
    return frames


def _article_texts(articles: pd.DataFrame) -> dict[str, str]:
    """Each article's text, one string per article.  Looked up per row through this, not
    mapped as a column: a column of Arrow-backed strings hands each row its own copy of the
    text (a 10,000-article batch's mentions held a gigabyte of copies)."""
    return dict(zip(articles["article_id"], articles["text"], strict=True))


def _mention_checks(mentions: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    texts = _article_texts(articles)
    lengths = {article_id: len(text) for article_id, text in texts.items()}
    return mentions.assign(
        text_length=mentions["article_id"].map(lengths).fillna(-1).astype("int64"),
        offsets_match_text=_offsets_match(
            mentions["article_id"], mentions["start_char"], mentions["end_char"], mentions["text"], texts
        ),
    )


def _quote_checks(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    texts = _article_texts(articles)
    return quotes.assign(
        offsets_match_text=_offsets_match(
            quotes["article_id"], quotes["start_char"], quotes["end_char"], quotes["quote"], texts
        ),
    )


def _offsets_match(
    article_ids: pd.Series, starts: pd.Series, ends: pd.Series, spans: pd.Series, texts: dict[str, str]
) -> list[bool]:
    """Whether each row's text is its article's text between its offsets (False: no such article)."""
    return [
        (text := texts.get(article_id)) is not None and text[start:end] == span
        for article_id, start, end, span in zip(article_ids, starts, ends, spans, strict=True)
    ]


def validate_batch(
    tables: dict[str, pd.DataFrame],
    *,
    gx_root: Path,
    batch_id: str,
    reference_time: datetime,
    expectations_dir: Path = EXPECTATIONS_DIR,
    earliest_published_at: datetime | None = None,
) -> ValidationOutcome:
    """Run one GX checkpoint per table over the batch, update Data Docs once, collect results.

    Holds :func:`gx_folder_lock` while it uses ``gx_root``; a table's checkpoint is written
    there again only when its suite changed (:func:`_checkpoints`).

    ``reference_time`` (UTC) is the end of the batch's interval: no article may be
    published after it; with ``earliest_published_at`` none may be published before that.
    Never raises for failing data: the caller decides (see
    :func:`raise_for_failures`).
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    frames = prepare_frames(tables, expectations_dir)
    parameters = {
        "max_published_at": reference_time.isoformat(),
        "min_published_at": earliest_published_at.isoformat() if earliest_published_at else None,
    }
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    table_failures: list[str] = []
    row_failures: list[RowFailure] = []
    documented: list = []  # the pages to render: the batch's validation results, the suites that changed
    with gx_folder_lock(gx_root):
        run_time = datetime.now(tz=reference_time.tzinfo)
        validation_id = f"{batch_id}@{run_time.isoformat()}"
        context = _context(gx_root)
        checkpoints, renewed = _checkpoints(context, frames, expectations_dir)
        checked = {}  # the checkpoint result of each table
        for table, frame in frames.items():
            checkpoint = checkpoints[table]
            checked[table] = checkpoint.run(
                batch_parameters={"dataframe": frame.reset_index(drop=True)},
                expectation_parameters=parameters,
                run_id=RunIdentifier(run_name=f"{batch_id}:{table}", run_time=run_time),
            )
            documented.extend(checked[table].run_results)
            [definition] = checkpoint.validation_definitions
            suite_page = ExpectationSuiteIdentifier(name=definition.suite.name)
            # A suite's page changes only with the suite: rendered again when the suite was.
            if table in renewed or not _has_page(context, suite_page):
                documented.append(suite_page)
        context.build_data_docs(resource_identifiers=documented, build_index=True)
        docs = context.get_docs_sites_urls()
        docs_url = docs[0]["site_url"] if docs else None
    for table, result in checked.items():
        for validation in result.run_results.values():
            for index, item in enumerate(validation.results):
                config = item.expectation_config
                column = config.kwargs.get("column") or config.kwargs.get("column_A")
                observed = item.result.get("observed_value")
                level = expectation_level(config.type, table)
                rows.append(
                    {
                        "validation_id": validation_id,
                        "batch_id": batch_id,
                        "table_name": table,
                        "result_index": index,
                        "expectation_type": config.type,
                        "column_name": column,
                        "success": bool(item.success),
                        "unexpected_count": item.result.get("unexpected_count"),
                        "observed_value": None if observed is None else str(observed),
                        "validated_at": run_time,
                        "expectation_level": level,
                    }
                )
                if not item.success:
                    detail = (
                        f"{item.result.get('unexpected_count')} unexpected"
                        if "unexpected_count" in item.result
                        else f"observed {observed}"
                    )
                    named = f"{config.type}({column or ''})".replace("()", "")
                    failures.append(f"{table}: {named} {detail}")
                    positions = item.result.get("unexpected_index_list")
                    if level == "row" and positions is not None:
                        row_failures.append(RowFailure(table, named, [int(p) for p in positions]))
                    else:
                        table_failures.append(failures[-1])
    results = pd.DataFrame(rows).assign(data_docs_url=docs_url)
    results["unexpected_count"] = results["unexpected_count"].astype("Int64")
    return ValidationOutcome(validation_id, not failures, results, failures, docs_url, table_failures, row_failures)


def split_failed_rows(
    tables: dict[str, pd.DataFrame], row_failures: list[RowFailure]
) -> tuple[dict[str, pd.DataFrame], list[Quarantined]]:
    """The batch without the articles whose rows broke a row-level expectation, and why each went.

    Returns the tables to publish and one quarantine record per article (named by its
    source, the reasons being ``table: expectation`` names), or per row that names no
    article.  Every row of a quarantined article goes, in every table; entities that no
    kept mention names go too.
    """
    reasons: dict[Any, list[str]] = {}
    loose: list[tuple[str, str]] = []  # rows that name no article: only the row itself goes
    dropped_positions: dict[str, set[int]] = {}
    for failure in row_failures:
        frame = tables[failure.table].reset_index(drop=True)
        for position in failure.positions:
            article_id = frame.at[position, "article_id"]
            why = f"{failure.table}: {failure.expectation}"
            if pd.isna(article_id):
                dropped_positions.setdefault(failure.table, set()).add(position)
                loose.append((f"{failure.table} row {position}", why))
            else:
                reasons.setdefault(article_id, [])
                if why not in reasons[article_id]:
                    reasons[article_id].append(why)
    loose_dropped = {
        name: frame.reset_index(drop=True).drop(index=sorted(dropped_positions.get(name, ())))
        for name, frame in tables.items()
    }
    kept = drop_articles(loose_dropped, set(reasons))
    sources = tables["articles"].drop_duplicates("article_id").set_index("article_id") if "articles" in tables else None
    quarantined = []
    for article_id, why in reasons.items():
        found = sources is not None and article_id in sources.index
        source = sources.loc[article_id] if found else {}
        quarantined.append(
            Quarantined(
                source_name=source.get("source_name") or "batch",
                source_location=source.get("source_location") or f"article {article_id}",
                source_format=source.get("source_format") or "article",
                reason=f"failed row-level expectation: {'; '.join(why)}",
                detail=str(source.get("title") or "")[:200],
                step="validate",
            )
        )
    quarantined.extend(
        Quarantined("batch", where, "row", f"failed row-level expectation: {why}", step="validate")
        for where, why in loose
    )
    return kept, quarantined


def drop_articles(tables: dict[str, pd.DataFrame], article_ids: set[str]) -> dict[str, pd.DataFrame]:
    """The batch's tables without any row of ``article_ids`` (links to them included), and
    without the entities that no kept mention names."""
    kept: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        frame = frame.reset_index(drop=True)
        if name in ARTICLE_TABLES or name == "stories":
            keep = ~frame["article_id"].isin(article_ids)
            if "other_article_id" in frame:
                keep &= ~frame["other_article_id"].isin(article_ids)
            frame = frame[keep]
        kept[name] = frame.reset_index(drop=True)
    if "entities" in kept and "mentions" in kept:
        entities = kept["entities"]
        kept["entities"] = entities[entities["entity_id"].isin(kept["mentions"]["entity_id"])].reset_index(drop=True)
    return kept


def raise_for_failures(outcome: ValidationOutcome) -> None:
    """Fail loudly, naming every failing table-level expectation, when the batch cannot be published.

    Row-level failures do not raise: their rows are quarantined (:func:`split_failed_rows`).
    """
    if not outcome.publishable:
        listed = "\n  - ".join(outcome.table_failures)
        raise BatchValidationError(
            f"batch failed validation ({len(outcome.table_failures)} table-level expectations); "
            f"not published:\n  - {listed}\nData Docs: {outcome.data_docs_url}"
        )


@contextmanager
def gx_folder_lock(gx_root: Path) -> Iterator[None]:
    """Hold the GX folder's lock, waiting for another holder.

    GX writes its stores and the Data Docs in place: two validates on one folder (a CLI run
    beside the DAG's) would read each other's half-written files and drop each other's runs
    from the index, and a page rewritten for offline use while GX writes it would be cut.
    Whoever writes there holds the lock; the DAG's validates already share a pool of one slot.
    """
    gx_root.mkdir(parents=True, exist_ok=True)
    with (gx_root / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _context(gx_root: Path):  # -> gx FileDataContext
    """The file context in ``gx_root`` with the pandas datasource the batch tables go through."""
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    if context.variables.config_variables_file_path:
        # GX parses the config variables file (YAML) at every read of a context variable:
        # hundreds of times per validate, a third of its time.  newsflow substitutes no
        # variable (no credentials: the batch is in memory), so the project names no such file.
        context.variables.config_variables_file_path = None
        context.variables.save()
        context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    _quiet_progress_bars(context)
    _get_or_add(context.data_sources.get, context.data_sources.add_pandas, DATASOURCE)
    return context


def _checkpoints(context, tables: Iterable[str], expectations_dir: Path) -> tuple[dict[str, Any], set[str]]:
    """Each table's checkpoint (gx.Checkpoint), and the tables registered now.

    A table's suite, validation definition and checkpoint are written to the stores only when
    its suite or the GX version changed since they were last written in this GX folder:
    writing them costs a quarter of a validate.
    """
    from great_expectations.exceptions import DataContextError

    marker = Path(context.root_directory) / REGISTRATIONS
    registered = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    checkpoints: dict[str, Any] = {}  # gx.Checkpoint
    renewed: set[str] = set()
    for table in tables:
        suite = build_suite(table, expectations_dir)
        fingerprint = _registration_fingerprint(suite)
        if registered.get(table) == fingerprint:
            try:
                checkpoints[table] = context.checkpoints.get(f"newsflow_{table}")
                continue
            except DataContextError as exc:  # the stores were emptied since
                log.info("registering the checkpoint of %s again: %s", table, exc)
        checkpoints[table] = _register(context, table, suite)
        renewed.add(table)
        registered[table] = fingerprint
        partial = marker.with_suffix(".tmp")
        partial.write_text(json.dumps(registered, indent=2, sort_keys=True), encoding="utf-8")
        partial.replace(marker)
    return checkpoints, renewed


def _registration_fingerprint(suite) -> str:
    """A digest of everything a table's registration is made from."""
    import great_expectations as gx

    made_from = {"gx": gx.__version__, "suite": suite.to_json_dict(), "result_format": RESULT_FORMAT}
    return hashlib.sha256(json.dumps(made_from, sort_keys=True, default=str).encode()).hexdigest()


def _register(context, table: str, suite):  # -> gx.Checkpoint
    """Write the table's suite, validation definition and checkpoint to the context's stores."""
    import great_expectations as gx

    datasource = context.data_sources.get(DATASOURCE)
    asset = _get_or_add(datasource.get_asset, datasource.add_dataframe_asset, table)
    batch_definition = _get_or_add(asset.get_batch_definition, asset.add_batch_definition_whole_dataframe, "batch")
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"newsflow_{table}", data=batch_definition, suite=suite)
    )
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"newsflow_{table}",
            validation_definitions=[definition],
            # No Data Docs action: the site is built once for the whole batch (its index lists
            # every run, so building it per table costs ten times as much).
            actions=[],
            result_format=RESULT_FORMAT,
        )
    )


def _has_page(context, resource) -> bool:
    """Whether every Data Docs site has a page for ``resource`` (e.g. an ExpectationSuiteIdentifier)."""
    sites = context.get_docs_sites_urls(resource_identifier=resource, only_if_exists=True)
    return all(site["site_url"] for site in sites)


def _get_or_add(getter, adder, name: str):
    try:
        return getter(name)
    except (LookupError, ValueError) as exc:
        log.debug("creating %s: %s", name, exc)
        return adder(name)


def _quiet_progress_bars(context) -> None:
    """Progress bars flood task logs; results are logged instead."""
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except AttributeError:
        log.debug("this GX version has no progress_bars setting")
