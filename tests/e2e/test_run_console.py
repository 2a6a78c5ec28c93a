"""A run over real feeds talks to its operator: progress with counts, one line per quarantine reason
class, no third-party warnings on the console, everything in the run's log file."""

from __future__ import annotations

import re
import shutil

import pytest

from newsflow.ingest.records import REASON_CLASSES
from tests.e2e.test_dag_run import newsflow
from tests.helpers import BATCH_FILES, SHARED_DIR

pytestmark = pytest.mark.e2e
FEEDS_REAL = SHARED_DIR / "data" / "feeds-real"


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    if not FEEDS_REAL.is_dir():
        pytest.skip("../shared/data/feeds-real is not beside the project")
    home = tmp_path_factory.mktemp("feeds-real")
    source = home / "feeds-real"
    shutil.copytree(FEEDS_REAL, source)  # a folder source, as a user would point at it
    result = newsflow("run", "--source", str(source), "--warehouse", str(home / "w.duckdb"), home=home)
    console, _, summary = result.stdout.partition("\nnewsflow summary\n")
    return home, console.splitlines(), summary, result


def test_at_most_one_console_line_per_quarantine_reason_class(real_run):
    _, console, summary, _ = real_run
    classes = [name for name, _ in REASON_CLASSES]
    for name in classes:
        assert len([line for line in console if name in line]) <= 1, name
    assert len([line for line in console if "quarantined" in line]) <= len(classes) + 1  # + the total line
    # the summary: one line per class too, the numbers inside a reason do not split it
    reason_lines = [line for line in summary.splitlines() if re.match(r"^\s+\d+ x ", line)]
    assert reason_lines and len({line.split(" x ")[1].split(",")[0] for line in reason_lines}) == len(reason_lines)
    assert any(
        re.match(r"^\s+\d{3} x too_little_text, e\.g\. no extractable article text", line) for line in reason_lines
    )


def test_progress_lines_carry_counts(real_run):
    _, console, summary, _ = real_run
    text = "\n".join(console)
    assert re.search(r"extract: read \d+ articles \(\d+ duplicates dropped\), quarantined \d+ entries", text)
    assert re.search(r"enrich \d{4}: \d+ articles in [\d.]+ s \([\d.]+ articles/s\)", text)
    tables = len(BATCH_FILES)  # one suite per batch table
    assert f"validate: {tables} of {tables} tables passed their suites" in text
    assert re.search(r"load: .*\d+ articles", text)
    assert re.search(r"this run .*: read \d+, added \d+, updated 0, skipped 0 unchanged, quarantined \d+", summary)


def test_third_party_warnings_stay_in_the_log_file(real_run):
    home, console, _, result = real_run
    assert not [line for line in console if "Warning" in line or "deprecated" in line.lower()]
    assert result.stderr.count("Warning") == 0
    (log,) = (home / "var" / "logs").glob("run-*.log")
    text = log.read_text()
    assert text.count("no extractable article text") >= 100  # every quarantined entry, one line each
    assert f"full log: {log}" in result.stdout
