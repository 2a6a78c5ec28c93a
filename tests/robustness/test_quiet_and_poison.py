"""A quiet batch loads; a poison file is quarantined once and not read again while unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsflow.cli import main as cli_main
from newsflow.ingest.poison import POISON_FILE, PoisonFiles
from newsflow.pipeline.run_folder import BatchInfo, RunFolder
from newsflow.pipeline.steps import run_steps
from newsflow.warehouse import db
from tests.helpers import folder_source, run_settings
from tests.robustness.catalogue import good_article, json_bytes, random_bytes

pytestmark = pytest.mark.pipeline  # whole runs of the steps: `make test`, not `make test-fast`

QUIET = (
    "It rained for most of the day and the wind turned colder in the evening. Buses ran late and the "
    "market closed early. Forecasters expect more rain tomorrow, with clearer skies at the weekend."
)
GERMAN = (
    "Der Regen hielt den ganzen Tag an, und am Abend wurde der Wind kälter. Die Busse fuhren verspätet, "
    "und der Markt schloss früher als sonst. Für morgen wird weiterer Regen erwartet."
)


def batch(hour: int) -> BatchInfo:
    start = datetime(2024, 12, 4, tzinfo=UTC) + timedelta(hours=hour)
    return BatchInfo(start, start + timedelta(hours=1))


def settings_for(tmp_path, folder):
    return run_settings(tmp_path, [folder_source(folder, "folder")])


def run_all(settings, info):
    run = RunFolder.for_batch(settings, info)
    return run, run_steps(settings, run)["validate_batch"]


def query(settings, sql):
    with db.connect(settings.warehouse_path, read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("no_entities.json", {"url": "https://quiet.example/rain", "title": "Rain all day", "text": QUIET * 2}),
        ("german.json", {"url": "https://quiet.example/regen", "title": "Regen", "text": GERMAN * 2, "language": "de"}),
    ],
)
def test_a_quiet_batch_loads(tmp_path, name, article):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / name).write_text(json.dumps(article), encoding="utf-8")
    settings = settings_for(tmp_path, folder)
    _, verdict = run_all(settings, batch(0))
    assert verdict["status"] == "passed", verdict
    assert query(settings, "select url from staging.articles") == [(article["url"],)]
    assert query(settings, "select count(*) from staging.mentions") == [(0,)]
    assert query(settings, "select bool_and(published) from marts.dq_results") == [(True,)]


def test_a_poison_file_is_quarantined_once_and_not_read_again_until_it_changes_or_is_readmitted(tmp_path, capsys):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "good.txt").write_bytes(good_article("poison"))
    (folder / "random.txt").write_bytes(random_bytes(6000))
    (folder / "typed.json").write_bytes(json_bytes("poison", url=12345))
    (folder / "empty.jsonl").write_bytes(b"")
    settings = settings_for(tmp_path, folder)

    run_all(settings, batch(0))
    first = query(settings, "select source_location, step, detail, last_batch_id from raw.quarantine order by 1")
    assert [(row[0].rsplit("/", 1)[1], row[1]) for row in first] == [
        ("empty.jsonl", "read"),
        ("random.txt", "decode"),
        ("typed.json", "record"),
    ]
    assert all("python -m newsflow readmit" in row[2] for row in first)
    assert len(PoisonFiles.load(settings.state_dir / POISON_FILE).entries) == 3

    run, _ = run_all(settings, batch(1))
    info = run.read_info()
    assert info.skipped_files["poison file read before (unchanged)"] == 3
    assert info.quarantined == 0
    assert (
        query(settings, "select source_location, step, detail, last_batch_id from raw.quarantine order by 1") == first
    )

    (folder / "typed.json").write_bytes(json_bytes("poison", url="https://bad.example/fixed"))  # fixed upstream
    config = tmp_path / "newsflow.yaml"
    config.write_text(f"var_dir: {tmp_path / 'var'}\nwarehouse: {tmp_path / 'w.duckdb'}\n", encoding="utf-8")
    assert cli_main(["readmit", str(folder / "random.txt"), "--config", str(config)]) == 0
    assert "re-admitted" in capsys.readouterr().out
    assert cli_main(["readmit", str(folder / "random.txt"), "--config", str(config)]) == 1  # nothing left
    run, _ = run_all(settings, batch(2))
    info = run.read_info()
    assert info.skipped_files["poison file read before (unchanged)"] == 1  # only the empty file
    assert info.quarantined == 1  # the random bytes, read again and quarantined again
    assert query(settings, "select count(*) from staging.articles where url = 'https://bad.example/fixed'") == [(1,)]
