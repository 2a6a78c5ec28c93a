"""The report's content and escaping, without a browser."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import lxml.html
import pytest

from newsflow.report import build_report
from newsflow.report.build import Period, ReportError, charted_entities, json_for_script, plain_text, safe_link
from newsflow.warehouse import db
from tests.warehouses import HOSTILE, HOSTILE_IMG, build, forty_days, validation_results


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    docs = folder / "gx" / "index.html"
    docs.parent.mkdir()
    docs.write_text("<html></html>")
    warehouse = build(
        folder / "w.duckdb",
        forty_days(),
        [
            validation_results("b1", datetime(2024, 11, 9, tzinfo=UTC)),
            validation_results("b2", datetime(2024, 11, 10, tzinfo=UTC), failed=True),
        ],
    )
    path = build_report(warehouse, folder / "out", days=30, watchlist=["newcomer"], data_docs=docs)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Trump&#8217;s &amp;quot;deal&amp;quot;", 'Trump\u2019s "deal"'),  # encoded twice, as feeds do
        ("<b>Bold</b> <a href='x'>link</a>", "Bold link"),
        ("AT&amp;T", "AT&T"),
        ("a < b", "a < b"),  # not a tag
        ("<br/>", "<br/>"),  # nothing but markup: shown as written (and escaped where shown)
        (None, None),
    ],
)
def test_names_and_titles_are_shown_as_plain_text(raw, shown):
    assert plain_text(raw) == shown


def test_json_for_script_cannot_close_its_element():
    text = json_for_script({"name": HOSTILE, "other": "a & b \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(str(text)) == {"name": HOSTILE, "other": "a & b \u2028"}


@pytest.mark.parametrize(
    ("target", "kept"),
    [("../gx/index.html", True), ("file:///var/gx/index.html", True), ("javascript:alert(1)", False), ("", False)],
)
def test_only_plain_links_reach_the_page(target, kept):
    assert (safe_link(target) == target) is kept


def test_hostile_names_reach_the_page_only_escaped(page):
    assert HOSTILE not in page and HOSTILE_IMG not in page
    assert "<td>alert(1)</td>" in page  # tags dropped from names
    assert "&lt;img src=x onerror=&#34;" in page  # a name that is nothing but a tag, escaped
    assert "\\u003cimg src=x onerror=" in page  # the chart data


def test_the_page_is_self_contained(page):
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//*[@src]") == [] and tree.xpath("//link") == []  # scripts are inline, no fetch
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing
    assert page.count("vegaEmbed") >= 1 and len(page) > 500_000  # the libraries are inlined


def test_the_page_covers_the_last_days_with_trends_quality_and_docs(page):
    assert "2024-10-10 to 2024-11-09: the latest 30 days with articles"  # 2024-10-20 has none in page
    assert "w.duckdb holds 127 articles from 2024-10-01 to 2024-11-09 (39 days with articles)" in page
    assert '<a href="all.html">the whole range</a>' in page
    assert re.search(r"<td>2024-11-05</td><td>Burst Person</td>.*?<td class=\"n\">6.0</td>", page)
    assert "Newcomer (watched)" in page
    assert '<a href="../gx/index.html">GX Data Docs</a>' in page
    assert '<b class="bad">1/2</b>table checks passed' in page
    assert "expect_table_row_count" in page


def test_an_empty_warehouse_gives_a_page_not_an_error(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        db.refresh_marts(con)
    page = build_report(tmp_path / "w.duckdb", tmp_path / "out").read_text()
    assert "w.duckdb holds no articles yet" in page and "No validation run recorded yet." in page


def test_a_warehouse_without_marts_is_a_clear_error(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        db.create_schema(con)
    with pytest.raises(ReportError, match="lacks marts"):
        build_report(tmp_path / "w.duckdb", tmp_path / "out")


def test_watched_entities_are_charted_with_their_true_rank(tmp_path):
    warehouse = build(tmp_path / "w.duckdb", forty_days())
    with db.connect(warehouse, read_only=True) as con:
        period = Period(date(2024, 10, 11), date(2024, 11, 9), "asked")
        got = charted_entities(con, period, top=2, watchlist=["lone article", "Nobody"])
    # Lone Article's 9 mentions rank 5th, behind Newcomer's 10 (Early Bird is outside the period).
    assert [(e["entity"], e["rank"], e["watched"]) for e in got] == [
        ("Steady Corp", 1, False),
        ("Wobbly Minister", 2, False),
        ("Lone Article", 5, True),
    ]


def test_the_page_shows_ingest_health_per_source_and_run(page):
    tree = lxml.html.fromstring(page)
    (row,) = tree.xpath("//section[@id='ingest']//tbody/tr")
    cells = [cell.text_content() for cell in row.xpath("./td")]
    assert cells[1:5] == ["fixture", "127", "127", "0"]  # source, read, added, updated
    assert cells[-1] == "en 127"  # languages
    assert "of the latest run's entries quarantined or duplicate" in page
