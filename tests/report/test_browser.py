"""The report in a real headless browser (Debian's chromium): it renders, the charts draw, no script errors.

``.ci/run`` installs chromium when it is missing; elsewhere these tests skip without it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import UTC, datetime

import lxml.html
import pytest

from newsflow.report import build_report
from tests.warehouses import HOSTILE_IMG, build, forty_days, validation_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
CHARTS = 5  # attention, share of voice, tone by outlet, tone by outlet and entity, world map


def chromium(profile, *args: str) -> subprocess.CompletedProcess:
    """Headless chromium with a fresh profile, no network chatter, console messages on stderr."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",  # let the asynchronous chart rendering finish
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    warehouse = build(folder / "w.duckdb", forty_days(), [validation_results("b1", datetime(2024, 11, 10, tzinfo=UTC))])
    return build_report(warehouse, folder / "out")


@pytest.fixture(scope="module")
def rendered(report, tmp_path_factory):
    result = chromium(tmp_path_factory.mktemp("profile"), "--dump-dom", report.as_uri())
    return lxml.html.fromstring(result.stdout), result.stderr


def test_every_chart_draws_as_svg(rendered):
    dom, _ = rendered
    assert dom.xpath("//body/@data-charts") == ["drawn"]
    charts = dom.xpath("//div[@data-spec]")
    assert len(charts) == CHARTS
    for chart in charts:
        marks = chart.xpath(".//*[local-name()='svg']//*[local-name()='path' or local-name()='rect']")
        assert len(marks) > 3, chart.get("id")


def test_no_script_error_and_no_console_message(rendered):
    dom, stderr = rendered
    assert dom.xpath("/html/@data-errors") == []
    console = [line for line in stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # errors, CSP refusals and Vega warnings would all show here


def test_hostile_names_render_as_text_and_never_run(rendered):
    dom, _ = rendered
    assert dom.findtext(".//title") == "newsflow coverage report"  # the onerror payload never ran
    assert dom.xpath("//img") == []
    assert [s for s in dom.xpath("//script") if (s.text or "").strip() == "alert(1)"] == []  # none injected
    table_cells = dom.xpath("//td/text()")
    # Names are shown as plain text: tags dropped ("alert(1)"), and one that is nothing but a tag as written.
    assert "alert(1)" in table_cells and HOSTILE_IMG in table_cells
    svg_text = dom.xpath("//*[local-name()='svg']//*[local-name()='text']/text()")
    assert HOSTILE_IMG in svg_text  # a legend entry, drawn as text


def test_screenshot_shows_a_full_page(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(
        tmp_path / "profile", "--hide-scrollbars", "--window-size=1280,1800", f"--screenshot={shot}", report.as_uri()
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 1800)
    assert len(data) > 60_000  # charts and tables, not a blank page


def test_the_world_map_draws_every_country_and_colours_those_named(rendered):
    dom, _ = rendered
    [chart] = dom.xpath("//div[@id='chart-world-map']")
    shapes = chart.xpath(".//*[local-name()='path'][@stroke='#ffffff']")
    grey = [shape for shape in shapes if shape.get("fill") == "#e3e6eb"]
    assert len(grey) > 150  # the outlines of the world's countries, shipped by a package
    coloured = sorted(shape.get("aria-label").split(";")[0] for shape in shapes if shape not in grey)
    assert coloured == ["articles: 19", "articles: 39", "articles: 8"]  # France, North Korea, Brazil
    ranked = [row.xpath("./td/text()")[1] for row in dom.xpath("//section[@id='places']//tbody/tr")]
    assert ranked == ["North Korea", "France", "alert(1)"]  # by articles; the hostile name as text
