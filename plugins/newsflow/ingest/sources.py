"""Read configured sources into article records (files confined to their roots, feeds over HTTP)."""

from __future__ import annotations

import email.utils
import fnmatch
import http.client
import logging
import os
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from newsflow import __version__
from newsflow.config import Settings, SourceConfig
from newsflow.ingest.decode import NotText, charset_of
from newsflow.ingest.fields import coerce_item
from newsflow.ingest.parsers import Item, parse_feed, parse_html, parse_json, parse_jsonl, parse_text
from newsflow.ingest.poison import PoisonFiles, content_sha256, readmit_hint
from newsflow.ingest.records import Article, Quarantined, Reject, build_article, failure_reason
from newsflow.ingest.urls import normalise_title

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
# Quarantine rows for the bad items of one document; the rest are counted in one more row.
MAX_ROWS_PER_DOCUMENT = 100
# Files that document a folder rather than hold articles.
IGNORED_NAMES = ("README*", "LICENSE*", "*.md", "*.csv")
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
    not_modified: list[str] = field(default_factory=list)
    # Files passed over without reading, by reason ("hidden", "ignored name", ...): never silent.
    skipped: Counter[str] = field(default_factory=Counter)
    # Files found to be poison in this run (remembered once the batch is loaded).
    poison: PoisonFiles = field(default_factory=PoisonFiles)

    @property
    def ignored_files(self) -> int:
        return self.skipped["ignored name"]


class SourceError(RuntimeError):
    """A whole source is unusable (missing root): the run must not pretend it was empty."""


def display_path(path: Path | str) -> str:
    """A file name as text, whatever bytes it holds (undecodable bytes shown as escapes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def confined_files(root: Path, skipped: Counter[str] | None = None) -> Iterator[Path]:
    """Regular files under ``root`` whose real path stays inside it (symlinks out are skipped).

    Hidden files and folders (a leading dot) are skipped; every skip is counted in ``skipped``.
    """
    skipped = Counter() if skipped is None else skipped
    real_root = root.resolve()
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            if path.is_file():
                skipped["hidden"] += 1
            continue
        if not path.is_file():
            if not path.is_dir():
                skipped["not a regular file"] += 1
            continue
        if not path.resolve().is_relative_to(real_root):
            log.warning("skipping %s: it resolves outside the source root %s", display_path(path), real_root)
            skipped["outside the source root"] += 1
            continue
        yield path


@dataclass
class Fetched:
    """One HTTP answer: status, body, the validators to send next time, the declared charset."""

    status: int
    body: bytes
    validators: dict[str, str]
    charset: str | None = None


def fetch_url(url: str, timeout: float, validators: dict[str, str] | None = None) -> Fetched:
    """GET ``url`` with conditional-GET validators, within ``timeout`` seconds in all.

    The timeout bounds the whole request (connecting, headers and every byte of the body),
    not only each read: a server that trickles its answer is cut off at the deadline
    (:class:`TimeoutError`).  A 304 answer returns an empty body and the old validators.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"only http(s) feeds are fetched, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": f"newsflow/{__version__}"})  # noqa: S310
    validators = validators or {}
    if validators.get("etag"):
        request.add_header("If-None-Match", validators["etag"])
    if validators.get("last_modified"):
        request.add_header("If-Modified-Since", validators["last_modified"])
    cancelled = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsflow-fetch")
    future = pool.submit(_fetch, request, timeout, validators, cancelled)
    pool.shutdown(wait=False)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        cancelled.set()  # the worker stops at its next read, within one read timeout
        raise TimeoutError(f"timed out: no complete answer within {timeout:g} s (the whole request)") from None


def _fetch(
    request: urllib.request.Request, timeout: float, validators: dict[str, str], cancelled: threading.Event
) -> Fetched:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            chunks, size = [], 0
            while not cancelled.is_set():
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValueError(f"response larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            expected = response.headers.get("Content-Length", "")
            if not cancelled.is_set() and expected.isdigit() and size < int(expected):
                raise http.client.IncompleteRead(b"".join(chunks), int(expected) - size)  # cut off early
            new = {
                "etag": response.headers.get("ETag", ""),
                "last_modified": response.headers.get("Last-Modified", ""),
                "fetched_at": email.utils.formatdate(usegmt=True),
            }
            charset = charset_of(response.headers.get("Content-Type"))
            return Fetched(response.status, b"".join(chunks), {k: v for k, v in new.items() if v}, charset)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(304, b"", validators)
        raise


class Extractor:
    """Turns one batch of sources into articles and quarantine rows."""

    def __init__(
        self,
        settings: Settings,
        reference_time: datetime,
        feed_state: dict[str, dict[str, str]],
        poison: PoisonFiles | None = None,
    ):
        self.settings = settings
        self.reference_time = reference_time
        self.tolerance = timedelta(hours=settings.future_tolerance_hours)
        self.feed_state = feed_state
        self.known_poison = poison or PoisonFiles()
        self.result = ExtractResult()

    def run(self, sources: tuple[SourceConfig, ...]) -> ExtractResult:
        for source in sources:
            if source.kind == "folder":
                self._read_folder(source)
            elif source.is_url:
                self._read_feed_url(source)
            elif Path(source.location).is_file():
                self._read_file(source, Path(source.location), Path(source.location).parent)
            else:
                raise SourceError(f"source {source.name!r}: file not found: {source.location}")
        self._deduplicate()
        return self.result

    def _read_folder(self, source: SourceConfig) -> None:
        root = Path(source.location)
        if not root.is_dir():
            raise SourceError(f"source {source.name!r}: folder not found: {root}")
        for path in confined_files(root, self.result.skipped):
            if any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED_NAMES):
                self.result.skipped["ignored name"] += 1
                continue
            self._read_file(source, path, root)

    def _read_file(self, source: SourceConfig, path: Path, root: Path) -> None:
        """One file; a file that vanished or cannot be read after listing is quarantined, not fatal."""
        fmt, parser = PARSERS.get(path.suffix.lower(), ("unknown", None))
        location = display_path(path)
        if parser is None:
            self._quarantine(source, location, fmt, f"unsupported file type {path.suffix!r}", step="read")
            return
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self._quarantine(source, location, fmt, f"file larger than {MAX_BYTES} bytes", step="read")
                return
            data = path.read_bytes()
        except OSError as exc:
            self._quarantine(source, location, fmt, f"unreadable file: {failure_reason(exc)}", step="read")
            return
        sha256 = content_sha256(data)
        if PoisonFiles.key(sha256, location) in self.known_poison:
            self.result.skipped["poison file read before (unchanged)"] += 1
            return
        articles, quarantined = len(self.result.articles), len(self.result.quarantined)
        if not data.strip():
            self._quarantine(source, location, fmt, f"empty file ({len(data)} bytes, no content)", step="read")
        else:
            self._parse_and_add(source, location, fmt, parser, data)
        if len(self.result.articles) == articles and len(self.result.quarantined) > quarantined:
            # Nothing in these bytes became an article, for reasons re-reading cannot change.
            rows = self.result.quarantined[quarantined:]
            for row in rows:
                row.detail = f"{row.detail} | {readmit_hint(sha256)}" if row.detail else readmit_hint(sha256)
            self.result.poison.add(sha256, location, rows[0].reason)

    def _parse_and_add(
        self, source: SourceConfig, location: str, fmt: str, parser: Callable[[bytes], list[Item | Reject]], data: bytes
    ) -> None:
        """Parse one document; whatever the parser raises quarantines this document alone."""
        try:
            items = parser(data)
        except NotText as exc:
            self._quarantine(source, location, fmt, str(exc), step="decode")
            return
        except Exception as exc:  # noqa: BLE001 (the item boundary: one bad document never stops the run)
            self._quarantine(source, location, fmt, f"parse failed: {failure_reason(exc)}", step="parse")
            return
        if not items:
            if fmt == "feed":  # a well-formed feed with no entries is a quiet feed, not bad input
                self.result.skipped["feed without entries"] += 1
            else:
                self._quarantine(source, location, fmt, "no articles found in the document", step="parse")
            return
        self._add_items(source, location, fmt, items)

    def _read_feed_url(self, source: SourceConfig) -> None:
        url = source.location
        sent = self.feed_state.get(url) or {}
        try:
            fetched = fetch_url(url, self.settings.http_timeout_s, sent)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
            self._quarantine(source, url, "feed", f"fetch failed: {failure_reason(exc)}", step="fetch")
            return
        if fetched.status == 304:
            if not (sent.get("etag") or sent.get("last_modified")):
                # Nothing was asked conditionally, so "not modified" answers nothing: the feed is unread.
                reason = "fetch failed: 304 Not Modified answered to a request that sent no validators"
                self._quarantine(source, url, "feed", reason, step="fetch")
                return
            self.result.feed_state[url] = fetched.validators
            self.result.not_modified.append(url)
            return
        self.result.feed_state[url] = fetched.validators
        self._parse_and_add(source, url, "feed", partial(parse_feed, declared=fetched.charset), fetched.body)

    def _add_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        """Each item of one document becomes an article or a quarantine row of its own.

        A document with very many bad items (a CSV named .jsonl) gets a row for each of the
        first :data:`MAX_ROWS_PER_DOCUMENT` and one row counting the rest.
        """
        rejected = 0

        def reject(where: str, reason: str, detail: str = "", *, step: str) -> None:
            nonlocal rejected
            rejected += 1
            if rejected <= MAX_ROWS_PER_DOCUMENT:
                self._quarantine(source, where, fmt, reason, detail, step=step)

        for index, item in enumerate(items):
            where = location if len(items) == 1 else f"{location}#{index}"
            if isinstance(item, Reject):
                reject(where, str(item), step="parse")
                continue
            try:
                fields = coerce_item(item)
                article = build_article(
                    text=fields["text"],
                    title=fields["title"],
                    url=fields["url"],
                    outlet=source.outlet or fields["outlet"],
                    author=fields["author"],
                    published=fields["published_at"],
                    language=fields["language"],
                    source_name=source.name,
                    source_location=where,
                    source_format=fmt,
                    reference_time=self.reference_time,
                    tolerance=self.tolerance,
                )
            except Exception as exc:  # noqa: BLE001 (the item boundary: the rest of the document goes on)
                title = item.get("title")
                detail = title[:200] if isinstance(title, str) else ""
                reject(where, failure_reason(exc), detail, step="record")
                continue
            self.result.articles.append(article)
        if rejected > MAX_ROWS_PER_DOCUMENT:
            more = rejected - MAX_ROWS_PER_DOCUMENT
            reason = f"{more} more items of this document rejected (the first {MAX_ROWS_PER_DOCUMENT} have rows)"
            self._quarantine(source, location, fmt, reason, step="parse")

    def _quarantine(
        self, source: SourceConfig, location: str, fmt: str, reason: str, detail: str = "", *, step: str
    ) -> None:
        log.warning("quarantined %s (%s): %s", location, step, reason)
        self.result.quarantined.append(Quarantined(source.name, location, fmt, reason, detail, step))

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
    settings: Settings,
    reference_time: datetime,
    feed_state: dict[str, dict[str, str]] | None = None,
    poison: PoisonFiles | None = None,
) -> ExtractResult:
    """Read every configured source; ``reference_time`` (UTC) is the batch's end for date checks.

    Files in ``poison`` (unchanged since they were quarantined) are skipped and counted.
    """
    return Extractor(settings, reference_time, feed_state or {}, poison).run(settings.sources)
