"""``python -m newsflow sql``: an SQL shell on the published snapshot, with the project's own DuckDB.

The DuckDB CLI that can be installed separately must match the version that wrote the file
(the warehouse is written by the ``duckdb`` Python package pinned in requirements.txt), so the
shell runs on that very package instead.  It speaks the CLI's dialect for what the README and
the recipes use: statements end with ``;``, ``.read FILE`` runs a file (a recipe), variables
are set with ``SET VARIABLE name = value`` and read with ``getvariable('name')``; ``--var
name=value`` (or ``.var name value``) binds one from outside, never pasting it into SQL.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TextIO

import duckdb

from newsflow.queries import QUERIES_DIR, bind_variables, describe_recipes, format_table

HELP = """\
.read FILE          run the SQL (and dot commands) in FILE, e.g. .read sql/queries/story_spread.sql
.var NAME VALUE     set a variable, bound (a date as YYYY-MM-DD, a whole number, else text); same as
                    SET VARIABLE NAME = ...; recipes read it with getvariable('NAME')
.vars               the variables set
.tables             the schemas' tables and views
.recipes            the ready-made recipes in sql/queries/ and their variables
.help               this text
.quit               leave (also .exit, Ctrl-D)
Statements end with ';'. The snapshot is opened read-only."""
PROMPT, CONTINUED = "newsflow> ", "     ...> "
_TRAILING_COMMENT = re.compile(r"\s+--.*$")


def typed(value: str) -> str | int | date:
    """A variable's value from the command line: a date, a whole number, else the text itself."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def parse_assignment(text: str) -> tuple[str, str | int | date]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), typed(value.strip())


class Shell:
    """Runs SQL text and dot commands on one connection, printing results as aligned tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out: TextIO = sys.stdout, err: TextIO = sys.stderr):
        self.con, self.out, self.err = con, out, err
        self.errors = 0
        self.done = False
        self.pending: list[str] = []

    # -- input -------------------------------------------------------------------------
    def feed(self, line: str) -> None:
        """One line of input: a dot command (outside a statement) or part of a statement."""
        stripped = line.strip()
        if not self.pending and stripped.startswith("."):
            self.command(_TRAILING_COMMENT.sub("", stripped))
            return
        if not self.pending and (not stripped or stripped.startswith("--")):
            return
        self.pending.append(line)
        if _TRAILING_COMMENT.sub("", stripped).endswith(";"):
            self.flush()

    def flush(self) -> None:
        """Run what is pending, even without its final ``;``."""
        text, self.pending = "\n".join(self.pending), []
        if text.strip():
            self.execute(text)

    def run_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            if self.done:
                return
            self.feed(line.rstrip("\n"))
        self.flush()

    def run_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.error(f"cannot read {path}: {exc.strerror}")
            return
        pending, self.pending = self.pending, []
        self.run_lines(text.splitlines())
        self.pending = pending

    # -- execution -----------------------------------------------------------------------
    def execute(self, sql: str) -> None:
        try:
            statements = self.con.extract_statements(sql)
            for statement in statements:
                cursor = self.con.execute(statement.query)
                if statement.expected_result_type == [duckdb.ExpectedResultType.QUERY_RESULT]:
                    columns = [d[0] for d in cursor.description]
                    self.out.write(format_table(columns, cursor.fetchall()))
        except duckdb.Error as exc:
            self.error(str(exc))

    def error(self, message: str) -> None:
        self.errors += 1
        self.err.write(f"Error: {message}\n")

    def command(self, line: str) -> None:
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name == ".read" and argument:
            self.run_file(Path(argument.strip("'\"")))
        elif name == ".var" and argument:
            key, _, value = argument.partition(" ")
            self.bind(key, typed(value.strip().strip("'\"")))
        elif name == ".vars":
            self.execute("select name, value from duckdb_variables() order by name;")
        elif name == ".tables":
            self.execute(
                "select table_schema as schema, table_name as name, lower(table_type) as kind "
                "from information_schema.tables order by 1, 2;"
            )
        elif name == ".recipes":
            self.out.write(f"recipes ({QUERIES_DIR}):\n{describe_recipes()}\n")
        elif name == ".help":
            self.out.write(HELP + "\n")
        elif name in (".quit", ".exit"):
            self.done = True
        else:
            self.error(f"unknown command or missing argument: {line!r} (.help lists the commands)")

    def bind(self, name: str, value: str | int | date) -> None:
        try:
            bind_variables(self.con, {name: value})
        except (ValueError, duckdb.Error) as exc:
            self.error(str(exc))

    # -- interactive ---------------------------------------------------------------------
    def interact(self, source: TextIO = sys.stdin) -> None:
        """A prompt per statement until .quit or end of input (readline history when available)."""
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:
            pass
        self.out.write(f'newsflow SQL shell (DuckDB {duckdb.__version__}). ".help" for help.\n')
        while not self.done:
            try:
                line = input(CONTINUED if self.pending else PROMPT)
            except EOFError:
                self.out.write("\n")
                break
            except KeyboardInterrupt:
                self.pending = []
                self.out.write("\n")
                continue
            self.feed(line)
        self.flush()
