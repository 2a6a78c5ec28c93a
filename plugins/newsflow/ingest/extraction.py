"""Article text and metadata from an HTML page: trafilatura, checked against readability.

The settings were chosen on ``../shared/data/extraction-dev`` with ``bench/extraction.py``
(body F1 on the benchmark's 4-gram shingles; each rule chosen on half A of the pages and
kept only when it also improves half B):

* trafilatura with ``favor_precision`` and without comments, keeping tables (text in a
  layout table is text): F1 0.964 against 0.951 for plain ``trafilatura.extract``.
* A second opinion from readability-lxml: when its text is nearly all inside
  trafilatura's but shorter, trafilatura kept a bio or a "related" box around the
  article; when trafilatura's text is nearly all inside readability's and readability's
  is much longer, trafilatura stopped early.  Either way readability's text is taken
  (F1 0.967).
* Lines that are the site talking rather than the article ("Related: ...", "Sign up for
  our newsletter", "Follow us on ...") are dropped when short (F1 0.970).
* Lines made (70 % or more) of the texts of the page's links are navigation ("related
  stories" lists, teasers, tag clouds), not article: dropped, except links whose text is an
  address (a URL or e-mail written out is content).  Leading lines that repeat the page's
  headline (its ``<h1>`` or title, stored as the title; unless the page says it twice, as
  headline and paragraph: a lead can be the headline) or are a dateline (a short line
  with a year and a time or a numeric date) are dropped too (F1 0.976).
* Posts embedded from social networks (a tweet, an Instagram or TikTok post) are quoted
  material, which trafilatura drops with share buttons ("embed", "social" classes): those
  markers are taken off the posts and their wrappers first.  F1 0.977 (A 0.975, B 0.979).

A page whose whole text is such a notice (a cookie wall, "subscribe to read", a reprint
notice) is no article: :func:`boilerplate_reason` names it and callers quarantine it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

import trafilatura
from lxml import html as lxml_html

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
    r"|\b(?:sign up|subscribe|newsletter|follow us|follow (?:him|her|them) on|click here)\b"
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
# A line is navigation when link texts make up at least this share of it (chosen on half A).
LINK_SHARE = 0.7
# A link whose visible text is an address (URL, e-mail) is content, not navigation.
_ADDRESS = re.compile(r"^\s*(?:(?:https?://|www\.)\S*|\S+@\S+)\s*$", re.I)
# A dateline: a short line with a year and a time of day or a numeric date.
DATELINE_MAX_WORDS = 15
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_TIME_OR_DATE = re.compile(r"\b\d{1,2}[:h]\d\d\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


# Posts embedded from social networks, and the class/id words that make trafilatura drop them.
_EMBEDDED_POSTS = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed')]"
)
_EMBED_MARKER = re.compile(r"embed|social|tweet|twitter|instagram|tiktok|quote", re.I)


def _words(text: str) -> str:
    """Lower-cased words joined by single spaces: what lines and link texts are compared as."""
    return " ".join(_WORD.findall(text.lower()))


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


def page_signals(tree: Any, title: str | None = None) -> tuple[set[str], set[str]]:
    """The page's headlines and link texts, as :func:`_words`.

    Headlines are its ``<h1>`` texts and ``title``, unless the page says the same twice (as
    its ``<h1>`` and as a paragraph: a lead that is also the headline is article text)."""
    blocks = Counter(_words(element.text_content()) for element in tree.iter("h1", "p"))
    headlines = {_words(h.text_content()) for h in tree.iter("h1")} | {_words(title or "")}
    links = {_words(text) for a in tree.iter("a") if not _ADDRESS.match(text := a.text_content())}
    return {h for h in headlines if h and blocks[h] < 2}, links - {""}


def _link_share(words: str, links: set[str]) -> float:
    """Share of ``words`` (characters) covered by whole-word occurrences of the link texts."""
    padded, covered = f" {words} ", bytearray(len(words) + 2)
    for link in links:
        start = padded.find(f" {link} ")
        while start >= 0:
            covered[start + 1 : start + 1 + len(link)] = b"\x01" * len(link)
            start = padded.find(f" {link} ", start + len(link) + 1)
    return sum(covered) / len(words)


def drop_link_lines(text: str, links: set[str]) -> str:
    """The text without lines made mostly of the page's link texts (see the module doc)."""
    kept = [line for line in text.split("\n") if not ((w := _words(line)) and _link_share(w, links) >= LINK_SHARE)]
    return "\n".join(kept).strip()


def drop_leading_headline(text: str, headlines: set[str]) -> str:
    """The text without leading lines that are the headline (kept as the title) or a dateline."""
    lines = [line for line in text.split("\n") if line.strip()]
    while lines:
        words = _words(lines[0])
        dateline = (
            len(words.split()) <= DATELINE_MAX_WORDS and _YEAR.search(lines[0]) and _TIME_OR_DATE.search(lines[0])
        )
        if words not in headlines and not dateline:
            break
        lines.pop(0)
    return "\n".join(lines)


def unmark_embedded_posts(tree: Any) -> bool:
    """Take the embed/social markers off embedded posts and their wrappers (in place), so that
    extraction keeps them as quoted text; True when the page has any."""
    posts = tree.xpath(_EMBEDDED_POSTS)
    for post in posts:
        for element in (post, *post.iterancestors()):
            for attribute in ("class", "id"):
                value = element.get(attribute)
                if value and _EMBED_MARKER.search(value):
                    element.set(attribute, " ".join(w for w in value.split() if not _EMBED_MARKER.search(w)))
    return bool(posts)


def boilerplate_reason(text: str) -> str | None:
    """Why a short text is a notice rather than an article (None when it may be an article)."""
    if len(_WORD.findall(text)) > BOILERPLATE_MAX_WORDS:
        return None
    for name, pattern in _BOILERPLATE.items():
        if pattern.search(text):
            return name
    return None


def extract_page(markup: str, url: str | None = None, tree: Any = None) -> dict[str, Any] | None:
    """Body, title, author, date, site name, language and canonical URL of an article page.

    ``tree``: the page already parsed by ``lxml.html`` (parsed here when not given; embedded
    posts are unmarked in it, see :func:`unmark_embedded_posts`).
    Returns None when no extractor finds text.  ``extractor`` says which gave the body.
    """
    if tree is None:
        try:
            tree = lxml_html.fromstring(markup)
        except (ValueError, lxml_html.etree.ParserError) as exc:
            log.debug("page not parsed by lxml: %s", exc)
    if tree is not None and unmark_embedded_posts(tree):
        markup = lxml_html.tostring(tree, encoding="unicode")
    doc = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    found = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
    body, extractor = choose_body(found.get("text") or "", readability_text(markup))
    body = drop_notice_lines(body)
    if body and tree is not None:
        headlines, links = page_signals(tree, found.get("title"))
        body = drop_leading_headline(drop_link_lines(body, links), headlines)
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
