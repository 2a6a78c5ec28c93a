"""Read configured sources into article records (files confined to their roots, feeds over HTTP)."""

from __future__ import annotations

import email.utils
import fnmatch
import http.client
import logging
import os
import re
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
from urllib.parse import urljoin, urlsplit

from trafilatura.feeds import FeedParameters, determine_feed

from newsflow import __version__
from newsflow.config import Settings, SourceConfig
from newsflow.ingest.decode import NotText, charset_of, decode_bytes
from newsflow.ingest.fetch import FEED_TYPES, SITEMAP_TYPES, FetchResult, PageFetcher
from newsflow.ingest.fields import FieldError, coerce_item, coerce_url
from newsflow.ingest.parsers import (
    Item,
    parse_feed,
    parse_html,
    parse_json,
    parse_jsonl,
    parse_sitemap,
    parse_text,
    parse_url_list,
)
from newsflow.ingest.poison import FileManifest, PoisonFiles, content_sha256, readmit_hint
from newsflow.ingest.records import (
    MIN_WORDS,
    Article,
    Quarantined,
    Reject,
    build_article,
    count_words,
    failure_reason,
    make_article_id,
)
from newsflow.ingest.urls import normalise_title, normalise_url

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
# Quarantine rows for the bad items of one document; the rest are counted in one more row.
MAX_ROWS_PER_DOCUMENT = 100
# Files that document a folder rather than hold articles.
# Child sitemaps read per sitemap source per run, and feeds read per site.
MAX_SITEMAPS = 50
MAX_SITE_FEEDS = 5
# Where sites serve their feed when the home page does not announce it (WordPress, Blogger,
# static site generators, ...): asked in this order, politely, until one answers with a feed.
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/posts/default",
    "/?feed=rss2",
)
_FEED_START = re.compile(rb"<rss\b|<feed\b|<rdf:rdf\b|jsonfeed\.org/version", re.I)
PAGE_FIELDS = ("text", "title", "url", "author", "published_at", "outlet", "language")
FEED_FIRST = frozenset({"published_at", "outlet"})
IGNORED_NAMES = ("README*", "LICENSE*", "*.md", "*.csv")
UNCHANGED_FILE = "unchanged since loaded"
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
    # Files read into articles in this run (kept in the folder manifest once the batch is loaded).
    manifest: FileManifest = field(default_factory=FileManifest)
    # Pages fetched for entries: url -> validators and the entry's date, saved once loaded.
    page_state: dict[str, dict[str, str]] = field(default_factory=dict)
    pages_fetched: int = 0
    pages_already_loaded: int = 0

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
        page_state: dict[str, dict[str, str]] | None = None,
        poison: PoisonFiles | None = None,
        manifest: FileManifest | None = None,
    ):
        self.settings = settings
        self.reference_time = reference_time
        self.tolerance = timedelta(hours=settings.future_tolerance_hours)
        self.feed_state = feed_state
        self.page_state = page_state or {}
        self.known_poison = poison or PoisonFiles()
        self.known_files = manifest or FileManifest()
        self.result = ExtractResult()
        self._fetcher: PageFetcher | None = None
        # Articles whose link is shared with other items: their equal texts are still different items.
        self._identified_apart: set[str] = set()

    def run(self, sources: tuple[SourceConfig, ...]) -> ExtractResult:
        readers = {"folder": self._read_folder, "sitemap": self._read_sitemap, "urls": self._read_url_list}
        readers["site"] = self._read_site
        for source in sources:
            if source.kind in readers:
                readers[source.kind](source)
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
        """One file; a file that vanished or cannot be read after listing is quarantined, not fatal.

        A file the manifest holds is skipped unread while its size and mtime are unchanged,
        and unparsed when it was only touched (same bytes)."""
        fmt, parser = PARSERS.get(path.suffix.lower(), ("unknown", None))
        location = display_path(path)
        if parser is None:
            self._quarantine(source, location, fmt, f"unsupported file type {path.suffix!r}", step="read")
            return
        try:
            stat = path.stat()
            size = stat.st_size
            if self.known_files.unchanged(location, size, stat.st_mtime_ns):
                self.result.skipped[UNCHANGED_FILE] += 1
                return
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
        if self.known_files.same_content(location, sha256):
            self.result.manifest.add(location, size, stat.st_mtime_ns, sha256)
            self.result.skipped[UNCHANGED_FILE] += 1
            return
        articles, quarantined = len(self.result.articles), len(self.result.quarantined)
        if not data.strip():
            self._quarantine(source, location, fmt, f"empty file ({len(data)} bytes, no content)", step="read")
        else:
            items = self._parse(source, location, fmt, parser, data)
            if items:
                self._add_items(source, location, fmt, items)
        if len(self.result.articles) == articles and len(self.result.quarantined) > quarantined:
            # Nothing in these bytes became an article, for reasons re-reading cannot change.
            rows = self.result.quarantined[quarantined:]
            for row in rows:
                row.detail = f"{row.detail} | {readmit_hint(sha256)}" if row.detail else readmit_hint(sha256)
            self.result.poison.add(sha256, location, rows[0].reason)
        elif len(self.result.articles) > articles:
            self.result.manifest.add(location, size, stat.st_mtime_ns, sha256)

    def _parse(
        self, source: SourceConfig, location: str, fmt: str, parser: Callable[[bytes], list[Item | Reject]], data: bytes
    ) -> list[Item | Reject] | None:
        """The items of one document, or None when it has none (quarantined, or a quiet feed):
        whatever the parser raises quarantines this document alone."""
        try:
            items = parser(data)
        except NotText as exc:
            self._quarantine(source, location, fmt, str(exc), step="decode")
            return None
        except Exception as exc:  # noqa: BLE001 (the item boundary: one bad document never stops the run)
            self._quarantine(source, location, fmt, f"parse failed: {failure_reason(exc)}", step="parse")
            return None
        if not items:
            if fmt == "feed":  # a well-formed feed with no entries is a quiet feed, not bad input
                self.result.skipped["feed without entries"] += 1
            else:
                self._quarantine(source, location, fmt, "no articles found in the document", step="parse")
            return None
        return items

    def _read_top(self, source: SourceConfig, fmt: str) -> Fetched | None:
        """The configured document of a source (a URL, conditionally; or a file); None when
        there is nothing new (304) or it failed (quarantined)."""
        location = source.location
        if not source.is_url:
            path = Path(location)
            if not path.is_file():
                raise SourceError(f"source {source.name!r}: file not found: {path}")
            if path.stat().st_size > MAX_BYTES:
                self._quarantine(source, location, fmt, f"file larger than {MAX_BYTES} bytes", step="read")
                return None
            return Fetched(200, path.read_bytes(), {})
        sent = self.feed_state.get(location) or {}
        try:
            fetched = fetch_url(location, self.settings.http_timeout_s, sent)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
            self._quarantine(source, location, fmt, f"fetch failed: {failure_reason(exc)}", step="fetch")
            return None
        if fetched.status == 304:
            if not (sent.get("etag") or sent.get("last_modified")):
                # Nothing was asked conditionally, so "not modified" answers nothing: the source is unread.
                reason = "fetch failed: 304 Not Modified answered to a request that sent no validators"
                self._quarantine(source, location, fmt, reason, step="fetch")
                return None
            self.result.feed_state[location] = fetched.validators
            self.result.not_modified.append(location)
            return None
        self.result.feed_state[location] = fetched.validators
        return fetched

    def _read_feed_url(self, source: SourceConfig) -> None:
        fetched = self._read_top(source, "feed")
        if fetched is None:
            return
        items = self._parse(
            source, source.location, "feed", partial(parse_feed, declared=fetched.charset), fetched.body
        )
        if items:
            self._add_linked_items(source, source.location, "feed", items)

    def _add_linked_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        """Follow the items' links (when the source does), then add them; a failure or a page
        left for the next run keeps ``location`` from being marked read, so it is read again."""
        if source.follows_links:
            items, unfinished = self._follow_links(source, items)
            if unfinished:
                self.result.feed_state.pop(location, None)
                self.result.feed_state.pop(source.location, None)
        self._add_items(source, location, fmt, items)

    def _read_url_list(self, source: SourceConfig) -> None:
        fetched = self._read_top(source, "urls")
        if fetched is None:
            return
        items = self._parse(source, source.location, "urls", parse_url_list, fetched.body)
        if items:
            self._add_linked_items(source, source.location, "urls", items)

    def _read_sitemap(self, source: SourceConfig) -> None:
        """A sitemap or sitemap index (children fetched politely, at most ``MAX_SITEMAPS``),
        its pages followed newest first."""
        fetched = self._read_top(source, "sitemap")
        if fetched is None:
            return
        documents, seen, pages = [(source.location, fetched.body)], {source.location}, []
        while documents:
            where, data = documents.pop(0)
            try:
                parsed = parse_sitemap(data)
            except Exception as exc:  # noqa: BLE001 (the item boundary: one bad sitemap never stops the run)
                parsed = Reject(f"parse failed: {failure_reason(exc)}")
            if isinstance(parsed, Reject):
                self._quarantine(source, where, "sitemap", str(parsed), step="parse")
                self.result.feed_state.pop(source.location, None)
                continue
            found, children = parsed
            pages.extend(found)
            children = [c for c in children if c not in seen][: max(MAX_SITEMAPS - len(seen), 0)]
            seen.update(children)
            validators = {c: self.feed_state[c] for c in children if c in self.feed_state}
            for child, result in self.fetcher.fetch_many(children, validators, accept=SITEMAP_TYPES).items():
                if result.error:
                    self._quarantine(source, child, "sitemap", f"sitemap not fetched: {result.error}", step="fetch")
                    self.result.feed_state.pop(source.location, None)
                elif not result.not_modified:
                    self.result.feed_state[child] = result.validators
                    documents.append((child, result.body))
        pages.sort(key=lambda item: str(item.get("published_at") or ""), reverse=True)
        self._add_linked_items(source, source.location, "sitemap", pages)

    def _read_site(self, source: SourceConfig) -> None:
        """A home page: its feeds (``<link rel="alternate">``, else feed-like links, found by
        trafilatura's feeds module; else the first of :data:`COMMON_FEED_PATHS` that is a
        feed) are read like feed sources, at most ``MAX_SITE_FEEDS``."""
        fetched = self._read_top(source, "site")
        if fetched is None:
            return
        parts = urlsplit(source.location)
        params = FeedParameters(source.location, parts.hostname or "", source.location)
        try:
            feeds = determine_feed(decode_bytes(fetched.body, fetched.charset, markup=True).text, params)
        except Exception as exc:  # noqa: BLE001 (a home page that cannot be read is this source's problem alone)
            self._quarantine(
                source, source.location, "site", f"home page unreadable: {failure_reason(exc)}", step="parse"
            )
            return
        if feeds:
            validators = {f: self.feed_state[f] for f in feeds[:MAX_SITE_FEEDS] if f in self.feed_state}
            results = self.fetcher.fetch_many(feeds[:MAX_SITE_FEEDS], validators, accept=FEED_TYPES)
        else:
            results = self._probe_feed_paths(source.location)
        if not results:
            paths = ", ".join(COMMON_FEED_PATHS)
            reason = f"no feed found on the home page nor at the common feed paths ({paths})"
            self._quarantine(source, source.location, "site", reason, step="parse")
            return
        for url, result in results.items():
            if result.error:
                self._quarantine(source, url, "feed", f"feed not fetched: {result.error}", step="fetch")
                self.result.feed_state.pop(source.location, None)
            elif result.not_modified:
                self.result.not_modified.append(url)
            else:
                self.result.feed_state[url] = result.validators
                items = self._parse(source, url, "feed", parse_feed, result.body)
                if items:
                    self._add_linked_items(source, url, "feed", items)

    def _probe_feed_paths(self, home: str) -> dict[str, FetchResult]:
        """The first common feed path of ``home``'s site that answers with a feed (url -> result),
        asked one at a time under the fetch policy (robots.txt, delays); the path found on an
        earlier run is asked first (with its validators: a 304 is a find too)."""
        candidates = [urljoin(home, path) for path in COMMON_FEED_PATHS]
        candidates.sort(key=lambda url: url not in self.feed_state)
        for url in candidates:
            result = self.fetcher.fetch(url, self.feed_state.get(url), accept=FEED_TYPES)
            if result.not_modified or (result.ok and _FEED_START.search(result.body[:2048])):
                log.info("site %s: no feed announced; found one at %s", home, url)
                return {url: result}
        return {}

    @property
    def fetcher(self) -> PageFetcher:
        if self._fetcher is None:
            self._fetcher = PageFetcher(self.settings.fetch)
        return self._fetcher

    def _follow_links(self, source: SourceConfig, items: list[Item | Reject]) -> tuple[list[Item | Reject], int]:
        """Replace teaser entries by the article on their page; returns the items and how many
        pages failed or were left for the next run.

        An entry whose page was loaded before (the page state) is dropped unless the feed
        says it changed (then the page is asked for with its validators: 304 drops it too).
        A page that cannot be fetched or holds no article is quarantined (:meth:`_page_failed`).
        """
        wanted: dict[str, Item] = {}
        for item in items:
            if (
                isinstance(item, dict)
                and item.get("url")
                and (item.get("teaser") or not (item.get("text") or "").strip())
            ):
                wanted[item["url"]] = item
        validators = {}
        for url, item in list(wanted.items()):
            seen = self.page_state.get(url)
            if seen is None:
                continue
            if seen.get("entry_date") == str(item.get("published_at")):
                self.result.pages_already_loaded += 1
                del wanted[url]
            else:
                validators[url] = seen
        limit = self.settings.fetch.max_pages_per_source
        deferred = set(list(wanted)[limit:])
        if deferred:
            log.info("%d more pages wait for the next run (fetch.max_pages_per_source=%d)", len(deferred), limit)
        fetched = self.fetcher.fetch_many([url for url in wanted if url not in deferred], validators)
        out: list[Item | Reject] = []
        failed = len(deferred)
        for item in items:
            url = item.get("url") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not (item.get("teaser") or not (item.get("text") or "").strip()):
                out.append(item)
                continue
            if url not in fetched:  # already loaded and unchanged, or left for the next run
                continue
            page = fetched[url]
            if page.not_modified:
                self.result.pages_already_loaded += 1
                continue
            if page.error:
                failed += 1
                self._page_failed(source, item, f"page not fetched: {page.error} ({url})", "fetch", out)
                continue
            self.result.pages_fetched += 1
            try:
                merged = merge_page(item, parse_html(page.text().encode("utf-8"), page.final_url or url))
            except Exception as exc:  # noqa: BLE001 (the item boundary: one bad page never stops the run)
                merged = Reject(f"linked page unreadable: {failure_reason(exc)} ({url})")
            if isinstance(merged, Reject):
                failed += 1
                self._page_failed(source, item, str(merged), "parse", out)
                continue
            self.result.page_state[url] = {**page.validators, "entry_date": str(item.get("published_at"))}
            out.append(merged)
        return out, failed

    def _page_failed(self, source: SourceConfig, entry: Item, reason: str, step: str, out: list[Item | Reject]) -> None:
        """A page that could not be had: quarantined under its URL with the reason, and its
        entry retried next run (the caller keeps the feed unread).  Meanwhile an entry whose own
        text is long enough to be an article is loaded as a teaser (``is_teaser``; the page's
        article replaces it once fetched: same id, later version)."""
        self._quarantine(source, entry["url"], "html", reason, step=step)
        if count_words(entry.get("text") or "") >= MIN_WORDS:
            out.append({**entry, "teaser": True, "field_sources": {k: "feed" for k in PAGE_FIELDS if entry.get(k)}})

    def _add_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        """Each item of one document becomes an article or a quarantine row of its own.

        A document with very many bad items (a CSV named .jsonl) gets a row for each of the
        first :data:`MAX_ROWS_PER_DOCUMENT` and one row counting the rest.
        """
        links = Counter(key for i in items if isinstance(i, dict) and (key := _link_key(i.get("url"))))
        guids = Counter(i.get("guid") for i in items if isinstance(i, dict) and isinstance(i.get("guid"), str))
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
                    earliest=self.settings.earliest_published_at,
                    # A guid repeated in one feed over different titles does not tell them apart alone.
                    guid=item.get("guid") if guids[item.get("guid")] < 2 else f"{item['guid']}|{item.get('title')}",
                    link_is_shared=fields["url"] is not None and links[normalise_url(fields["url"])] > 1,
                    is_teaser=bool(item.get("teaser")),
                    field_sources=item.get("field_sources"),
                )
            except Exception as exc:  # noqa: BLE001 (the item boundary: the rest of the document goes on)
                title = item.get("title")
                detail = title[:200] if isinstance(title, str) else ""
                reject(where, failure_reason(exc), detail, step="record")
                continue
            if article.article_id != make_article_id(article.url, article.content_hash):
                self._identified_apart.add(article.article_id)
            self.result.articles.append(article)
        if rejected > MAX_ROWS_PER_DOCUMENT:
            more = rejected - MAX_ROWS_PER_DOCUMENT
            reason = f"{more} more items of this document rejected (the first {MAX_ROWS_PER_DOCUMENT} have rows)"
            self._quarantine(source, location, fmt, reason, step="parse")

    def _quarantine(
        self, source: SourceConfig, location: str, fmt: str, reason: str, detail: str = "", *, step: str
    ) -> None:
        log.info("quarantined %s (%s): %s", location, step, reason)  # one line per class at the end (pipeline)
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
            apart = article.article_id in self._identified_apart
            keys = [
                ("id", article.article_id),
                ("hash", article.outlet.casefold(), article.content_hash, article.article_id if apart else ""),
            ]
            title = normalise_title(article.title, article.outlet)
            if len(title.split()) >= 5 and not apart:
                day = article.published_at.date() if article.published_at else None
                keys.append(("title", article.outlet.casefold(), day, title))
            position = next((index[key] for key in keys if key in index), len(kept))
            for key in keys:
                index.setdefault(key, position)
            if position == len(kept):
                kept.append(article)
        self.result.duplicates = len(self.result.articles) - len(kept)
        self.result.articles = kept


def _link_key(value: object) -> str | None:
    """The normalised form of an item's link, or None when it has no usable one."""
    try:
        url = coerce_url(value)
    except FieldError:
        return None
    return normalise_url(url) if url else None


def merge_page(entry: Item, parsed: list[Item | Reject]) -> Item | Reject:
    """The article of an entry's page, with the entry's fields filling what the page lacks.

    ``field_sources`` records, for each field, whether it came from the page or the feed.
    The page's text is the article (the entry's is its teaser); a page without one is a
    :class:`Reject` naming the page's own reason.
    """
    page = parsed[0] if parsed else Reject("empty page")
    if isinstance(page, Reject):
        return Reject(f"linked page has no article: {page}")
    merged: Item = {**entry, "teaser": False}
    sources: dict[str, str] = {}
    for key in PAGE_FIELDS:
        # The feed's date and outlet are the publisher's own statement; the page's are guesses.
        order = (("feed", entry), ("page", page)) if key in FEED_FIRST else (("page", page), ("feed", entry))
        for origin, fields in order:
            if fields.get(key):
                merged[key], sources[key] = fields[key], origin
                break
    merged["field_sources"] = sources
    return merged


def extract_articles(
    settings: Settings,
    reference_time: datetime,
    feed_state: dict[str, dict[str, str]] | None = None,
    page_state: dict[str, dict[str, str]] | None = None,
    poison: PoisonFiles | None = None,
    manifest: FileManifest | None = None,
) -> ExtractResult:
    """Read every configured source; ``reference_time`` (UTC) is the batch's end for date checks.

    ``page_state`` holds the pages already loaded (url -> validators, entry date): they are
    not fetched again unless their entry changed.  Files in ``poison`` (unchanged since they
    were quarantined) are skipped and counted, and so are the files of ``manifest`` (loaded
    before, unchanged since).
    """
    return Extractor(settings, reference_time, feed_state or {}, page_state, poison, manifest).run(settings.sources)
