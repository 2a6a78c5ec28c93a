"""Incremental marts: a refresh rebuilds the days its loads touched, and gives what a full rebuild gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsflow.nlp.entities import entity_id
from newsflow.warehouse import db
from tests.sql.test_relabel import entities, named, naming_batch
from tests.sql.test_warehouse import T, article, batch, load_day, sentiment
from tests.warehouses import DAYS, forty_days, tables

pytestmark = pytest.mark.layers  # batch after batch through the SQL layers: `make test`, not `make test-fast`

DAILY_MARTS = (
    "entity_cooccurrence",
    "entity_daily_coverage",
    "entity_tone_daily",
    "outlet_entity_coverage",
    "share_of_voice",
    "source_daily_volume",
    "trending_entities",
    "speaker_article_quotes",
)
# Incremental intermediate tables: the same after a refresh as after a full rebuild, too.
INCREMENTAL_TABLES = (
    *(f"marts.{mart}" for mart in DAILY_MARTS),
    "intermediate.article_entities",
    "intermediate.entity_article_tones",
    "intermediate.entity_days",
)


def load_stories(con, batch_id, stories, prefix):
    """Load ``stories`` as one batch whose article ids start with ``prefix``."""
    frames = {
        name: frame.assign(article_id=prefix + frame["article_id"]) if "article_id" in frame else frame
        for name, frame in tables(stories).items()
    }
    end = datetime.combine(max(s.day for s in stories), datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    db.load_batch(con, batch_id=batch_id, interval_start=end - timedelta(days=1), interval_end=end, tables=frames)


def mart_rows(con, mart):
    """Every row of a mart with its DuckDB row id (a row that is rewritten gets a new one)."""
    return con.execute(f"select rowid, * from marts.{mart}").fetchall()


def contents(con):
    """Every incremental table's rows, sorted, floats rounded (a sum's last bits depend on its order)."""
    got = {}
    for table in INCREMENTAL_TABLES:
        frame = con.execute(f"select * from {table}").df()
        floats = frame.select_dtypes("float").columns
        frame[floats] = frame[floats].round(9)
        got[table] = sorted(
            map(tuple, frame.astype(object).where(frame.notna(), None).itertuples(index=False)), key=repr
        )
    return got


def last_rebuilt_days(con):
    return [
        day
        for (day,) in con.execute(
            "select day from intermediate.refreshed_days "
            "where refreshed_at = (select max(refreshed_at) from intermediate.refreshed_days) order by day"
        ).fetchall()
    ]


def test_a_new_day_rebuilds_only_that_days_rows_and_equals_a_full_rebuild(tmp_path):
    stories = forty_days()
    new_day = DAYS[-1]
    with db.connect(tmp_path / "w.duckdb") as con:
        load_stories(con, "earlier", [s for s in stories if s.day < new_day], "a")
        db.refresh_marts(con)
        before = {mart: mart_rows(con, mart) for mart in DAILY_MARTS}

        load_stories(con, "new", [s for s in stories if s.day == new_day], "b")
        db.refresh_marts(con)

        assert last_rebuilt_days(con) == [new_day]
        for mart in DAILY_MARTS:
            after = mart_rows(con, mart)
            kept = [row for row in after if row[1] != new_day]
            # Every row of an earlier day is the very row written before (same row id, same values)...
            assert kept == [row for row in before[mart] if row[1] != new_day], mart
        # ...and the new day has rows in the marts that count every day.
        for mart in ("entity_daily_coverage", "share_of_voice", "source_daily_volume", "entity_cooccurrence"):
            assert any(row[1] == new_day for row in mart_rows(con, mart)), mart

        incremental = contents(con)
        db.refresh_marts(con, full=True)
        assert contents(con) == incremental
        assert len(last_rebuilt_days(con)) == len(DAYS) - 1  # the full rebuild: every observed day


def test_a_refresh_with_nothing_loaded_rebuilds_nothing(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        load_stories(con, "all", forty_days(), "a")
        db.refresh_marts(con)
        before = {mart: mart_rows(con, mart) for mart in DAILY_MARTS}
        logged = con.execute("select count(*) from intermediate.refreshed_days").fetchone()
        db.refresh_marts(con)
        assert con.execute("select count(*) from intermediate.refreshed_days").fetchone() == logged
        assert {mart: mart_rows(con, mart) for mart in DAILY_MARTS} == before


KYIV_PERSON, KYIV_PLACE = entity_id("Kyiv", "PERSON"), entity_id("Kyiv", "GPE")


def kyiv_batches():
    """Day 1: the model calls Kyiv a person; day 3: four articles call it a place, outvoting day 1."""
    first = batch(
        [article("k1", "Alpha", T(2024, 12, 1, 9)), article("o1", "Beta", T(2024, 12, 1, 10))],
        [named("k1", "Kyiv", 0, "PERSON"), named("k1", "Kyiv", 10, "PERSON"), named("o1", "Oslo", 0, "GPE")],
        [sentiment("k1", 0.5, 1.0), sentiment("o1", 0.0, 0.0)],
        entities=entities(
            (KYIV_PERSON, "Kyiv", "PERSON", ["Kyiv"]), (entity_id("Oslo", "GPE"), "Oslo", "GPE", ["Oslo"])
        ),
    )
    second = naming_batch(["o2"], "Beta", T(2024, 12, 2, 9), "Oslo", "GPE")
    third = naming_batch([f"k{i}" for i in range(2, 6)], "Beta", T(2024, 12, 3, 9), "Kyiv", "GPE", scores=(-0.5, -2.0))
    return first, second, third


def test_a_vote_that_moves_an_entity_rebuilds_the_earlier_days_it_was_counted_on(tmp_path):
    first, second, third = kyiv_batches()
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, first)
        load_day(con, 2, second)
        assert con.execute("select entity_id from marts.entity_daily_coverage where name = 'Kyiv'").fetchall() == [
            (KYIV_PERSON,)
        ]
        load_day(con, 3, third)
        # Day 1 is rebuilt because Kyiv moved; day 2 (Oslo only) is not.
        assert [str(day) for day in last_rebuilt_days(con)] == ["2024-12-01", "2024-12-03"]
        got = con.execute(
            "select day::varchar, entity_id, mentions from marts.entity_daily_coverage where name = 'Kyiv' order by 1"
        ).fetchall()
        assert got == [("2024-12-01", KYIV_PLACE, 2), ("2024-12-03", KYIV_PLACE, 4)]
        incremental = contents(con)
        db.refresh_marts(con, full=True)
        assert contents(con) == incremental


def test_loading_a_batch_again_rebuilds_its_days_and_changes_nothing(tmp_path):
    first, second, third = kyiv_batches()
    with db.connect(tmp_path / "w.duckdb") as con:
        for day, tables_of_day in ((1, first), (2, second), (3, third)):
            load_day(con, day, tables_of_day)
        before = contents(con)
        counts = db.table_counts(con)
        load_day(con, 2, second)
        assert [str(day) for day in last_rebuilt_days(con)] == ["2024-12-02"]
        assert contents(con) == before
        assert db.table_counts(con) == counts


def test_a_later_load_of_an_article_moves_it_off_its_old_day(tmp_path):
    first, _, _ = kyiv_batches()
    corrected = article("k1", "Alpha", T(2024, 12, 4, 9), text="Kyiv, corrected: published on the 4th.")
    moved = batch(
        [corrected],
        [named("k1", "Kyiv", 0, "PERSON"), named("k1", "Kyiv", 10, "PERSON")],
        [sentiment("k1", 0.5, 1.0)],
        entities=entities((KYIV_PERSON, "Kyiv", "PERSON", ["Kyiv"])),
    )
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, first)
        load_day(con, 4, moved)
        assert [str(day) for day in last_rebuilt_days(con)] == ["2024-12-01", "2024-12-04"]
        got = con.execute("select day::varchar, mentions from marts.entity_daily_coverage where name = 'Kyiv'")
        assert got.fetchall() == [("2024-12-04", 2)]
        # raw keeps both versions; staging holds the latest
        assert con.execute("select count(*) from raw.articles where article_id = 'k1'").fetchone() == (2,)
        assert con.execute("select text from staging.articles where article_id = 'k1'").fetchone() == (
            corrected["text"],
        )
        incremental = contents(con)
        db.refresh_marts(con, full=True)
        assert contents(con) == incremental


def test_a_warehouse_from_before_the_sql_layers_keeps_everything_it_held(tmp_path):
    """Its staging tables move to raw, once, and the layers derive the same staging from them."""
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, kyiv_batches()[0])
        # staging.articles had no load time (nor the columns added since that warehouse was written)
        legacy_columns = "* exclude (loaded_at, language_confidence, declared_language, is_teaser, field_sources)"
        expected = {
            table: sorted(
                con.execute(f"select {legacy_columns if table == 'articles' else '*'} from staging.{table}").fetchall(),
                key=repr,
            )  # fmt: skip
            for table in ("articles", "mentions", "entities", "article_sentiment", "stories")
        }
        # Make it a legacy warehouse: staging as tables holding those rows, raw without enrichment.
        for table in expected:
            con.execute(f"create table legacy_{table} as select * from staging.{table}")
        layers = "select table_schema, table_name, table_type from information_schema.tables "
        for schema, name, kind in con.execute(layers + "where table_schema in ('staging', 'intermediate')").fetchall():
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {schema}.{name}")
        for table in ("article_loads", *db.ENRICHMENT_TABLES):
            con.execute(f"delete from raw.{table}")
        con.execute((Path(__file__).with_name("legacy_staging.sql")).read_text())
        for table in expected:
            columns = legacy_columns if table == "articles" else "*"
            con.execute(f"insert into staging.{table} by name select {columns} from legacy_{table}")

        db.create_schema(con)
        db.refresh_marts(con)

        for table, rows in expected.items():
            columns = legacy_columns if table == "articles" else "*"
            assert sorted(con.execute(f"select {columns} from staging.{table}").fetchall(), key=repr) == rows, table
        assert con.execute("select count(*) from marts.entity_daily_coverage").fetchone()[0] > 0


def test_a_rerun_that_leaves_out_unchanged_articles_keeps_their_rows(tmp_path):
    """The pipeline leaves out articles loaded before with the same content: re-running an
    interval then delivers fewer articles, and the others' rows must stay."""
    first, second, _ = kyiv_batches()
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, first)
        load_day(con, 2, second)
        before = contents(con)
        counts = db.table_counts(con)
        nothing_new = {name: frame.iloc[0:0] for name, frame in first.items()}
        load_day(con, 1, nothing_new)
        assert contents(con) == before
        assert db.table_counts(con) == counts
