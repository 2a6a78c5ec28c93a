"""`python -m newsflow sql`: statements, dot commands, recipes read with bound variables, errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from newsflow.config import PROJECT_ROOT
from newsflow.shell import Shell, parse_assignment, typed
from newsflow.warehouse import db
from tests.warehouses import build, forty_days


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build(tmp_path_factory.mktemp("shell") / "w.duckdb", forty_days())


def shell_over(warehouse, text: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    with db.connect(warehouse, read_only=True) as con:
        shell = Shell(con, out, err)
        shell.run_lines(text.splitlines())
    return out.getvalue(), err.getvalue(), shell.errors


def test_statements_run_across_lines_and_print_tables(warehouse):
    out, err, errors = shell_over(
        warehouse,
        "select outlet, sum(articles) as n\nfrom marts.source_daily_volume\n"
        "group by 1 order by 1;\nselect 42 as answer",
    )
    assert errors == 0 and err == ""
    assert "Alpha" in out and "(3 rows)" in out and "answer" in out and out.rstrip().endswith("(1 row)")


def test_a_recipe_is_read_with_its_variables(warehouse):
    out, _, errors = shell_over(
        warehouse,
        "SET VARIABLE entity = 'Steady Corp';\n"
        ".read sql/queries/top_outlets_for_entity.sql      -- a comment, as in the README\n"
        ".var entity Wobbly Minister\n"
        f".read {PROJECT_ROOT}/sql/queries/top_outlets_for_entity.sql\n",
    )
    assert errors == 0
    _, first, second = out.split("outlet  name")  # two result tables
    assert "Steady Corp" in first and "Wobbly Minister" not in first
    assert "Wobbly Minister" in second and "Steady Corp" not in second


def test_errors_are_reported_and_counted_and_the_rest_still_runs(warehouse):
    out, err, errors = shell_over(warehouse, "select nope;\n.read missing.sql\n.bogus\nselect 1 as one;")
    assert errors == 3
    assert "Binder Error" in err and "cannot read missing.sql" in err and "unknown command" in err
    assert "(1 row)" in out


def test_the_snapshot_is_read_only(warehouse):
    _, err, errors = shell_over(warehouse, "create table marts.x as select 1;")
    assert errors == 1 and "read-only" in err


def test_command_line_variables_are_typed():
    assert parse_assignment("date_from=2024-11-25") == ("date_from", typed("2024-11-25"))
    assert typed("2024-11-25").isoformat() == "2024-11-25" and typed("12") == 12 and typed("Kim") == "Kim"
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_assignment("entity")


def test_the_command_runs_files_and_stdin_and_fails_on_an_error(warehouse):
    command = [sys.executable, "-m", "newsflow", "sql", "--warehouse", str(warehouse), "--var", "entity=Steady Corp"]
    result = subprocess.run(
        [*command, "sql/queries/top_outlets_for_entity.sql"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "Steady Corp" in result.stdout
    result = subprocess.run(command, input="select nope;", cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "Error:" in result.stderr
