"""Defensive typing at the item boundary: every parsed field coerced to its type, or refused by name.

Parsers hand over whatever a source held (JSON numbers, lists, YAML dates, NUL bytes,
escaped lone surrogates).  :func:`coerce_item` turns one parsed item into plain text
fields, or raises :class:`FieldError` naming the field that cannot be one, so the item
is quarantined for that field and its neighbours go on.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from newsflow.ingest.records import Reject
from newsflow.ingest.urls import normalise_url

ARTICLE_KEYS = ("url", "title", "text", "outlet", "published_at", "author", "language")
# C0 and C1 control characters except tab, line feed and carriage return: never text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_HOST_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:[/:?#]|$)")


class FieldError(Reject):
    """A field holds a value that cannot be its type; the message names the field."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"field {field!r}: {problem}")
        self.field = field


def clean_text(value: str) -> str:
    """Text without control characters; lone surrogates (invalid in UTF-8) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def _kind(value: Any) -> str:
    return type(value).__name__


def _strings(field: str, value: list | tuple) -> list[str]:
    """The strings of a list (names of ``{"name": ...}`` objects too); anything else is refused."""
    out = []
    for part in value:
        if isinstance(part, dict) and isinstance(part.get("name"), str):
            part = part["name"]
        if not isinstance(part, str):
            raise FieldError(field, f"expected text or a list of text, got a list holding {_kind(part)}")
        out.append(part)
    return out


def _text_field(field: str, value: Any, *, separator: str = " ", numbers: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise FieldError(field, f"expected text, got {_kind(value)}")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float) and numbers:
        return str(value)
    if isinstance(value, list | tuple):
        return clean_text(separator.join(s.strip() for s in _strings(field, value) if s.strip()))
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return clean_text(value["name"])
    raise FieldError(field, f"expected text, got {_kind(value)}")


def coerce_url(value: Any) -> str | None:
    """An absolute http(s) URL, or None; a value that is not text is refused.

    Text that is no usable http(s) URL (relative with no base, an Atom ``tag:``/``urn:``
    identifier, another scheme such as ``javascript:``, junk) becomes None: the article
    keeps its text and takes its id from its content.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError("url", f"expected a URL as text, got {_kind(value)}")
    url = clean_text(value).strip()
    if url.startswith("//"):
        url = "https:" + url
    elif _HOST_LIKE.match(url) and "://" not in url:
        url = "https://" + url
    if not re.match(r"^https?://[^\s/?#]+", url, re.I) or re.search(r"\s", url):
        return None
    try:
        normalise_url(url)
    except ValueError:
        return None
    return url


def coerce_language(value: Any) -> str | None:
    """A language code as declared ("en", "pt-BR"); a name ("English") or junk is dropped so
    the language is detected from the text instead."""
    if isinstance(value, str) and _LANGUAGE_CODE.match(value.strip()):
        return value.strip()
    return None


def coerce_published(value: Any) -> Any:
    """Dates stay as given (text, a number of seconds, a date) for :func:`parse_published`;
    other shapes become a note of their type, which is flagged ``unparsed``, never silently
    dated (not their text: a YAML alias bomb would print as billions of items)."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, date) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return f"<a {_kind(value)}, not a date>"


def coerce_item(item: dict[str, Any]) -> dict[str, Any]:
    """The article fields of a parsed item, each of its type; raises :class:`FieldError`."""
    text = _text_field("text", item.get("text"), separator="\n\n", numbers=False)
    return {
        "url": coerce_url(item.get("url")),
        "title": _text_field("title", item.get("title")),
        "text": text or "",
        "outlet": _text_field("outlet", item.get("outlet"), separator=", "),
        "author": _text_field("author", item.get("author"), separator=", "),
        "published_at": coerce_published(item.get("published_at")),
        "language": coerce_language(item.get("language")),
    }
