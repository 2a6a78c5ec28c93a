"""The Vega, Vega-Lite and vega-embed JavaScript, inlined into reports so they work offline.

vl-convert bundles the libraries it ships (no network).  Bundling takes seconds, so the
result is cached on disk per vl-convert and Vega-Lite version, and in memory per process.
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

import altair as alt


def vegalite_version() -> str:
    """The Vega-Lite minor version Altair writes specs for, e.g. ``6.4``."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def _bundle() -> str:
    import vl_convert

    # A literal "</script" would end the inline element early; in JS "<\/" means the same.
    return vl_convert.javascript_bundle(vl_version=vegalite_version()).replace("</script", "<\\/script")


def javascript_bundle(cache_dir: Path | None = None) -> str:
    """The bundle as one script, safe to place inside a ``<script>`` element; cached in ``cache_dir``."""
    if cache_dir is None:
        return _bundle()
    cached = cache_dir / f"vega-bundle-{importlib.metadata.version('vl-convert-python')}-vl{vegalite_version()}.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    bundle = _bundle()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".tmp")
    partial.write_text(bundle, encoding="utf-8")
    partial.replace(cached)  # atomic: a concurrent build never reads half a file
    return bundle
