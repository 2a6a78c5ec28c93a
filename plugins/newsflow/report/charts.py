"""Vega-Lite specs (via Altair) for the report; each returns a plain dict with its data inline.

Rows are plain dicts straight from DuckDB, with days as ISO text.  Entity names and
outlets are data values only, never field names or expressions, so a hostile name can
reach the page as text and nothing else.  The specs are fixed and covered by the browser
tests, so Altair neither validates them nor walks the rows on every build (that took
seconds on a year of data).
"""

from __future__ import annotations

from typing import Any

import altair as alt

DAY = alt.X(
    "day:T",
    title=None,
    scale=alt.Scale(type="utc"),
    axis=alt.Axis(format="%d %b", labelAngle=0, tickMinStep=24 * 3600 * 1000),  # no ticks within a day
)
LEGEND = alt.Legend(orient="bottom", columns=4, labelLimit=220, title=None)
TONE = alt.Scale(scheme="redblue", domainMid=0)  # red below zero, blue above, however small the range
ROW = 20  # pixels per outlet in the outlet charts


Rows = list[dict[str, Any]]


ROWS = alt.Data(name="rows")  # a placeholder: the rows are put in the finished dict, not walked by Altair


def _spec(chart: alt.TopLevelMixin, rows: Rows) -> dict[str, Any]:
    # Fill the page's width; heights stay as set (fixed, or a row per outlet).
    chart = chart.properties(width="container", autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return {**chart.to_dict(validate=False), "data": {"values": rows}}


def attention(rows: Rows) -> dict[str, Any]:
    """Mentions per day of the charted entities (keys: day, entity, mentions, articles, article_share)."""
    chart = (
        alt.Chart(ROWS)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=DAY,
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


def share_of_voice(rows: Rows) -> dict[str, Any]:
    """Stacked daily shares of all mentions held by the top entities (keys: day, entity, rank, share)."""
    chart = (
        alt.Chart(ROWS)
        .mark_area()
        .encode(
            x=DAY,
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
    """Mean compound per outlet (keys: outlet, articles, mean_compound, mean_tone)."""
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title=None, sort=alt.SortField("articles", order="descending")),
            x=alt.X("mean_compound:Q", title="mean compound (−1 negative … +1 positive)"),
            color=alt.Color("mean_compound:Q", scale=TONE, legend=None),
            tooltip=[
                alt.Tooltip("outlet:N"),
                alt.Tooltip("articles:Q"),
                alt.Tooltip("mean_compound:Q", format=".3f"),
                alt.Tooltip("mean_tone:Q", title="mean tone (%)", format=".2f"),
            ],
        )
        .properties(height=ROW * len(rows))
    )
    return _spec(chart, rows)


def outlet_entity_tone(rows: Rows, outlets: int) -> dict[str, Any]:
    """Heatmap of mention-weighted tone (keys: outlet, entity, mentions, mean_compound) over ``outlets`` rows."""
    chart = (
        alt.Chart(ROWS)
        .mark_rect()
        .encode(
            x=alt.X("entity:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160)),
            y=alt.Y("outlet:N", title=None),
            color=alt.Color("mean_compound:Q", scale=TONE, title="compound"),
            tooltip=[
                alt.Tooltip("outlet:N"),
                alt.Tooltip("entity:N"),
                alt.Tooltip("mentions:Q"),
                alt.Tooltip("mean_compound:Q", format=".3f"),
            ],
        )
        .properties(height=ROW * outlets)
    )
    return _spec(chart, rows)
