"""URL normalisation for stable article ids."""

from __future__ import annotations

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
