"""The Vega, Vega-Lite and vega-embed JavaScript, inlined into reports and served beside the
Data Docs so that both work offline.

vl-convert bundles the libraries it ships (no network).  Bundling takes seconds, so the
result is cached on disk per vl-convert and Vega-Lite version, and in memory per process.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
from pathlib import Path


def vegalite_version() -> str:
    """The Vega-Lite minor version Altair writes specs for, e.g. ``6.4``."""
    import altair as alt  # only the report's charts need Altair

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def _bundle(vl_version: str) -> str:
    import vl_convert

    # A literal "</script" would end the inline element early; in JS "<\/" means the same.
    return vl_convert.javascript_bundle(vl_version=vl_version).replace("</script", "<\\/script")


def javascript_bundle(cache_dir: Path | None = None, vl_version: str | None = None) -> str:
    """The bundle for Vega-Lite ``vl_version`` (default: the version Altair writes specs for), as
    one script, safe inside a ``<script>`` element or served as a file; cached in ``cache_dir``."""
    vl_version = vl_version or vegalite_version()
    if cache_dir is None:
        return _bundle(vl_version)
    cached = cache_dir / f"vega-bundle-{importlib.metadata.version('vl-convert-python')}-vl{vl_version}.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    bundle = _bundle(vl_version)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")  # per process: two may build at once
    partial.write_text(bundle, encoding="utf-8")
    partial.replace(cached)  # atomic: a concurrent build never reads half a file
    return bundle
