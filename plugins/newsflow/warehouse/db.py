"""DuckDB warehouse: connection, schema creation, idempotent batch loads and marts."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from newsflow.config import LOCK_TIMEOUT_S, PROJECT_ROOT
from newsflow.ingest.records import reason_class
from newsflow.nlp.entities import dominant_labels_of_counts, entity_id
from newsflow.nlp.sentiment import label_of

log = logging.getLogger(__name__)

SQL_DIR = PROJECT_ROOT / "sql"
SCHEMAS = ("raw", "staging", "marts")
# How a batch's tables reach staging.  When an article is loaded again, its rows in these
# tables (matched on the listed columns) are replaced; entities are shared across articles
# and batches, so they are merged (see _merge_entities); stories are recomputed whole by
# every batch.
REPLACED_PER_ARTICLE = {
    "mentions": ("article_id",),
    "article_sentiment": ("article_id",),
    "entity_sentiment": ("article_id",),
    "article_citations": ("article_id",),
    "quotes": ("article_id",),
    "story_links": ("article_id", "other_article_id"),
}
MERGED = ("entities",)
REPLACED_WHOLE = ("stories",)
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
    path: Path | str, read_only: bool = False, lock_timeout_s: float = LOCK_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its folder), in UTC, and close it afterwards.

    While another process holds a conflicting lock on the file, retry with backoff for up
    to ``lock_timeout_s`` seconds, then raise :class:`WarehouseLockedError` naming the holder.
    """
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, lock_timeout_s)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


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
    """Create the schemas and every raw and staging table (idempotent)."""
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    for layer in ("raw", "staging"):
        # Tables first: a view binds to the tables it reads when it is created.
        for path in sorted((SQL_DIR / layer).glob("*.sql"), key=lambda p: (_is_view(p), p.name)):
            con.execute(path.read_text(encoding="utf-8"))


def _is_view(path: Path) -> bool:
    return re.search(r"^create (?:or replace )?view", path.read_text(encoding="utf-8"), re.M | re.I) is not None


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
    """Load one validated batch in a single transaction; re-loading a batch never duplicates.

    ``tables`` holds ``articles``, ``quarantine`` and enrichment tables named in
    :data:`REPLACED_PER_ARTICLE`, :data:`MERGED` or :data:`REPLACED_WHOLE`.  Articles replace earlier
    rows with the same ``article_id`` (with their enrichment rows); raw keeps every
    version.  ``raw.batches`` records the run: articles loaded, quarantined, dropped as
    duplicates, left out as ``unchanged`` since loaded, and ``reused`` (copies whose
    enrichment came from the warehouse).  ``sources``: what was read per source
    (source_name, articles, quarantined), kept in raw.batch_sources.  Returns the number of
    rows loaded per table.
    """
    unknown = set(tables) - {"articles", "quarantine", *REPLACED_PER_ARTICLE, *MERGED, *REPLACED_WHOLE}
    if unknown:
        raise ValueError(f"no load rule for tables {sorted(unknown)}")
    create_schema(con)
    loaded_at = datetime.now(tz=interval_end.tzinfo)
    articles = tables["articles"].assign(batch_id=batch_id, ingested_at=interval_end)
    quarantine = tables["quarantine"].assign(batch_id=batch_id, seen_at=loaded_at)
    if "reason_class" not in quarantine or quarantine["reason_class"].isna().any():  # a run folder from before
        quarantine["reason_class"] = quarantine["reason"].map(reason_class)
    frames = dict(tables, articles=articles, quarantine=quarantine)
    if "entities" in tables:
        frames["entities"] = tables["entities"].assign(first_seen_at=interval_end, last_seen_at=interval_end)
    replaced = [name for name in REPLACED_PER_ARTICLE if name in frames]
    con.begin()
    try:
        for name, frame in frames.items():
            con.register(f"batch_{name}", frame)
        _insert(con, "raw.articles", "batch_articles", anti_join_on="article_id, content_hash")
        for table in replaced:  # children before parent
            columns = REPLACED_PER_ARTICLE[table]
            matches = " or ".join(f"{c} in (select article_id from batch_articles)" for c in columns)
            con.execute(f"delete from staging.{table} where {matches}")
        con.execute("delete from staging.articles where article_id in (select article_id from batch_articles)")
        _insert(con, "staging.articles", "batch_articles")
        for name in replaced:
            _insert(con, f"staging.{name}", f"batch_{name}")
        for name in REPLACED_WHOLE:
            if name in frames:
                con.execute(f"delete from staging.{name}")
                _insert(con, f"staging.{name}", f"batch_{name}")
        if "entities" in frames:
            _merge_entities(con)
        if "mentions" in frames:
            relabel_by_corpus(con, "batch_mentions")
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
    counts = {name: len(frame) for name, frame in tables.items()}
    log.info("loaded batch %s: %s", batch_id, counts)
    return counts


def _merge_entities(con: duckdb.DuckDBPyConnection) -> None:
    """Add the batch's new entities; for known ones, add the new surface forms to ``aliases``
    and widen first/last seen (so re-loading a batch, or loading an older one later, is safe).
    """
    con.execute(
        """
        insert into staging.entities (entity_id, name, label, aliases, first_seen_at, last_seen_at)
        select entity_id, name, label, list_sort(list_distinct(aliases)), first_seen_at, last_seen_at
        from batch_entities
        on conflict (entity_id) do update set
            aliases = list_sort(list_distinct(list_concat(aliases, excluded.aliases))),
            first_seen_at = least(first_seen_at, excluded.first_seen_at),
            last_seen_at = greatest(last_seen_at, excluded.last_seen_at)
        """
    )


def relabel_by_corpus(con: duckdb.DuckDBPyConnection, touched_mentions: str) -> int:
    """Give every name the ``touched_mentions`` (a table or registered frame) name its
    dominant label across the whole warehouse; returns how many entities moved.

    Enrichment corrects the model by the majority within a batch; this extends the vote
    to every batch loaded, so "Kyiv" tagged PERSON in one batch joins the GPE "Kyiv" of
    ten others, and an earlier batch's mentions move when later ones outvote them.  The
    vote counts the model's own labels (``model_label``) of unlisted mentions; a tie
    changes nothing; entities named by the alias table or watchlist never move.
    Mentions, entity sentiment, quote speakers and the entity rows follow the move.
    """
    votes = con.execute(
        f"""
        with named as (
            select distinct lower(e.name) as name
            from {touched_mentions} as t
            inner join staging.entities as e using (entity_id)
        ),
        listed as (select distinct entity_id from staging.mentions where listed)
        select e.entity_id, e.name, e.label, m.model_label, count(*) as mentions
        from staging.mentions as m
        inner join staging.entities as e using (entity_id)
        where lower(e.name) in (select name from named)
          and not m.listed
          and e.entity_id not in (select entity_id from listed)
        group by all
        """
    ).fetchall()
    dominant = dominant_labels_of_counts((name, model_label, count) for _, name, _, model_label, count in votes)
    moves = {
        old: (entity_id(name, dominant[name.casefold()]), dominant[name.casefold()], name)
        for old, name, label, _, _ in votes
        if dominant.get(name.casefold(), label) != label
    }
    if not moves:
        return 0
    relabel = pd.DataFrame(
        [(old, new, label, name) for old, (new, label, name) in moves.items()],
        columns=["old_id", "new_id", "new_label", "name"],
    )
    con.register("relabel", relabel)
    try:
        con.execute(
            "update staging.mentions set entity_id = r.new_id, label = r.new_label "
            "from relabel as r where staging.mentions.entity_id = r.old_id"
        )
        con.execute(
            "update staging.quotes set speaker_entity_id = r.new_id "
            "from relabel as r where staging.quotes.speaker_entity_id = r.old_id"
        )
        _merge_entity_sentiment(con)
        con.execute(
            """
            insert into staging.entities (entity_id, name, label, aliases, first_seen_at, last_seen_at)
            select r.new_id, any_value(r.name), any_value(r.new_label),
                   list_sort(list_distinct(flatten(list(e.aliases)))), min(e.first_seen_at), max(e.last_seen_at)
            from staging.entities as e
            inner join relabel as r on e.entity_id = r.old_id
            group by r.new_id
            on conflict (entity_id) do update set
                aliases = list_sort(list_distinct(list_concat(aliases, excluded.aliases))),
                first_seen_at = least(first_seen_at, excluded.first_seen_at),
                last_seen_at = greatest(last_seen_at, excluded.last_seen_at)
            """
        )
        con.execute("delete from staging.entities where entity_id in (select old_id from relabel)")
    finally:
        con.unregister("relabel")
    log.info("corpus-wide labels moved %d entities", len(moves))
    return len(moves)


def _merge_entity_sentiment(con: duckdb.DuckDBPyConnection) -> None:
    """Re-key entity sentiment rows of moved entities (``relabel``); where an article
    already had the target entity, the two rows become one (mention-weighted mean)."""
    rows = con.execute(
        """
        with moved_articles as (
            select distinct article_id from staging.entity_sentiment
            where entity_id in (select old_id from relabel)
        )
        select s.article_id, s.entity_id as stored_id, coalesce(r.new_id, s.entity_id) as entity_id,
               s.mentions, s.compound
        from staging.entity_sentiment as s
        left join relabel as r on s.entity_id = r.old_id
        where s.article_id in (select article_id from moved_articles)
          and (s.entity_id in (select old_id from relabel) or s.entity_id in (select new_id from relabel))
        """
    ).df()
    if rows.empty:
        return
    merged = (
        rows.assign(weighted=rows["compound"] * rows["mentions"])
        .groupby(["article_id", "entity_id"], as_index=False)[["mentions", "weighted"]]
        .sum()
    )
    merged["compound"] = (merged["weighted"] / merged["mentions"]).round(4)
    merged["label"] = merged["compound"].map(label_of)
    con.register("stored_rows", rows[["article_id", "stored_id"]])
    con.register("merged_rows", merged[["article_id", "entity_id", "mentions", "compound", "label"]])
    try:
        con.execute(
            "delete from staging.entity_sentiment using stored_rows as s where "
            "staging.entity_sentiment.article_id = s.article_id and staging.entity_sentiment.entity_id = s.stored_id"
        )
        _insert(con, "staging.entity_sentiment", "merged_rows")
    finally:
        con.unregister("stored_rows")
        con.unregister("merged_rows")


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


def refresh_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild every mart in ``sql/marts`` (alphabetical order) in one transaction; returns row counts.

    Marts read raw and staging tables only, so their order does not matter.
    """
    create_schema(con)
    counts = {}
    con.begin()
    try:
        for name in sorted(p.stem for p in (SQL_DIR / "marts").glob("*.sql")):
            con.execute(f"create or replace table marts.{name} as {_sql('marts', name)}")
            counts[name] = con.execute(f"select count(*) from marts.{name}").fetchone()[0]
        con.commit()
    except Exception:
        con.rollback()
        raise
    return counts


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
    """What linking a batch needs from earlier batches.

    ``window``: articles seen between ``start`` and ``end`` (text and entities, to link
    against); ``articles``: every article's outlet, time and credited agency (to rebuild
    stories); ``links``: every stored link not touching the ``exclude``d (batch) articles.
    Reads only: the warehouse's writers created the schema.
    """
    con.register("batch_ids", pd.DataFrame({"article_id": pd.Series(exclude, dtype="string")}))
    try:
        seen_at = "case when date_flag = 'ok' then published_at else ingested_at end"
        credited = """
            select article_id, arg_min(source, case kind when 'dateline' then 0 when 'byline' then 1 else 2 end)
                as agency
            from staging.article_citations
            where kind in ('dateline', 'byline', 'signoff') and is_agency
            group by article_id
        """
        articles = con.execute(
            f"""
            select a.article_id, a.outlet, {seen_at} as seen_at, a.content_hash, a.title, c.agency
            from staging.articles as a
            left join ({credited}) as c using (article_id)
            where a.article_id not in (select article_id from batch_ids)
            """
        ).df()
        window = con.execute(
            f"""
            select a.article_id, a.text, list(distinct [m.label, e.name]) filter (where m.label is not null)
                as entities
            from staging.articles as a
            left join staging.mentions as m using (article_id)
            left join staging.entities as e on e.entity_id = m.entity_id
            where {seen_at} between ? and ? and a.article_id not in (select article_id from batch_ids)
            group by a.article_id, a.text
            """,
            [start, end],
        ).df()
        links = con.execute(
            """
            select * from staging.story_links
            where article_id not in (select article_id from batch_ids)
              and other_article_id not in (select article_id from batch_ids)
            """
        ).df()
    finally:
        con.unregister("batch_ids")
    return {"articles": articles, "window": window, "links": links}
