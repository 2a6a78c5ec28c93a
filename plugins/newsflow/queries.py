"""Analyst recipes: the SQL files in ``sql/queries``, run with bound parameters.

A recipe reads its parameters with ``getvariable('entity')``, ``getvariable('date_from')``
and ``getvariable('date_to')``, so the same file runs in the DuckDB CLI after ``SET
VARIABLE``.  Here each value is bound (``SET VARIABLE x = ?``), never pasted into SQL.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import duckdb

from newsflow.config import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"
PARAMETERS = ("entity", "outlet", "country", "date_from", "date_to")
# the CLI's names for them
FLAGS = {"entity": "--entity", "outlet": "--outlet", "country": "--country", "date_from": "--from", "date_to": "--to"}
REQUIRED = frozenset({"entity", "outlet", "country"})  # dates are optional in every recipe: no bound, no filter
FORMATS = ("table", "csv", "json", "parquet")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_GETVARIABLE = re.compile(r"getvariable\('(\w+)'\)")
# A recipe that tests a parameter for NULL has an answer without it.
_NULL_TESTED = re.compile(r"getvariable\('(\w+)'\) is null")


class RecipeError(ValueError):
    """The recipe does not exist or lacks a parameter; the message says which and lists options."""


@dataclass(frozen=True)
class Recipe:
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def summary(self) -> str:
        """The recipe's first comment line."""
        first = self.sql.splitlines()[0] if self.sql else ""
        return first.removeprefix("--").strip()

    @property
    def parameters(self) -> tuple[str, ...]:
        """The variables the recipe reads, in the order of :data:`PARAMETERS`."""
        used = set(_GETVARIABLE.findall(self.sql))
        return tuple(p for p in PARAMETERS if p in used)

    @property
    def required(self) -> tuple[str, ...]:
        """Parameters the recipe cannot do without (:data:`REQUIRED` unless it handles NULL)."""
        optional = set(_NULL_TESTED.findall(self.sql))
        return tuple(p for p in self.parameters if p in REQUIRED and p not in optional)


def recipes(folder: Path = QUERIES_DIR) -> dict[str, Recipe]:
    """Every recipe by name (the file stem), sorted."""
    return {p.stem: Recipe(p.stem, p) for p in sorted(folder.glob("*.sql"))}


def describe_recipes(folder: Path = QUERIES_DIR) -> str:
    """One line per recipe: name, parameters, summary."""
    lines = []
    for recipe in recipes(folder).values():
        params = " ".join(FLAGS[p] for p in recipe.parameters)
        lines.append(f"  {recipe.name:<24} {recipe.summary}" + (f" [{params}]" if params else ""))
    return "\n".join(lines)


def get_recipe(name: str, folder: Path = QUERIES_DIR) -> Recipe:
    known = recipes(folder)
    if name not in known:
        raise RecipeError(f"unknown recipe {name!r}; the recipes are:\n{describe_recipes(folder)}")
    return known[name]


def run_recipe(
    con: duckdb.DuckDBPyConnection, recipe: Recipe, values: dict[str, str | date | None]
) -> duckdb.DuckDBPyRelation:
    """Bind the recipe's parameters and return its result as a relation (not yet fetched).

    ``values`` maps parameter names to values; missing optional ones are bound to NULL so a
    value left over in the session never leaks into the query.
    """
    unknown = set(values) - set(PARAMETERS)
    if unknown:
        raise RecipeError(f"unknown parameters {sorted(unknown)}; known: {', '.join(PARAMETERS)}")
    missing = [p for p in recipe.required if values.get(p) is None]
    if missing:
        raise RecipeError(f"recipe {recipe.name!r} needs {' '.join(FLAGS[p] for p in missing)}")
    bind_variables(con, {parameter: values.get(parameter) for parameter in PARAMETERS})
    return con.sql(recipe.sql)


def bind_variables(con: duckdb.DuckDBPyConnection, values: Mapping[str, Any]) -> None:
    """``SET VARIABLE name = ?`` for each value, bound (lists too), never pasted into SQL."""
    for name, value in values.items():
        if not _NAME.fullmatch(name):
            raise RecipeError(f"not a variable name: {name!r}")
        con.execute(f"set variable {name} = ?", [value])


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """Aligned plain-text table: numbers right-aligned, NULL shown as empty."""
    cells = [[("" if v is None else str(_plain(v))) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out) + "\n"


def write_result(relation: duckdb.DuckDBPyRelation, fmt: str, out: Path | None, stdout: TextIO | None = None) -> None:
    """Write the result as ``fmt`` to ``out`` (a file) or to ``stdout`` (default: sys.stdout); Parquet needs a file."""
    if fmt not in FORMATS:
        raise RecipeError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if fmt == "parquet":
        if out is None:
            raise RecipeError("--format parquet needs --out FILE")
        relation.write_parquet(str(out))
        return
    columns, rows = list(relation.columns), relation.fetchall()
    if fmt == "table":
        text = format_table(columns, rows)
    elif fmt == "json":
        text = json.dumps([dict(zip(columns, map(_plain, r), strict=True)) for r in rows], indent=2) + "\n"
    else:
        text = _csv(columns, rows)
    if out is None:
        (stdout or sys.stdout).write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_plain(v) for v in r] for r in rows])
    return buffer.getvalue()
