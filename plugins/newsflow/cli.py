"""Command line: run the DAG, enrich a JSONL file without Airflow, summarise the warehouse."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from newsflow.config import PROJECT_ROOT, ConfigError, SourceConfig, load_settings

DAG_ID = "newsflow_ingest"
EXAMPLES = """
examples:
  python -m newsflow run                                   # the DAG over newsflow.yaml's sources
  python -m newsflow run --source data/sample --warehouse /tmp/news.duckdb
  python -m newsflow enrich articles.jsonl --out enriched/ # Parquet tables, no Airflow
  python -m newsflow enrich articles.jsonl --out enriched/ --watchlist watch.yaml
  python -m newsflow summary --warehouse var/newsflow.duckdb
"""


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


def run_dag(logical_date: datetime, env: dict[str, str]) -> None:
    """Prepare the metadata DB and pool, then run one real DAG run with ``airflow dags test``."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    _airflow(["db", "migrate"], env)
    _airflow(["pools", "set", "newsflow_warehouse", "1", "newsflow: single warehouse writer"], env)
    _airflow(["dags", "test", DAG_ID, logical_date.isoformat()], env, quiet=False)


def print_summary(summary: dict) -> None:
    print("\nnewsflow summary")
    print(f"  articles loaded : {summary['articles_loaded']} from {summary['outlets']} outlets")
    print(f"  quarantined     : {summary['quarantined']}")
    for reason, count in summary["quarantine_reasons"]:
        print(f"      {count} x {reason}")
    runs = summary["validations"]
    print(f"  validations     : {runs['passed']}/{runs['runs']} table checks passed")
    print("  top entities    :")
    for name, label, mentions, articles in summary["top_entities"]:
        print(f"      {name:<32} {label:<7} {mentions:>4} mentions in {articles} articles")
    print(f"  warehouse       : {summary['warehouse']}")
    print(f"  data docs       : {summary['data_docs']}")


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
    settings = load_settings(environ=env)  # fail fast on a bad config, before Airflow starts
    if not settings.sources:
        raise ConfigError("no sources configured: pass --source or list them in newsflow.yaml")
    logical = datetime.fromisoformat(args.logical_date) if args.logical_date else datetime.now(tz=UTC)
    logical = logical.replace(tzinfo=logical.tzinfo or UTC).replace(microsecond=0)
    run_dag(logical, env)
    from newsflow.pipeline import summarise

    print_summary(summarise(settings))
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from newsflow.ingest.sources import Extractor
    from newsflow.pipeline import articles_frame, enrich_settings_batch, link_batch, quarantine_frame

    overrides = {"spacy_model": args.model, "watchlist": args.watchlist and str(Path(args.watchlist).resolve())}
    settings = load_settings(overrides={key: value for key, value in overrides.items() if value})
    source = SourceConfig(name="cli", kind="file", location=str(Path(args.input).resolve()))
    now = datetime.now(tz=UTC)
    result = Extractor(settings, now, {}).run((source,))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    articles = articles_frame(result.articles)
    tables = {"articles": articles, "quarantine": quarantine_frame(result.quarantined)}
    tables.update(enrich_settings_batch(articles, settings))
    tables.update(link_batch(tables, now))
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
        print(f"{out / (name + '.parquet')}: {len(frame)} rows")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from newsflow.pipeline import summarise

    overrides = {"warehouse": str(Path(args.warehouse).resolve())} if args.warehouse else None
    print_summary(summarise(load_settings(overrides=overrides)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow",
        description="newsflow: news ingestion, entities and sentiment, validated into DuckDB.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the newsflow_ingest DAG once (airflow dags test) and summarise")
    run.add_argument("--source", action="append", help="a folder, file or feed URL (repeatable); replaces the config's")
    run.add_argument("--warehouse", help="DuckDB file to load (default: from newsflow.yaml)")
    run.add_argument("--config", help="a newsflow.yaml to use")
    run.add_argument("--logical-date", help="ISO date-time of the run (default: now)")
    run.set_defaults(func=cmd_run)

    enrich = commands.add_parser("enrich", help="enrich a JSONL file of articles into Parquet tables")
    enrich.add_argument("input", help="JSON lines: url, title, text, outlet, published_at, author (text required)")
    enrich.add_argument("--out", required=True, help="folder for articles/mentions/entities/... .parquet")
    enrich.add_argument("--model", help="spaCy model name (default: en_core_web_sm if installed)")
    enrich.add_argument("--watchlist", help="YAML list of entities to track: name, label, aliases")
    enrich.set_defaults(func=cmd_enrich)

    summary = commands.add_parser("summary", help="print what the warehouse holds")
    summary.add_argument("--warehouse", help="DuckDB file (default: from newsflow.yaml)")
    summary.set_defaults(func=cmd_summary)
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
