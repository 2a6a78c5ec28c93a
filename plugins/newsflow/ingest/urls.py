"""URL normalisation for stable article ids."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid", "ocid", "smid"}
)


def normalise_url(url: str) -> str:
    """Canonical form of an article URL.

    Lower-cases scheme and host, drops ``www.``/``m.``/``amp.`` host prefixes, the
    fragment, tracking parameters (``utm_*`` and known click ids), a trailing
    ``/amp`` or ``.amp`` and trailing slashes; sorts the remaining parameters.
    """
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    for suffix in ("/amp", ".amp"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    path = path.rstrip("/") or "/"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))


# Section labels outlets put before or after a headline.
SECTION_LABELS = frozenset(
    "opinion analysis editorial comment live video watch exclusive breaking news world business politics "
    "sport sports tech technology explainer review podcast update updated".split()
)
_TITLE_SEPARATOR = re.compile(r"\s+[|–—:-]{1,2}\s+|\s+::\s+")
_NOT_WORD = re.compile(r"[^\w\s]")


def normalise_title(title: str, outlet: str | None = None) -> str:
    """A headline without its outlet and section parts, case, punctuation and spacing folded.

    "Opinion | Kim meets Belousov - The New York Times" and "Kim meets Belousov" are the
    same title.
    """
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(title.replace("’", "'")) if p.strip()]
    outlet_key = (outlet or "").casefold()
    kept = [p for p in parts if p.casefold() not in SECTION_LABELS and (not outlet_key or p.casefold() != outlet_key)]
    if len(kept) > 1:
        # Without a known outlet, a short trailing part in title case is the site's name.
        last = kept[-1]
        if len(last.split()) <= 4 and last.istitle():
            kept = kept[:-1]
    best = max(kept or parts or [""], key=len)
    return " ".join(_NOT_WORD.sub(" ", best.casefold()).split())
