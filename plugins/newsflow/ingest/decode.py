"""Bytes to text by the evidence: byte-order mark, declared charset, then detection.

The order follows the HTML standard's encoding sniffing, extended to feeds and plain files:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) wins over everything;
2. the charset the transport declared (an HTTP ``Content-Type`` header), when the bytes
   decode under it;
3. the charset the document declares: an XML declaration at its start, or for HTML a
   ``<meta charset>`` / ``http-equiv`` in its first bytes;
4. strict UTF-8;
5. detection by charset-normalizer for undeclared bytes.

Bytes that are text in no encoding (random or binary data, mostly control characters)
raise :class:`NotText`.  Control characters are stripped from the text returned.  The
fetching code calls :func:`decode_bytes` with the body and the header's charset.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from newsflow.ingest.fields import clean_text
from newsflow.ingest.records import Reject

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" without a BOM, in the UTF-16/32 byte orders (XML 1.0 appendix F).
_WIDE_XML_STARTS = (
    (b"<\x00\x00\x00?\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<\x00\x00\x00?", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_XML_DECLARATION = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.I,
)
# How far into an HTML document a <meta charset> is looked for (the standard's prescan reads
# 1,024 bytes; pages with long <head> scripts declare later, so we read further).
META_PRESCAN_BYTES = 16_384
# Above this share of control characters (after decoding) the bytes are not text.
MAX_CONTROL_SHARE = 0.02
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# Labels that mean windows-1252 in practice (the HTML standard maps them so).
_LATIN1_LABELS = {"iso8859-1", "latin-1", "ascii", "us-ascii", "iso-8859-1", "latin1", "l1", "cp819"}


class NotText(Reject):
    """The bytes are not text in any encoding we can find evidence for."""


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, the encoding used and the evidence for it."""

    text: str
    encoding: str
    evidence: str  # bom, declared, xml declaration, meta charset, utf-8 or detected


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header value, if any."""
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    return match.group(1) if match else None


def _codec(label: str | None) -> str | None:
    """Python's codec name for a charset label, or None when the label names no codec."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN1_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _document_charset(data: bytes, markup: bool) -> tuple[str | None, str]:
    """The charset a document declares in itself, and where."""
    for start, codec in _WIDE_XML_STARTS:
        if data.startswith(start):
            return codec, "xml declaration"
    match = _XML_DECLARATION.match(data[:1024])
    if match:
        return match.group(1).decode("ascii"), "xml declaration"
    if markup:
        match = _META_CHARSET.search(data[:META_PRESCAN_BYTES])
        if match:
            return match.group(1).decode("ascii"), "meta charset"
    return None, ""


def _wide(codec: str) -> bool:
    return codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))


def decode_bytes(data: bytes, declared: str | None = None, *, markup: bool = False) -> Decoded:
    """Decode ``data`` by the evidence (see the module docstring); raises :class:`NotText`.

    ``declared`` is the transport's charset label (an HTTP header's); ``markup`` lets a
    ``<meta charset>`` count as evidence (HTML pages).  The text has no BOM and no control
    characters other than tab and line breaks.
    """
    decoded = _decode(data, declared, markup)
    control = len(_CONTROL.findall(decoded.text))
    if decoded.text and control > MAX_CONTROL_SHARE * len(decoded.text):
        raise NotText(
            f"not text: {control} of {len(decoded.text)} characters are control or undecodable "
            f"characters when read as {decoded.encoding} ({decoded.evidence})"
        )
    return Decoded(clean_text(decoded.text).replace("\ufeff", ""), decoded.encoding, decoded.evidence)


def _decode(data: bytes, declared: str | None, markup: bool) -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            return Decoded(text, codec, "bom")
    codec = _codec(declared)
    if codec and _wide(codec) and b"\x00" not in data[:1024]:
        codec = None  # UTF-16/32 text of any length holds NUL bytes: the header is wrong
    text = _strict(data, codec)
    if text is not None:
        return Decoded(text, codec, "declared")
    label, where = _document_charset(data, markup)
    codec = _codec(label)
    if codec and _wide(codec) and where == "meta charset":
        codec = "utf-8"  # a declaration read as ASCII cannot be right about UTF-16 (HTML standard)
    text = _strict(data, codec)
    if text is not None:
        return Decoded(text, codec, where)
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise NotText(f"not text: {len(data)} bytes that decode under no encoding (binary or random data)")
    # Short Latin texts fit several single-byte code pages equally well; windows-1252, the
    # web's default for undeclared bytes, is preferred when it fits as well as the best.
    western = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos), None)
    chosen = western or best
    return Decoded(str(chosen), chosen.encoding, "detected")
