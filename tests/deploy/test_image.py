"""The Dockerfile: pinned to the Airflow of requirements.txt, and its files are enough for a real run.

Docker cannot run here, so the last test lays out NEWSFLOW_HOME exactly as the Dockerfile's
COPY lines and docker-compose.yml's sources mount do, in a temporary folder, and runs the
real newsflow_ingest DAG from it with the image's and the compose file's environment.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest

from newsflow.config import PROJECT_ROOT
from tests.deploy.files import DOCKERIGNORE, dockerfile_copies, dockerfile_env, dockerfile_instructions, load_compose
from tests.helpers import BATCH_FILES

LOGICAL_DATE = "2024-12-04T00:00:00+00:00"


def pinned(package: str, requirements: Path) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)$", requirements.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{package} is not pinned in {requirements.name}"
    return match[1]


def test_base_image_is_the_pinned_airflow_on_the_project_python():
    froms = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    assert len(froms) == 1
    match = re.fullmatch(r"apache/airflow:slim-(?P<airflow>[\d.]+)-python(?P<python>3\.\d+)", froms[0])
    assert match, froms[0]
    assert match["airflow"] == pinned("apache-airflow", PROJECT_ROOT / "requirements.txt")
    assert match["airflow"] == pinned("apache-airflow", PROJECT_ROOT / "constraints.txt")
    requires = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={match['python']},<3.{int(match['python'].split('.')[1]) + 1}"


def test_requirements_are_installed_at_build_time_with_airflow_held():
    runs = [args for instruction, args in dockerfile_instructions() if instruction == "RUN"]
    home = dockerfile_env()["NEWSFLOW_HOME"]
    install = f'pip install --no-cache-dir "apache-airflow==${{AIRFLOW_VERSION}}" -r {home}/requirements.txt'
    assert install in runs
    # requirements.txt brings constraints.txt with it, from the same folder.
    assert "-c constraints.txt" in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
    assert (["requirements.txt", "constraints.txt"], f"{home}/") in dockerfile_copies()


def test_build_context_holds_exactly_what_the_dockerfile_copies():
    patterns = [line for line in DOCKERIGNORE.read_text().splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*"  # an allow-list: nothing else reaches the build
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = {source for sources, _ in dockerfile_copies() for source in sources}
    assert allowed == copied
    for secret_or_state in (".env", ".venv", "var", "newsflow.duckdb", ".git", "tests"):
        assert not any(fnmatch.fnmatch(secret_or_state, pattern) for pattern in allowed), secret_or_state


def image_tree(root: Path) -> Path:
    """NEWSFLOW_HOME as the image has it, plus the compose sources mount, under ``root``."""
    home = dockerfile_env()["NEWSFLOW_HOME"]
    for sources, destination in dockerfile_copies():
        target = root / Path(destination).relative_to(home)
        for source in sources:
            path = PROJECT_ROOT / source
            dest = target / path.name if destination.endswith("/") else target
            if path.is_dir():
                shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
    sources_mount = [v for v in load_compose()["x-airflow-common"]["volumes"] if v.startswith("${NEWSFLOW_SOURCES_DIR")]
    assert sources_mount == ["${NEWSFLOW_SOURCES_DIR:-./data}:" + home + "/data:ro"]
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    return root


def test_files_the_compose_commands_run_are_in_the_image(tmp_path):
    root = image_tree(tmp_path / "newsflow")
    home = dockerfile_env()["NEWSFLOW_HOME"]
    services = load_compose()["services"]
    commands = " ".join(str(service.get(key, "")) for service in services.values() for key in ("entrypoint", "command"))
    scripts = set(re.findall(re.escape(home) + r"/[\w/.-]+\.py", commands))
    assert scripts == {f"{home}/deploy/check_env.py", f"{home}/deploy/simple_auth_passwords.py"}
    for script in scripts:
        assert (root / Path(script).relative_to(home)).is_file(), script


def container_env(root: Path, tmp_path: Path) -> dict[str, str]:
    """The image's ENV and the compose file's newsflow settings, /opt/newsflow mapped to ``root``."""
    home = dockerfile_env()["NEWSFLOW_HOME"]
    compose = load_compose()["x-airflow-common"]["environment"]
    settings = {key: value for key, value in compose.items() if key.startswith("NEWSFLOW_") and "${" not in value}
    env = {**dockerfile_env(), **settings, "NEWSFLOW_SCHEDULE": "none"}
    env = {key: value.replace(home, str(root)) for key, value in env.items()}
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        **env,
    }


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts}


@pytest.mark.e2e
def test_the_image_files_run_the_dag_with_the_compose_settings(tmp_path):
    root = image_tree(tmp_path / "newsflow")
    warehouse_dir = root / "warehouse"
    warehouse_dir.mkdir()
    code = files_under(root)
    env = container_env(root, tmp_path)
    assert env["NEWSFLOW_WAREHOUSE"] == str(warehouse_dir / "newsflow.duckdb")
    where = subprocess.run(
        [sys.executable, "-c", "import newsflow.config as c; print(c.__file__); print(c.PROJECT_ROOT)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.split() == [str(root / "plugins" / "newsflow" / "config.py"), str(root)]

    run = subprocess.run(
        [sys.executable, "-m", "newsflow", "run", "--logical-date", LOGICAL_DATE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    assert "articles loaded : 43 from 8 outlets" in run.stdout
    assert "quarantined     : 2" in run.stdout
    tables = len(BATCH_FILES)  # one suite per batch table
    assert f"validations     : {tables}/{tables} table checks passed" in run.stdout
    assert f"warehouse       : {env['NEWSFLOW_WAREHOUSE']}" in run.stdout
    with duckdb.connect(env["NEWSFLOW_WAREHOUSE"], read_only=True) as con:
        assert con.execute("select count(*) from staging.articles").fetchone() == (43,)
    # Everything written went to the warehouse volume; the read-only code tree is unchanged.
    written = files_under(root) - code
    assert written and all(path.startswith("warehouse/") for path in written), sorted(written)[:10]
    assert (warehouse_dir / "var" / "reports" / "index.html").exists()
