"""
### newsflow_ingest

Ingests news articles from the configured sources (feeds, folders of HTML/text/JSON
files), extracts entities and sentiment, links copies and rewrites of the same story
(within the batch and to earlier batches), audits the batch with Great Expectations and,
only if it passes, loads the DuckDB warehouse, rebuilds its marts and publishes the
read-only snapshot analysts open (`<stem>.published.duckdb` beside the warehouse).

One run = one data interval = one batch.  Tasks hand data to each other as Parquet
files in a run folder (only that folder's path goes through XCom).  Only what is new is
analysed: files of folder sources unchanged since they were loaded are not read again (the
folder manifest), articles loaded before with the same content are left out, and exact
copies of texts already enriched reuse that enrichment; the param `full_refresh` reads and
enriches everything again (after a model upgrade).  Enrichment is mapped
over partitions of the batch (`enrich_partition_size` articles each), so several workers
share a large batch; the partitions are merged before linking.  Re-running an
interval replaces its batch; the warehouse writers share the single-slot pool
`newsflow_warehouse`.  Configuration (sources, warehouse path) is read when tasks run:
`newsflow.yaml`, overridden by `NEWSFLOW_*` environment variables and the Airflow
Variable `newsflow_config` (JSON).  The schedule comes from `NEWSFLOW_SCHEDULE`
(default `@hourly`;
`none` for manual and API-triggered runs only).
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import Asset, Param, dag, task

from newsflow.airflow.assets import ingest_schedule, warehouse_task, warehouse_uri

WAREHOUSE = Asset(name="newsflow_warehouse", uri=warehouse_uri())


@dag(
    dag_id="newsflow_ingest",
    schedule=ingest_schedule(),
    start_date=pendulum.datetime(2024, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=2)},
    params={
        "full_refresh": Param(
            False,
            type="boolean",
            description="Read every file and enrich every article again (after a model or rule upgrade).",
        )
    },
    tags=["newsflow", "ingest"],
    doc_md=__doc__,
)
def newsflow_ingest():
    # One task per step of newsflow.pipeline.steps.STEPS, in that order (tests/dags checks it).
    @task
    def extract_articles(data_interval_start=None, data_interval_end=None, params=None) -> str:
        from dataclasses import replace

        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import BatchInfo, RunFolder
        from newsflow.pipeline.steps import extract_step

        config = replace(settings(), full_refresh=bool((params or {}).get("full_refresh")))
        run = RunFolder.for_batch(config, BatchInfo.for_interval(data_interval_start, data_interval_end))
        extract_step(config, run)
        return str(run.path)

    @task(**warehouse_task())  # reads what is loaded already
    def select_new_articles(run_dir: str, params=None) -> str:
        from dataclasses import replace

        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import select_new_step

        config = replace(settings(), full_refresh=bool((params or {}).get("full_refresh")))
        select_new_step(config, RunFolder(Path(run_dir)))
        return run_dir

    @task
    def partition_batch(run_dir: str) -> list[str]:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import partition_step

        return [str(part.path) for part in partition_step(settings(), RunFolder(Path(run_dir)))]

    @task
    def enrich_articles(partition_dir: str) -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import enrich_step

        enrich_step(settings(), RunFolder(Path(partition_dir)))
        return partition_dir

    @task
    def merge_partitions(run_dir: str, enriched: list[str]) -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import merge_step

        # Waits for every mapped enrich task; the partitions are read from the run folder.
        merge_step(settings(), RunFolder(Path(run_dir)))
        return run_dir

    @task(**warehouse_task())  # reads earlier batches from the warehouse
    def link_stories(run_dir: str) -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import link_step

        link_step(settings(), RunFolder(Path(run_dir)))
        return run_dir

    @task(**warehouse_task())
    def validate_batch(run_dir: str) -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import validate_step

        validate_step(settings(), RunFolder(Path(run_dir)))
        return run_dir

    @task(**warehouse_task())
    def load_batch(run_dir: str) -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import load_step

        load_step(settings(), RunFolder(Path(run_dir)))
        return run_dir

    @task(**warehouse_task(), outlets=[WAREHOUSE])
    def refresh_marts(run_dir: str) -> dict[str, int]:
        from newsflow.airflow.runtime import settings
        from newsflow.pipeline.run_folder import RunFolder
        from newsflow.pipeline.steps import refresh_step

        return refresh_step(settings(), RunFolder(Path(run_dir)))

    run_dir = select_new_articles(extract_articles())
    enriched = enrich_articles.expand(partition_dir=partition_batch(run_dir))
    refresh_marts(load_batch(validate_batch(link_stories(merge_partitions(run_dir, enriched)))))


newsflow_ingest()
