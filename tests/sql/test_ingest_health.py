"""marts.ingest_health: per batch and source, what was read, added, updated, skipped and quarantined."""

from __future__ import annotations

import pandas as pd
import pytest

from newsflow.ingest.records import Quarantined
from newsflow.warehouse import db
from tests.sql.test_warehouse import FIRST, KIM, SECOND, T, article, batch, load_day, mention, sentiment

COLUMNS = "source_name, read, articles, added, updated, unchanged, quarantined, quarantined_by_reason, duplicates"


def sources(*rows):
    return pd.DataFrame(list(rows), columns=["source_name", "articles", "quarantined"])


def quarantined(location, reason):
    return Quarantined("test", location, "rss", reason, step="parse").as_row()


@pytest.fixture
def con(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as connection:
        yield connection


def health(con, batch_id):
    return con.execute(
        f"select {COLUMNS} from marts.ingest_health where batch_id = ? order by 1", [batch_id]
    ).fetchall()


def test_a_batch_counts_what_it_read_added_and_set_aside_by_reason_class(con):
    first = dict(
        FIRST,
        quarantine=pd.DataFrame(
            [
                quarantined("f#1", "no extractable article text (3 words, need 20)"),
                quarantined("f#2", "no extractable article text (18 words, need 20)"),
                quarantined("f#3", "line 3: invalid JSON: Expecting value (column 1)"),
            ]
        ),
    )
    load_day(con, 1, first, duplicates=4, sources=sources({"source_name": "test", "articles": 2, "quarantined": 3}))
    assert health(con, "b1") == [
        ("test", 5, 2, 2, 0, 0, 3, {"too_little_text": 2, "invalid_json": 1}, 4),
    ]
    (languages,) = con.execute("select by_language from marts.ingest_health").fetchone()
    assert languages == {"en": 2}


def test_a_later_batch_tells_new_from_changed_and_unchanged_articles(con):
    load_day(con, 1, FIRST, sources=sources({"source_name": "test", "articles": 2, "quarantined": 1}))
    # a1 again unchanged, a2 with new text, a3 new and only a feed's teaser
    second = batch(
        [
            article("a1", "Alpha", T(2024, 11, 30, 10)),
            article("a2", "Beta", T(2024, 11, 30, 23, 30), text="Kim met officials again, the agency said."),
            *[dict(row, is_teaser=True) for row in SECOND["articles"].to_dict("records")],
        ],
        [mention("a3", KIM, 0)],
        [sentiment("a1", 0.1, 0.1), sentiment("a2", 0.1, 0.1), sentiment("a3", 0.0, 0.0)],
    )
    load_day(con, 2, second, sources=sources({"source_name": "test", "articles": 3, "quarantined": 0}))
    assert health(con, "b2") == [("test", 3, 3, 1, 1, 1, 0, None, 0)]
    teasers = con.execute("select batch_id, teaser_only from marts.ingest_health order by 1").fetchall()
    assert teasers == [("b1", 0), ("b2", 1)]
