"""One DagBag for the whole session, parsed with Airflow pointed at a temporary home."""

from __future__ import annotations

import os
import tempfile

import pytest

from newsflow.config import PROJECT_ROOT
from tests.helpers import DAGS_DIR

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="newsflow-airflow-"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(PROJECT_ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))
