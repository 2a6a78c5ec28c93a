"""The article record every source is normalised to, and the quarantine record."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from newsflow.ingest.dates import parse_datetime
from newsflow.ingest.extraction import boilerplate_reason
from newsflow.ingest.language import identify_language
from newsflow.ingest.urls import normalise_url

ARTICLE_COLUMNS = (
    "article_id",
    "url",
    "outlet",
    "title",
    "author",
    "published_at",
    "date_flag",
    "published_at_raw",
    "language",
    "language_confidence",
    "declared_language",
    "text",
    "content_hash",
    "word_count",
    "is_teaser",
    "field_sources",
    "source_name",
    "source_location",
    "source_format",
)
QUARANTINE_COLUMNS = (
    "quarantine_id",
    "source_name",
    "source_location",
    "source_format",
    "reason",
    "detail",
    "reason_class",
    "step",
)
# A stable class for each kind of quarantine reason, so that counts group by kind: the reason
# text carries numbers and positions ("line 7: ...", "(18 words, need 20)") that would split them.
# First match wins; a reason matching none is its own text with positions and numbers masked.
REASON_CLASSES = (
    ("too_little_text", re.compile(r"no extractable article text")),
    ("invalid_json", re.compile(r"invalid JSON")),
    ("not_a_json_object", re.compile(r"expected a JSON object")),
    ("missing_field", re.compile(r"missing required field")),
    ("bad_front_matter", re.compile(r"^front matter")),
    ("boilerplate_only", re.compile(r"^boilerplate only")),
    ("empty_page", re.compile(r"^empty page")),
    ("xml_entities_refused", re.compile(r"declares XML entities")),
    ("unparseable_feed", re.compile(r"^unparseable feed")),
    ("not_a_feed", re.compile(r"^not a feed")),
    ("not_html", re.compile(r"^not an HTML document")),
    ("fetch_failed", re.compile(r"^fetch failed|^(?:feed|page|sitemap) not fetched")),
    ("linked_page_without_article", re.compile(r"^linked page has no article")),
    ("no_feed_found", re.compile(r"^no feed found")),
    ("not_a_url", re.compile(r"not an http\(s\) URL")),
    ("unparseable_sitemap", re.compile(r"^unparseable sitemap|^not a sitemap|^sitemap is not valid gzip")),
    ("file_too_large", re.compile(r"^sitemap larger than")),
    ("unsupported_file_type", re.compile(r"^unsupported file type")),
    ("file_too_large", re.compile(r"^file larger than")),
)
_POSITION = re.compile(r"^(?:line|item|entry) \d+: ")
_NUMBER = re.compile(r"\d+")
# The step of a run that refused an item: fetching, reading bytes, decoding them, parsing,
# building the record, enrichment, linking, or a row-level expectation at validation.
QUARANTINE_STEPS = ("fetch", "read", "decode", "parse", "record", "enrich", "link", "validate")

DATE_FLAGS = ("ok", "missing", "unparsed", "future", "before_earliest")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass
class Article:
    """One normalised article.  ``published_at`` is UTC or None (see ``date_flag``)."""

    article_id: str
    url: str | None
    outlet: str
    title: str
    author: str | None
    published_at: datetime | None
    date_flag: str
    published_at_raw: str | None
    language: str
    language_confidence: float | None
    declared_language: str | None
    text: str
    content_hash: str
    word_count: int
    is_teaser: bool
    field_sources: str | None
    source_name: str
    source_location: str
    source_format: str

    def as_row(self) -> dict:
        return asdict(self)


@dataclass
class Quarantined:
    """Input that could not become an article, with the reason why and the step that refused it."""

    source_name: str
    source_location: str
    source_format: str
    reason: str
    detail: str = ""
    step: str = "parse"

    @property
    def reason_class(self) -> str:
        return reason_class(self.reason)

    def as_row(self) -> dict:
        row = asdict(self)
        row["reason_class"] = self.reason_class
        key = f"{self.source_location}\x1f{self.reason}\x1f{self.detail}"
        row["quarantine_id"] = hashlib.sha256(key.encode()).hexdigest()[:16]
        return row


def reason_class(reason: str) -> str:
    """The stable class of a quarantine reason (see :data:`REASON_CLASSES`)."""
    for name, pattern in REASON_CLASSES:
        if pattern.search(reason):
            return name
    return _NUMBER.sub("N", _POSITION.sub("", reason))[:80]


class Reject(ValueError):
    """Raised by parsers for input that must go to quarantine; the message is the reason."""


def failure_reason(exc: BaseException, limit: int = 500) -> str:
    """A quarantine reason for an exception: a :class:`Reject`'s own message, else its type and message."""
    reason = str(exc) if isinstance(exc, Reject) else f"{type(exc).__name__}: {exc}"
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def fold_whitespace(text: str) -> str:
    """Collapse runs of spaces inside lines and of blank lines between paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = (" ".join(p.split()) for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def plain_title(title: str | None) -> str | None:
    """A title as plain text: tags stripped, entities decoded (twice-escaped ones too), spaces folded."""
    if not title:
        return None
    text = title
    for _ in range(2):  # "&amp;amp;" and "&lt;b&gt;" survive one round in the wild
        text = html.unescape(_TAG.sub(" ", text))
    text = _TAG.sub(" ", text)
    return " ".join(text.split()) or None


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace and case folded: equal for equal content."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def make_article_id(url: str | None, text_hash: str, guid: str | None = None) -> str:
    """Stable id: from the normalised URL when it names one article, else the guid, else the content.

    A site's home page names no article (podcast feeds link every episode to it): a URL
    without a path identifies nothing.  Callers pass no ``url`` for entries that share
    their link with other items of the same feed.
    """
    if url and urlsplit(url.strip()).path.strip("/"):
        key = f"url:{normalise_url(url)}"
    elif guid and guid.strip():
        key = f"guid:{guid.strip()}"
    else:
        key = f"content:{text_hash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# Fewer words than this is no article (a headline, a caption, a one-line teaser).
MIN_WORDS = 20


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def parse_published(
    value: object, reference_time: datetime, tolerance: timedelta, earliest: datetime | None = None
) -> tuple[datetime | None, str]:
    """Parse a publication date to UTC and flag it: ok, missing, unparsed, future or before_earliest.

    A missing, unreadable or future date, or one before the configured ``earliest``
    (``earliest_published_at``: a date an operator knows no real article of theirs has),
    is never replaced by "now": the time is left empty and the flag says why (the claimed
    value stays in ``published_at_raw``).  Without ``earliest`` any past date is kept, so
    archives load.  Naive times are taken as UTC, the convention of feeds and most CMS
    exports; a zone that cannot be resolved makes the date unparsed (see
    :func:`newsflow.ingest.dates.parse_datetime`), never silently UTC.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing"
    try:
        parsed = parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        return None, "unparsed"
    if parsed > reference_time + tolerance:
        return None, "future"
    if earliest is not None and parsed < earliest:
        return None, "before_earliest"
    return parsed, "ok"


def build_article(
    *,
    text: str,
    title: str | None,
    url: str | None,
    outlet: str | None,
    author: str | None,
    published: object,
    language: str | None,
    source_name: str,
    source_location: str,
    source_format: str,
    reference_time: datetime,
    tolerance: timedelta,
    min_words: int = MIN_WORDS,
    earliest: datetime | None = None,
    guid: str | None = None,
    link_is_shared: bool = False,
    is_teaser: bool = False,
    field_sources: dict[str, str] | None = None,
) -> Article:
    """Normalise one parsed item; raise :class:`Reject` when it is not an article.

    ``link_is_shared``: other items of the same document link to the same URL, so the URL
    does not identify this one (its id comes from ``guid`` or the content).
    """
    body = fold_whitespace(text or "")
    words = count_words(body)
    if words < min_words:
        raise Reject(f"no extractable article text ({words} words, need {min_words})")
    notice = boilerplate_reason(body)
    if notice:
        raise Reject(f"boilerplate only ({notice}), no article text ({words} words)")
    clean_title = plain_title(title) or ""
    if not clean_title:
        clean_title = body.split("\n", 1)[0][:120]
    published_at, flag = parse_published(published, reference_time, tolerance, earliest)
    text_hash = content_hash(body)
    guess = identify_language(body, language)
    return Article(
        article_id=make_article_id(None if link_is_shared else url, text_hash, guid),
        url=url or None,
        outlet=(outlet or "").strip() or _outlet_from_url(url) or "unknown",
        title=clean_title,
        author=(" ".join(author.split()) if author else None) or None,
        published_at=published_at,
        date_flag=flag,
        published_at_raw=None if published is None else str(published),
        language=guess.language,
        language_confidence=guess.confidence,
        declared_language=guess.declared,
        text=body,
        content_hash=text_hash,
        word_count=words,
        is_teaser=is_teaser,
        field_sources=json.dumps(field_sources, sort_keys=True) if field_sources else None,
        source_name=source_name,
        source_location=source_location,
        source_format=source_format,
    )


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = normalise_url(url).split("/")[2] if "://" in url else ""
    return host or None
