"""newsflow_ingest on a real Airflow server install: PostgreSQL metadata DB, LocalExecutor, then Celery on Redis.

The scheduler, dag-processor, api-server (and Celery worker) run as separate processes; the run is
triggered and followed only through the REST API v2, as an operator would.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import psycopg2
import pytest

from newsflow.warehouse import db
from tests.helpers import BATCH_FILES
from tests.integration.airflow_server import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    REDIS_HOST,
    REDIS_PORT,
    RestClient,
    redis_cleanup,
    running_airflow,
    trigger_and_wait,
)

pytestmark = pytest.mark.integration
LOGICAL_DATE = "2024-12-04T00:00:00Z"  # the sample's articles are dated 2024-11-25..12-03
# Celery's own log line for a finished task (celery.app.trace), one per task instance it ran.
WORKER_SUCCEEDED = re.compile(r"Task execute_workload\[[0-9a-f-]+\] succeeded in")
# The sample's 43 articles in partitions of 20: enrich_articles is mapped into three task instances.
PARTITIONED = {"NEWSFLOW_ENRICH_PARTITION_SIZE": "20"}


def check_warehouse(path) -> None:
    """The sample run's warehouse, as tests/e2e/test_dag_run.py expects it after one run."""
    with db.connect(path, read_only=True) as con:

        def rows(query: str) -> list[tuple]:
            return con.execute(query).fetchall()

        assert rows("select count(*), count(distinct outlet) from staging.articles") == [(43, 8)]
        assert rows("select count(*) from raw.quarantine") == [(2,)]
        assert rows("select count(*) from raw.batches") == [(1,)]
        assert rows("select count(*), bool_and(success) from marts.dq_results") == [(len(BATCH_FILES), True)]
        assert rows(
            "select origin_outlet, agency, articles, outlets from marts.story_spread where articles > 1 order by 1"
        ) == [("AFP", "AFP", 3, 3), ("AP", "AP", 3, 3), ("Reuters", "Reuters", 3, 3), ("Yonhap", "Yonhap", 2, 2)]


def enrich_map_indexes(tis: list[dict]) -> list[int]:
    return sorted(ti["map_index"] for ti in tis if ti["task_id"] == "enrich_articles")


def expected_task_ids(client: RestClient) -> set[str]:
    """The DAG's tasks as the server serialised them (not a hard-coded list: tasks may get mapped)."""
    return {task["task_id"] for task in client.call("GET", "/api/v2/dags/newsflow_ingest/tasks")["tasks"]}


def test_local_executor_on_postgres(tmp_path, record_figure):
    with running_airflow(tmp_path, executor="LocalExecutor", extra_env=PARTITIONED) as (deployment, client):
        run = trigger_and_wait(client, deployment, LOGICAL_DATE)
        tasks = expected_task_ids(client)
    tis = run.task_instances
    assert {ti["task_id"] for ti in tis} == tasks, f"{tis}\n{deployment.log_tails()}"
    assert [ti["state"] for ti in tis] == ["success"] * len(tis), f"{tis}\n{deployment.log_tails()}"
    assert enrich_map_indexes(tis) == [0, 1, 2]
    check_warehouse(tmp_path / "warehouse.duckdb")
    record_figure(
        f"LocalExecutor: trigger->success {run.seconds:.1f} s ({len(tis)} tasks)",
        executor="LocalExecutor",
        seconds=round(run.seconds, 1),
        task_instances=len(tis),
    )


def worker_records(logs: list[Path], database: str) -> tuple[list[int], dict[str, int]]:
    """Tasks each worker logged as succeeded, and task states in the result backend (this test's database)."""
    succeeded = [len(WORKER_SUCCEEDED.findall(log.read_text(encoding="utf-8", errors="replace"))) for log in logs]
    with psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database) as con:
        with con.cursor() as cur:
            try:
                cur.execute("select status, count(*) from celery_taskmeta group by status")
            except psycopg2.errors.UndefinedTable:  # the worker creates it with the first result
                return succeeded, {}
            return succeeded, dict(cur.fetchall())


def celery_worker(queue: str) -> list[str]:
    return ["celery", "worker", "--queues", queue, "--concurrency", "2", "--celery-hostname", f"{queue}@%h"]


def test_celery_executor_on_redis(tmp_path, record_figure):
    # Queues of the test's own (and a Redis db other than 0) so that parallel runs on the shared
    # Redis cannot take each other's tasks.  Two workers, as on two machines: one for the default
    # queue (extract, enrich, merge), one on the warehouse host's queue (NEWSFLOW_WAREHOUSE_QUEUE).
    queue = f"newsflow_it_{secrets.token_hex(4)}"
    warehouse_queue = f"{queue}_warehouse"
    redis_db = 1 + secrets.randbelow(15)
    extra_env = {
        **PARTITIONED,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "NEWSFLOW_WAREHOUSE_QUEUE": warehouse_queue,
    }
    workers = {"worker": celery_worker(queue), "warehouse-worker": celery_worker(warehouse_queue)}
    logs = [tmp_path / f"{name}.log" for name in workers]
    try:
        with running_airflow(tmp_path, executor="CeleryExecutor", extra_env=extra_env, workers=workers) as (
            deployment,
            client,
        ):
            database = deployment.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].rsplit("/", 1)[1]
            run = trigger_and_wait(client, deployment, LOGICAL_DATE)
            tasks = expected_task_ids(client)
            tis = run.task_instances
            # The run turns success when the last task reports to the API server, a moment before the
            # worker logs it and stores its result: give that bookkeeping time, then compare exactly.
            deadline = time.monotonic() + 60
            while True:
                succeeded, backend = worker_records(logs, database)
                caught_up = sum(succeeded) >= len(tis) and sum(backend.values()) >= len(tis)
                if caught_up or time.monotonic() > deadline:
                    break
                time.sleep(1)
    finally:
        redis_cleanup(redis_db, queue)
    assert {ti["task_id"] for ti in tis} == tasks, f"{tis}\n{deployment.log_tails()}"
    assert [ti["state"] for ti in tis] == ["success"] * len(tis), f"{tis}\n{deployment.log_tails()}"
    on_queue = {name: [ti for ti in tis if ti["queue"] == name] for name in (queue, warehouse_queue)}
    assert {ti["task_id"] for ti in on_queue[warehouse_queue]} == {
        "select_new_articles",
        "link_stories",
        "validate_batch",
        "load_batch",
        "refresh_marts",
    }
    assert len(on_queue[queue]) + len(on_queue[warehouse_queue]) == len(tis)
    assert enrich_map_indexes(tis) == [0, 1, 2]
    # Each worker ran exactly the task instances of its queue.
    expected = [len(on_queue[queue]), len(on_queue[warehouse_queue])]
    assert succeeded == expected, f"workers ran {succeeded}, queues hold {expected}\n{deployment.log_tails(99)}"
    assert backend == {"SUCCESS": len(tis)}, f"result backend {backend}\n{deployment.log_tails()}"
    check_warehouse(tmp_path / "warehouse.duckdb")
    record_figure(
        f"CeleryExecutor: trigger->success {run.seconds:.1f} s, workers executed {sum(succeeded)} of {len(tis)} "
        f"tasks ({succeeded[0]} on the default queue's worker, {succeeded[1]} on the warehouse queue's)",
        executor="CeleryExecutor",
        seconds=round(run.seconds, 1),
        task_instances=len(tis),
        worker_succeeded=succeeded,
    )
