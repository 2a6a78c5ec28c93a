"""Entity identity across articles and batches: short forms, spelling variants, display names."""

from __future__ import annotations

import pandas as pd
import pytest

from newsflow.nlp.aliases import EntityEntry, EntityList
from newsflow.nlp.entities import entity_id
from newsflow.warehouse import db
from tests.sql.test_relabel import named
from tests.sql.test_warehouse import T, article, batch, load_day, sentiment

pytestmark = pytest.mark.layers  # batch after batch through the SQL layers: `make test`, not `make test-fast`

NORTH = [("North Korea", "GPE"), ("Pyongyang", "GPE"), ("KCNA", "ORG")]
SOUTH = [("Seoul", "GPE"), ("Samsung", "ORG"), ("Bank of Korea", "ORG")]
KREMLIN = [("Russia", "GPE"), ("Kremlin", "ORG"), ("Ministry of Defence", "ORG")]


def day_batch(day: int, articles: dict[str, list[tuple[str, str]]], outlet: str = "Alpha") -> dict[str, pd.DataFrame]:
    """One batch of December ``day``: each article mentions each (name, label) once, as written."""
    mentions = [
        named(article_id, name, 10 * i, label)
        for article_id, names in articles.items()
        for i, (name, label) in enumerate(names)
    ]
    entities = {}
    for m in mentions:
        entities.setdefault(m["entity_id"], (m["entity_id"], m["text"], m["label"], [m["text"]]))
    return batch(
        [article(article_id, outlet, T(2024, 12, day, 9)) for article_id in articles],
        mentions,
        [sentiment(article_id, 0.0, 0.0) for article_id in articles],
        entities=pd.DataFrame(list(entities.values()), columns=["entity_id", "name", "label", "aliases"]),
    )


def entity_of(con, article_id: str, text: str) -> str:
    """The display name of the entity a mention written ``text`` in ``article_id`` names."""
    return con.execute(
        "select e.name from staging.mentions m join staging.entities e using (entity_id) "
        "where m.article_id = ? and m.text = ?",
        [article_id, text],
    ).fetchone()[0]


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory):
    """Day 1 names two Kims in full, each in his own context; day 2 has lone "Kim"s."""
    path = tmp_path_factory.mktemp("identity") / "w.duckdb"
    with db.connect(path) as con:
        load_day(
            con,
            1,
            day_batch(
                1,
                {
                    "n1": [("Kim Jong Un", "PERSON"), *NORTH],
                    "n2": [("Kim Jong Un", "PERSON"), *NORTH[:2]],
                    "s1": [("Kim Dong-yeon", "PERSON"), *SOUTH],
                    "r1": [("Belousov", "PERSON"), *KREMLIN],
                    "r2": [("Belousov", "PERSON"), *KREMLIN],
                    "r3": [("Belousov", "PERSON"), *KREMLIN[:2]],
                    "h1": [("Hansen", "PERSON"), ("Liverpool", "ORG"), ("Anfield", "FAC")],
                    "h2": [("Hansen", "PERSON"), ("Liverpool", "ORG")],
                },
            ),
        )
        load_day(
            con,
            2,
            day_batch(
                2,
                {
                    "n3": [("Kim", "PERSON"), *NORTH[:2]],  # a North Korea story: Kim Jong Un
                    "s2": [("Kim", "PERSON"), *SOUTH],  # a Seoul economy story: Kim Dong-yeon
                    "s3": [("Kim", "PERSON"), ("Busan", "GPE"), ("Hyundai", "ORG")],  # nobody seen with these
                    "r4": [("Belousov-North", "PERSON"), *KREMLIN[:2]],  # a hyphen typo, same context
                    "r5": [("Belousow", "PERSON"), *KREMLIN],  # a one-letter typo, same context
                    "h3": [("Hanson", "PERSON"), ("Senate", "ORG"), ("Washington", "GPE")],  # another person
                },
                outlet="Beta",
            ),
        )
        yield con


def test_a_lone_short_form_links_to_the_full_name_seen_with_its_context(two_batches):
    assert entity_of(two_batches, "n3", "Kim") == "Kim Jong Un"
    # the evidence points to the other Kim: not merged with Kim Jong Un
    assert entity_of(two_batches, "s2", "Kim") == "Kim Dong-yeon"


def test_a_short_form_whose_context_was_never_seen_with_a_full_name_stays_apart(two_batches):
    assert entity_of(two_batches, "s3", "Kim") == "Kim"


def test_spelling_variants_with_the_same_context_fold_and_others_do_not(two_batches):
    assert entity_of(two_batches, "r4", "Belousov-North") == "Belousov"
    assert entity_of(two_batches, "r5", "Belousow") == "Belousov"
    # one letter apart, but a footballer and a senator share no context
    assert entity_of(two_batches, "h3", "Hanson") == "Hanson"
    assert entity_of(two_batches, "h1", "Hansen") == "Hansen"


def test_every_merge_is_listed_with_its_rule_and_evidence(two_batches):
    got = two_batches.execute(
        "select alias_name, name, rule, kind, articles, shared_context from staging.entity_aliases order by all"
    ).fetchall()
    assert got == [
        ("Belousov-North", "Belousov", "spelling_variant", "hyphen", 1, 2),
        ("Belousow", "Belousov", "spelling_variant", "typo", 1, 3),
        ("Kim", "Kim Dong-yeon", "short_form", None, 1, 3),
        ("Kim", "Kim Jong Un", "short_form", None, 1, 2),
    ]
    evidence = two_batches.execute("select evidence from staging.entity_aliases where kind = 'typo'").fetchone()[0]
    assert evidence == "typo variant in 1 articles (the entity: 3); 3 of its 3 co-mentioned entities shared"


def test_marts_count_the_linked_short_form_as_the_full_name(two_batches):
    got = two_batches.execute(
        "select day::varchar, articles from marts.entity_daily_coverage where name = 'Kim Jong Un' order by day"
    ).fetchall()
    assert got == [("2024-12-01", 2), ("2024-12-02", 1)]


def test_a_place_named_with_a_hyphenated_word_stays_another_place(tmp_path):
    # "Asia-Pacific" shares all its context with "Asia", yet it is another region: the
    # hyphen-stem rule is for people ("Belousov-North"), not for places or bodies.
    with db.connect(tmp_path / "w.duckdb") as con:
        asia = {f"a{i}": [("Asia", "LOC"), *KREMLIN] for i in range(3)}
        load_day(con, 1, day_batch(1, {**asia, "a9": [("Asia-Pacific", "LOC"), ("Asia", "LOC"), *KREMLIN]}))
        assert entity_of(con, "a9", "Asia-Pacific") == "Asia-Pacific"


IDENTITY_TABLES = (
    "article_entities",  # incremental: the second batch's refresh rebuilt only what it touched
    "folded_article_entities",
    "entity_variants",
    "entity_short_forms",
    "entity_identities",
)


def test_a_full_refresh_gives_the_same_identities(two_batches):
    query = "select article_id, entity_id, label from staging.mentions order by all"
    tables = {name: f"select * from intermediate.{name} order by all" for name in IDENTITY_TABLES}
    before = two_batches.execute(query).fetchall()
    before_tables = {name: two_batches.execute(sql).fetchall() for name, sql in tables.items()}
    assert before_tables["entity_short_forms"] and before_tables["entity_variants"]
    db.refresh_marts(two_batches, full=True)
    assert two_batches.execute(query).fetchall() == before
    assert {name: two_batches.execute(sql).fetchall() for name, sql in tables.items()} == before_tables


def test_an_article_outside_the_window_links_nothing(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, day_batch(1, {"n1": [("Kim Jong Un", "PERSON"), *NORTH]}))
        # 30 days is the window (sql/dbt_project.yml): a January lone Kim is on its own
        late = day_batch(1, {"n9": [("Kim", "PERSON"), *NORTH]})
        late["articles"]["published_at"] = pd.Timestamp(T(2025, 1, 15, 9))
        load_day(con, 2, late)
        assert entity_of(con, "n9", "Kim") == "Kim"


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_the_display_name_is_the_spelling_used_most_whatever_the_load_order(tmp_path, order):
    # A dateline's "EINDHOVEN" loaded first or last: the name is the spelling of most mentions.
    eindhoven = entity_id("Eindhoven", "GPE")
    spelled = {1: [("EINDHOVEN", "GPE")], 2: [("Eindhoven", "GPE")] * 2}
    with db.connect(tmp_path / "w.duckdb") as con:
        for day, first in enumerate(order, start=1):
            frames = day_batch(day, {f"e{first}": spelled[first]})
            load_day(con, day, frames)
        assert con.execute("select entity_id, name from staging.entities").fetchall() == [(eindhoven, "Eindhoven")]


def test_the_alias_table_as_the_last_refresh_read_it_names_earlier_batches(tmp_path):
    # Loaded before the alias table knew "DPRK": a refresh with the new table moves it.
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, day_batch(1, {"d1": [("DPRK", "GPE"), ("Pyongyang", "GPE")]}))
        assert entity_of(con, "d1", "DPRK") == "DPRK"
        listed = EntityList((EntityEntry("North Korea", "GPE", ("DPRK", "D.P.R.K.")),))
        db.refresh_marts(con, lists={"aliases": listed, "watchlist": EntityList()})
        assert entity_of(con, "d1", "DPRK") == "North Korea"
        got = con.execute("select entity_id from staging.mentions where text = 'DPRK'").fetchone()[0]
        assert got == entity_id("North Korea", "GPE")
        # one row per lookup key: "DPRK" and "D.P.R.K." are one
        assert con.execute("select list, name_key, name from staging.entity_lists order by all").fetchall() == [
            ("aliases", "dprk", "North Korea"),
            ("aliases", "north korea", "North Korea"),
        ]
        # Taken off the list again, it is its own entity again.
        db.refresh_marts(con, lists={"aliases": EntityList(), "watchlist": EntityList()})
        assert entity_of(con, "d1", "DPRK") == "DPRK"


def test_the_watchlist_as_the_last_refresh_read_it_flags_earlier_batches(tmp_path):
    # Enrichment flagged nothing (no watchlist then); the refresh derives the flag from the list.
    with db.connect(tmp_path / "w.duckdb") as con:
        load_day(con, 1, day_batch(1, {"d1": [("DPRK", "GPE"), ("Pyongyang", "GPE")]}))
        watched = "select text, watched from staging.mentions order by text"
        assert con.execute(watched).fetchall() == [("DPRK", False), ("Pyongyang", False)]
        watchlist = EntityList((EntityEntry("North Korea", "GPE", ("DPRK",)),))
        db.refresh_marts(con, lists={"aliases": EntityList(), "watchlist": watchlist})
        assert con.execute(watched).fetchall() == [("DPRK", True), ("Pyongyang", False)]
        # Taken off the watchlist, its mentions are no longer watched.
        db.refresh_marts(con, lists={"aliases": EntityList(), "watchlist": EntityList()})
        assert con.execute(watched).fetchall() == [("DPRK", False), ("Pyongyang", False)]
