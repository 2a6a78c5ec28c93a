"""Vega-Lite specs (via Altair) for the report; each returns a plain dict with its data inline.

Entity names and outlets are data values only, never field names or expressions, so a
hostile name can reach the page as text and nothing else.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

DAY = alt.X("day:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%d %b", labelAngle=0))
LEGEND = alt.Legend(orient="bottom", columns=4, labelLimit=220, title=None)
TONE = alt.Scale(scheme="redblue", domain=[-1, 1])
ROW = 20  # pixels per outlet in the outlet charts


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    # Fill the page's width; heights stay as set (fixed, or a step per outlet).
    return chart.properties(width="container", autosize=alt.AutoSizeParams(type="fit-x", contains="padding")).to_dict()


def attention(frame: pd.DataFrame) -> dict[str, Any]:
    """Mentions per day of the charted entities (columns: day, entity, mentions, articles, article_share)."""
    chart = (
        alt.Chart(frame)
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
    return _spec(chart)


def share_of_voice(frame: pd.DataFrame) -> dict[str, Any]:
    """Stacked daily share of all mentions (columns: day, entity, share); shares sum to 1 per day."""
    chart = (
        alt.Chart(frame)
        .mark_area()
        .encode(
            x=DAY,
            y=alt.Y("share:Q", title="share of all mentions", stack="normalize", axis=alt.Axis(format="%")),
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
    return _spec(chart)


def outlet_tone(frame: pd.DataFrame) -> dict[str, Any]:
    """Mean compound per outlet (columns: outlet, articles, mean_compound, mean_tone)."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title=None, sort=alt.SortField("articles", order="descending")),
            x=alt.X(
                "mean_compound:Q", title="mean compound (−1 negative … +1 positive)", scale=alt.Scale(domain=[-1, 1])
            ),
            color=alt.Color("mean_compound:Q", scale=TONE, legend=None),
            tooltip=[
                alt.Tooltip("outlet:N"),
                alt.Tooltip("articles:Q"),
                alt.Tooltip("mean_compound:Q", format=".3f"),
                alt.Tooltip("mean_tone:Q", title="mean tone (%)", format=".2f"),
            ],
        )
        .properties(height=ROW * frame["outlet"].nunique())
    )
    return _spec(chart)


def outlet_entity_tone(frame: pd.DataFrame) -> dict[str, Any]:
    """Heatmap of mention-weighted tone (columns: outlet, entity, mentions, mean_compound)."""
    chart = (
        alt.Chart(frame)
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
        .properties(height=ROW * frame["outlet"].nunique())
    )
    return _spec(chart)
