"""The article record every source is normalised to, and the quarantine record."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from newsflow.ingest.dates import parse_datetime
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
    "text",
    "content_hash",
    "word_count",
    "source_name",
    "source_location",
    "source_format",
)
QUARANTINE_COLUMNS = ("quarantine_id", "source_name", "source_location", "source_format", "reason", "detail", "step")
# The step of a run that refused an item: reading bytes, decoding them, parsing, building the
# record, enrichment, or a row-level expectation at validation.
QUARANTINE_STEPS = ("fetch", "read", "decode", "parse", "record", "enrich", "validate")

DATE_FLAGS = ("ok", "missing", "unparsed", "future")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


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
    text: str
    content_hash: str
    word_count: int
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

    def as_row(self) -> dict:
        row = asdict(self)
        key = f"{self.source_location}\x1f{self.reason}\x1f{self.detail}"
        row["quarantine_id"] = hashlib.sha256(key.encode()).hexdigest()[:16]
        return row


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


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace and case folded: equal for equal content."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def make_article_id(url: str | None, text_hash: str) -> str:
    """Stable id: from the normalised URL when there is one, else from the content hash."""
    key = f"url:{normalise_url(url)}" if url else f"content:{text_hash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def parse_published(value: object, reference_time: datetime, tolerance: timedelta) -> tuple[datetime | None, str]:
    """Parse a publication date to UTC and flag it: ok, missing, unparsed or future.

    A missing, unreadable or future date is never replaced by "now": the time is
    left empty and the flag says why (the claimed value stays in
    ``published_at_raw``).  Naive times are taken as UTC, the convention of feeds
    and most CMS exports; a zone that cannot be resolved makes the date unparsed
    (see :func:`newsflow.ingest.dates.parse_datetime`), never silently UTC.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing"
    try:
        parsed = parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        return None, "unparsed"
    if parsed > reference_time + tolerance:
        return None, "future"
    return parsed, "ok"


_EN_STOPWORDS = frozenset(
    "the of and to in a is that for it on was with as by at from he be this are his said "
    "have an has but not they which were their its been who will would".split()
)


def detect_language(text: str, declared: str | None = None) -> str:
    """The declared language (ISO 639-1) when given, else 'en' or 'und' by stopword share.

    A cheap screen, not a classifier: it only needs to keep non-English text away
    from an English NER model.
    """
    if declared:
        return declared.strip().lower().replace("_", "-").split("-")[0]
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    if not words:
        return "und"
    share = sum(w in _EN_STOPWORDS for w in words) / len(words)
    return "en" if share >= 0.12 else "und"


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
    min_words: int = 20,
) -> Article:
    """Normalise one parsed item; raise :class:`Reject` when it is not an article."""
    body = fold_whitespace(text or "")
    words = count_words(body)
    if words < min_words:
        raise Reject(f"no extractable article text ({words} words, need {min_words})")
    clean_title = " ".join((title or "").split())
    if not clean_title:
        clean_title = body.split("\n", 1)[0][:120]
    published_at, flag = parse_published(published, reference_time, tolerance)
    text_hash = content_hash(body)
    return Article(
        article_id=make_article_id(url, text_hash),
        url=url or None,
        outlet=(outlet or "").strip() or _outlet_from_url(url) or "unknown",
        title=clean_title,
        author=(" ".join(author.split()) if author else None) or None,
        published_at=published_at,
        date_flag=flag,
        published_at_raw=None if published is None else str(published),
        language=detect_language(body, language),
        text=body,
        content_hash=text_hash,
        word_count=words,
        source_name=source_name,
        source_location=source_location,
        source_format=source_format,
    )


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = normalise_url(url).split("/")[2] if "://" in url else ""
    return host or None
