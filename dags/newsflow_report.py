"""
### newsflow_report

Builds the static HTML coverage report of the newsflow warehouse (attention over time,
share of voice, tone by outlet, trending entities, data-quality status with a link to
the GX Data Docs) whenever `newsflow_ingest` updates the Asset `newsflow_warehouse`:
reports run on data, not on a clock.

The page is one self-contained file, `<var_dir>/reports/index.html`, that works offline
(the Vega JavaScript is inlined).  The task reads the read-only snapshot that
`refresh_marts` publishes before it updates the Asset, as analysts do; it runs in the
single-slot pool `newsflow_warehouse` so that, before any snapshot exists, reading the
warehouse itself never meets a writer's lock.  Configuration is read when the
task runs: `newsflow.yaml`, `NEWSFLOW_*` environment variables and the Airflow Variable
`newsflow_config` (JSON).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from newsflow.airflow.assets import warehouse_task, warehouse_uri


@dag(
    dag_id="newsflow_report",
    schedule=[Asset(name="newsflow_warehouse", uri=warehouse_uri())],
    start_date=pendulum.datetime(2024, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=1)},
    tags=["newsflow", "reports"],
    doc_md=__doc__,
)
def newsflow_report():
    @task(**warehouse_task())
    def build_report() -> str:
        from newsflow.airflow.runtime import settings
        from newsflow.report import build_report

        config = settings()
        path = build_report(
            config.reader_path,
            config.report_dir,
            data_docs=config.data_docs_index,
            cache_dir=config.cache_dir,
        )
        return str(path)

    build_report()


newsflow_report()
