"""DAG integrity: every file imports cleanly, fast, with no lookups at parse time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from unittest import mock

from tests.helpers import DAGS_DIR

ALLOWED_TAGS = {"newsflow", "ingest", "reports"}
HEAVY_MODULES = ("spacy", "great_expectations", "duckdb", "trafilatura", "feedparser", "newsflow.pipeline")


def test_no_import_errors_and_the_expected_dags(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"newsflow_ingest", "newsflow_report"}


def test_every_dag_is_documented_tagged_and_retried(dagbag):
    for dag in dagbag.dags.values():
        assert dag.doc_md and "newsflow" in dag.doc_md
        assert dag.tags and set(dag.tags) <= ALLOWED_TAGS
        assert dag.catchup is False
        for task in dag.tasks:
            assert task.retries >= 1, task.task_id


def test_ingest_dag_runs_the_pipeline_steps_in_their_order(dagbag):
    from newsflow.pipeline.steps import STEPS

    dag = dagbag.dags["newsflow_ingest"]
    dag.check_cycle()
    order = [t.task_id for t in dag.topological_sort()]
    assert order == [step.name for step in STEPS]  # the CLI's runners follow the same list
    writers = {t.task_id for t in dag.tasks if t.pool == "newsflow_warehouse"}
    assert writers == {step.name for step in STEPS if step.opens_warehouse}
    outlets = dag.get_task("refresh_marts").outlets
    assert [o.name for o in outlets] == ["newsflow_warehouse"]
    assert dag.max_active_runs == 1
    # Enrichment is dynamically mapped over the batch's partitions; nothing else is.
    assert [t.task_id for t in dag.tasks if t.is_mapped] == [step.name for step in STEPS if step.mapped]


def test_report_dag_runs_on_the_asset_the_ingest_dag_updates(dagbag):
    dag = dagbag.dags["newsflow_report"]
    assert [t.task_id for t in dag.tasks] == ["build_report"]
    # Without a snapshot yet it reads the warehouse itself, and must never meet a writer's lock.
    assert dag.get_task("build_report").pool == "newsflow_warehouse"
    ingest_outlet = dagbag.dags["newsflow_ingest"].get_task("refresh_marts").outlets[0]
    scheduled_on = dag.timetable.asset_condition.objects
    assert [(a.name, a.uri) for a in scheduled_on] == [(ingest_outlet.name, ingest_outlet.uri)]
    assert dag.max_active_runs == 1


def test_no_variable_or_connection_lookup_at_parse_time():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook, Variable

    def forbidden(*args, **kwargs):
        raise AssertionError("looked up at parse time")

    with mock.patch.object(Variable, "get", forbidden), mock.patch.object(BaseHook, "get_connection", forbidden):
        bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    assert "newsflow_ingest" in bag.dag_ids


def test_dag_files_parse_fast_without_heavy_imports():
    probe = f"""
import json, runpy, sys, time
import airflow.sdk  # the DAG processor has Airflow loaded already
before = set(sys.modules)
timings = {{}}
for path in sorted(__import__("pathlib").Path({str(DAGS_DIR)!r}).glob("*.py")):
    start = time.perf_counter()
    runpy.run_path(str(path))
    timings[path.name] = time.perf_counter() - start
heavy = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in {HEAVY_MODULES!r} or m in {HEAVY_MODULES!r})
print(json.dumps({{"timings": timings, "heavy": heavy}}))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["timings"], "no DAG file found"
    for name, seconds in report["timings"].items():
        assert seconds < 0.5, f"{name} took {seconds:.2f}s to parse"


def test_schedule_comes_from_the_environment_and_none_means_triggered_only(monkeypatch):
    from newsflow.airflow.assets import ingest_schedule

    monkeypatch.delenv("NEWSFLOW_SCHEDULE", raising=False)
    assert ingest_schedule() == "@hourly"
    monkeypatch.setenv("NEWSFLOW_SCHEDULE", "*/15 * * * *")
    assert ingest_schedule() == "*/15 * * * *"
    monkeypatch.setenv("NEWSFLOW_SCHEDULE", "None")
    assert ingest_schedule() is None


def test_warehouse_tasks_go_to_the_queue_named_for_the_warehouse_host(dagbag, tmp_path):
    probe = f"""
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={str(DAGS_DIR)!r})
print(json.dumps({{t.task_id: t.queue for dag in bag.dags.values() for t in dag.tasks}}))
"""
    env = dict(os.environ, NEWSFLOW_WAREHOUSE_QUEUE="warehouse", AIRFLOW_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    queues = json.loads(out.stdout.strip().splitlines()[-1])
    pooled = {t.task_id for dag in dagbag.dags.values() for t in dag.tasks if t.pool == "newsflow_warehouse"}
    assert pooled == {
        "select_new_articles",
        "link_stories",
        "validate_batch",
        "load_batch",
        "refresh_marts",
        "build_report",
    }
    assert {task for task, queue in queues.items() if queue == "warehouse"} == pooled
    # Unset (the session's DagBag): every task on Airflow's default queue.
    assert {t.queue for dag in dagbag.dags.values() for t in dag.tasks} == {"default"}
