"""Read configured sources into article records (files confined to their roots, feeds over HTTP)."""

from __future__ import annotations

import email.utils
import fnmatch
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from newsflow import __version__
from newsflow.config import Settings, SourceConfig
from newsflow.ingest.parsers import Item, parse_feed, parse_html, parse_json, parse_jsonl, parse_text
from newsflow.ingest.records import Article, Quarantined, Reject, build_article
from newsflow.ingest.urls import normalise_title

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
# Files that document a folder rather than hold articles.
IGNORED_NAMES = ("README*", "LICENSE*", "*.md", "*.csv", ".*")
PARSERS: dict[str, tuple[str, Callable[[bytes], list[Item | Reject]]]] = {
    ".txt": ("text", parse_text),
    ".jsonl": ("jsonl", parse_jsonl),
    ".ndjson": ("jsonl", parse_jsonl),
    ".json": ("json", parse_json),
    ".html": ("html", parse_html),
    ".htm": ("html", parse_html),
    ".xml": ("feed", parse_feed),
    ".rss": ("feed", parse_feed),
    ".atom": ("feed", parse_feed),
}


@dataclass
class ExtractResult:
    """What one extraction produced: articles, quarantined input, new feed validators."""

    articles: list[Article] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    feed_state: dict[str, dict[str, str]] = field(default_factory=dict)
    duplicates: int = 0
    ignored_files: int = 0
    not_modified: list[str] = field(default_factory=list)


class SourceError(RuntimeError):
    """A whole source is unusable (missing root): the run must not pretend it was empty."""


def confined_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` whose real path stays inside it (symlinks out are skipped)."""
    real_root = root.resolve()
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if not path.is_file():
            continue
        if not path.resolve().is_relative_to(real_root):
            log.warning("skipping %s: it resolves outside the source root %s", path, real_root)
            continue
        yield path


def fetch_url(url: str, timeout: float, validators: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url`` with a timeout and conditional-GET validators; returns status, body, validators.

    A 304 answer returns an empty body and the old validators.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"only http(s) feeds are fetched, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": f"newsflow/{__version__}"})  # noqa: S310
    validators = validators or {}
    if validators.get("etag"):
        request.add_header("If-None-Match", validators["etag"])
    if validators.get("last_modified"):
        request.add_header("If-Modified-Since", validators["last_modified"])
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise ValueError(f"response larger than {MAX_BYTES} bytes")
            new = {
                "etag": response.headers.get("ETag", ""),
                "last_modified": response.headers.get("Last-Modified", ""),
                "fetched_at": email.utils.formatdate(usegmt=True),
            }
            return response.status, body, {k: v for k, v in new.items() if v}
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", validators
        raise


class Extractor:
    """Turns one batch of sources into articles and quarantine rows."""

    def __init__(self, settings: Settings, reference_time: datetime, feed_state: dict[str, dict[str, str]]):
        self.settings = settings
        self.reference_time = reference_time
        self.tolerance = timedelta(hours=settings.future_tolerance_hours)
        self.feed_state = feed_state
        self.result = ExtractResult()

    def run(self, sources: tuple[SourceConfig, ...]) -> ExtractResult:
        for source in sources:
            if source.kind == "folder":
                self._read_folder(source)
            elif source.is_url:
                self._read_feed_url(source)
            else:
                self._read_file(source, Path(source.location), Path(source.location).parent)
        self._deduplicate()
        return self.result

    def _read_folder(self, source: SourceConfig) -> None:
        root = Path(source.location)
        if not root.is_dir():
            raise SourceError(f"source {source.name!r}: folder not found: {root}")
        for path in confined_files(root):
            if any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED_NAMES):
                self.result.ignored_files += 1
                continue
            self._read_file(source, path, root)

    def _read_file(self, source: SourceConfig, path: Path, root: Path) -> None:
        if not path.is_file():
            raise SourceError(f"source {source.name!r}: file not found: {path}")
        fmt, parser = PARSERS.get(path.suffix.lower(), ("unknown", None))
        location = str(path)
        if parser is None:
            self._quarantine(source, location, fmt, f"unsupported file type {path.suffix!r}")
            return
        if path.stat().st_size > MAX_BYTES:
            self._quarantine(source, location, fmt, f"file larger than {MAX_BYTES} bytes")
            return
        self._add_items(source, location, fmt, parser(path.read_bytes()))

    def _read_feed_url(self, source: SourceConfig) -> None:
        url = source.location
        try:
            status, body, validators = fetch_url(url, self.settings.http_timeout_s, self.feed_state.get(url))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            self._quarantine(source, url, "feed", f"fetch failed: {exc}")
            return
        self.result.feed_state[url] = validators
        if status == 304:
            self.result.not_modified.append(url)
            return
        self._add_items(source, url, "feed", parse_feed(body))

    def _add_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        for index, item in enumerate(items):
            where = location if len(items) == 1 else f"{location}#{index}"
            if isinstance(item, Reject):
                self._quarantine(source, where, fmt, str(item))
                continue
            try:
                article = build_article(
                    text=item.get("text") or "",
                    title=item.get("title"),
                    url=item.get("url"),
                    outlet=source.outlet or item.get("outlet"),
                    author=item.get("author"),
                    published=item.get("published_at"),
                    language=item.get("language"),
                    source_name=source.name,
                    source_location=where,
                    source_format=fmt,
                    reference_time=self.reference_time,
                    tolerance=self.tolerance,
                )
            except Reject as exc:
                self._quarantine(source, where, fmt, str(exc), (item.get("title") or "")[:200])
                continue
            self.result.articles.append(article)

    def _quarantine(self, source: SourceConfig, location: str, fmt: str, reason: str, detail: str = "") -> None:
        log.warning("quarantined %s: %s", location, reason)
        self.result.quarantined.append(Quarantined(source.name, location, fmt, reason, detail))

    def _deduplicate(self) -> None:
        """One record per article: the same article read twice keeps its longest text.

        Two records are the same article when they share the normalised URL (the
        article id), the outlet and the content hash, or the outlet, publication day and
        a normalised headline of five words or more (short headlines like "Briefing"
        recur).  The same text from two outlets is two articles (a syndicated copy counts
        as the second outlet's coverage; linking finds it a duplicate of the first).
        """
        kept: list[Article] = []
        index: dict[tuple, int] = {}
        for article in sorted(self.result.articles, key=lambda a: -a.word_count):
            keys = [("id", article.article_id), ("hash", article.outlet.casefold(), article.content_hash)]
            title = normalise_title(article.title, article.outlet)
            if len(title.split()) >= 5:
                day = article.published_at.date() if article.published_at else None
                keys.append(("title", article.outlet.casefold(), day, title))
            position = next((index[key] for key in keys if key in index), len(kept))
            for key in keys:
                index.setdefault(key, position)
            if position == len(kept):
                kept.append(article)
        self.result.duplicates = len(self.result.articles) - len(kept)
        self.result.articles = kept


def extract_articles(
    settings: Settings, reference_time: datetime, feed_state: dict[str, dict[str, str]] | None = None
) -> ExtractResult:
    """Read every configured source; ``reference_time`` (UTC) is the batch's end for date checks."""
    return Extractor(settings, reference_time, feed_state or {}).run(settings.sources)
