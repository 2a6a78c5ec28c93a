"""Article text and metadata from an HTML page: trafilatura, checked against readability.

The settings were chosen on ``../shared/data/extraction-dev`` with ``bench/extraction.py``
(body F1 on the benchmark's 4-gram shingles; tuned on one half of the pages, reported on
the other):

* trafilatura with ``favor_precision`` and without comments, keeping tables (text in a
  layout table is text): F1 0.964 against 0.951 for plain ``trafilatura.extract``.
* A second opinion from readability-lxml: when its text is nearly all inside
  trafilatura's but shorter, trafilatura kept a bio or a "related" box around the
  article; when trafilatura's text is nearly all inside readability's and readability's
  is much longer, trafilatura stopped early.  Either way readability's text is taken
  (F1 0.967).
* Lines that are the site talking rather than the article ("Related: ...", "Sign up for
  our newsletter", "Follow us on ...") are dropped when short (F1 0.970: 0.968 on the
  tuning half, 0.971 on the other).

A page whose whole text is such a notice (a cookie wall, "subscribe to read", a reprint
notice) is no article: :func:`boilerplate_reason` names it and callers quarantine it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import trafilatura

log = logging.getLogger(__name__)

# readability replaces trafilatura's text when at least this share of its 4-word shingles
# is inside trafilatura's (or the other way round), and the lengths differ as below.
CONTAINED = 0.9
# readability shorter than trafilatura but at least this share of it: trafilatura added a box.
SHORTER_AT_LEAST = 0.9
# readability at least this many times trafilatura's length: trafilatura stopped early.
LONGER_BY = 1.5
# A notice line is dropped only when it is short: a long paragraph mentioning a
# newsletter is article text.
NOTICE_MAX_WORDS = 40
_NOTICE_LINE = re.compile(
    r"^\W*(?:related(?: articles?| stories| coverage| posts?)?|read more|read also|also read|see more|see also|"
    r"more from|don't miss|recommended|advertisement|trending|up next)\b[\s:|-]"
    r"|\b(?:sign up|subscribe|newsletter|follow us|follow (?:him|her|them) on|click here|all rights reserved)\b"
    r"|^\W*email \S+(?: \S+)? at \S+@",
    re.I,
)
# Whole-page notices: if the text is short and one of these, there is no article (most
# specific first: a paywall page often carries a cookie banner too).
BOILERPLATE_MAX_WORDS = 120
_BOILERPLATE = {
    "paywall": re.compile(
        r"\b(?:subscribe|subscription|subscriber|sign in|log in|register)\b.{0,80}"
        r"\b(?:to (?:continue )?read|to access|for full access|to keep reading|to unlock|exclusive)\b"
        r"|\b(?:to (?:continue|keep) reading|this (?:article|content|story) is (?:for|available to|only for) "
        r"(?:subscribers|members))\b"
        r"|\b(?:already a (?:subscriber|member)|(?:read|used) (?:all )?your free articles?"
        r"|free articles? (?:left|remaining))\b",
        re.I | re.S,
    ),
    "reprint notice": re.compile(
        r"\b(?:(?:originally|first) (?:published|appeared)|reprinted|republished|reproduced) "
        r"(?:with permission|by permission|from|in|on|here)\b|\bcontent (?:syndication|licensing)\b",
        re.I,
    ),
    "javascript required": re.compile(
        r"\b(?:enable|turn on) javascript\b|\bjavascript is (?:disabled|required)\b", re.I
    ),
    "cookie notice": re.compile(
        r"\bcookies?\b.*\b(?:consent|accept|agree|settings|preferences|privacy)\b", re.I | re.S
    ),
}
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(len(words) - 3, 0))}


def _inside(part: str, whole: str) -> float:
    """Share of ``part``'s 4-word shingles that are in ``whole``."""
    mine = _shingles(part)
    return len(mine & _shingles(whole)) / len(mine) if mine else 0.0


def readability_text(markup: str) -> str:
    """readability-lxml's article, as text with one paragraph per block."""
    from readability import Document

    from newsflow.ingest.parsers import html_to_text

    try:
        return html_to_text(Document(markup).summary(html_partial=True)).strip()
    except Exception as exc:  # readability raises bare Exceptions on pages it cannot score
        log.debug("readability failed: %s", exc)
        return ""


def choose_body(trafilatura_text: str, other_text: str) -> tuple[str, str]:
    """The body and which extractor gave it ("trafilatura" or "readability"); see the module doc."""
    ours, theirs = len(_WORD.findall(trafilatura_text)), len(_WORD.findall(other_text))
    if not theirs:
        return trafilatura_text, "trafilatura"
    if not ours:
        return other_text, "readability"
    ratio = theirs / ours
    if SHORTER_AT_LEAST <= ratio < 1 and _inside(other_text, trafilatura_text) >= CONTAINED:
        return other_text, "readability"
    if ratio >= LONGER_BY and _inside(trafilatura_text, other_text) >= CONTAINED:
        return other_text, "readability"
    return trafilatura_text, "trafilatura"


def drop_notice_lines(text: str) -> str:
    """The text without short lines that are the site talking (related links, sign-ups, follow us)."""
    kept = [
        line for line in text.split("\n") if not (_NOTICE_LINE.search(line) and len(line.split()) <= NOTICE_MAX_WORDS)
    ]
    return "\n".join(kept).strip()


def boilerplate_reason(text: str) -> str | None:
    """Why a short text is a notice rather than an article (None when it may be an article)."""
    if len(_WORD.findall(text)) > BOILERPLATE_MAX_WORDS:
        return None
    for name, pattern in _BOILERPLATE.items():
        if pattern.search(text):
            return name
    return None


def extract_page(markup: str, url: str | None = None) -> dict[str, Any] | None:
    """Body, title, author, date, site name, language and canonical URL of an article page.

    Returns None when no extractor finds text.  ``extractor`` says which gave the body.
    """
    doc = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    found = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
    body, extractor = choose_body(found.get("text") or "", readability_text(markup))
    body = drop_notice_lines(body)
    if not body:
        return None
    return {
        "text": body,
        "extractor": extractor,
        "title": found.get("title"),
        "author": found.get("author"),
        "published_at": found.get("date"),
        "outlet": found.get("sitename"),
        "url": found.get("url"),
        "language": found.get("language"),
    }
