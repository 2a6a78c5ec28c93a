"""Loads and marts on a temporary DuckDB with a handful of rows whose answers are known."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from newsflow.ingest.records import ARTICLE_COLUMNS, QUARANTINE_COLUMNS
from newsflow.nlp.entities import entity_id
from newsflow.warehouse import db
from tests.warehouses import article

T = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731
KIM, KCNA, PUTIN = entity_id("Kim Jong Un", "PERSON"), entity_id("KCNA", "ORG"), entity_id("Vladimir Putin", "PERSON")
ENTITIES = pd.DataFrame(
    [
        (KIM, "Kim Jong Un", "PERSON", ["Kim", "Kim Jong Un"]),
        (KCNA, "KCNA", "ORG", ["KCNA"]),
        (PUTIN, "Vladimir Putin", "PERSON", ["Vladimir Putin"]),
    ],
    columns=["entity_id", "name", "label", "aliases"],
)


def load_day(con, day, tables, **options):
    """Load ``tables`` as batch ``b<day>``: the first hour of December ``day``, 2024, and
    refresh the SQL layers, as the pipeline does after every load; ``options`` go to the load."""
    counts = db.load_batch(
        con,
        batch_id=f"b{day}",
        interval_start=T(2024, 12, day),
        interval_end=T(2024, 12, day, 1),
        tables=tables,
        **options,
    )
    db.refresh_marts(con)
    return counts


def mention(article_id, eid, start, label="PERSON"):
    return {
        "article_id": article_id,
        "entity_id": eid,
        "text": "x",
        "label": label,
        "model_label": label,
        "start_char": start,
        "end_char": start + 1,
        "sentence_index": 0,
        "watched": False,
        "listed": False,
    }


def sentiment(article_id, compound, tone):
    return {
        "article_id": article_id,
        "compound": compound,
        "tone": tone,
        "positive": max(tone, 0),
        "negative": max(-tone, 0),
        "polarity": abs(tone),
        "word_count": 6,
        "sentence_count": 1,
    }


def tone(article_id, eid, mentions, compound, label):
    return {"article_id": article_id, "entity_id": eid, "mentions": mentions, "compound": compound, "label": label}


def batch(articles, mentions, sentiments, quarantine=(), entity_tones=(), entities=ENTITIES):
    frame = pd.DataFrame(articles, columns=list(ARTICLE_COLUMNS))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return {
        "articles": frame,
        "quarantine": pd.DataFrame(list(quarantine), columns=list(QUARANTINE_COLUMNS)),
        "mentions": pd.DataFrame(mentions),
        "entities": entities,
        "article_sentiment": pd.DataFrame(sentiments),
        "entity_sentiment": pd.DataFrame(
            list(entity_tones), columns=["article_id", "entity_id", "mentions", "compound", "label"]
        ),
    }


FIRST = batch(
    [article("a1", "Alpha", T(2024, 11, 30, 10)), article("a2", "Beta", T(2024, 11, 30, 23, 30))],
    [
        mention("a1", KIM, 0),
        mention("a1", KIM, 10),
        mention("a1", KCNA, 20, "ORG"),
        mention("a2", KIM, 0),
        mention("a2", PUTIN, 10),
    ],
    [sentiment("a1", 0.5, 2.0), sentiment("a2", -0.5, -4.0)],
    [
        {
            "quarantine_id": "q1",
            "source_name": "test",
            "source_location": "bad.jsonl#3",
            "source_format": "jsonl",
            "reason": "line 3: invalid JSON",
            "detail": "",
        }
    ],
    [tone("a1", KIM, 2, 0.4, "positive"), tone("a1", KCNA, 1, 0.0, "neutral"), tone("a2", KIM, 1, -0.3, "negative")],
)
SECOND = batch(
    [article("a3", "Alpha", None, flag="missing")],
    [mention("a3", KIM, 0)],
    [sentiment("a3", 0.0, 0.0)],
)


def first_with_a2_copying_a1(copy_kind: str, agency: str | None = None, **tables: pd.DataFrame) -> dict:
    """FIRST and ``tables`` with staging.stories rows: one story, a1 its origin, a2 a copy of the given kind."""
    stories = pd.DataFrame(
        [
            {"story_id": "s1", "article_id": "a1", "is_origin": True, "copy_kind": None, "is_copy": False},
            {"story_id": "s1", "article_id": "a2", "is_origin": False, "copy_kind": copy_kind, "is_copy": True},
        ]
    ).assign(agency=agency)
    return dict(FIRST, stories=stories, **tables)


@pytest.fixture(scope="module")
def two_days(tmp_path_factory) -> Path:
    """FIRST and SECOND loaded and the marts refreshed, once per module (dbt takes seconds)."""
    path = tmp_path_factory.mktemp("two_days") / "w.duckdb"
    with db.connect(path) as connection:
        load_day(connection, 1, FIRST)
        load_day(connection, 2, SECOND)
    return path


@pytest.fixture
def con(two_days, tmp_path):
    """A test's own copy of the two-day warehouse: tests may write to it."""
    shutil.copyfile(two_days, tmp_path / "w.duckdb")
    with db.connect(tmp_path / "w.duckdb") as connection:
        yield connection


@pytest.fixture
def new_con(tmp_path):
    """A connection to a new, empty warehouse of the test's own."""
    with db.connect(tmp_path / "w.duckdb") as connection:
        yield connection


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_entity_daily_coverage_counts_mentions_articles_outlets_and_tone(con):
    got = rows(
        con,
        "select day::varchar, mentions, articles, outlets, mean_compound, mean_tone "
        "from marts.entity_daily_coverage where entity_id = ? order by day",
        [KIM],
    )
    # a3 has no trustworthy date: it counts on the day it was ingested (2024-12-02).
    # Tone is mention-weighted, as in entity_tone_daily: a1 (0.5, 2.0) names Kim twice, a2 (-0.5, -4.0) once.
    assert got == [("2024-11-30", 3, 2, 2, pytest.approx(0.5 / 3), 0.0), ("2024-12-02", 1, 1, 1, 0.0, 0.0)]


def test_every_mart_of_the_entity_day_grain_gives_one_tone(con):
    """One measure, one definition: the entity-day marts agree on every row (they once did not)."""
    disagreements = rows(
        con,
        "select count(*) from marts.entity_daily_coverage as c inner join marts.entity_tone_daily as t "
        "using (day, entity_id) where c.mean_compound is distinct from t.mean_compound "
        "or c.mean_tone is distinct from t.mean_tone or c.mentions <> t.mentions or c.articles <> t.articles",
    )
    assert disagreements == [(0,)]
    assert rows(con, "select count(*) from marts.entity_daily_coverage") == [(4,)]


def test_source_daily_volume_per_outlet_and_day(con):
    got = rows(con, "select day::varchar, outlet, articles, words from marts.source_daily_volume order by 1, 2")
    assert got == [("2024-11-30", "Alpha", 1, 6), ("2024-11-30", "Beta", 1, 6), ("2024-12-02", "Alpha", 1, 6)]


def test_cooccurrence_has_both_directions_and_no_self_pairs(con):
    got = rows(con, "select name, other_name, articles from marts.entity_cooccurrence order by 1, 2")
    assert got == [
        ("KCNA", "Kim Jong Un", 1),
        ("Kim Jong Un", "KCNA", 1),
        ("Kim Jong Un", "Vladimir Putin", 1),
        ("Vladimir Putin", "Kim Jong Un", 1),
    ]


def test_reloading_a_batch_changes_no_row_count(con):
    before = db.table_counts(con)
    load_day(con, 1, FIRST)
    assert db.table_counts(con) == before


def test_a_new_version_replaces_staging_and_keeps_raw_history(con):
    edited = batch(
        [article("a1", "Alpha", T(2024, 11, 30, 10), text="Kim met officials in Pyongyang today, KCNA said.")],
        [mention("a1", KIM, 0)],
        [sentiment("a1", 0.1, 1.0)],
        entity_tones=[tone("a1", KIM, 1, -0.2, "negative")],
    )
    load_day(con, 3, edited)
    assert rows(con, "select count(*) from raw.articles where article_id = 'a1'") == [(2,)]
    assert rows(con, "select count(*), any_value(batch_id) from staging.articles where article_id = 'a1'") == [
        (1, "b3")
    ]
    assert rows(con, "select count(*) from staging.mentions where article_id = 'a1'") == [(1,)]
    assert rows(con, "select compound from staging.article_sentiment where article_id = 'a1'") == [(0.1,)]
    assert rows(con, "select entity_id, mentions, label from staging.entity_sentiment where article_id = 'a1'") == [
        (KIM, 1, "negative")
    ]
    assert rows(con, "select count(*) from staging.entity_sentiment where article_id = 'a2'") == [(1,)]


def test_entities_seen_again_gain_aliases_and_last_seen_idempotently(con):
    seen = "select aliases, first_seen_at, last_seen_at from staging.entities where entity_id = ?"
    assert rows(con, seen, [KIM]) == [(["Kim", "Kim Jong Un"], T(2024, 12, 1, 1), T(2024, 12, 2, 1))]
    again = batch(
        [article("a4", "Gamma", T(2024, 12, 5))],
        [mention("a4", KIM, 0)],
        [sentiment("a4", 0.0, 0.0)],
        entities=pd.DataFrame(
            [(KIM, "Kim Jong Un", "PERSON", ["Kim Jong-un", "Kim"])], columns=["entity_id", "name", "label", "aliases"]
        ),
    )
    for _ in range(2):  # re-loading the same batch changes nothing more
        load_day(con, 5, again)
    assert rows(con, seen, [KIM]) == [(["Kim", "Kim Jong Un", "Kim Jong-un"], T(2024, 12, 1, 1), T(2024, 12, 5, 1))]
    # A backfill of an older interval moves first seen back, not last seen.
    db.load_batch(con, batch_id="b0", interval_start=T(2024, 11, 1), interval_end=T(2024, 11, 1, 1), tables=again)
    assert rows(con, seen, [KIM])[0][1:] == (T(2024, 11, 1, 1), T(2024, 12, 5, 1))
    assert rows(con, seen, [PUTIN]) == [(["Vladimir Putin"], T(2024, 12, 1, 1), T(2024, 12, 2, 1))]
    assert rows(con, "select count(*) from staging.entities") == [(3,)]


def test_quarantine_keeps_first_and_last_sighting(con):
    load_day(con, 9, FIRST)
    assert rows(con, "select first_batch_id, last_batch_id from raw.quarantine") == [("b1", "b9")]


def test_a_failed_load_leaves_the_warehouse_as_it_was(con):
    before = db.table_counts(con)
    broken = dict(SECOND, mentions=pd.DataFrame([mention("a3", KIM, 0), mention("a3", KIM, 0)]))  # duplicate key
    with pytest.raises(duckdb.ConstraintException):
        load_day(con, 4, broken)
    assert db.table_counts(con) == before
    assert rows(con, "select count(*) from raw.batches where batch_id = 'b4'") == [(0,)]


def test_dq_results_mart_summarises_each_validation_run(con):
    results = pd.DataFrame(
        [
            {
                "validation_id": "v1",
                "batch_id": "b1",
                "table_name": "articles",
                "result_index": i,
                "expectation_type": t,
                "column_name": c,
                "success": ok,
                "unexpected_count": n,
                "observed_value": None,
                "validated_at": T(2024, 12, 1, 1),
                "data_docs_url": "file:///docs/index.html",
                "expectation_level": level,
            }
            for i, (t, c, ok, n, level) in enumerate(
                [
                    ("expect_column_values_to_not_be_null", "article_id", True, 0, "row"),
                    ("expect_column_values_to_be_between", "published_at", False, 2, "row"),
                    ("expect_column_values_to_be_unique", "article_id", True, 0, "table"),
                ]
            )
        ]
    )
    db.record_validation(con, results)
    db.record_validation(con, results)  # re-recording the same run replaces it
    stopped = results.assign(validation_id="v2", success=[True, True, False], unexpected_count=[0, 0, 2])
    db.record_validation(con, stopped)
    db.refresh_marts(con)
    got = rows(
        con,
        "select validation_id, success, published, expectations, failed_expectations, failed_row_expectations, "
        "failed_table_expectations, quarantined_rows, failed from marts.dq_results order by validation_id",
    )
    assert got == [
        ("v1", False, True, 3, 1, 1, 0, 2, "expect_column_values_to_be_between(published_at)"),
        ("v2", False, False, 3, 1, 0, 1, 0, "expect_column_values_to_be_unique(article_id)"),
    ]


def test_recipes_run_with_bound_variables(con):
    recipes = db.SQL_DIR / "queries"
    con.execute("set variable entity = ?", ["kim jong un"])
    coverage = con.execute((recipes / "entity_daily_coverage.sql").read_text()).fetchall()
    assert [(str(r[0]), r[3]) for r in coverage] == [("2024-11-30", 3), ("2024-12-02", 1)]
    co = con.execute((recipes / "co_mentioned_entities.sql").read_text()).fetchall()
    assert co == [("KCNA", "ORG", 1), ("Vladimir Putin", "PERSON", 1)]
    con.execute("set variable date_from = ?", ["2024-11-30"])
    con.execute("set variable date_to = ?", ["2024-11-30"])
    top = con.execute((recipes / "top_entities_by_outlet.sql").read_text()).fetchall()
    assert [(r[0], r[1], r[2], r[4]) for r in top] == [
        ("Alpha", 1, "Kim Jong Un", 2),
        ("Alpha", 2, "KCNA", 1),
        ("Beta", 1, "Kim Jong Un", 1),
        ("Beta", 2, "Vladimir Putin", 1),
    ]


def test_story_spread_and_coverage_without_copies(new_con):
    """a2 is Beta's syndicated copy of Alpha's a1 (credited to AFP) 13.5 hours later."""
    links = pd.DataFrame([{"article_id": "a2", "other_article_id": "a1", "kind": "syndicated", "similarity": 0.9}])
    tables = first_with_a2_copying_a1("syndicated", agency="AFP", story_links=links)
    load_day(new_con, 1, tables)
    spread = rows(
        new_con,
        "select origin_outlet, agency, articles, copies, outlets, outlet_list, "
        "first_pickup_delay, spread_duration from marts.story_spread",
    )
    delay = pd.Timedelta(hours=13, minutes=30).to_pytimedelta()
    assert spread == [("Alpha", "AFP", 2, 1, 2, "Alpha, Beta", delay, delay)]
    kim = rows(
        new_con,
        "select articles, original_articles, mentions, original_mentions "
        "from marts.entity_daily_coverage where entity_id = ?",
        [KIM],
    )
    assert kim == [(2, 1, 3, 2)]
    volume = rows(new_con, "select outlet, articles, original_articles from marts.source_daily_volume order by 1")
    assert volume == [("Alpha", 1, 1), ("Beta", 1, 0)]
    # A later batch replaces the stories table whole and a re-linked article's links.
    load_day(new_con, 1, dict(tables, stories=tables["stories"].assign(story_id="s2")))
    assert rows(new_con, "select distinct story_id from staging.stories") == [("s2",)]
    assert rows(new_con, "select count(*) from staging.story_links") == [(1,)]
    new_con.execute("set variable entity = ?", ["Kim Jong Un"])
    recipe = new_con.execute((db.SQL_DIR / "queries" / "original_vs_copied_coverage.sql").read_text()).fetchall()
    assert [(r[3], r[4], r[5]) for r in recipe] == [(2, 1, 1)]
    new_con.execute("set variable date_from = ?", ["2024-11-30"])
    new_con.execute("set variable date_to = ?", ["2024-11-30"])
    db.refresh_marts(new_con)
    spreads = new_con.execute((db.SQL_DIR / "queries" / "story_spread.sql").read_text()).fetchall()
    assert [(r[0], r[1], r[3]) for r in spreads] == [("Alpha", "AFP", 2)]


def test_share_of_voice_and_outlet_coverage_without_copies(new_con):
    """Beta's a2 is a copy: without it, Kim's day is a1's three mentions out of a1's three."""
    load_day(new_con, 1, first_with_a2_copying_a1("rewrite"))
    voice = rows(
        new_con,
        "select name, mentions, share, original_mentions, original_share from marts.share_of_voice order by name",
    )
    assert voice == [
        ("KCNA", 1, 0.2, 1, 1 / 3),
        ("Kim Jong Un", 3, 0.6, 2, 2 / 3),
        ("Vladimir Putin", 1, 0.2, 0, 0.0),
    ]
    outlets = rows(
        new_con,
        "select outlet, articles, original_articles from marts.outlet_entity_coverage "
        "where entity_id = ? order by outlet",
        [KIM],
    )
    assert outlets == [("Alpha", 1, 1), ("Beta", 1, 0)]


def test_entity_tone_uses_the_clauses_about_the_entity_and_counts_originals(new_con):
    entity_tone = pd.DataFrame(
        [
            {"article_id": "a1", "entity_id": KIM, "mentions": 2, "compound": -0.8, "label": "negative"},
            {"article_id": "a2", "entity_id": KIM, "mentions": 1, "compound": 0.4, "label": "positive"},
        ]
    )
    load_day(new_con, 1, first_with_a2_copying_a1("rewrite", entity_sentiment=entity_tone))
    got = rows(
        new_con,
        "select articles, original_articles, mean_entity_compound, mean_compound "
        "from marts.entity_tone_daily where entity_id = ?",
        [KIM],
    )
    by_outlet = rows(
        new_con,
        "select outlet, mean_entity_compound from marts.outlet_entity_coverage where entity_id = ? order by 1",
        [KIM],
    )
    # mention-weighted over a1 (2 mentions of Kim, -0.8) and a2 (1 mention, +0.4)
    assert got == [(2, 1, pytest.approx((2 * -0.8 + 1 * 0.4) / 3), pytest.approx((2 * 0.5 + 1 * -0.5) / 3))]
    # by outlet: Alpha's a1 speaks of Kim at -0.8, Beta's a2 at +0.4
    assert by_outlet == [("Alpha", pytest.approx(-0.8)), ("Beta", pytest.approx(0.4))]


def test_articles_in_other_languages_are_loaded_and_counted_with_their_language(new_con):
    french = article("f1", "Gamma", T(2024, 11, 30, 12), text="Emmanuel Macron a reçu Olaf Scholz à Paris ce matin.")
    french.update(language="fr", language_confidence=0.99, declared_language="en", is_teaser=False)
    # Entities from the French model, no tone (the sentiment lexicon is English).
    tables = batch([french], [mention("f1", KIM, 0)], [])
    tables["article_sentiment"] = FIRST["article_sentiment"].iloc[0:0]
    load_day(new_con, 1, tables)
    assert rows(new_con, "select language, language_confidence, declared_language from staging.articles") == [
        ("fr", 0.99, "en")
    ]
    assert rows(new_con, "select outlet, articles from marts.source_daily_volume") == [("Gamma", 1)]
