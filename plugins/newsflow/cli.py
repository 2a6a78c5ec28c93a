"""Command line: run the DAG, backfill days, enrich a JSONL file, query and report on the warehouse."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from newsflow.config import PROJECT_ROOT, ConfigError, SourceConfig, load_settings, published_beside
from newsflow.console import run_logged
from newsflow.queries import FORMATS, describe_recipes

DAG_ID = "newsflow_ingest"
EXAMPLES = """
examples:
  python -m newsflow run                                   # the DAG over newsflow.yaml's sources
  python -m newsflow run --source data/sample --warehouse /tmp/news.duckdb
  python -m newsflow backfill --from 2024-11-25 --to 2024-12-03
  python -m newsflow enrich articles.jsonl --out enriched/ # Parquet tables, no Airflow
  python -m newsflow enrich articles.jsonl --out enriched/ --watchlist watch.yaml
  python -m newsflow summary --warehouse var/newsflow.duckdb
  python -m newsflow query                                 # list the recipes in sql/queries/
  python -m newsflow query entity_tone_timeline --entity "Kim Jong Un" --from 2024-11-25
  python -m newsflow report --out var/reports              # static HTML coverage report
  python -m newsflow sql                                   # SQL shell on the published snapshot

  python -m newsflow readmit /data/news/broken.json        # read a remembered (poison or loaded) file again

`python -m newsflow COMMAND --help` explains a command.

Analysts: summary, query and report read the snapshot each marts refresh publishes
(var/newsflow.published.duckdb by default), never the file the pipeline writes; open it
in an SQL shell with `python -m newsflow sql`.
"""
READ_HELP = (
    "the warehouse (default: from newsflow.yaml); what is read is its published snapshot beside it "
    "(<stem>.published.duckdb), or the warehouse itself before the first publish"
)


def airflow_env(project: Path = PROJECT_ROOT, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a self-contained Airflow: SQLite metadata DB under the project, our DAGs."""
    env = dict(os.environ if base is None else base)
    home = Path(env.get("AIRFLOW_HOME") or project / ".airflow")
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(project / "dags"))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(project / "plugins"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    # `airflow dags test` runs one task at a time: enrichment may use every core.
    env.setdefault("NEWSFLOW_ENRICH_PROCESSES", "0")
    env["NEWSFLOW_HOME"] = str(project)
    return env


def _airflow(args: list[str], env: dict[str, str], quiet: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "airflow", *args]
    result = subprocess.run(command, env=env, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"`airflow {' '.join(args)}` failed with exit code {result.returncode}")
    return result


def prepare_airflow(env: dict[str, str]) -> None:
    """Migrate the metadata DB and create the warehouse pool, once per metadata DB and Airflow
    version: each is an Airflow process start (seconds), which a run that finds them done skips.

    ``<AIRFLOW_HOME>/newsflow-prepared`` records what was prepared; a deleted SQLite DB, another
    database URL or an Airflow upgrade prepares again.
    """
    from importlib.metadata import version

    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    database = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    stamp = json.dumps({"airflow": version("apache-airflow"), "database": database})
    marker = home / "newsflow-prepared"
    if marker.exists() and marker.read_text(encoding="utf-8") == stamp and (database or (home / "airflow.db").exists()):
        return
    print(f"newsflow: preparing Airflow (metadata database under {home})", flush=True)
    _airflow(["db", "migrate"], env)
    _airflow(["pools", "set", "newsflow_warehouse", "1", "newsflow: single warehouse writer"], env)
    marker.write_text(stamp, encoding="utf-8")


def run_dag(logical_date: datetime, env: dict[str, str], log_path: Path, full_refresh: bool = False) -> None:
    """Prepare the metadata DB and pool (:func:`prepare_airflow`), then run one real DAG run with
    ``airflow dags test``.

    The run's whole output goes to ``log_path``; the console shows its progress and errors.
    """
    prepare_airflow(env)
    print(f"newsflow: running the DAG {DAG_ID} (full log: {log_path})", flush=True)
    conf = json.dumps({"full_refresh": full_refresh})
    # Airflow's `dags test`, through a launcher that skips the interpreter's seconds-long
    # teardown once the run is over (newsflow.airflow.dag_test says why).
    launcher = [sys.executable, "-m", "newsflow.airflow.dag_test"]
    command = [*launcher, "dags", "test", DAG_ID, logical_date.isoformat(), "--conf", conf]
    code = run_logged(command, env, log_path)
    if code != 0:
        raise SystemExit(f"`airflow dags test` failed with exit code {code}; the full log is {log_path}")


def _counts(mapping: dict | None) -> str:
    return ", ".join(f"{key} {value}" for key, value in (mapping or {}).items())


def print_summary(summary: dict) -> None:
    run = summary.get("latest_run") or []
    print("\nnewsflow summary")
    if run:
        total = {
            k: sum(row[i] or 0 for row in run)
            for i, k in enumerate(["", "read", "", "added", "updated", "unchanged", "quarantined"])
            if k
        }
        print(
            f"  this run        : read {total['read']}, added {total['added']}, updated {total['updated']}, "
            f"skipped {total['unchanged']} unchanged, quarantined {total['quarantined']}, "
            f"dropped {run[0][8] or 0} duplicates"
        )
        for source, read, _, added, updated, unchanged, quarantined, reasons, _, languages in run[:10]:
            print(
                f"      {source:<20} read {read or 0:>5}  added {added:>5}  updated {updated:>4}  "
                f"unchanged {unchanged or 0:>5}  quarantined {quarantined:>4}"
                + (f" ({_counts(reasons)})" if reasons else "")
                + (f"; languages: {_counts(languages)}" if languages else "")
            )
    print(f"  articles loaded : {summary['articles_loaded']} from {summary['outlets']} outlets")
    print(f"  quarantined     : {summary['quarantined']} (all runs, by reason)")
    for reason_class, count, example in summary["quarantine_reasons"]:
        print(f"      {count} x {reason_class}" + (f", e.g. {example}" if example != reason_class else ""))
    runs = summary["validations"]
    print(f"  validations     : {runs['passed']}/{runs['runs']} table checks passed")
    stories = summary["stories"]
    print(f"  stories         : {stories['multi_article']} carried by several articles ({stories['copies']} copies)")
    print("  top entities    :")
    for name, label, mentions, articles in summary["top_entities"]:
        print(f"      {name:<32} {label:<7} {mentions:>4} mentions in {articles} articles")
    print(f"  warehouse       : {summary['warehouse']}")
    print(f"  analysts open   : {summary['read_from']}")
    print(f"  data docs       : {summary['data_docs']}")
    if summary.get("report"):
        print(f"  report          : {summary['report']}")


def cmd_run(args: argparse.Namespace) -> int:
    env = airflow_env()
    if args.config:
        env["NEWSFLOW_CONFIG"] = str(Path(args.config).resolve())
    if args.source:
        env["NEWSFLOW_SOURCES"] = ",".join(
            s if s.startswith(("http://", "https://")) else str(Path(s).resolve()) for s in args.source
        )
    if args.warehouse:
        env["NEWSFLOW_WAREHOUSE"] = str(Path(args.warehouse).resolve())
        env["NEWSFLOW_PUBLISHED_WAREHOUSE"] = str(published_beside(Path(env["NEWSFLOW_WAREHOUSE"])))
    settings = load_settings(environ=env)  # fail fast on a bad config, before Airflow starts
    if not settings.sources:
        raise ConfigError("no sources configured: pass --source or list them in newsflow.yaml")
    logical = datetime.fromisoformat(args.logical_date) if args.logical_date else datetime.now(tz=UTC)
    logical = logical.replace(tzinfo=logical.tzinfo or UTC).replace(microsecond=0)
    # INFO, so that the tasks' progress lines reach the log (the console filters them).
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
    log_path = settings.var_dir / "logs" / f"run-{logical:%Y%m%dT%H%M%SZ}.log"
    # The summary and the report need Altair, Jinja and DuckDB (a second or more to import):
    # import them while `airflow dags test` runs, when this process only relays its output.
    warm = threading.Thread(target=_import_summary_and_report, name="newsflow-import", daemon=True)
    warm.start()
    run_dag(logical, env, log_path, full_refresh=args.full_refresh)
    warm.join()
    from newsflow.pipeline.summary import summarise
    from newsflow.report import build_report

    # Under a scheduler the newsflow_report DAG follows the warehouse Asset; a one-off run
    # builds the same page here so the summary can point at it.
    report = build_report(
        settings.reader_path, settings.report_dir, data_docs=settings.data_docs_index, cache_dir=settings.cache_dir
    )
    print_summary({**summarise(settings), "report": str(report)})
    return 0


def _import_summary_and_report() -> None:
    """Import what :func:`cmd_run` needs after the DAG run; a failure is raised there, not here."""
    import importlib

    for module in ("newsflow.pipeline.summary", "newsflow.report.build"):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 (the import after the run raises it with its traceback)
            continue


def cmd_enrich(args: argparse.Namespace) -> int:
    from newsflow.ingest.sources import Extractor
    from newsflow.nlp.linking import link_batch
    from newsflow.pipeline.run_folder import articles_frame, quarantine_frame
    from newsflow.pipeline.steps import enriched_tables

    overrides = {"spacy_model": args.model, "watchlist": args.watchlist and str(Path(args.watchlist).resolve())}
    settings = load_settings(overrides={key: value for key, value in overrides.items() if value})
    source = SourceConfig(name="cli", kind="file", location=str(Path(args.input).resolve()))
    now = datetime.now(tz=UTC)
    result = Extractor(settings, now, {}).run((source,))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = enriched_tables(articles_frame(result.articles), quarantine_frame(result.quarantined), settings)
    tables.update(link_batch(tables, now))
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
        print(f"{out / (name + '.parquet')}: {len(frame)} rows")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from newsflow.pipeline.summary import summarise

    print_summary(summarise(_settings(args)))
    return 0


def _settings(args: argparse.Namespace):
    """Settings from --config, with --source and --warehouse overriding it.

    A ``--warehouse`` brings its own snapshot path (beside it), so that a command never reads
    the snapshot of another warehouse named in the config.
    """
    overrides: dict[str, object] = {}
    if getattr(args, "source", None):
        overrides["sources"] = [
            s if s.startswith(("http://", "https://")) else str(Path(s).resolve()) for s in args.source
        ]
    if getattr(args, "warehouse", None):
        overrides["warehouse"] = str(Path(args.warehouse).resolve())
        overrides["published_warehouse"] = str(published_beside(Path(overrides["warehouse"])))
    return load_settings(config_path=getattr(args, "config", None), overrides=overrides or None)


def cmd_readmit(args: argparse.Namespace) -> int:
    from newsflow.ingest.poison import MANIFEST_FILE, POISON_FILE, FileManifest, PoisonFiles

    settings = _settings(args)
    path = settings.state_dir / POISON_FILE
    poison = PoisonFiles.load(path)
    target = (
        args.target if len(args.target) == 64 or not Path(args.target).exists() else str(Path(args.target).resolve())
    )
    gone = poison.readmit(target)
    if gone:
        poison.save(path)
    for key in gone:
        print(f"re-admitted {key.split(' ', 1)[1]} (sha256 {key[:16]}): the next run reads it again")
    # A file loaded before is read again too (its articles then meet the checks for unchanged texts).
    manifest = FileManifest.load(settings.state_dir / MANIFEST_FILE)
    loaded = manifest.readmit(target)
    if loaded:
        manifest.save(settings.state_dir / MANIFEST_FILE)
        print(f"re-admitted {len(loaded)} loaded files under {target}: the next run reads them again")
    if not gone and not loaded:
        print(f"no remembered poison or loaded file matches {args.target!r} (list: {path})", file=sys.stderr)
        return 1
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from newsflow.pipeline.backfill import backfill

    settings = _settings(args)
    if not settings.sources:
        raise ConfigError("no sources configured: pass --source or list them in newsflow.yaml")
    if args.date_to < args.date_from:
        raise ConfigError(f"--to ({args.date_to}) is before --from ({args.date_from})")
    # Days are processed one at a time: enrichment may use every core (NEWSFLOW_ENRICH_PROCESSES overrides).
    processes = settings.enrich_processes if "NEWSFLOW_ENRICH_PROCESSES" in os.environ else 0
    settings = replace(settings, full_refresh=args.full_refresh, enrich_processes=processes)
    result = backfill(settings, args.date_from, args.date_to, progress=not args.no_progress)
    print(f"backfill {args.date_from} .. {args.date_to}: {result.days} days")
    print(f"  articles loaded : {result.articles_loaded}")
    print(f"  left out        : {result.undated} undated, {result.outside_range} dated outside the range")
    for day, reason in sorted(result.failed.items()):
        print(f"  held back       : {day}: {reason}")
    print(f"  marts rebuilt   : {', '.join(f'{k} ({v})' for k, v in result.marts.items())}")
    print(f"  warehouse       : {settings.warehouse_path}")
    return 1 if result.failed else 0


def cmd_query(args: argparse.Namespace) -> int:
    from newsflow import queries
    from newsflow.warehouse import db

    if args.recipe is None:
        print("recipes (sql/queries/):\n" + queries.describe_recipes())
        return 0
    settings = _settings(args)
    try:
        recipe = queries.get_recipe(args.recipe)
        source = settings.reader_path
        if not source.exists():
            raise queries.RecipeError(f"no warehouse at {source}: run `python -m newsflow run` first")
        values = {
            "entity": args.entity,
            "outlet": args.outlet,
            "country": args.country,
            "date_from": args.date_from,
            "date_to": args.date_to,
        }
        with db.connect(source, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
            relation = queries.run_recipe(con, recipe, values)
            queries.write_result(relation, args.format, Path(args.out) if args.out else None)
    except queries.RecipeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from newsflow.shell import Shell, parse_assignment
    from newsflow.warehouse import db

    settings = _settings(args)
    source = settings.reader_path
    if not source.exists():
        print(f"error: no warehouse at {source}: run `python -m newsflow run` first", file=sys.stderr)
        return 2
    try:
        variables = [parse_assignment(text) for text in args.var or ()]
    except ValueError as exc:
        print(f"error: --var {exc}", file=sys.stderr)
        return 2
    with db.connect(source, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
        shell = Shell(con)
        for name, value in variables:
            shell.bind(name, value)
        for path in args.files:
            shell.run_file(Path(path))
        if args.command:
            shell.run_lines(args.command.splitlines())
        if not args.files and not args.command:
            if sys.stdin.isatty():
                shell.interact()
            else:
                shell.run_lines(sys.stdin)
    return 1 if shell.errors else 0


def cmd_report(args: argparse.Namespace) -> int:
    from newsflow.report import build_report
    from newsflow.report.build import ReportError

    settings = _settings(args)
    out = Path(args.out) if args.out else settings.report_dir
    try:
        path = build_report(
            settings.reader_path,
            out,
            days=args.days,
            date_from=args.date_from,
            date_to=args.date_to,
            top=args.top,
            watchlist=args.watch or (),
            data_docs=settings.data_docs_index,
            cache_dir=settings.cache_dir,
        )
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _command(
    commands, name: str, help_text: str, example: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """The sub-command ``name``, which ``main`` runs as ``func(args)``."""
    command = commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(func=func)
    return command


def _add_pipeline_options(command: argparse.ArgumentParser) -> None:
    """What ``run`` and ``backfill`` both take: the sources, the warehouse, the config, a full refresh."""
    command.add_argument(
        "--source", action="append", help="a folder, file or feed URL (repeatable); replaces the config's"
    )
    command.add_argument("--warehouse", metavar="FILE", help="DuckDB file to load (default: from newsflow.yaml)")
    command.add_argument("--config", help="a newsflow.yaml to use")
    command.add_argument(
        "--full-refresh",
        action="store_true",
        help="read every file and enrich every article again (e.g. after a model upgrade); by default only new "
        "files and texts are",
    )


def _add_period(command: argparse.ArgumentParser, *, required: bool = False, instead: bool = False) -> None:
    """``--from``/``--to``: an inclusive range of UTC days (``args.date_from``, ``args.date_to``);
    ``instead`` when they replace a default period."""
    for flag, dest, day in (("--from", "date_from", "first day"), ("--to", "date_to", "last day")):
        help_text = f"{day}{' instead' if instead else ''}, inclusive (YYYY-MM-DD, UTC)"
        command.add_argument(flag, dest=dest, metavar="DATE", type=_day, required=required, help=help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow",
        description="newsflow: news ingestion, entities and sentiment, validated into DuckDB.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    run = _command(
        commands,
        "run",
        "run the newsflow_ingest DAG once (airflow dags test) and summarise",
        "python -m newsflow run --source data/sample --warehouse /tmp/news.duckdb",
        cmd_run,
    )
    _add_pipeline_options(run)
    run.add_argument("--logical-date", help="ISO date-time of the run (default: now)")

    enrich = _command(
        commands,
        "enrich",
        "enrich a JSONL file of articles into Parquet tables (no Airflow, no warehouse)",
        "python -m newsflow enrich articles.jsonl --out enriched/",
        cmd_enrich,
    )
    enrich.add_argument("input", help="JSON lines: url, title, text, outlet, published_at, author (text required)")
    enrich.add_argument("--out", required=True, help="folder for articles/mentions/entities/... .parquet")
    enrich.add_argument("--model", help="spaCy model name (default: en_core_web_sm if installed)")
    enrich.add_argument("--watchlist", help="YAML list of entities to track: name, label, aliases")

    summary = _command(
        commands,
        "summary",
        "print what the warehouse holds",
        "python -m newsflow summary --warehouse var/newsflow.duckdb",
        cmd_summary,
    )
    summary.add_argument("--warehouse", metavar="FILE", help=READ_HELP)

    backfill = _command(
        commands,
        "backfill",
        "process a date range one UTC day at a time with the DAG's steps (extract once, then partition, "
        "enrich, merge, link, validate and load each day; marts rebuilt at the end). Undated articles are "
        "left out.",
        "python -m newsflow backfill --from 2024-11-25 --to 2024-12-03 --source data/sample",
        cmd_backfill,
    )
    _add_period(backfill, required=True)
    _add_pipeline_options(backfill)
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    query = _command(
        commands,
        "query",
        "run a recipe from sql/queries/ with its parameters bound (never pasted into SQL); "
        "without RECIPE, list the recipes",
        'python -m newsflow query top_outlets_for_entity --entity "Kim Jong Un" --from 2024-11-01 --format csv',
        cmd_query,
    )
    query.epilog += "\n\nrecipes:\n" + describe_recipes()
    query.add_argument("recipe", nargs="?", metavar="RECIPE", help="a recipe name (a file stem in sql/queries/)")
    query.add_argument("--entity", metavar="NAME", help="entity name, case-insensitive")
    query.add_argument("--outlet", metavar="NAME", help="outlet name, case-insensitive")
    query.add_argument("--country", metavar="CODE", help="country: ISO 3166-1 alpha-2 code or name, case-insensitive")
    _add_period(query)
    query.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    query.add_argument("--out", metavar="FILE", help="write to this file instead of stdout (needed for parquet)")
    query.add_argument("--warehouse", metavar="FILE", help=READ_HELP)

    sql = _command(
        commands,
        "sql",
        "an SQL shell on the published snapshot (read-only), with the DuckDB that wrote it: statements end "
        "with ';', `.read FILE` runs a recipe, `.help` lists the commands; runs FILEs, -c SQL or standard "
        "input, else prompts",
        "python -m newsflow sql --var entity='Kim Jong Un' -c '.read sql/queries/entity_daily_coverage.sql'",
        cmd_sql,
    )
    sql.add_argument("files", nargs="*", metavar="FILE", help="SQL files to run, in order (as .read FILE)")
    sql.add_argument("-c", "--command", metavar="SQL", help="SQL (and dot commands) to run")
    sql.add_argument(
        "--var", action="append", metavar="NAME=VALUE", help="a variable for getvariable('NAME'), bound (repeatable)"
    )
    sql.add_argument("--warehouse", metavar="FILE", help=READ_HELP)

    readmit = _command(
        commands,
        "readmit",
        "forget a remembered file (a poison file, which yielded only quarantine rows, or a file already "
        "loaded: both are skipped while unchanged), so the next run reads it again",
        "python -m newsflow readmit /data/news/broken.json",
        cmd_readmit,
    )
    readmit.add_argument("target", help="the file's path (or a folder: every file under it) or its sha256")
    readmit.add_argument("--config", help="a newsflow.yaml to use")

    report = _command(
        commands,
        "report",
        "build the static HTML coverage report (attention, share of voice, tone by outlet, trending "
        "entities, data quality) from the marts; it works offline",
        "python -m newsflow report --warehouse var/newsflow.duckdb --out var/reports --watch 'Kim Jong Un'",
        cmd_report,
    )
    report.add_argument("--warehouse", metavar="FILE", help=READ_HELP)
    report.add_argument("--out", metavar="DIR", help="folder for index.html (default: <var_dir>/reports)")
    report.add_argument(
        "--days",
        type=int,
        default=90,
        help="the page covers the latest DAYS days that have articles, however old (default: 90); "
        "all.html beside it covers the whole range",
    )
    _add_period(report, instead=True)
    report.add_argument("--top", type=int, default=8, help="how many top entities to chart (default: 8)")
    report.add_argument("--watch", action="append", metavar="NAME", help="an entity always charted (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
