"""GX Data Docs work offline once localised: a real checkpoint's site, opened in headless chromium
with networking disabled, lists its validation runs and draws its status icons."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import lxml.html
import pytest

from newsflow.quality.datadocs import (
    OFFLINE_DIR,
    VEGA_BUNDLE,
    OfflineAssetError,
    local_file,
    localise_page,
    localise_site,
)
from newsflow.quality.validate import validate_batch
from newsflow.report import vega
from tests.expectations.test_suites import good_batch  # noqa: F401 - a fixture
from tests.helpers import REFERENCE_TIME
from tests.report.test_browser import CHROMIUM

# Appended to a copy of a page: what loaded, once the page and its fonts are ready.
PROBE = """
<script>
window.addEventListener("load", async () => {
  await document.fonts.ready;
  const root = document.documentElement;
  root.dataset.jquery = String(typeof window.jQuery);
  root.dataset.bootstrapTable = String(!!(window.jQuery && jQuery.fn.bootstrapTable));
  root.dataset.rows = String(document.querySelectorAll("table tbody tr").length);
  const icons = Array.from(document.querySelectorAll("i.fas"));
  root.dataset.icons = String(icons.length);
  root.dataset.drawnIcons = String(icons.filter((i) => i.getBoundingClientRect().width > 4).length);
});
</script>
"""


def _no_network_prefix() -> list[str]:
    """Run chromium in a fresh network namespace (no interface but loopback) when the system allows."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


def offline_dom(page: Path, profile: Path) -> lxml.html.HtmlElement:
    probe = page.with_name("probe-" + page.name)
    probe.write_text(page.read_text(encoding="utf-8") + PROBE, encoding="utf-8")
    command = [
        *_no_network_prefix(),
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        # and if namespaces are not allowed: every request goes to a closed local port
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)
    finally:
        probe.unlink()
    return lxml.html.fromstring(result.stdout)


@pytest.fixture(scope="module")
def site(good_batch, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("gx")
    outcome = validate_batch(good_batch, gx_root=root / "gx", batch_id="test", reference_time=REFERENCE_TIME)
    site = Path(outcome.data_docs_url.removeprefix("file://")).parent
    untouched = tmp_path_factory.mktemp("untouched") / "site"
    shutil.copytree(site, untouched)
    assert localise_site(site) > 10
    return site, untouched


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_index_lists_the_runs_offline(site, tmp_path):
    localised, untouched = site
    dom = offline_dom(localised / "index.html", tmp_path / "p1")
    assert dom.get("data-jquery") == "function" and dom.get("data-bootstrap-table") == "true"
    assert int(dom.get("data-rows")) >= 10  # one run per table
    assert int(dom.get("data-drawn-icons")) >= 10  # a status icon per run, drawn by the local font
    before = offline_dom(untouched / "index.html", tmp_path / "p2")
    assert before.get("data-rows") == "0" and before.get("data-jquery") == "undefined"  # what GX alone gives


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_validation_page_has_its_styles_and_icons_offline(site, tmp_path):
    localised, _ = site
    page = next((localised / "validations").rglob("*.html"))
    dom = offline_dom(page, tmp_path / "p")
    assert dom.get("data-bootstrap-table") == "true"
    assert int(dom.get("data-icons")) > 0 and dom.get("data-drawn-icons") == dom.get("data-icons")


def test_no_page_loads_anything_remote(site):
    localised, _ = site
    for page in localised.rglob("*.html"):
        tree = lxml.html.fromstring(page.read_bytes())
        remote = [
            url
            for url in tree.xpath("//script/@src | //link[@rel='stylesheet']/@href | //img/@src")
            if url.startswith(("http:", "https:", "//"))
        ]
        assert remote == [], page
        for url in tree.xpath("//script/@src | //link[@rel='stylesheet']/@href"):
            assert (page.parent / url).resolve().is_file(), (page, url)
    assert (localised / OFFLINE_DIR / "LICENSE-jquery.txt").is_file()


def test_localising_twice_changes_nothing(site):
    localised, _ = site
    assert localise_site(localised) == 0


def test_only_the_pages_a_build_wrote_are_rewritten(site, tmp_path):
    _, untouched = site
    copy = tmp_path / "site"
    shutil.copytree(untouched, copy)
    old = [page for page in copy.rglob("*.html") if page.name != "index.html"]
    for page in old:
        os.utime(page, (1_000_000_000, 1_000_000_000))  # written by an earlier run's build
    assert localise_site(copy, since=time.time() - 60) == 1  # the index, just rebuilt
    assert all(page.read_bytes() == (untouched / page.relative_to(copy)).read_bytes() for page in old)
    assert localise_site(copy) > 0  # without a time, the older pages are rewritten too


def test_an_unknown_remote_asset_is_a_clear_error():
    assert local_file("https://cdn.example/npm/vega-embed@6") == ""
    with pytest.raises(OfflineAssetError, match="no local copy of https://cdn.example/new-lib.js"):
        localise_page('<script src="https://cdn.example/new-lib.js"></script>', "static/offline/")


def test_the_vega_bundle_comes_from_the_cache_folder_once_made(site, tmp_path, monkeypatch):
    built, _ = site
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    shutil.copytree(built, first)
    shutil.rmtree(first / OFFLINE_DIR)
    localise_site(first, cache_dir=cache)
    [stored] = cache.glob("vega-bundle-*-vl5.*.js")

    def no_bundling(vl_version):
        raise AssertionError("bundled again")

    monkeypatch.setattr(vega, "_bundle", no_bundling)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    shutil.rmtree(second / OFFLINE_DIR)
    localise_site(second, cache_dir=cache)
    assert (second / OFFLINE_DIR / VEGA_BUNDLE).read_text(encoding="utf-8") == stored.read_text(encoding="utf-8")
