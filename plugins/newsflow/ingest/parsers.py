"""Parsers from raw bytes to parsed items (dicts of article fields).

Each parser returns a list of items; an item that is not an article comes back
as a :class:`Reject` instance so the caller can quarantine it with its reason.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any
from urllib.parse import urljoin

import feedparser
import yaml
from lxml import etree
from lxml import html as lxml_html

from newsflow.ingest.decode import decode_bytes
from newsflow.ingest.extraction import extract_page
from newsflow.ingest.records import Reject

Item = dict[str, Any]
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_XML_DECLARATION_ENCODING = re.compile(r"""\A(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")
_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "tr", "br")
# libxml2 stops building a tree 256 elements deep: an article wrapped in thousands of nested
# containers would come out empty.  Runs of this many wrapper tags in a row (nothing between
# them but spaces) are folded into one; no real page nests so deep without content.
_WRAPPERS = r"(?:div|span|section|article|main|font|center|b|i|em|strong|table|tbody|tr|td|ul|ol|li|blockquote)"
_DEEP_OPENS = re.compile(rf"(?:<{_WRAPPERS}\b[^<>]*>\s*){{32,}}", re.I)
_DEEP_CLOSES = re.compile(rf"(?:</{_WRAPPERS}\s*>\s*){{32,}}", re.I)
ARTICLE_KEYS = ("url", "title", "text", "outlet", "published_at", "author", "language")
# A feed entry's text is a teaser, standing for the page it links to, when the feed gave no
# full content and the summary is short or says it goes on.
TEASER_MAX_WORDS = 120
_GOES_ON = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\b(?:read more|continue reading|more»?|weiterlesen|leia mais))\W*$", re.I
)


def parse_text(data: bytes, declared: str | None = None) -> list[Item | Reject]:
    """Plain text: optional YAML front matter, then a title line, then the body.

    The first non-empty line is the title (a leading Markdown ``#`` is dropped).
    Front-matter keys: outlet, url, published_at, author, language.
    """
    raw = decode_bytes(data, declared).text
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            return [Reject(f"front matter is not valid YAML: {exc}")]
        if not isinstance(loaded, dict):
            return [Reject("front matter is not a mapping")]
        meta = loaded
        raw = raw[match.end() :]
    lines = raw.lstrip().split("\n", 1)
    title = lines[0].lstrip("#").strip()
    body = lines[1] if len(lines) > 1 else ""
    item = {k: meta.get(k) for k in ARTICLE_KEYS if k != "text"}
    item["title"] = item.get("title") or title
    item["text"] = body
    return [item]


def _json_item(obj: Any, where: str) -> Item | Reject:
    if not isinstance(obj, dict):
        return Reject(f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        return Reject(f"{where}: missing required field 'text'")
    # Values keep their JSON types: newsflow.ingest.fields coerces them or names the bad field.
    return {k: obj.get(k) for k in ARTICLE_KEYS}


def parse_jsonl(data: bytes, declared: str | None = None) -> list[Item | Reject]:
    """JSON lines: one article object a line; a bad line is rejected alone."""
    items: list[Item | Reject] = []
    for number, line in enumerate(decode_bytes(data, declared).text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append(Reject(f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        items.append(_json_item(obj, f"line {number}"))
    return items


def parse_json(data: bytes, declared: str | None = None) -> list[Item | Reject]:
    """A JSON file: a JSON Feed, one article object, or a list of them."""
    try:
        obj = json.loads(decode_bytes(data, declared).text)
    except json.JSONDecodeError as exc:
        return [Reject(f"invalid JSON: {exc.msg} (line {exc.lineno})")]
    if isinstance(obj, dict) and str(obj.get("version", "")).startswith("https://jsonfeed.org"):
        return parse_json_feed(obj)
    objects = obj if isinstance(obj, list) else [obj]
    return [_json_item(o, f"item {i}") for i, o in enumerate(objects)]


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment with one paragraph per block element."""
    if not fragment or "<" not in fragment:
        return fragment or ""
    try:
        root = lxml_html.fragment_fromstring(flatten_deep_nesting(fragment), create_parent="div")
    except Exception:  # lxml raises several types on junk markup
        return re.sub(r"<[^>]+>", " ", fragment)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    return root.text_content()


def parse_feed(data: bytes, declared: str | None = None) -> list[Item | Reject]:
    """RSS 0.9x/1.0/2.0, Atom or JSON Feed via feedparser.

    The bytes are decoded first (:func:`newsflow.ingest.decode.decode_bytes`, with the
    transport's ``declared`` charset), so documents that declare XML entities are refused in
    every encoding, before parsing (no entity expansion, whatever the parser would do).
    feedparser then reads the text as UTF-8.  A feed feedparser could only partly read keeps
    the entries it read; a document that is no feed at all is rejected.
    """
    text = decode_bytes(data, declared).text
    if _ENTITY_DECL.search(text):
        return [Reject("feed declares XML entities (refused: entity expansion is not allowed)")]
    if text.lstrip()[:1] == "{":
        return parse_json(text.encode("utf-8"))
    body = _XML_DECLARATION_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    parsed = feedparser.parse(
        body,
        sanitize_html=False,
        resolve_relative_uris=True,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    if parsed.bozo and not parsed.entries:
        return [Reject(f"unparseable feed: {parsed.get('bozo_exception')}")]
    if not parsed.entries and not parsed.get("version"):
        return [Reject("not a feed: no RSS, Atom or JSON Feed structure found")]
    outlet = parsed.feed.get("title")
    language = parsed.feed.get("language")
    site = parsed.feed.get("link") if str(parsed.feed.get("link", "")).startswith(("http://", "https://")) else None
    items: list[Item | Reject] = []
    for entry in parsed.entries:
        content = ""
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry.content), key=len)
        summary = entry.get("summary", "")
        has_content = bool(content) and len(content) >= len(summary)
        text = html_to_text(content if has_content else summary)
        published = entry.get("published") or entry.get("updated")
        parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(
            {
                # A relative entry link is relative to the feed's own link (its site).
                "url": urljoin(site, entry.get("link")) if site and entry.get("link") else entry.get("link"),
                "title": entry.get("title"),
                "text": text,
                "outlet": outlet,
                "author": entry.get("author"),
                "published_at": _struct_to_iso(parsed_time) if parsed_time else published,
                "language": language,
                "guid": entry.get("id"),
                "teaser": not has_content and is_teaser(text),
            }
        )
    return items


def is_teaser(text: str) -> bool:
    """A summary rather than an article: short, or ending as if it went on ("…", "Read more")."""
    return len(text.split()) < TEASER_MAX_WORDS or bool(_GOES_ON.search(text.strip()))


def parse_json_feed(feed: dict[str, Any]) -> list[Item | Reject]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1): feedparser 6 reads only XML feeds."""
    items: list[Item | Reject] = []
    for index, entry in enumerate(feed.get("items") or []):
        if not isinstance(entry, dict):
            items.append(Reject(f"item {index}: expected a JSON object"))
            continue
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        html_body = entry.get("content_html") or ""
        items.append(
            {
                "url": entry.get("url") or entry.get("external_url"),
                "title": entry.get("title"),
                "text": html_to_text(html_body) if html_body else entry.get("content_text") or entry.get("summary"),
                "outlet": feed.get("title"),
                "author": ", ".join(names) or None,
                "published_at": entry.get("date_published") or entry.get("date_modified"),
                "language": entry.get("language") or feed.get("language"),
            }
        )
    return items


def _struct_to_iso(value: Any) -> str:
    """feedparser's UTC struct_time as an ISO 8601 string."""
    return "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}+00:00".format(*value[:6])


def _meta(tree: Any, *queries: str) -> str | None:
    for query in queries:
        found = tree.xpath(query)
        if found and str(found[0]).strip():
            return str(found[0]).strip()
    return None


def flatten_deep_nesting(markup: str) -> str:
    """Markup with runs of 32+ wrapper tags in a row folded into one ``<div>`` (and their closers)."""
    return _DEEP_CLOSES.sub("</div>", _DEEP_OPENS.sub("<div>", markup))


def parse_html(data: bytes, url: str | None = None, declared: str | None = None) -> list[Item | Reject]:
    """A saved or fetched article page: :func:`extract_page` for the text, meta tags first for metadata.

    ``declared`` is the charset the transport declared (HTTP ``Content-Type``), if any.
    """
    markup = flatten_deep_nesting(decode_bytes(data, declared, markup=True).text)
    try:
        tree = lxml_html.fromstring(markup)
    except Exception as exc:  # empty or non-HTML documents
        return [Reject(f"not an HTML document: {exc}")]
    extracted = extract_page(markup, url, tree)
    if extracted is None:
        return [Reject("no extractable article text")]
    return [
        {
            "url": _meta(tree, "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")
            or url
            or extracted.get("url"),
            "title": _meta(tree, "//meta[@property='og:title']/@content") or extracted.get("title"),
            "text": extracted.get("text") or "",
            "outlet": _meta(tree, "//meta[@property='og:site_name']/@content") or extracted.get("outlet"),
            "author": _meta(tree, "//meta[@name='author']/@content") or extracted.get("author"),
            "published_at": _meta(
                tree,
                "//meta[@property='article:published_time']/@content",
                "//meta[@itemprop='datePublished']/@content",
                "//time[@datetime]/@datetime",
            )
            or extracted.get("published_at"),
            "language": _meta(tree, "/html/@lang") or extracted.get("language"),
        }
    ]


_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed


def parse_sitemap(data: bytes) -> tuple[list[Item], list[str]] | Reject:
    """A sitemap (``urlset``) or sitemap index (``sitemapindex``), gzipped or not.

    Returns the page items (``url``, and ``published_at`` from a news sitemap's publication
    date, else ``lastmod``; ``title`` from a news sitemap) and the child sitemaps' URLs.
    Entities are never expanded and nothing is fetched while parsing.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = inflater.decompress(data, MAX_SITEMAP_BYTES + 1)
        except zlib.error as exc:
            return Reject(f"sitemap is not valid gzip: {exc}")
        if len(data) > MAX_SITEMAP_BYTES:
            return Reject(f"sitemap larger than {MAX_SITEMAP_BYTES} bytes once decompressed")
    if _ENTITY_DECL.search(decode_bytes(data).text):  # decoded first: refused in every encoding
        return Reject("sitemap declares XML entities (refused: entity expansion is not allowed)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return Reject(f"unparseable sitemap: {exc}")
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        children = [loc.text.strip() for loc in root.iter(f"{_SITEMAP_NS}loc", "loc") if loc.text and loc.text.strip()]
        return [], children
    if tag != "urlset":
        return Reject(f"not a sitemap: root element <{tag}>")
    items: list[Item] = []
    for entry in root.iter(f"{_SITEMAP_NS}url", "url"):
        loc = entry.findtext(f"{_SITEMAP_NS}loc") or entry.findtext("loc")
        if not loc or not loc.strip():
            continue
        published = entry.findtext(f"{_NEWS_NS}news/{_NEWS_NS}publication_date") or entry.findtext(
            f"{_SITEMAP_NS}lastmod"
        )
        items.append(
            {
                "url": loc.strip(),
                "title": entry.findtext(f"{_NEWS_NS}news/{_NEWS_NS}title"),
                "published_at": published.strip() if published else None,
                "text": "",
                "teaser": True,
            }
        )
    return items, []


def parse_url_list(data: bytes) -> list[Item | Reject]:
    """A text file of article URLs, one a line; blank lines and ``#`` comments are skipped."""
    items: list[Item | Reject] = []
    for number, line in enumerate(decode_bytes(data).text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(("http://", "https://")):
            items.append(Reject(f"line {number}: not an http(s) URL: {line[:200]!r}"))
            continue
        items.append({"url": line, "text": "", "teaser": True})
    return items
