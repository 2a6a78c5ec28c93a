"""The SQL layers: dbt (dbt-duckdb) builds staging, intermediate and marts from raw (``sql/``).

dbt runs in this process, on the warehouse file the caller holds open: DuckDB gives every
connection to one file in one process the same database, so the pipeline keeps its lock on
the file (no other process can slip in between the load and the refresh) and sees dbt's
commits at once.  Daily marts are incremental: ``intermediate.touched_days`` says which days
changed since the last refresh, and only those are rebuilt; the refresh then keeps a copy of
what it counted (``intermediate.refreshed_articles``, ``refreshed_identities``,
``refreshed_short_forms``, ``refreshed_voted_entities``) for the next one to compare against, and
logs the days it rebuilt in ``intermediate.refreshed_days``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import stat
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsflow.config import PROJECT_ROOT

log = logging.getLogger(__name__)

DBT_PROJECT = PROJECT_ROOT / "sql"
# Where the refresh keeps what it counted, compared by intermediate.touched_days next time.
SNAPSHOTS = {
    "intermediate.refreshed_articles": "intermediate.counted_articles",
    "intermediate.refreshed_identities": "intermediate.entity_identities",
    "intermediate.refreshed_short_forms": "intermediate.entity_short_forms",
    # compared by intermediate.touched_entity_articles (article_entities is incremental)
    "intermediate.refreshed_voted_entities": "intermediate.voted_entities",
}
# What the views were last built from (see _views_are_current): a view is SQL text that DuckDB
# binds when it is read, so it needs building again only when its definition changes.
BUILT_VIEWS = "intermediate.built_views"
# The files a view's definition can depend on (models, macros, the project and its profile).
DEFINITION_GLOBS = ("staging/*", "intermediate/*", "marts/*", "macros/*", "dbt_project.yml", "profiles.yml")
# dbt reads its profile's path from the environment; one build at a time per process.
_DBT_LOCK = threading.Lock()
_WORK_DIR: Path | None = None
# dbt's parse of the project, kept for the life of the process (and on disk, _parse), per
# definitions fingerprint and database name (the file's stem, which every relation is named with).
_MANIFESTS: dict[tuple[str, str], object] = {}
# The attribute of run_dbt's log record that lists (node, seconds), slowest first.
NODE_SECONDS = "dbt_node_seconds"


class TransformError(RuntimeError):
    """dbt could not build or test the SQL layers; the message names the failing models and tests."""


def _work_dir(warehouse: str | None = None) -> Path:
    """dbt's target/ (its parse cache) and logs/: one folder per warehouse file in the system's
    temporary folder, so a new process, such as each Airflow task, reuses the parse of the last
    refresh (the warehouse's single writer is the only one using it; readers of the warehouse's
    folder see nothing new).  ``NEWSFLOW_DBT_WORK_DIR`` overrides it."""
    global _WORK_DIR
    if os.environ.get("NEWSFLOW_DBT_WORK_DIR"):
        _WORK_DIR = Path(os.environ["NEWSFLOW_DBT_WORK_DIR"])
    elif warehouse:
        key = hashlib.sha256(str(Path(warehouse).resolve()).encode()).hexdigest()[:16]
        _WORK_DIR = Path(tempfile.gettempdir()) / f"newsflow-dbt-{os.getuid()}-{key}"
    elif _WORK_DIR is None:
        _WORK_DIR = Path(tempfile.mkdtemp(prefix="newsflow-dbt-"))
    return _WORK_DIR


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    """The file behind ``con`` (dbt opens the same one)."""
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    if not path:
        raise TransformError("the SQL layers are built on a warehouse file, not an in-memory database")
    return path


def run_dbt(con: duckdb.DuckDBPyConnection, *args: str, write_json: bool = False) -> None:
    """``dbt ARGS`` on the warehouse behind ``con``; raises :class:`TransformError` when a node fails.

    dbt's manifest.json and run_results.json are written only with ``write_json`` (the lineage
    docs read them): serialising the manifest took a fifth of a small refresh.  What each node
    took is logged instead (:data:`NODE_SECONDS` in the record).
    """
    from dbt.cli.main import dbtRunner  # a second or two of imports, only when the SQL layers run

    warehouse = database_path(con)
    work = _work_dir(warehouse)
    options = [
        "--project-dir", str(DBT_PROJECT),
        "--profiles-dir", str(DBT_PROJECT),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
        "--quiet",
        "--write-json" if write_json else "--no-write-json",
        # dbt.log at info level: what ran and what failed.  At debug (dbt's default, or with
        # DBT_LOG_LEVEL_FILE=debug) it also logs every SQL statement, 1,500 lines a refresh.
        "--log-level-file", os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
    ]  # fmt: skip
    with _DBT_LOCK:
        previous = os.environ.get("NEWSFLOW_DBT_WAREHOUSE")
        os.environ["NEWSFLOW_DBT_WAREHOUSE"] = warehouse
        try:
            key = (definitions_fingerprint(), Path(warehouse).stem)
            manifest = _MANIFESTS.get(key) or _stored_manifest(key) or _parse(options, key)
            if manifest is not None:  # a failed parse is tried again by the next command
                _MANIFESTS[key] = manifest
            result = dbtRunner(manifest=manifest).invoke([*args, *options])
        finally:
            _release_dbt_connection()
            if previous is None:
                os.environ.pop("NEWSFLOW_DBT_WAREHOUSE", None)
            else:
                os.environ["NEWSFLOW_DBT_WAREHOUSE"] = previous
    nodes = getattr(result.result, "results", None) or []
    timings = sorted(((node.node.name, node.execution_time) for node in nodes), key=lambda item: -item[1])
    if timings:
        slowest = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings[:3])
        log.info(
            "dbt %s: %d models and tests; slowest %s", args[0], len(timings), slowest, extra={NODE_SECONDS: timings}
        )
    if result.success:
        return
    failures = []
    for node in nodes:
        if str(node.status) in ("error", "fail"):
            failures.append(f"{node.node.name}: {node.message}")
    detail = "; ".join(failures) or str(result.exception)
    raise TransformError(f"dbt {args[0]} failed: {detail} (dbt's log: {work / 'logs' / 'dbt.log'})")


def _manifest_store() -> Path | None:
    """Where parsed manifests are kept for other processes: ``manifests/`` in
    ``NEWSFLOW_DBT_WORK_DIR``, else a folder of this user's in the system's temporary folder.

    None when that folder cannot be trusted (made by another user, or open to others), since the
    SQL in a manifest runs on the warehouse: then each process parses for itself.
    """
    if os.environ.get("NEWSFLOW_DBT_WORK_DIR"):
        store = Path(os.environ["NEWSFLOW_DBT_WORK_DIR"]) / "manifests"
    else:
        store = Path(tempfile.gettempdir()) / f"newsflow-dbt-{os.getuid()}-manifests"
    try:
        store.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = store.lstat()
    except OSError as exc:
        log.warning("dbt's parse cannot be kept in %s (%s): each process parses the project", store, exc)
        return None
    if stat.S_ISLNK(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        log.warning("%s is not this user's private folder: dbt's parse is not kept there", store)
        return None
    return store


def _manifest_file(key: tuple[str, str]) -> Path | None:
    store = _manifest_store()
    return store / f"manifest-{key[0][:24]}-{key[1]}.msgpack" if store else None


def _stored_manifest(key: tuple[str, str]) -> object | None:
    """The manifest another process parsed from these same definitions, or None."""
    path = _manifest_file(key)
    if path is None or not path.exists():
        return None
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder  # sic: dbt's own spelling

    try:
        return Manifest.from_msgpack(path.read_bytes(), decoder=extended_mashumuro_decoder)
    except Exception as exc:  # noqa: BLE001 (a damaged or foreign file: parse again)
        log.warning("the stored dbt parse %s cannot be read (%s); parsing the project again", path, exc)
        return None


def _parse(options: list[str], key: tuple[str, str]) -> object | None:
    """dbt's parse of the project (seconds), stored for the next process (a tenth of a second to
    read back, as dbt's own partial parsing does; dbt's partial parse would start afresh for each
    new warehouse path, which is part of its profile)."""
    from dbt.cli.main import dbtRunner
    from dbt.parser.manifest import extended_mashumaro_encoder

    parsed = dbtRunner().invoke(["parse", *options])
    if not parsed.success:
        return None  # the command itself then reports what is wrong
    path = _manifest_file(key)
    if path is not None:
        try:
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(parsed.result.to_msgpack(extended_mashumaro_encoder))
            partial.replace(path)  # atomic: a concurrent reader never sees half a file
            for older in path.parent.glob("manifest-*.msgpack"):
                if not older.name.startswith(f"manifest-{key[0][:24]}-"):  # other definitions
                    older.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("dbt's parse could not be kept in %s (%s)", path, exc)
    return parsed.result


def _release_dbt_connection() -> None:
    """Close the connection dbt-duckdb keeps for the life of the process.

    Left open, it would keep the database open after the caller closes its own connection: the
    file stays locked for other processes, and this one cannot reopen it read-only.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def definitions_fingerprint() -> str:
    """A hash of the SQL layers' definitions and of the dbt versions that render them."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"dbt-core {version('dbt-core')} dbt-duckdb {version('dbt-duckdb')}".encode())
    for path in sorted({p for pattern in DEFINITION_GLOBS for p in DBT_PROJECT.glob(pattern) if p.is_file()}):
        digest.update(str(path.relative_to(DBT_PROJECT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _view_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(
        "select count(*) from duckdb_views() where database_name = current_database() "
        "and schema_name in ('staging', 'intermediate', 'marts') and not internal"
    ).fetchone()[0]


def _views_are_current(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether the last build made every view from these same definitions (and none is gone)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'intermediate' and table_name = 'built_views'"
    ).fetchone()[0]
    if not exists:
        return False
    row = con.execute(f"select fingerprint, views from {BUILT_VIEWS}").fetchone()
    return row is not None and row == (fingerprint, _view_count(con))


def build_views(con: duckdb.DuckDBPyConnection) -> None:
    """Every view and the tables views read, untested: staging for the readers of a first load
    (the next batch's linking), before any refresh builds and tests the rest."""
    fingerprint = definitions_fingerprint()
    run_dbt(con, "run", "--select", "+config.materialized:view")
    _record_views(con, fingerprint)


def _record_views(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    # grain: one row, the definitions the views were built from and how many there are
    con.execute(
        f"create or replace table {BUILT_VIEWS} as select ? as fingerprint, ? as views",
        [fingerprint, _view_count(con)],
    )


def build(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> dict[str, int]:
    """Build and test every model (``dbt build``); ``full`` rebuilds incremental marts whole.

    Views are built again only when their definitions changed since the last build (or on
    ``full``); every table, incremental mart and data test runs each time, since the data did
    change.  Returns the row count of every mart.  The raw schema must exist (``db.create_schema``).
    """
    if full:
        for snapshot in SNAPSHOTS:
            con.execute(f"drop table if exists {snapshot}")
    fingerprint = definitions_fingerprint()
    if full or not _views_are_current(con, fingerprint):
        run_dbt(con, "build", *(["--full-refresh"] if full else []))
    else:
        # Selected directly, the data tests of views run too (an --exclude of the views would
        # take their tests with them).
        tables_and_tests = ("resource_type:test", "config.materialized:table", "config.materialized:incremental")
        run_dbt(con, "build", "--select", *tables_and_tests)
    refreshed_at = datetime.now(tz=UTC)
    con.begin()
    try:
        _record_views(con, fingerprint)
        for snapshot, model in SNAPSHOTS.items():
            con.execute(f"create or replace table {snapshot} as select * from {model}")
        # grain: one row per day a refresh rebuilt (the log the incremental tests read)
        con.execute(
            "create table if not exists intermediate.refreshed_days "
            "(refreshed_at timestamptz not null, day date not null)"
        )
        con.execute(
            "insert into intermediate.refreshed_days select ?, day from intermediate.touched_days", [refreshed_at]
        )
        days = con.execute("select count(*) from intermediate.touched_days").fetchone()[0]
        con.commit()
    except Exception:
        con.rollback()
        raise
    log.info("SQL layers built (%s); daily marts rebuilt for %d days", "full" if full else "incremental", days)
    marts = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE' "
        "order by 1"
    ).fetchall()
    return {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for (name,) in marts}


def write_lineage_docs(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """dbt's docs of every model (lineage graph, columns, SQL, tests) as one offline HTML page.

    ``dbt docs generate --static`` inlines its JavaScript and the catalog; with usage statistics
    off (sql/dbt_project.yml) the page loads nothing from the network.  Returns the page's path.
    """
    run_dbt(con, "docs", "generate", "--static", write_json=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    shutil.copyfile(_work_dir() / "target" / "static_index.html", page)
    return page


def main(argv: list[str] | None = None) -> int:
    """``python -m newsflow.warehouse.transform [--full-refresh] [--docs DIR]`` on the configured warehouse."""
    parser = argparse.ArgumentParser(description="Build the SQL layers (dbt) on the configured warehouse.")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild every mart from scratch")
    parser.add_argument("--docs", type=Path, help="also write the lineage docs (one offline HTML page) to DIR")
    args = parser.parse_args(argv)
    from newsflow.config import load_settings
    from newsflow.pipeline.steps import entity_lists, refresh_step
    from newsflow.warehouse import db

    settings = load_settings()
    with db.open_warehouse(settings) as con:
        counts = db.refresh_marts(con, full=args.full_refresh, lists=entity_lists(settings))
        if args.docs:
            print(f"lineage docs: {write_lineage_docs(con, args.docs)}")
    refresh_step(settings)  # nothing left to rebuild: publishes the snapshot analysts open
    for name, rows in counts.items():
        print(f"marts.{name:<24} {rows:>10,} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
