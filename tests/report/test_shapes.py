"""The report over corpora of every shape, in the real headless browser: never blank, never huge.

An empty warehouse, one article, an old corpus, twenty years, an outlet with one article,
outlets without tone: each page draws every chart with a finite size (Vega draws an empty
chart with a legend 1.8e308 px tall, which blanks the rest of the page), states its period
and carries years on its time axes when the period spans them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import lxml.html
import pytest

from newsflow.report import build_report
from newsflow.warehouse import db
from tests.report.test_browser import CHROMIUM, chromium
from tests.warehouses import Story, build, validation_results

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
MAX_HEIGHT = 3000  # px: a chart taller than this is a bug, whatever the data


def _old() -> list[Story]:
    """2008-2010: two outlets, a story every ten days."""
    first = date(2008, 2, 18)
    return [
        Story(first + timedelta(days=10 * i), "Alpha" if i % 2 else "Beta", {"Steady Corp": 1 + i % 3}, 0.2)
        for i in range(100)
    ]


def _twenty_years() -> list[Story]:
    """One article a month for twenty years, naming two entities in turn."""
    return [
        Story(date(2001 + i // 12, 1 + i % 12, 15), "Alpha", {"Wobbly Minister" if i % 2 else "Steady Corp": 2}, 0.1)
        for i in range(240)
    ]


def _one_article_outlets() -> list[Story]:
    """A busy outlet, an outlet with one article, and one whose text has no tone."""
    day = date(2024, 3, 1)
    return [
        *(Story(day + timedelta(days=i), "Busy", {"Steady Corp": 2}, 0.3) for i in range(30)),
        Story(day, "Single", {"Steady Corp": 1}, -0.9),
        *(Story(day + timedelta(days=i), "Untoned", {"Steady Corp": 1}, None) for i in range(3)),
    ]


SHAPES = {
    "empty": None,
    "one article, no entity": [Story(date(2024, 5, 1), "Alpha", {})],
    "old": _old(),
    "twenty years": _twenty_years(),
    "one-article outlets": _one_article_outlets(),
}


@pytest.fixture(scope="module", params=list(SHAPES), ids=list(SHAPES))
def shape(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shape")
    stories = SHAPES[request.param]
    if stories is None:
        with db.connect(folder / "w.duckdb") as con:
            db.refresh_marts(con)
        warehouse = folder / "w.duckdb"
    else:
        warehouse = build(folder / "w.duckdb", stories, [validation_results("b1", datetime(2024, 11, 10, tzinfo=UTC))])
    page = build_report(warehouse, folder / "out")
    result = chromium(tmp_path_factory.mktemp("profile"), "--dump-dom", page.as_uri())
    return request.param, stories, lxml.html.fromstring(result.stdout), page


def _size(svg) -> tuple[float, float]:
    return float(svg.get("width")), float(svg.get("height"))


def test_the_page_is_never_blank(shape):
    _, _, dom, _ = shape
    assert dom.xpath("//body/@data-charts") == ["drawn"]
    assert dom.xpath("/html/@data-errors") == []
    assert dom.xpath("//section[@id='quality']//h2/text()") == ["Data quality"]  # the last section is there
    assert len(dom.xpath("string(//header)").strip()) > 30


def test_every_chart_has_a_finite_size(shape):
    name, _, dom, _ = shape
    for chart in dom.xpath("//div[@data-spec]"):
        (svg,) = chart.xpath("./*[local-name()='svg']")
        width, height = _size(svg)
        assert math.isfinite(width) and math.isfinite(height), (name, chart.get("id"), width, height)
        assert 0 < width and 0 < height < MAX_HEIGHT, (name, chart.get("id"), width, height)


def test_the_period_follows_the_data_and_is_stated(shape):
    name, stories, dom, page = shape
    if stories is None:
        assert "holds no articles yet" in dom.findtext(".//header/p")
        return
    last = max(s.day for s in stories)
    stated = dom.findtext(".//p[@id='period']")
    assert stated.split(":")[0].endswith(f"to {last.isoformat()}")
    charted = dom.xpath("//div[@data-spec]")
    assert charted, name
    days_with_articles = sorted({s.day for s in stories})
    first = days_with_articles[-90] if len(days_with_articles) > 90 else days_with_articles[0]
    assert stated.startswith(f"{first.isoformat()} to {last.isoformat()}")
    whole = page.parent / "all.html"
    assert whole.exists() is (first != days_with_articles[0])


def test_time_axes_carry_years_when_the_period_spans_them(shape):
    name, stories, dom, _ = shape
    if name not in ("old", "twenty years"):
        return
    labels = dom.xpath(
        "//div[@id='chart-attention']//*[contains(@class, 'role-axis-label')]//*[local-name()='text']/text()"
    )
    years = [label for label in labels if any(str(y) in label for y in range(2000, 2030))]
    assert len(years) >= 2, labels


def test_outlets_show_what_their_tone_rests_on(shape):
    name, _, dom, _ = shape
    if name != "one-article outlets":
        return
    assert "Untoned (3 articles)" in dom.findtext(".//p[@id='untoned']")
    labels = dom.xpath(
        "//div[@id='chart-outlet-tone']//*[contains(@class, 'role-axis-label')]//*[local-name()='text']/text()"
    )
    assert "Busy (30)" in labels and "Single (1)" in labels and not any("Untoned" in label for label in labels)
