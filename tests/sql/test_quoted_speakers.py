"""The top_quoted_speakers recipe on three articles whose quotes are known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from newsflow import queries
from newsflow.nlp.quotes import QUOTE_COLUMNS
from newsflow.warehouse import db
from tests.warehouses import Story, eid, tables

STORIES = [
    Story(date(2024, 11, 1), "Alpha", {"Burst Person": 1, "Steady Corp": 1}),
    Story(date(2024, 11, 2), "Beta", {"Wobbly Minister": 1}),
    Story(date(2024, 11, 3), "Alpha", {"Steady Corp": 1}),
]
# (article, speaker): Burst Person twice in a00000 and once in a00001; one unattributed quote.
SPEAKERS = [
    ("a00000", "Burst Person"),
    ("a00000", "Burst Person"),
    ("a00000", None),
    ("a00001", "Wobbly Minister"),
    ("a00001", "Burst Person"),
    ("a00002", "Steady Corp"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    batch = tables(STORIES)
    batch["quotes"] = pd.DataFrame(
        [
            (article_id, eid(name) if name else None, name, f"words {i}", i, i + 7)
            for i, (article_id, name) in enumerate(SPEAKERS)
        ],
        columns=list(QUOTE_COLUMNS),
    )
    end = datetime(2024, 11, 4, tzinfo=UTC)
    with db.connect(tmp_path_factory.mktemp("quotes") / "w.duckdb") as connection:
        db.load_batch(connection, batch_id="b", interval_start=end, interval_end=end, tables=batch)
        db.refresh_marts(connection)
        yield connection


def top(con, **values):
    return queries.run_recipe(con, queries.get_recipe("top_quoted_speakers"), values).fetchall()


def test_every_article_counts_without_an_entity(con):
    assert top(con) == [
        ("Burst Person", "PERSON", 3, 2),
        ("Steady Corp", "ORG", 1, 1),
        ("Wobbly Minister", "PERSON", 1, 1),
    ]


def test_an_entity_keeps_the_articles_that_mention_it(con):
    assert top(con, entity="steady corp") == [("Burst Person", "PERSON", 2, 1), ("Steady Corp", "ORG", 1, 1)]


def test_date_bounds_are_inclusive(con):
    assert top(con, date_from=date(2024, 11, 2), date_to=date(2024, 11, 2)) == [
        ("Burst Person", "PERSON", 1, 1),
        ("Wobbly Minister", "PERSON", 1, 1),
    ]


def test_entity_is_optional_here_but_required_elsewhere():
    assert queries.get_recipe("top_quoted_speakers").required == ()
    assert queries.get_recipe("top_outlets_for_entity").required == ("entity",)
