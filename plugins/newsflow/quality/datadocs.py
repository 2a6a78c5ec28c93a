"""Make GX Data Docs work offline: serve the assets their pages load from the site itself.

GX Core's Data Docs pages load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega from
public CDNs; without the internet (as here, and in many newsrooms' secure networks) the index
lists no validation run and validation pages lose their styling and status icons.  After each
Data Docs build, :func:`localise_site` copies the vendored assets (``datadocs_assets/``, with
their licences) and a Vega bundle into ``<site>/static/offline/`` and rewrites every page's
remote asset URLs to relative paths.  It is idempotent: a page already rewritten is unchanged.
After a build, only the pages it wrote need rewriting (``since``), so a run's cost does not grow
with the number of runs the site already shows.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from newsflow.report.vega import javascript_bundle

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "datadocs_assets"
OFFLINE_DIR = Path("static") / "offline"
VEGA_BUNDLE = "vega-bundle.js"
VEGA_LITE_VERSION = "5.21"  # GX's pages ask for vega-lite@5; the newest 5.x vl-convert bundles

# A remote asset is recognised by the end of its URL's path (the CDN host does not matter):
# each maps to the local file that replaces it, or to "" for a script whose bundle is loaded
# by another tag (vega-lite and vega-embed come in the one Vega bundle).
LOCAL_FILES = (
    (re.compile(r"/jquery-3\.7\.1\.min\.js$"), "jquery-3.7.1.min.js"),
    (re.compile(r"/popper\.js/1\.12\.9/umd/popper\.min\.js$"), "popper.min.js"),
    (re.compile(r"/bootstrap/4\.3\.1/js/bootstrap\.min\.js$"), "bootstrap.min.js"),
    (re.compile(r"/bootstrap/4\.3\.1/css/bootstrap\.min\.css$"), "bootstrap.min.css"),
    (re.compile(r"/bootstrap-table@1\.19\.\d/dist/bootstrap-table\.min\.js$"), "bootstrap-table.min.js"),
    (re.compile(r"/bootstrap-table@1\.19\.\d/dist/bootstrap-table\.min\.css$"), "bootstrap-table.min.css"),
    (
        re.compile(
            r"/bootstrap-table@1\.19\.\d/dist/extensions/filter-control/bootstrap-table-filter-control(\.min)?\.js$"
        ),
        "bootstrap-table-filter-control.min.js",
    ),
    (
        re.compile(
            r"/bootstrap-table@1\.19\.\d/dist/extensions/filter-control/bootstrap-table-filter-control(\.min)?\.css$"
        ),
        "bootstrap-table-filter-control.min.css",
    ),
    (re.compile(r"/bootstrap-datepicker/1\.9\.0/js/bootstrap-datepicker\.min\.js$"), "bootstrap-datepicker.min.js"),
    (re.compile(r"/bootstrap-datepicker/1\.9\.0/css/bootstrap-datepicker\.min\.css$"), "bootstrap-datepicker.min.css"),
    (re.compile(r"/font-awesome/6\.\d+\.\d+/css/all\.min\.css$"), "css/fontawesome-all.min.css"),
    (re.compile(r"/bootstrap-dark@1\.1\.0/dist/css/bootstrap-prefers-dark\.css$"), "bootstrap-prefers-dark.min.css"),
    (re.compile(r"/npm/vega@5$"), VEGA_BUNDLE),
    (re.compile(r"/npm/vega-lite@5$"), ""),
    (re.compile(r"/npm/vega-embed@6$"), ""),
)
_REMOTE_SCRIPT = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"[^>]*>\s*</script>')
_REMOTE_LINK = re.compile(r'<link\s+(?P<before>[^>]*?)href="(?P<url>https?://[^"]+)"(?P<after>[^>]*)>')
# Subresource integrity and CORS mode apply to the CDN copy; a file:// page would refuse them.
_INTEGRITY = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
_REMOTE_CSS_URL = re.compile(r"url\(\s*['\"]?https?://[^)]*\)")
# GX's logo images are remote (and carry a tracking query); offline they show as broken images.
_REMOTE_IMAGE = re.compile(r'<img\s+[^>]*src="https?://[^"]+"[^>]*>')
_LOGO_TEXT = '<span class="navbar-brand-text">Great Expectations</span>'


class OfflineAssetError(RuntimeError):
    """A page loads a remote asset that has no local copy (a new GX version): update datadocs_assets."""


def local_file(url: str) -> str | None:
    """The local file replacing a remote asset URL ("" for one served by another tag), None if unknown."""
    path = url.split("?", 1)[0]
    for pattern, name in LOCAL_FILES:
        if pattern.search(path):
            return name
    return None


def install_assets(site: Path, cache_dir: Path | None = None) -> Path:
    """Copy the vendored assets and the Vega bundle into ``site/static/offline``; returns that
    folder.  ``cache_dir``: where the Vega bundle is kept between runs (it takes seconds to make)."""
    target = site / OFFLINE_DIR
    for source in ASSETS.rglob("*"):
        copy = target / source.relative_to(ASSETS)
        if source.is_file() and source.name != "README.md":
            if not copy.exists() or copy.stat().st_size != source.stat().st_size:
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
    bundle = target / VEGA_BUNDLE
    if not bundle.exists():
        partial = bundle.with_suffix(".tmp")
        partial.write_text(javascript_bundle(cache_dir, VEGA_LITE_VERSION), encoding="utf-8")
        partial.replace(bundle)
    return target


def localise_page(html: str, prefix: str) -> str:
    """The page with every remote script, stylesheet and image replaced by its local copy.

    ``prefix`` is the relative path from the page to the offline folder.  Links (``<a href>``)
    are left alone.  Raises :class:`OfflineAssetError` for a remote asset without a copy.
    """

    def script(match: re.Match[str]) -> str:
        name = local_file(match["url"])
        if name is None:
            raise OfflineAssetError(f"no local copy of {match['url']}")
        return f'<script src="{prefix}{name}"></script>' if name else ""

    def link(match: re.Match[str]) -> str:
        name = local_file(match["url"])
        if name is None:
            tag = match[0].lower()
            if "stylesheet" in tag or "preload" in tag:
                raise OfflineAssetError(f"no local copy of {match['url']}")
            return match[0]  # not an asset (e.g. a canonical link)
        attributes = _INTEGRITY.sub("", f'{match["before"]}href="{prefix}{name}"{match["after"]}')
        return f"<link {attributes}>"

    html = _REMOTE_SCRIPT.sub(script, html)
    html = _REMOTE_LINK.sub(link, html)
    html = _REMOTE_CSS_URL.sub("none", html)  # a background image (GX's logo)
    return _REMOTE_IMAGE.sub(_LOGO_TEXT, html)


def localise_site(site: Path, since: float | None = None, cache_dir: Path | None = None) -> int:
    """Install the assets into a Data Docs site (:func:`install_assets`) and rewrite its pages
    (``since``: only those modified at or after that time, a ``time.time()`` value); returns the
    pages rewritten."""
    if not (site / "index.html").exists():
        return 0
    offline = install_assets(site, cache_dir)
    changed = 0
    for page in sorted(site.rglob("*.html")):
        if offline in page.parents or (since is not None and page.stat().st_mtime < since):
            continue
        prefix = os.path.relpath(offline, page.parent).replace(os.sep, "/") + "/"
        before = page.read_text(encoding="utf-8")
        after = localise_page(before, prefix)
        if after != before:
            page.write_text(after, encoding="utf-8")
            changed += 1
    log.info("data docs: %d pages now load their assets from %s", changed, offline)
    return changed
