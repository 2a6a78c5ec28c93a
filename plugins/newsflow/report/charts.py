"""Vega-Lite specs (via Altair) for the report; each returns a plain dict with its data inline.

Rows are plain dicts straight from DuckDB, with days as ISO text.  Entity names and
outlets are data values only, never field names or expressions, so a hostile name can
reach the page as text and nothing else.  The specs are fixed and covered by the browser
tests, so Altair neither validates them nor walks the rows on every build (that took
seconds on a year of data).

Every chart has a fixed, finite height whatever the data: no rows gives a one-line "nothing
to show" chart (an empty chart with a legend is drawn 1.8e308 px tall by Vega).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import altair as alt

LEGEND = alt.Legend(orient="bottom", columns=4, labelLimit=220, title=None)
TONE = alt.Scale(scheme="redblue", domainMid=0)  # red below zero, blue above, however small the range
ROW = 20  # pixels per outlet in the outlet charts
DAY_MS = 24 * 3600 * 1000

Rows = list[dict[str, Any]]


ROWS = alt.Data(name="rows")  # a placeholder: the rows are put in the finished dict, not walked by Altair


def day_axis(first: date, last: date) -> alt.X:
    """The time axis of a period: the year on every label once the period spans years."""
    span = (last - first).days
    if first.year == last.year:
        axis = alt.Axis(format="%d %b", tickMinStep=DAY_MS)  # no ticks within a day
    elif span <= 92:
        axis = alt.Axis(format="%d %b %Y", tickMinStep=DAY_MS)
    elif span <= 3 * 366:
        axis = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1 if span <= 366 else 3})
    else:
        axis = alt.Axis(format="%Y", tickCount={"interval": "year", "step": math.ceil(span / 365.25 / 12)})
    axis.labelAngle = 0
    axis.labelOverlap = "greedy"
    return alt.X("day:T", title=None, scale=alt.Scale(type="utc"), axis=axis)


def _spec(chart: alt.TopLevelMixin, rows: Rows) -> dict[str, Any]:
    # Fill the page's width; heights stay as set (fixed, or a row per outlet).
    chart = chart.properties(width="container", autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return {**chart.to_dict(validate=False), "data": {"values": rows}}


def nothing_to_show(message: str) -> dict[str, Any]:
    """A one-line chart saying why there is no chart."""
    chart = (
        alt.Chart(ROWS)
        .mark_text(align="left", x=0, fontSize=13, color="#5b6575")
        .encode(text=alt.Text("message:N"))
        .properties(height=24)
    )
    return _spec(chart, [{"message": message}])


def attention(rows: Rows, first: date, last: date) -> dict[str, Any]:
    """Mentions per day of the charted entities (keys: day, entity, mentions, articles, article_share)."""
    if not rows:
        return nothing_to_show("No entity was mentioned in the period.")
    chart = (
        alt.Chart(ROWS)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=day_axis(first, last),
            y=alt.Y("mentions:Q", title="mentions per day"),
            color=alt.Color("entity:N", legend=LEGEND),
            tooltip=[
                alt.Tooltip("entity:N"),
                alt.Tooltip("day:T", format="%Y-%m-%d", formatType="utc"),
                alt.Tooltip("mentions:Q"),
                alt.Tooltip("articles:Q"),
                alt.Tooltip("article_share:Q", title="share of the day's articles", format=".1%"),
            ],
        )
        .properties(height=280)
    )
    return _spec(chart, rows)


def share_of_voice(rows: Rows, first: date, last: date) -> dict[str, Any]:
    """Stacked daily shares of all mentions held by the top entities (keys: day, entity, rank, share)."""
    if not rows:
        return nothing_to_show("No entity was mentioned in the period.")
    chart = (
        alt.Chart(ROWS)
        .mark_area()
        .encode(
            x=day_axis(first, last),
            y=alt.Y("share:Q", title="share of all mentions", stack="zero", axis=alt.Axis(format="%")),
            color=alt.Color("entity:N", legend=LEGEND, sort=alt.SortField("rank")),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("entity:N"),
                alt.Tooltip("day:T", format="%Y-%m-%d", formatType="utc"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(height=260)
    )
    return _spec(chart, rows)


def outlet_tone(rows: Rows) -> dict[str, Any]:
    """Mean compound per outlet with a tone (keys: outlet, label, articles, toned_articles, mean_compound, mean_tone).

    ``label`` is the outlet with the number of articles its mean rests on, so an outlet with one
    article never looks as solid as one with a thousand.
    """
    if not rows:
        return nothing_to_show("No article of the period has a tone.")
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N",
                title=None,
                sort=alt.SortField("toned_articles", order="descending"),
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("mean_compound:Q", title="mean compound (−1 negative … +1 positive)"),
            color=alt.Color("mean_compound:Q", scale=TONE, legend=None),
            tooltip=[
                alt.Tooltip("outlet:N"),
                alt.Tooltip("toned_articles:Q", title="articles with a tone"),
                alt.Tooltip("articles:Q", title="articles"),
                alt.Tooltip("mean_compound:Q", format=".3f"),
                alt.Tooltip("mean_tone:Q", title="mean tone (%)", format=".2f"),
            ],
        )
        .properties(height=ROW * len(rows))
    )
    return _spec(chart, rows)


def outlet_entity_tone(rows: Rows, outlets: int) -> dict[str, Any]:
    """Heatmap of mention-weighted tone (keys: outlet, entity, mentions, articles, mean_compound), ``outlets`` rows.

    Each cell shows how many articles its tone rests on.
    """
    if not rows:
        return nothing_to_show("No top entity was named by an outlet with a tone.")
    base = alt.Chart(ROWS).encode(
        x=alt.X("entity:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y("outlet:N", title=None, axis=alt.Axis(labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("mean_compound:Q", scale=TONE, title="compound"),
        tooltip=[
            alt.Tooltip("outlet:N"),
            alt.Tooltip("entity:N"),
            alt.Tooltip("mentions:Q"),
            alt.Tooltip("articles:Q"),
            alt.Tooltip("mean_compound:Q", format=".3f"),
        ],
    )
    counts = base.mark_text(fontSize=10, color="#1d2430").encode(text=alt.Text("articles:Q"))
    chart = alt.layer(cells, counts).properties(height=ROW * max(outlets, 1))
    return _spec(chart, rows)


def world_map(rows: Rows, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Choropleth of articles per country (keys: country_code, country, articles, original_articles,
    mentions) over ``features``, GeoJSON country outlines whose ``id`` is the alpha-2 code.

    Two layers share the outlines (one named dataset, so each outline travels once): every
    country in grey, then the countries with articles, coloured on a square-root scale that
    keeps the busiest country from washing out the rest. A plain Vega-Lite dict: the rows
    are looked up by code, never walked by Altair.
    """
    if not rows:
        return nothing_to_show("No article of the period names a place in a country.")
    outline = {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 380,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "projection": {"type": "equalEarth"},
        "datasets": {"world": list(features)},
        "layer": [
            {"data": {"name": "world"}, "mark": {**outline, "fill": "#e3e6eb"}},
            {
                "data": {"name": "world"},
                "transform": [
                    {
                        "lookup": "id",
                        "from": {
                            "data": {"values": rows},
                            "key": "country_code",
                            "fields": ["country", "articles", "original_articles", "mentions"],
                        },
                    }
                ],
                "mark": outline,
                "encoding": {
                    "color": {
                        "field": "articles",
                        "type": "quantitative",
                        "scale": {"type": "sqrt", "scheme": "blues", "domainMin": 0},
                        "title": "articles",
                    },
                    "tooltip": [
                        {"field": "properties.name", "type": "nominal", "title": "country"},
                        {"field": "articles", "type": "quantitative"},
                        {"field": "original_articles", "type": "quantitative", "title": "without copies"},
                        {"field": "mentions", "type": "quantitative", "title": "place mentions"},
                    ],
                },
            },
        ],
    }
