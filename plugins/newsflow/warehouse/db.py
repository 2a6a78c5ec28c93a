"""DuckDB warehouse: connection, schema creation, idempotent batch loads and marts."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from newsflow.config import LOCK_TIMEOUT_S, PROJECT_ROOT, Settings
from newsflow.ingest.records import reason_class
from newsflow.nlp.aliases import EntityList, name_key

log = logging.getLogger(__name__)

SQL_DIR = PROJECT_ROOT / "sql"
SCHEMAS = ("raw", "staging", "intermediate", "marts")
# The enrichment tables a batch appends to raw, one set of rows per batch: re-loading a batch
# replaces its rows.  Which rows are current (the latest load of each article, the vote's
# entities, each article's story from the latest batch that wrote it) is decided by the SQL
# layers (sql/staging, sql/intermediate).
# Keyed by article: a batch's rows of these belong to the articles it delivered.
PER_ARTICLE = ("mentions", "mention_places", "article_sentiment", "entity_sentiment", "quotes", "article_citations")
ENRICHMENT_TABLES = (
    "mentions",
    "mention_places",
    "entities",
    "article_sentiment",
    "entity_sentiment",
    "quotes",
    "article_citations",
    "story_links",
    "stories",
)
# DuckDB's message when another process holds the file, e.g. "Could not set lock on file
# "/w.duckdb": Conflicting lock is held in /usr/bin/python3 (PID 4242) by user ana."
_LOCK_CONFLICT = re.compile(r"Could not set lock on file")
_LOCK_HOLDER = re.compile(
    r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+))?"
)


class WarehouseLockedError(RuntimeError):
    """Another process kept the warehouse file locked for longer than we wait; the message names it."""


def lock_holder(message: str) -> str:
    """Who holds the lock as DuckDB reports it, e.g. "PID 4242 (/usr/bin/python3, user ana)"."""
    match = _LOCK_HOLDER.search(message)
    if not match:
        return "a process DuckDB does not name"
    user = f", user {match['user'].rstrip('.')}" if match["user"] else ""
    return f"PID {match['pid']} ({match['program']}{user})"


def _open(path: Path | str, read_only: bool, lock_timeout_s: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retrying with backoff while another process holds a conflicting lock."""
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _LOCK_CONFLICT.search(str(exc)):
                raise
            holder = lock_holder(str(exc))
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarehouseLockedError(
                    f"warehouse {path} is locked by {holder}; gave up after {lock_timeout_s:g} s. "
                    "Only the pipeline should open this file; readers open the published snapshot "
                    "read-only instead (see the README, 'Reading the warehouse while the pipeline runs')."
                ) from exc
            log.warning("warehouse %s is locked by %s; retrying for up to %.1f s", path, holder, left)
            time.sleep(min(delay, left))
            delay = min(delay * 2, 2.0)


@contextmanager
def connect(
    path: Path | str,
    read_only: bool = False,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    memory_limit: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its folder), in UTC, and close it afterwards.

    ``memory_limit`` (a DuckDB size, e.g. ``1GB``) bounds the memory of the process's database
    instance, shared by every connection to the file, dbt's included; None keeps DuckDB's default.

    While another process holds a conflicting lock on the file, retry with backoff for up
    to ``lock_timeout_s`` seconds, then raise :class:`WarehouseLockedError` naming the holder.
    """
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, lock_timeout_s)
    try:
        con.execute("set TimeZone = 'UTC'")
        if memory_limit:
            con.execute("set memory_limit = ?", [memory_limit])
        yield con
    finally:
        con.close()


def open_warehouse(settings: Settings, read_only: bool = False) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """:func:`connect` to the warehouse of ``settings``, with its lock timeout and memory limit."""
    return connect(settings.warehouse_path, read_only, settings.lock_timeout_s, settings.warehouse_memory_limit)


def has_staging(path: Path, lock_timeout_s: float = LOCK_TIMEOUT_S) -> bool:
    """Whether the warehouse file exists and holds the staging tables (a first run has none)."""
    if not Path(path).exists():
        return False
    with connect(path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'staging' and table_name = 'articles'"
        ).fetchone()[0]
    return found > 0


def _sql(layer: str, name: str) -> str:
    return (SQL_DIR / layer / f"{name}.sql").read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and every raw table (idempotent); the SQL layers build the rest."""
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    for path in sorted((SQL_DIR / "raw").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    _move_legacy_staging_to_raw(con)


def _move_legacy_staging_to_raw(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse written before the SQL layers held staging in tables: move them to raw, once."""
    legacy = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'staging' and table_name = 'articles' and table_type = 'BASE TABLE'"
    ).fetchone()[0]
    if not legacy:
        return
    log.warning("moving this warehouse's staging tables to raw, once: staging is now derived from raw")
    con.begin()
    try:
        con.execute((SQL_DIR / "migrations" / "legacy_staging_to_raw.sql").read_text(encoding="utf-8"))
        con.commit()
    except Exception:
        con.rollback()
        raise


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame_name: str, *, anti_join_on: str | None = None) -> None:
    """Bulk insert the registered frame into ``table`` by column name (Arrow scan, not row by row).

    With ``anti_join_on``, rows whose key is already in ``table`` are left out.
    """
    columns = ", ".join(_columns(con, table))
    existing = f" anti join {table} using ({anti_join_on})" if anti_join_on else ""
    con.execute(f"insert into {table} ({columns}) select {columns} from {frame_name}{existing}")


def load_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    batch_id: str,
    interval_start: datetime,
    interval_end: datetime,
    tables: dict[str, pd.DataFrame],
    duplicates: int = 0,
    unchanged: int = 0,
    reused: int = 0,
    sources: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Append one validated batch to ``raw`` in a single transaction; re-loading a batch replaces its rows.

    ``tables`` holds ``articles``, ``quarantine`` and any of :data:`ENRICHMENT_TABLES`.
    ``raw.articles`` keeps every version of an article (by content hash) and
    ``raw.article_loads`` which version each batch delivered; staging and marts are derived
    from raw by :func:`refresh_marts`.  ``raw.batches`` records the run: articles loaded,
    quarantined, dropped as duplicates, left out as ``unchanged`` since loaded, and ``reused``
    (copies whose enrichment came from the warehouse).  ``sources``: what was read per source
    (source_name, articles, quarantined), kept in raw.batch_sources.  Returns the number of rows
    loaded per table.
    """
    unknown = set(tables) - {"articles", "quarantine", *ENRICHMENT_TABLES}
    if unknown:
        raise ValueError(f"no load rule for tables {sorted(unknown)}")
    create_schema(con)
    loaded_at = datetime.now(tz=interval_end.tzinfo)
    articles = tables["articles"].assign(batch_id=batch_id, ingested_at=interval_end, loaded_at=loaded_at)
    quarantine = tables["quarantine"].assign(batch_id=batch_id, seen_at=loaded_at)
    if "reason_class" not in quarantine or quarantine["reason_class"].isna().any():  # a run folder from before
        quarantine["reason_class"] = quarantine["reason"].map(reason_class)
    enrichment = {name: tables[name].assign(batch_id=batch_id) for name in ENRICHMENT_TABLES if name in tables}
    if "story_links" in enrichment:
        enrichment["story_links"] = enrichment["story_links"].assign(loaded_at=loaded_at)
    frames = {"articles": articles, "quarantine": quarantine, **enrichment}
    con.begin()
    try:
        for name, frame in frames.items():
            con.register(f"batch_{name}", frame)
        _insert(con, "raw.articles", "batch_articles", anti_join_on="article_id, content_hash")
        # A re-run of the interval replaces what it delivers again: the rows of its articles (a
        # re-run leaves out articles unchanged since the first run, whose rows stay).
        delivered = "article_id in (select article_id from batch_articles)"
        for table in ("article_loads", *(name for name in enrichment if name in PER_ARTICLE)):
            con.execute(f"delete from raw.{table} where batch_id = ? and {delivered}", [batch_id])
        if "story_links" in enrichment:
            con.execute(
                f"delete from raw.story_links where batch_id = ? and ({delivered} or other_{delivered})", [batch_id]
            )
        if "stories" in enrichment and not enrichment["stories"].empty:  # the stories a batch touches, whole
            con.execute("delete from raw.stories where batch_id = ?", [batch_id])
        _insert(con, "raw.article_loads", "batch_articles")
        for name in enrichment:
            if name == "entities":
                _merge_entities(con)
            elif name != "stories" or not enrichment["stories"].empty:
                _insert(con, f"raw.{name}", f"batch_{name}")
        con.execute(
            """
            insert into raw.quarantine by name
            select quarantine_id, source_name, source_location, source_format, reason, detail, step, reason_class,
                   batch_id as first_batch_id, batch_id as last_batch_id,
                   seen_at as first_seen_at, seen_at as last_seen_at
            from batch_quarantine
            on conflict (quarantine_id) do update set
                last_batch_id = excluded.last_batch_id, last_seen_at = excluded.last_seen_at,
                reason_class = excluded.reason_class
            """
        )
        if sources is not None:
            con.register("batch_sources", sources)
            con.execute("delete from raw.batch_sources where batch_id = ?", [batch_id])
            con.execute(
                "insert into raw.batch_sources select ?, source_name, articles, quarantined from batch_sources",
                [batch_id],
            )
            con.unregister("batch_sources")
        con.execute(
            """
            insert or replace into raw.batches by name
            select $batch_id as batch_id, $interval_start as interval_start, $interval_end as interval_end,
                $articles as articles, $quarantined as quarantined, $duplicates as duplicates,
                $loaded_at as loaded_at, $unchanged as unchanged, $reused as reused,
                $articles - $reused as enriched
            """,
            {
                "batch_id": batch_id,
                "interval_start": interval_start,
                "interval_end": interval_end,
                "articles": len(articles),
                "quarantined": len(quarantine),
                "duplicates": duplicates,
                "loaded_at": loaded_at,
                "unchanged": unchanged,
                "reused": reused,
            },
        )
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        for name in frames:
            con.unregister(f"batch_{name}")
    if not _has_sql_layers(con):
        # The first load of a warehouse builds the views, so that staging, which follows raw at
        # once, is there for readers such as the next batch's linking before any refresh.
        from newsflow.warehouse import transform  # dbt takes seconds to import; later loads do not need it

        transform.build_views(con)
    counts = {name: len(frame) for name, frame in tables.items()}
    log.info("loaded batch %s: %s", batch_id, counts)
    return counts


def _merge_entities(con: duckdb.DuckDBPyConnection) -> None:
    """The batch's entities; one seen by an earlier run of the same interval keeps its aliases too."""
    con.execute(
        """
        insert into raw.entities (batch_id, entity_id, name, label, aliases)
        select batch_id, entity_id, name, label, list_sort(list_distinct(aliases))
        from batch_entities
        on conflict (batch_id, entity_id) do update set
            aliases = list_sort(list_distinct(list_concat(aliases, excluded.aliases)))
        """
    )


def _has_sql_layers(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'intermediate' and table_name = 'entity_identities'"
        ).fetchone()[0]
    )


def record_validation(con: duckdb.DuckDBPyConnection, results: pd.DataFrame) -> None:
    """Store one validation run's expectation results (replacing a re-run of the same id)."""
    create_schema(con)
    con.begin()
    try:
        con.register("batch_results", results)
        con.execute(
            "delete from raw.validation_results where validation_id in (select validation_id from batch_results)"
        )
        _insert(con, "raw.validation_results", "batch_results")
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        con.unregister("batch_results")


def load_entity_lists(con: duckdb.DuckDBPyConnection, lists: dict[str, EntityList]) -> None:
    """Replace ``raw.entity_lists`` with ``lists`` (``{"aliases": ..., "watchlist": ...}``).

    The identity models read the table, so an entry added, edited or removed applies to every
    batch at the next refresh, not only to batches enriched after the edit.
    """
    rows = [
        (list_name, name_key(alias, entry.label), alias, entry.name, entry.label)
        for list_name, entity_list in lists.items()
        for entry in entity_list.entries
        for alias in entry.names
    ]
    con.begin()
    try:
        con.execute("delete from raw.entity_lists")
        if rows:
            con.executemany("insert or replace into raw.entity_lists values (?, ?, ?, ?, ?)", rows)
        con.commit()
    except Exception:
        con.rollback()
        raise


def refresh_marts(
    con: duckdb.DuckDBPyConnection, *, full: bool = False, lists: dict[str, EntityList] | None = None
) -> dict[str, int]:
    """Derive staging, intermediate and marts from raw (sql/, run by dbt); returns mart row counts.

    Daily marts rebuild only the days the loads since the last refresh touched
    (``intermediate.touched_days``, logged in ``intermediate.refreshed_days``); ``full`` rebuilds
    every mart from scratch.  ``lists``: the alias table and watchlist to store first
    (:func:`load_entity_lists`); without, the stored ones stay.
    """
    from newsflow.warehouse import transform  # dbt takes seconds to import; loads do not need it

    create_schema(con)
    if lists is not None:
        load_entity_lists(con, lists)
    return transform.build(con, full=full)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table in the raw, staging and marts schemas."""
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('raw', 'staging', 'marts') order by 1"
    ).fetchall()
    return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for (name,) in rows}


def story_history(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime, exclude: list[str]
) -> dict[str, pd.DataFrame]:
    """What linking a batch needs from earlier batches, bounded by the time window.

    ``window``: articles seen between ``start`` and ``end`` (text and entities, to link
    against); ``articles``: outlet, time and credited agency of every member of the stories
    that hold a window article or an ``exclude``d (batch) article (to update those stories),
    with ``touched``: the member's story holds a batch article (re-delivered: its story may
    change without it); ``links``: the stored links among those members, none touching a
    batch article.  Nothing else is read: stories of other times stay as they are.
    Reads only: the warehouse's writers created the schema.
    """
    con.register("batch_ids", pd.DataFrame({"article_id": pd.Series(exclude, dtype="string")}))
    try:
        members = con.execute(
            """
            with window_articles as (
                select article_id from intermediate.article_days
                where seen_at between $start and $end and article_id not in (select article_id from batch_ids)
            ),

            stories as (
                select
                    story_id,
                    bool_or(article_id in (select article_id from batch_ids)) as touched
                from staging.stories
                where article_id in (select article_id from window_articles)
                   or article_id in (select article_id from batch_ids)
                group by story_id
            )

            select
                members.article_id,
                stories.touched,
                members.article_id in (select article_id from window_articles) as in_window
            from staging.stories as members
            inner join stories using (story_id)
            where members.article_id not in (select article_id from batch_ids)
            union
            -- an article loaded before stories were kept has no story yet
            select article_id, false as touched, true as in_window from window_articles
            """,
            {"start": start, "end": end},
        ).df()
        members = members.groupby("article_id", as_index=False)[["touched", "in_window"]].any()
        con.register("history_members", members)
        credited = """
            select article_id, arg_min(source, case kind when 'dateline' then 0 when 'byline' then 1 else 2 end)
                as agency
            from staging.article_citations
            where kind in ('dateline', 'byline', 'signoff') and is_agency
              and article_id in (select article_id from history_members)
            group by article_id
        """
        articles = con.execute(
            f"""
            select a.article_id, a.outlet, d.seen_at, a.content_hash, a.title, c.agency, h.touched
            from history_members as h
            inner join staging.articles as a using (article_id)
            inner join intermediate.article_days as d using (article_id)
            left join ({credited}) as c using (article_id)
            """
        ).df()
        window = con.execute(
            """
            select a.article_id, a.text, list(distinct [m.label, e.name]) filter (where m.label is not null)
                as entities
            from staging.articles as a
            left join staging.mentions as m using (article_id)
            left join staging.entities as e on e.entity_id = m.entity_id
            where a.article_id in (select article_id from history_members where in_window)
            group by a.article_id, a.text
            """
        ).df()
        links = con.execute(
            """
            select * from staging.story_links
            where article_id in (select article_id from history_members)
              and other_article_id in (select article_id from history_members)
            """
        ).df()
    finally:
        con.unregister("batch_ids")
        con.unregister("history_members")
    return {"articles": articles, "window": window, "links": links}
