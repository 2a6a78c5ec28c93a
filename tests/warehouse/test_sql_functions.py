"""The Python functions the SQL layers call, as dbt-duckdb registers them on its connections."""

from __future__ import annotations

import duckdb

from newsflow.nlp.aliases import name_key
from newsflow.nlp.entities import entity_id
from newsflow.warehouse.sql_functions import FUNCTIONS, Plugin, register


def test_the_functions_give_what_python_gives_on_the_connection_and_its_cursors():
    con = duckdb.connect()
    Plugin("newsflow", {}).configure_connection(con)
    cursor = con.cursor()  # as dbt-duckdb opens one for each model and test: it sees the connection's
    row = cursor.execute(
        "select casefold('Straße'), entity_id('Kim Jong Un', 'PERSON'), listed_name_key('The  KCNA', 'ORG')"
    ).fetchone()
    assert row == ("strasse", entity_id("Kim Jong Un", "PERSON"), name_key("The  KCNA", "ORG"))
    assert cursor.execute("select casefold(null)").fetchone() == (None,)


def test_registering_again_is_harmless_and_a_new_connection_gets_its_own():
    first = duckdb.connect()
    register(first)
    register(first)  # creating a function twice would raise
    other = duckdb.connect()
    names = "select function_name from duckdb_functions() where function_name in ? order by 1"
    assert other.execute(names, [list(FUNCTIONS)]).fetchall() == []
    register(other)
    assert [n for (n,) in other.execute(names, [list(FUNCTIONS)]).fetchall()] == sorted(FUNCTIONS)
