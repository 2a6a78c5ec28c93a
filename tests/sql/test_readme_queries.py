"""Every SQL block of the README's analyst's guide runs as pasted, with the answers it promises."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from newsflow.config import PROJECT_ROOT
from newsflow.warehouse import db
from tests.warehouses import build, forty_days, validation_results

GUIDE = PROJECT_ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Analyst's guide")[1].split("\n## ")[0]
BLOCKS = re.findall(r"```sql\n(.*?)```", GUIDE, flags=re.S)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    failed_run = validation_results("b1", datetime(2024, 11, 10, tzinfo=UTC), failed=True)
    path = build(tmp_path_factory.mktemp("readme") / "w.duckdb", forty_days(), [failed_run])
    with db.connect(path, read_only=True) as connection:
        yield connection


def test_the_guide_has_its_questions():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("sql", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_block_runs_on_the_marts(con, sql):
    # The guide asks about Kim Jong Un; the fixture's burst entity stands in for him.
    result = con.execute(sql.replace("Kim Jong Un", "Burst Person")).fetchall()
    assert result, "the block answers nothing on a warehouse that has the data"
