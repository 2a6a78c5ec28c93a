"""Build the coverage report: query the marts, draw the charts, render one HTML file.

Everything the page shows from the warehouse (entity names, outlets, failed expectations)
comes from news text or its processing, so it is treated as hostile: the template escapes
it, chart data travels as JSON with ``<``, ``>`` and ``&`` escaped, and a Content Security
Policy lets only this page's own scripts (with its nonce) run and fetch nothing.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import jinja2
from markupsafe import Markup

from newsflow.report import charts
from newsflow.report.vega import javascript_bundle
from newsflow.warehouse import db

REQUIRED_MARTS = (
    "share_of_voice",
    "entity_tone_daily",
    "trending_entities",
    "outlet_entity_coverage",
    "source_daily_volume",
    "story_spread",
    "dq_results",
)
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# Every charted entity on every observed day of the period (parameters: the period, then the
# entities' ids, display names and ranks), so that a chart's lines and areas drop to 0 on the
# days without the entity instead of bridging them.  Days go out as ISO text, which Vega
# reads as UTC midnight.
DAY_GRID = """
    with observed as (
        select distinct day from marts.source_daily_volume where day between ? and ?
    ),

    charted as (
        select unnest(?::varchar[]) as entity_id, unnest(?::varchar[]) as entity, unnest(?::bigint[]) as rank
    ),

    grid as (
        select observed.day, charted.* from observed cross join charted
    )
"""


class ReportError(RuntimeError):
    """The warehouse cannot feed a report (missing file or marts); the message says what to run."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def params(self) -> list[date]:
        return [self.first, self.last]


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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Query result as dicts (NULL is None); small results only, straight into the page."""
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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


def _period(con: duckdb.DuckDBPyConnection, days: int) -> Period | None:
    """The last ``days`` days of the warehouse (fewer if it holds fewer); None when it is empty."""
    first, last = con.execute("select min(day), max(day) from marts.source_daily_volume").fetchone()
    return Period(max(first, last - timedelta(days=days - 1)), last) if last else None


def charted_entities(
    con: duckdb.DuckDBPyConnection, period: Period, top: int, watchlist: Sequence[str]
) -> list[dict[str, Any]]:
    """The period's top entities by mentions, plus every watched entity (names, case-insensitive).

    Keys: entity_id, entity (the name, with its label when two entities share a name),
    mentions, rank, watched.
    """
    return _rows(
        con,
        """
        with period as materialized (
            select entity_id, cast(sum(mentions) as bigint) as mentions
            from marts.share_of_voice
            where day between ? and ?
            group by entity_id
        ),

        watched as materialized (
            select distinct entity_id
            from marts.share_of_voice
            where day between ? and ? and lower(name) in (select lower(unnest(?::varchar[])))
        ),

        charted as (
            -- a top-N, then a rank for the few charted: ranking every entity costs 5x more
            (select entity_id, mentions from period order by mentions desc, entity_id limit ?)
            union
            (select entity_id, mentions from period semi join watched using (entity_id))
        ),

        ranked as (
            select
                charted.entity_id,
                charted.mentions,
                1 + (
                    select count(*) from period
                    where period.mentions > charted.mentions
                        or (period.mentions = charted.mentions and period.entity_id < charted.entity_id)
                ) as rank,
                charted.entity_id in (select entity_id from watched) as watched
            from charted
        ),

        names as (
            select distinct entity_id, name, label
            from marts.share_of_voice
            where day between ? and ? and entity_id in (select entity_id from charted)
        )

        select
            ranked.entity_id,
            names.name
            || case when count(*) over (partition by names.name) > 1 then ' (' || names.label || ')' else '' end
                as entity,
            ranked.mentions,
            ranked.rank,
            ranked.watched
        from ranked
        inner join names using (entity_id)
        order by ranked.rank
        """,
        [*period.params, *period.params, list(watchlist), top, *period.params],
    )


def _named(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Chart rows with the entity's display name in place of its id."""
    return [{**{k: v for k, v in row.items() if k != "entity_id"}, "entity": names[row["entity_id"]]} for row in rows]


def report_context(
    con: duckdb.DuckDBPyConnection, days: int, top: int, watchlist: Sequence[str], data_docs: str | None
) -> dict[str, Any]:
    """Everything the template shows: plain values, table rows and chart specs."""
    _check_marts(con)
    period = _period(con, days)
    context: dict[str, Any] = {"period": period, "days": days, "charts": {}, "data_docs": safe_link(data_docs)}
    context["quality"] = _rows(
        con,
        "select validated_at, batch_id, table_name, success, expectations, failed_expectations, failed "
        "from marts.dq_results order by validated_at desc, table_name limit 15",
    )
    context["quality_totals"] = con.execute(
        "select count(*), count(*) filter (where not success) from marts.dq_results"
    ).fetchone()
    if period is None:
        return context
    window = period.params
    context["totals"] = con.execute(
        "select sum(articles), count(distinct outlet) from marts.source_daily_volume where day between ? and ?", window
    ).fetchone()
    entities = charted_entities(con, period, top, watchlist)
    names = {e["entity_id"]: e["entity"] for e in entities}
    tops = [e for e in entities if e["rank"] <= top]
    context["entities"], context["top_count"] = entities, len(tops)
    found = {e["entity"].lower() for e in entities if e["watched"]}
    context["watch_missing"] = [n for n in watchlist if n.lower() not in found]

    charted = [[e["entity_id"] for e in entities], [e["entity"] for e in entities], [e["rank"] for e in entities]]
    context["charts"]["attention"] = charts.attention(
        _rows(
            con,
            DAY_GRID
            + """
            select
                strftime(grid.day, '%Y-%m-%d') as day,
                grid.entity,
                coalesce(tone.mentions, 0) as mentions,
                coalesce(tone.articles, 0) as articles,
                coalesce(tone.article_share, 0) as article_share
            from grid
            left join marts.entity_tone_daily as tone
                on tone.day = grid.day and tone.entity_id = grid.entity_id and tone.day between ? and ?
            """,
            [*window, *charted, *window],
        )
    )
    shares = _rows(
        con,
        DAY_GRID
        + """
        select strftime(grid.day, '%Y-%m-%d') as day, grid.entity, grid.rank, coalesce(voice.share, 0) as share
        from grid
        left join marts.share_of_voice as voice
            on voice.day = grid.day and voice.entity_id = grid.entity_id and voice.day between ? and ?
        where grid.rank <= ?
        """,
        [*window, *charted, *window, top],
    )
    context["charts"]["share_of_voice"] = charts.share_of_voice(shares)
    all_mentions = con.execute(
        "select sum(mentions) from marts.share_of_voice where day between ? and ?", window
    ).fetchone()[0]
    context["share_table"] = [{**e, "share": e["mentions"] / all_mentions} for e in entities]

    outlets = _rows(
        con,
        """
        select
            outlet,
            sum(articles) as articles,
            sum(articles * mean_compound) / sum(articles) filter (where mean_compound is not null) as mean_compound,
            sum(articles * mean_tone) / sum(articles) filter (where mean_tone is not null) as mean_tone
        from marts.source_daily_volume
        where day between ? and ?
        group by all
        order by articles desc, outlet
        limit 20
        """,
        window,
    )
    context["charts"]["outlet_tone"] = charts.outlet_tone(outlets)
    heat = _rows(
        con,
        """
        select
            outlet,
            entity_id,
            sum(mentions) as mentions,
            sum(mentions * mean_compound) / sum(mentions) filter (where mean_compound is not null) as mean_compound
        from marts.outlet_entity_coverage
        where
            day between ? and ?
            and entity_id in (select unnest(?::varchar[]))
            and outlet in (select unnest(?::varchar[]))
        group by all
        """,
        [*window, [e["entity_id"] for e in tops], [o["outlet"] for o in outlets]],
    )
    context["charts"]["outlet_entity_tone"] = charts.outlet_entity_tone(_named(heat, names), len(outlets))

    context["stories"] = _rows(
        con,
        "select origin_outlet, agency, origin_title, articles, copies, outlets, outlet_list, first_seen, "
        "first_pickup_delay from marts.story_spread "
        "where articles > 1 and cast(timezone('UTC', first_seen) as date) between ? and ? "
        "order by outlets desc, articles desc, first_seen limit 15",
        window,
    )
    context["trending"] = _rows(
        con,
        "select day, name, label, mentions, articles, baseline, score from marts.trending_entities "
        "where day between ? and ? order by day desc, score desc, name limit 25",
        window,
    )
    return context


def build_report(
    warehouse: Path,
    out_dir: Path,
    *,
    days: int = 90,
    top: int = 8,
    watchlist: Sequence[str] = (),
    data_docs: Path | str | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write ``out_dir/index.html`` for the last ``days`` days of the warehouse; returns its path.

    ``watchlist``: entity names always charted next to the ``top`` entities (the hook for a
    configured watchlist).  ``data_docs``: the GX Data Docs index to link to (a local path is
    linked relative to the report).  ``cache_dir``: where the Vega bundle is cached.
    """
    if not Path(warehouse).exists():
        raise ReportError(f"no warehouse at {warehouse}: run the ingest DAG (or `python -m newsflow run`) first")
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(data_docs, Path):
        data_docs = os.path.relpath(data_docs, out_dir.resolve()) if data_docs.exists() else None
    with db.connect(warehouse, read_only=True) as con:
        context = report_context(con, days, top, watchlist, data_docs)
    page = _TEMPLATES.get_template("report.html.j2").render(
        **context,
        specs={name: json_for_script(spec) for name, spec in context["charts"].items()},
        vega_js=Markup(javascript_bundle(cache_dir)),  # noqa: S704 - the bundled libraries, not data
        nonce=secrets.token_urlsafe(16),
        generated_at=datetime.now(tz=UTC),
        warehouse_name=Path(warehouse).name,
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
