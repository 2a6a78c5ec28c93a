"""Validate a batch with GX Core checkpoints (write-audit-publish) and build Data Docs.

Suites are GX's own JSON, one per table, in ``expectations/<table>.json``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from newsflow.config import PROJECT_ROOT

# GX must not phone home; set before great_expectations is imported anywhere.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)
# GX logs every datasource save at INFO; a task log needs only its warnings.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DATASOURCE = "newsflow_batches"


class BatchValidationError(RuntimeError):
    """The batch broke its suites and must not be published; the message names the failures."""


@dataclass
class ValidationOutcome:
    """Result of validating every table of one batch."""

    validation_id: str
    success: bool
    results: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    data_docs_url: str | None = None


def load_suite_json(table: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite for ``table`` as stored (GX ExpectationSuite JSON)."""
    return json.loads((directory / f"{table}.json").read_text(encoding="utf-8"))


def build_suite(table: str, directory: Path = EXPECTATIONS_DIR):  # -> gx.ExpectationSuite
    """A GX ExpectationSuite object built from ``expectations/<table>.json``."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    stored = load_suite_json(table, directory)
    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta", {})).to_domain_obj()
        for e in stored["expectations"]
    ]
    return gx.ExpectationSuite(name=stored["name"], expectations=expectations, meta=stored.get("meta", {}))


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
    if "mentions" in tables:
        frames["mentions"] = _mention_checks(tables["mentions"], tables["articles"])
    if "quotes" in tables:
        frames["quotes"] = _quote_checks(tables["quotes"], tables["articles"])
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


def _mention_checks(mentions: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    article_text = mentions["article_id"].map(articles.set_index("article_id")["text"])
    return mentions.assign(
        text_length=article_text.str.len().fillna(-1).astype("int64"),
        offsets_match_text=[
            isinstance(t, str) and t[s:e] == m
            for t, s, e, m in zip(
                article_text, mentions["start_char"], mentions["end_char"], mentions["text"], strict=True
            )
        ],
    )


def _quote_checks(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    article_text = quotes["article_id"].map(articles.set_index("article_id")["text"])
    return quotes.assign(
        offsets_match_text=[
            isinstance(t, str) and t[s:e] == q
            for t, s, e, q in zip(article_text, quotes["start_char"], quotes["end_char"], quotes["quote"], strict=True)
        ],
    )


def validate_batch(
    tables: dict[str, pd.DataFrame],
    *,
    gx_root: Path,
    batch_id: str,
    reference_time: datetime,
    expectations_dir: Path = EXPECTATIONS_DIR,
    earliest_published_at: datetime | None = None,
) -> ValidationOutcome:
    """Run one GX checkpoint per table over the batch, update Data Docs, collect results.

    ``reference_time`` (UTC) is the end of the batch's interval: no article may be
    published after it; with ``earliest_published_at`` none may be published before that.
    Never raises for failing data: the caller decides (see
    :func:`raise_for_failures`).
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    _quiet_progress_bars(context)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    run_time = datetime.now(tz=reference_time.tzinfo)
    validation_id = f"{batch_id}@{run_time.isoformat()}"
    parameters = {
        "max_published_at": reference_time.isoformat(),
        "min_published_at": earliest_published_at.isoformat() if earliest_published_at else None,
    }
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    for table, frame in prepare_frames(tables, expectations_dir).items():
        asset = _get_or_add(datasource.get_asset, datasource.add_dataframe_asset, table)
        batch_definition = _get_or_add(asset.get_batch_definition, asset.add_batch_definition_whole_dataframe, "batch")
        suite = context.suites.add_or_update(build_suite(table, expectations_dir))
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"newsflow_{table}", data=batch_definition, suite=suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"newsflow_{table}",
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="update_data_docs")],
                result_format={"result_format": "SUMMARY"},
            )
        )
        result = checkpoint.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            run_id=RunIdentifier(run_name=f"{batch_id}:{table}", run_time=run_time),
        )
        for validation in result.run_results.values():
            for index, item in enumerate(validation.results):
                config = item.expectation_config
                column = config.kwargs.get("column") or config.kwargs.get("column_A")
                observed = item.result.get("observed_value")
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
                    }
                )
                if not item.success:
                    detail = (
                        f"{item.result.get('unexpected_count')} unexpected"
                        if "unexpected_count" in item.result
                        else f"observed {observed}"
                    )
                    failures.append(f"{table}: {config.type}({column or ''}) {detail}".replace("() ", " "))
    docs = context.get_docs_sites_urls()
    docs_url = docs[0]["site_url"] if docs else None
    results = pd.DataFrame(rows).assign(data_docs_url=docs_url)
    results["unexpected_count"] = results["unexpected_count"].astype("Int64")
    return ValidationOutcome(validation_id, not failures, results, failures, docs_url)


def raise_for_failures(outcome: ValidationOutcome) -> None:
    """Fail loudly, naming every failing expectation, when the batch broke its suites."""
    if not outcome.success:
        listed = "\n  - ".join(outcome.failures)
        raise BatchValidationError(
            f"batch failed validation ({len(outcome.failures)} expectations); not published:\n  - {listed}\n"
            f"Data Docs: {outcome.data_docs_url}"
        )


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
