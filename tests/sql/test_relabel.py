"""The corpus-wide label vote: a later batch can correct how earlier batches labelled a name."""

from __future__ import annotations

import pandas as pd
import pytest

from newsflow.nlp.entities import entity_id
from newsflow.warehouse import db
from tests.sql.test_warehouse import T, article, batch, load_day, mention, sentiment, tone

pytestmark = pytest.mark.layers  # batch after batch through the SQL layers: `make test`, not `make test-fast`

KYIV_PERSON, KYIV_PLACE = entity_id("Kyiv", "PERSON"), entity_id("Kyiv", "GPE")
ODESA_PERSON, ODESA_PLACE = entity_id("Odesa", "PERSON"), entity_id("Odesa", "GPE")
QUOTE_COLUMNS = ["article_id", "speaker_entity_id", "speaker_text", "quote", "start_char", "end_char"]


def entities(*rows):
    return pd.DataFrame(list(rows), columns=["entity_id", "name", "label", "aliases"])


def named(article_id, name, start, model_label, label=None, listed=False):
    """A mention of ``name`` the model labelled ``model_label`` and its batch labelled ``label``."""
    label = label or model_label
    return dict(
        mention(article_id, entity_id(name, label), start, label), text=name, model_label=model_label, listed=listed
    )


def naming_batch(article_ids, outlet, published, name, label, scores=(0.0, 0.0)):
    """A batch of articles of ``outlet`` published at ``published``, each naming ``name`` once (at
    offset 0) as the model labelled it ``label``, each with sentiment ``scores`` (compound, tone)."""
    return batch(
        [article(article_id, outlet, published) for article_id in article_ids],
        [named(article_id, name, 0, label) for article_id in article_ids],
        [sentiment(article_id, *scores) for article_id in article_ids],
        entities=entities((entity_id(name, label), name, label, [name])),
    )


def test_a_later_majority_moves_an_earlier_batch_and_everything_keyed_on_it(tmp_path):
    # Batch 1: the model calls Kyiv a PERSON twice and a place once; the batch's vote says PERSON.
    first = batch(
        [article("k1", "Alpha", T(2024, 12, 1, 9))],
        [named("k1", "Kyiv", 0, "PERSON"), named("k1", "Kyiv", 10, "PERSON"), named("k1", "Kyiv", 20, "GPE", "PERSON")],
        [sentiment("k1", 0.0, 0.0)],
        entity_tones=[tone("k1", KYIV_PERSON, 3, 0.3, "positive")],
        entities=entities((KYIV_PERSON, "Kyiv", "PERSON", ["Kyiv"])),
    )
    first["quotes"] = pd.DataFrame([("k1", KYIV_PERSON, "Kyiv", "we stand firm", 40, 53)], columns=QUOTE_COLUMNS)
    # Batch 2: four articles where the model calls it a place.
    second = batch(
        [article(f"k{i}", "Beta", T(2024, 12, 2, 9)) for i in range(2, 6)],
        [named(f"k{i}", "Kyiv", 0, "GPE") for i in range(2, 6)],
        [sentiment(f"k{i}", 0.0, 0.0) for i in range(2, 6)],
        entity_tones=[tone(f"k{i}", KYIV_PLACE, 1, -0.2, "negative") for i in range(2, 6)],
        entities=entities((KYIV_PLACE, "Kyiv", "GPE", ["Kyiv"])),
    )
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, first)
        assert con.execute("select distinct entity_id from staging.mentions").fetchall() == [(KYIV_PERSON,)]

        load_day(con, 2, second)

        # Five place votes against two: every Kyiv mention, old and new, is the place.
        got = con.execute("select entity_id, label, count(*) from staging.mentions group by all").fetchall()
        assert got == [(KYIV_PLACE, "GPE", 7)]
        assert con.execute("select entity_id, label, first_seen_at, last_seen_at from staging.entities").fetchall() == [
            (KYIV_PLACE, "GPE", T(2024, 12, 1, 1), T(2024, 12, 2, 1))
        ]
        moved = "select entity_id, mentions, compound, label from staging.entity_sentiment where article_id = 'k1'"
        assert con.execute(moved).fetchall() == [(KYIV_PLACE, 3, 0.3, "positive")]
        assert con.execute("select speaker_entity_id from staging.quotes").fetchall() == [(KYIV_PLACE,)]
        # Loading a batch again changes nothing.
        before = db.table_counts(con)
        load_day(con, 2, second)
        assert db.table_counts(con) == before


def test_rows_of_both_labels_in_one_article_become_one(tmp_path):
    # A tie (one PERSON, one GPE) keeps the model's labels: two entities, two tone rows.
    tie = batch(
        [article("t1", "Alpha", T(2024, 12, 1, 9))],
        [named("t1", "Kyiv", 0, "PERSON"), named("t1", "Kyiv", 10, "GPE")],
        [sentiment("t1", 0.0, 0.0)],
        entity_tones=[tone("t1", KYIV_PERSON, 1, 0.1, "positive"), tone("t1", KYIV_PLACE, 1, -0.5, "negative")],
        entities=entities((KYIV_PERSON, "Kyiv", "PERSON", ["Kyiv"]), (KYIV_PLACE, "Kyiv", "GPE", ["Kyiv"])),
    )
    breaker = naming_batch(["t2"], "Beta", T(2024, 12, 2, 9), "Kyiv", "GPE")
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, tie)
        assert sorted(con.execute("select label from staging.mentions").fetchall()) == [("GPE",), ("PERSON",)]
        load_day(con, 2, breaker)
        tones = "select entity_id, mentions, compound, label from staging.entity_sentiment where article_id = 't1'"
        # The mention-weighted mean of 0.1 and -0.5.
        assert con.execute(tones).fetchall() == [(KYIV_PLACE, 2, -0.2, "negative")]
        assert con.execute("select count(*) from staging.entities").fetchone()[0] == 1


def test_an_entity_the_alias_table_names_never_moves(tmp_path):
    # The analyst's table says Odesa is a PERSON (say, a ship's captain); three GPE votes do not move it.
    listed = batch(
        [article("o1", "Beta", T(2024, 12, 2, 9))],
        [named("o1", "Odesa", 0, "GPE", "PERSON", listed=True)]
        + [named("o1", "Odesa", start, "GPE") for start in (10, 20, 30)]
        + [named("o1", "Odesa", 40, "PERSON")],
        [sentiment("o1", 0.0, 0.0)],
        entities=entities((ODESA_PERSON, "Odesa", "PERSON", ["Odesa"]), (ODESA_PLACE, "Odesa", "GPE", ["Odesa"])),
    )
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, listed)
        got = con.execute("select entity_id, listed, count(*) from staging.mentions group by all order by all")
        assert got.fetchall() == sorted([(ODESA_PLACE, False, 3), (ODESA_PERSON, True, 1), (ODESA_PERSON, False, 1)])


def test_a_moved_entity_gets_the_id_enrichment_gives_its_case_folded_name(tmp_path):
    # "Straße" and "STRASSE" are one name case-folded (str.casefold: "strasse"), not with
    # SQL's lower() ("straße"): the vote counts them together and moves Straße to the very id
    # enrichment gives STRASSE as a place, so they are one entity.
    strasse_place = entity_id("STRASSE", "GPE")
    assert strasse_place == entity_id("Straße", "GPE")
    person = naming_batch(["g1"], "Alpha", T(2024, 12, 1, 9), "Straße", "PERSON")
    place = naming_batch([f"g{i}" for i in range(2, 5)], "Beta", T(2024, 12, 2, 9), "STRASSE", "GPE")
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, person)
        load_day(con, 2, place)
        got = con.execute("select entity_id, label, count(*) from staging.mentions group by all").fetchall()
        assert got == [(strasse_place, "GPE", 4)]
