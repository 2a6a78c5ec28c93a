"""The Python functions the SQL layers call, registered on dbt's DuckDB connections (a dbt-duckdb plugin).

- ``casefold(name)``: :meth:`str.casefold`, the case folding entity ids use. DuckDB's ``lower()``
  folds fewer characters ("Straße" stays "straße", while ids fold it to "strasse"), so a key
  or id computed with it would not match enrichment's.
- ``entity_id(name, label)``: :func:`newsflow.nlp.entities.entity_id` itself, so an entity the
  corpus-wide vote moves gets the very id enrichment gives that name and label.
- ``listed_name_key(name, label)``: :func:`newsflow.nlp.aliases.name_key`, how the alias table
  and watchlist look a name up.

Only table models call them (a view would need them in every reader's connection).  Named in
``sql/profiles.yml``; dbt-duckdb calls :meth:`Plugin.configure_connection` on its connection,
and the cursor it opens for each model and test sees the connection's functions.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import CatalogException, DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

from newsflow.nlp.aliases import name_key
from newsflow.nlp.entities import entity_id


def _casefold(name: str) -> str:
    return name.casefold()


FUNCTIONS = {
    "casefold": (_casefold, [VARCHAR]),
    "entity_id": (entity_id, [VARCHAR, VARCHAR]),
    "listed_name_key": (name_key, [VARCHAR, VARCHAR]),
}


def register(con: DuckDBPyConnection) -> None:
    """Create the functions ``con`` does not see yet (a cursor sees its connection's)."""
    for name, (function, parameters) in FUNCTIONS.items():
        if not _sees(con, name, len(parameters)):
            con.create_function(name, function, parameters, VARCHAR, side_effects=False)


def _sees(con: DuckDBPyConnection, name: str, arity: int) -> bool:
    # Binding a call is a millisecond; listing duckdb_functions() takes 60 ms.  NULL in gives
    # NULL out without calling Python.
    try:
        con.execute(f"select {name}({', '.join(['null::varchar'] * arity)})")
    except CatalogException:
        return False
    return True


class Plugin(BasePlugin):
    """dbt-duckdb's hook: the functions on the connection dbt runs models with (and so on its cursors)."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)
