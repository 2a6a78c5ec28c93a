"""Read configured sources into article records (files confined to their roots, feeds over HTTP)."""

from __future__ import annotations

import email.utils
import fnmatch
import logging
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from trafilatura.feeds import FeedParameters, determine_feed

from newsflow import __version__
from newsflow.config import Settings, SourceConfig
from newsflow.ingest.fetch import FEED_TYPES, SITEMAP_TYPES, PageFetcher
from newsflow.ingest.parsers import (
    Item,
    decode,
    parse_feed,
    parse_html,
    parse_json,
    parse_jsonl,
    parse_sitemap,
    parse_text,
    parse_url_list,
)
from newsflow.ingest.records import Article, Quarantined, Reject, build_article, make_article_id
from newsflow.ingest.urls import normalise_title, normalise_url

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
# Files that document a folder rather than hold articles.
# Child sitemaps read per sitemap source per run, and feeds read per site.
MAX_SITEMAPS = 50
MAX_SITE_FEEDS = 5
PAGE_FIELDS = ("text", "title", "url", "author", "published_at", "outlet", "language")
FEED_FIRST = frozenset({"published_at", "outlet"})
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
    # Pages fetched for entries: url -> validators and the entry's date, saved once loaded.
    page_state: dict[str, dict[str, str]] = field(default_factory=dict)
    pages_fetched: int = 0
    pages_already_loaded: int = 0


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

    def __init__(
        self,
        settings: Settings,
        reference_time: datetime,
        feed_state: dict[str, dict[str, str]],
        page_state: dict[str, dict[str, str]] | None = None,
    ):
        self.settings = settings
        self.reference_time = reference_time
        self.tolerance = timedelta(hours=settings.future_tolerance_hours)
        self.feed_state = feed_state
        self.page_state = page_state or {}
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

    def _read_top(self, source: SourceConfig, fmt: str) -> bytes | None:
        """The configured document of a source (a URL, conditionally; or a file); None when
        there is nothing new (304) or it failed (quarantined)."""
        location = source.location
        if not source.is_url:
            path = Path(location)
            if not path.is_file():
                raise SourceError(f"source {source.name!r}: file not found: {path}")
            if path.stat().st_size > MAX_BYTES:
                self._quarantine(source, location, fmt, f"file larger than {MAX_BYTES} bytes")
                return None
            return path.read_bytes()
        try:
            status, body, validators = fetch_url(location, self.settings.http_timeout_s, self.feed_state.get(location))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            self._quarantine(source, location, fmt, f"fetch failed: {exc}")
            return None
        self.result.feed_state[location] = validators
        if status == 304:
            self.result.not_modified.append(location)
            return None
        return body

    def _read_feed_url(self, source: SourceConfig) -> None:
        body = self._read_top(source, "feed")
        if body is not None:
            self._add_linked_items(source, source.location, "feed", parse_feed(body))

    def _add_linked_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        """Follow the items' links (when the source does), then add them; a failure or a page
        left for the next run keeps ``location`` from being marked read, so it is read again."""
        if source.follows_links:
            items, unfinished = self._follow_links(items)
            if unfinished:
                self.result.feed_state.pop(location, None)
                self.result.feed_state.pop(source.location, None)
        self._add_items(source, location, fmt, items)

    def _read_url_list(self, source: SourceConfig) -> None:
        body = self._read_top(source, "urls")
        if body is not None:
            self._add_linked_items(source, source.location, "urls", parse_url_list(body))

    def _read_sitemap(self, source: SourceConfig) -> None:
        """A sitemap or sitemap index (children fetched politely, at most ``MAX_SITEMAPS``),
        its pages followed newest first."""
        body = self._read_top(source, "sitemap")
        if body is None:
            return
        documents, seen, pages = [(source.location, body)], {source.location}, []
        while documents:
            where, data = documents.pop(0)
            parsed = parse_sitemap(data)
            if isinstance(parsed, Reject):
                self._quarantine(source, where, "sitemap", str(parsed))
                self.result.feed_state.pop(source.location, None)
                continue
            found, children = parsed
            pages.extend(found)
            children = [c for c in children if c not in seen][: max(MAX_SITEMAPS - len(seen), 0)]
            seen.update(children)
            validators = {c: self.feed_state[c] for c in children if c in self.feed_state}
            for child, result in self.fetcher.fetch_many(children, validators, accept=SITEMAP_TYPES).items():
                if result.error:
                    self._quarantine(source, child, "sitemap", f"sitemap not fetched: {result.error}")
                    self.result.feed_state.pop(source.location, None)
                elif not result.not_modified:
                    self.result.feed_state[child] = result.validators
                    documents.append((child, result.body))
        pages.sort(key=lambda item: str(item.get("published_at") or ""), reverse=True)
        self._add_linked_items(source, source.location, "sitemap", pages)

    def _read_site(self, source: SourceConfig) -> None:
        """A home page: its feeds (``<link rel="alternate">``, else feed-like links, found by
        trafilatura's feeds module) are read like feed sources, at most ``MAX_SITE_FEEDS``."""
        body = self._read_top(source, "site")
        if body is None:
            return
        parts = urlsplit(source.location)
        params = FeedParameters(source.location, parts.hostname or "", source.location)
        feeds = determine_feed(decode(body), params)[:MAX_SITE_FEEDS]
        if not feeds:
            self._quarantine(source, source.location, "site", "no feed found on the home page")
            return
        validators = {f: self.feed_state[f] for f in feeds if f in self.feed_state}
        for url, result in self.fetcher.fetch_many(feeds, validators, accept=FEED_TYPES).items():
            if result.error:
                self._quarantine(source, url, "feed", f"feed not fetched: {result.error}")
                self.result.feed_state.pop(source.location, None)
            elif result.not_modified:
                self.result.not_modified.append(url)
            else:
                self.result.feed_state[url] = result.validators
                self._add_linked_items(source, url, "feed", parse_feed(result.body))

    @property
    def fetcher(self) -> PageFetcher:
        if self._fetcher is None:
            self._fetcher = PageFetcher(self.settings.fetch)
        return self._fetcher

    def _follow_links(self, items: list[Item | Reject]) -> tuple[list[Item | Reject], int]:
        """Replace teaser entries by the article on their page; returns the items and how many
        pages failed or were left for the next run.

        An entry whose page was loaded before (the page state) is dropped unless the feed
        says it changed (then the page is asked for with its validators: 304 drops it too).
        A page that cannot be fetched or holds no article makes its entry a :class:`Reject`.
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
                out.append(Reject(f"page not fetched: {page.error} ({url})"))
                continue
            self.result.pages_fetched += 1
            merged = merge_page(item, parse_html(page.text().encode("utf-8"), page.final_url or url))
            if isinstance(merged, Reject):
                failed += 1
            else:
                state = {**page.validators, "entry_date": str(item.get("published_at"))}
                self.result.page_state[url] = state
            out.append(merged)
        return out, failed

    def _add_items(self, source: SourceConfig, location: str, fmt: str, items: list[Item | Reject]) -> None:
        links = Counter(normalise_url(i["url"]) for i in items if isinstance(i, dict) and i.get("url"))
        guids = Counter(i.get("guid") for i in items if isinstance(i, dict) and i.get("guid"))
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
                    earliest=self.settings.earliest_published_at,
                    # A guid repeated in one feed over different titles does not tell them apart alone.
                    guid=item.get("guid") if guids[item.get("guid")] < 2 else f"{item['guid']}|{item.get('title')}",
                    link_is_shared=bool(item.get("url")) and links[normalise_url(item["url"])] > 1,
                    is_teaser=bool(item.get("teaser")),
                    field_sources=item.get("field_sources"),
                )
            except Reject as exc:
                self._quarantine(source, where, fmt, str(exc), (item.get("title") or "")[:200])
                continue
            if article.article_id != make_article_id(article.url, article.content_hash):
                self._identified_apart.add(article.article_id)
            self.result.articles.append(article)

    def _quarantine(self, source: SourceConfig, location: str, fmt: str, reason: str, detail: str = "") -> None:
        log.info("quarantined %s: %s", location, reason)  # one line per class at the end (pipeline)
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
) -> ExtractResult:
    """Read every configured source; ``reference_time`` (UTC) is the batch's end for date checks.

    ``page_state`` holds the pages already loaded (url -> validators, entry date): they are
    not fetched again unless their entry changed.
    """
    return Extractor(settings, reference_time, feed_state or {}, page_state).run(settings.sources)
