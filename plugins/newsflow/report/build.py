"""Build the coverage report: query the marts (``sql/report/*.sql``, and the story_spread and
trending_entities recipes), draw the charts, render HTML.

The page covers the latest days that have articles, however old the corpus, and says so;
``all.html`` beside it covers the whole range.

Everything the page shows from the warehouse (entity names, outlets, failed expectations)
comes from news text or its processing, so it is treated as hostile: the template escapes
it, chart data travels as JSON with ``<``, ``>`` and ``&`` escaped, and a Content Security
Policy lets only this page's own scripts (with its nonce) run and fetch nothing.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import jinja2
from markupsafe import Markup

from newsflow.config import PROJECT_ROOT
from newsflow.queries import bind_variables, get_recipe, run_recipe
from newsflow.report import charts
from newsflow.report.vega import javascript_bundle
from newsflow.report.world import world_features
from newsflow.warehouse import db

REQUIRED_MARTS = (
    "share_of_voice",
    "entity_tone_daily",
    "trending_entities",
    "outlet_entity_coverage",
    "country_daily_coverage",
    "source_daily_volume",
    "story_spread",
    "dq_results",
    "ingest_health",
)
REPORT_SQL = PROJECT_ROOT / "sql" / "report"
DEFAULT_DAYS = 90  # the default page: the latest 90 days that have articles
COUNTRY_ROWS = 20  # the ranked country table beside the map
STORY_ROWS = 15  # the widest stories of the period
TRENDING_ROWS = 25  # the latest trending entity-days of the period
_TAG = re.compile(r"<[^>]*>")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class ReportError(RuntimeError):
    """The warehouse cannot feed a report (missing file or marts); the message says what to run."""


@dataclass(frozen=True)
class Span:
    """What the warehouse holds: its first and last article day, how many days have articles."""

    first: date
    last: date
    days: int
    articles: int


@dataclass(frozen=True)
class Period:
    """The days a page covers (inclusive) and, in words, why those."""

    first: date
    last: date
    why: str

    @property
    def params(self) -> dict[str, date]:
        return {"date_from": self.first, "date_to": self.last}


def report_sql(name: str) -> str:
    """The text of ``sql/report/<name>.sql``."""
    return (REPORT_SQL / f"{name}.sql").read_text(encoding="utf-8")


def _rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """``sql/report/<name>.sql`` with its variables bound, as dicts (NULL is None); small results only."""
    bind_variables(con, params)
    return _dicts(con.sql(report_sql(name)))


def _recipe_rows(con: duckdb.DuckDBPyConnection, name: str, period: Period) -> list[dict[str, Any]]:
    """The analysts' recipe ``sql/queries/<name>.sql`` for the period, as dicts: the page shows what it answers."""
    return _dicts(run_recipe(con, get_recipe(name), period.params))


def _dicts(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    columns = relation.columns
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def plain_text(value: str | None) -> str | None:
    """Text as a reader should see it: entities decoded (twice-encoded too), tags dropped, spaces collapsed.

    The result is still escaped where it is shown (the template autoescapes, chart data is JSON).
    """
    if value is None:
        return None
    text = value
    for _ in range(3):  # feeds often encode twice: "&amp;#8217;"
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    # A name that is nothing but markup is shown as written (escaped) rather than as nothing.
    return " ".join(_TAG.sub(" ", text).split()) or " ".join(text.split())


def _plain(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{**row, **{key: plain_text(row[key]) for key in keys}} for row in rows]


def json_for_script(value: Any) -> Markup:
    """JSON that is inert inside ``<script type="application/json">``, whatever its strings hold."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - escaped above for a script element's content


def safe_link(target: str | None) -> str | None:
    """A link to the Data Docs only if it is a relative path or a file/http(s) URL (never ``javascript:``)."""
    if not target:
        return None
    scheme = urlparse(target).scheme
    return target if scheme in ("", "file", "http", "https") else None


def _check_marts(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [m for m in REQUIRED_MARTS if m not in present]
    if missing:
        raise ReportError(f"the warehouse lacks marts {missing}: run the ingest DAG (or `python -m newsflow run`)")


def warehouse_span(con: duckdb.DuckDBPyConnection, days: int) -> tuple[Span | None, date | None]:
    """The warehouse's span (None when it holds no article) and the first of its latest ``days`` article days."""
    (row,) = _rows(con, "span", days=days)
    if row["last_day"] is None:
        return None, None
    return Span(row["first_day"], row["last_day"], row["article_days"], row["articles"]), row["default_first"]


def choose_period(
    span: Span, default_first: date, days: int, date_from: date | None = None, date_to: date | None = None
) -> Period:
    """The asked period, else the latest ``days`` days that have articles (so an old corpus is never blank)."""
    if date_from or date_to:
        return Period(date_from or span.first, date_to or span.last, "the period asked for")
    if default_first == span.first:
        return Period(span.first, span.last, "everything the warehouse holds")
    return Period(default_first, span.last, f"the latest {days} days with articles")


def charted_entities(
    con: duckdb.DuckDBPyConnection, period: Period, top: int, watchlist: Sequence[str]
) -> list[dict[str, Any]]:
    """The period's top entities by mentions, plus every watched entity (names, case-insensitive).

    Keys: entity_id, entity (the name, with its label when two entities share a name),
    mentions, rank, watched.
    """
    return _rows(con, "charted_entities", **period.params, top=top, watchlist=list(watchlist))


def _named(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Chart rows with the entity's display name in place of its id."""
    return [{**{k: v for k, v in row.items() if k != "entity_id"}, "entity": names[row["entity_id"]]} for row in rows]


def _latest_run_totals(ingest: list[dict[str, Any]]) -> dict[str, float]:
    """Entries the latest run read (duplicates included) and the share quarantined or dropped as duplicates."""
    latest = [row for row in ingest if row["batch_id"] == ingest[0]["batch_id"]] if ingest else []
    duplicates = (latest[0]["duplicates"] or 0) if latest else 0
    read = sum(row["read"] or 0 for row in latest) + duplicates
    set_aside = sum(row["quarantined"] or 0 for row in latest) + duplicates
    return {"read": read, "set_aside": set_aside, "share": set_aside / read if read else 0.0}


def report_context(
    con: duckdb.DuckDBPyConnection, period: Period | None, top: int, watchlist: Sequence[str]
) -> dict[str, Any]:
    """Everything the template shows for ``period`` (None: an empty warehouse): values, rows, chart specs."""
    context: dict[str, Any] = {"period": period, "charts": {}}
    context["quality"] = _rows(con, "quality")
    (context["quality_totals"],) = _rows(con, "quality_totals")
    context["ingest"] = _rows(con, "ingest_health")
    context["ingest_totals"] = _latest_run_totals(context["ingest"])
    if period is None:
        return context
    (context["totals"],) = _rows(con, "totals", **period.params)
    entities = _plain(charted_entities(con, period, top, watchlist), "entity")
    names = {e["entity_id"]: e["entity"] for e in entities}
    tops = [e for e in entities if e["rank"] <= top]
    context["entities"], context["top_count"] = entities, len(tops)
    found = {e["entity"].lower() for e in entities if e["watched"]}
    context["watch_missing"] = [n for n in watchlist if plain_text(n).lower() not in found]

    days = _rows(
        con,
        "entity_days",
        **period.params,
        entity_ids=[e["entity_id"] for e in entities],
        entities=[e["entity"] for e in entities],
        ranks=[e["rank"] for e in entities],
    )
    context["charts"]["attention"] = charts.attention(
        [{k: row[k] for k in ("day", "entity", "mentions", "articles", "article_share")} for row in days],
        period.first,
        period.last,
    )
    context["charts"]["share_of_voice"] = charts.share_of_voice(
        [{k: row[k] for k in ("day", "entity", "rank", "share")} for row in days if row["rank"] <= top],
        period.first,
        period.last,
    )
    mentions = context["totals"]["mentions"]
    context["share_table"] = [{**e, "share": e["mentions"] / mentions} for e in entities] if mentions else []

    outlets = _plain(_rows(con, "outlet_tone", **period.params), "outlet")
    toned = [{**o, "label": f"{o['outlet']} ({o['toned_articles']:,})"} for o in outlets if o["toned_articles"]]
    context["untoned_outlets"] = [o for o in outlets if not o["toned_articles"]]
    context["charts"]["outlet_tone"] = charts.outlet_tone(toned)
    heat = _rows(
        con,
        "outlet_entity_tone",
        **period.params,
        entity_ids=[e["entity_id"] for e in tops],
        outlets=[o["outlet"] for o in outlets if o["toned_articles"]],
    )
    heat = _plain([row for row in heat if row["mean_compound"] is not None], "outlet")
    context["charts"]["outlet_entity_tone"] = charts.outlet_entity_tone(
        _named(heat, names), len({row["outlet"] for row in heat})
    )
    countries = _plain(_rows(con, "countries", **period.params), "country")
    context["countries"] = countries[:COUNTRY_ROWS]
    context["charts"]["world_map"] = charts.world_map(
        [
            {k: row[k] for k in ("country_code", "country", "articles", "original_articles", "mentions")}
            for row in countries
        ],
        world_features(),
    )
    stories = _recipe_rows(con, "story_spread", period)[:STORY_ROWS]
    context["stories"] = _plain(stories, "origin_outlet", "origin_title", "outlet_list")
    context["trending"] = _plain(_recipe_rows(con, "trending_entities", period)[:TRENDING_ROWS], "name")
    return context


def build_report(
    warehouse: Path,
    out_dir: Path,
    *,
    days: int = DEFAULT_DAYS,
    date_from: date | None = None,
    date_to: date | None = None,
    top: int = 8,
    watchlist: Sequence[str] = (),
    data_docs: Path | str | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write ``out_dir/index.html`` and return its path.

    The page covers ``date_from``..``date_to`` when given, else the latest ``days`` days that
    have articles, however old; when that is not everything the warehouse holds, ``all.html``
    beside it covers the whole range and each page links to the other.  ``watchlist``: entity
    names always charted next to the ``top`` entities.  ``data_docs``: the GX Data Docs index
    to link to (a local path is linked relative to the report).  ``cache_dir``: where the Vega
    bundle is cached.
    """
    if not Path(warehouse).exists():
        raise ReportError(f"no warehouse at {warehouse}: run the ingest DAG (or `python -m newsflow run`) first")
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(data_docs, Path):
        data_docs = os.path.relpath(data_docs, out_dir.resolve()) if data_docs.exists() else None
    pages: dict[str, dict[str, Any]] = {}
    with db.connect(warehouse, read_only=True) as con:
        _check_marts(con)
        span, default_first = warehouse_span(con, days)
        period = choose_period(span, default_first, days, date_from, date_to) if span else None
        pages["index.html"] = report_context(con, period, top, watchlist)
        if span and (period.first, period.last) != (span.first, span.last):
            whole = Period(span.first, span.last, "everything the warehouse holds")
            pages["all.html"] = report_context(con, whole, top, watchlist)
    common = {
        "span": span,
        "data_docs": safe_link(data_docs),
        "vega_js": Markup(javascript_bundle(cache_dir)),  # noqa: S704 - the bundled libraries, not data
        "generated_at": datetime.now(tz=UTC),
        "warehouse_name": Path(warehouse).name,
        "other_page": {"index.html": "all.html", "all.html": "index.html"} if len(pages) > 1 else {},
    }
    for name, context in pages.items():
        page = _TEMPLATES.get_template("report.html.j2").render(
            **common,
            **context,
            page=name,
            specs={chart: json_for_script(spec) for chart, spec in context["charts"].items()},
            nonce=secrets.token_urlsafe(16),
        )
        (out_dir / name).write_text(page, encoding="utf-8")
    if "all.html" not in pages:
        (out_dir / "all.html").unlink(missing_ok=True)  # a page left by an earlier build would be stale
    return out_dir / "index.html"
