"""What a run imports before it needs it: the fixed cost every `newsflow run` pays.

Each probe runs in a fresh interpreter (this test session has imported everything) and
reports which libraries the code under test loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.helpers import PROJECT_ROOT, SEEDS

# Libraries that take from a few tenths of a second to seconds to import.
PAGE_LIBRARIES = {"trafilatura", "py3langid", "charset_normalizer", "numpy", "pandas", "lxml", "feedparser"}
MODEL_LIBRARIES = {"spacy", "thinc", "datasketch", "scipy", "redis", "great_expectations", "dbt"}
# The report's chart libraries: Altair loads its Vega-Lite schema on import (half a second).
REPORT_LIBRARIES = {"altair", "vl_convert"}


def imported_by(code: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``code``."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT / "plugins"), str(PROJECT_ROOT)])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_command_line_reads_its_settings_without_page_or_model_libraries():
    # `python -m newsflow run` imports this before starting Airflow, and again for every command.
    loaded = imported_by("import newsflow.cli\nnewsflow.cli.load_settings(environ={})")
    assert "newsflow" in loaded
    assert loaded & (PAGE_LIBRARIES | MODEL_LIBRARIES) == set()


def test_a_fetched_page_still_decodes_its_bytes():
    # The decoder is imported when a page is decoded, not with the fetch policy.
    loaded = imported_by(
        "from newsflow.ingest.fetch import FetchResult\n"
        "page = FetchResult('https://example.org/a', body='café'.encode('latin-1'),"
        " content_type='text/html; charset=iso-8859-1')\n"
        "assert page.text() == 'café', page.text()"
    )
    assert "charset_normalizer" in loaded


def test_extraction_loads_no_model_library_and_enrichment_does(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    setup = f"""
from datetime import UTC, datetime
from pathlib import Path
from newsflow.pipeline.run_folder import BatchInfo, RunFolder
from newsflow.pipeline.steps import extract_step, partition_step, select_new_step
from tests.helpers import folder_source, run_settings

settings = run_settings(Path({str(tmp_path)!r}), [folder_source(Path({str(folder)!r}), "seeds")])
run = RunFolder.for_batch(settings, BatchInfo(datetime(2024, 12, 1, tzinfo=UTC), datetime(2024, 12, 1, 1, tzinfo=UTC)))
extract_step(settings, run)
select_new_step(settings, run)
partitions = partition_step(settings, run)
assert run.read_info().articles == 2, run.read_info()
"""
    before_enrichment = imported_by(setup)
    assert before_enrichment & MODEL_LIBRARIES == set()
    assert before_enrichment & REPORT_LIBRARIES == set()
    assert "trafilatura" in before_enrichment  # the extraction did run
    after = imported_by(setup + "from newsflow.pipeline.steps import enrich_step\nenrich_step(settings, partitions[0])")
    assert "spacy" in after


def test_the_run_command_imports_the_summary_and_report_while_the_dag_runs(tmp_path):
    # The DAG run is replaced by one that waits (up to 60 s) for the report's libraries to
    # appear, then stands in for the summary and the report (there is no warehouse).
    source, warehouse = str(tmp_path), str(tmp_path / "w.duckdb")
    probe = f"""
import time
from newsflow import cli

seen = []

def fake_run_dag(*args, **kwargs):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not {{"altair", "jinja2"}} <= set(sys.modules):
        time.sleep(0.05)
    seen.append({{"altair", "jinja2"}} <= set(sys.modules))
    import newsflow.pipeline.summary, newsflow.report

    newsflow.pipeline.summary.summarise = lambda settings: {{}}
    newsflow.report.build_report = lambda *args, **kwargs: "report"

cli.run_dag = fake_run_dag
cli.print_summary = lambda summary: None
args = cli.build_parser().parse_args(["run", "--source", {source!r}, "--warehouse", {warehouse!r}])
assert cli.cmd_run(args) == 0
assert seen == [True], seen
"""
    assert "altair" in imported_by(probe)
