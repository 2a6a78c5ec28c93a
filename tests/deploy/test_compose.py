"""docker-compose.yml: valid for a real Compose implementation, and shaped the way newsflow needs.

The validity check runs Debian's ``docker-compose config`` (Compose 1.29, which validates the
file against its bundled Compose specification schema and interpolates ``${...}`` from an env
file); no Docker engine is needed.  The structural checks read the YAML itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from newsflow.airflow.assets import WAREHOUSE_POOL
from tests.deploy.files import (
    COMPOSE_FILE,
    COMPOSE_VARIABLE,
    ENV_EXAMPLE,
    SECRET_NAMES,
    dockerfile_env,
    env_example,
    good_env,
    load_compose,
)

COMPOSE = load_compose()
SERVICES = COMPOSE["services"]
COMMON = COMPOSE["x-airflow-common"]
ONE_SHOT = ("airflow-check-env", "airflow-init")
AIRFLOW_DAEMONS = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "flower",
)
SECRET_KEY = re.compile(r"PASSWORD$|SECRET|FERNET|_CONN$|BROKER_URL|RESULT_BACKEND|REDISCLI_AUTH")


def depends(service: str) -> dict[str, str]:
    """{dependency: condition} of one service."""
    return {name: spec["condition"] for name, spec in SERVICES[service].get("depends_on", {}).items()}


def healthcheck_command(service: str) -> str:
    return " ".join(SERVICES[service]["healthcheck"]["test"])


def test_the_airflow_services_run_one_image_with_one_environment_and_one_set_of_volumes():
    assert COMMON["build"] == "." and COMMON["image"].startswith("${NEWSFLOW_IMAGE:-")
    for name in (*AIRFLOW_DAEMONS, *ONE_SHOT):
        assert (SERVICES[name]["build"], SERVICES[name]["image"]) == (COMMON["build"], COMMON["image"]), name
        # All run as AIRFLOW_UID but airflow-init, which is root to chown the volumes.
        assert SERVICES[name]["user"] == ("0:0" if name == "airflow-init" else COMMON["user"]), name
    for name in (*AIRFLOW_DAEMONS, "airflow-init"):
        env = SERVICES[name]["environment"]
        assert {key: env.get(key) for key in COMMON["environment"]} == COMMON["environment"], name
        assert SERVICES[name]["volumes"] == COMMON["volumes"], name
    # The only additions: the API server's login, the worker's warm shutdown.
    extra = {name: set(SERVICES[name]["environment"]) - set(COMMON["environment"]) for name in AIRFLOW_DAEMONS}
    assert {name: keys for name, keys in extra.items() if keys} == {
        "airflow-apiserver": {
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
            "AIRFLOW_ADMIN_USERNAME",
            "AIRFLOW_ADMIN_PASSWORD",
        },
        "airflow-worker": {"DUMB_INIT_SETSID"},
    }


def test_every_long_running_service_restarts_and_has_a_healthcheck():
    daemons = [name for name in SERVICES if name not in ONE_SHOT]
    assert set(daemons) == {*AIRFLOW_DAEMONS, "postgres", "redis"}
    for name in daemons:
        assert SERVICES[name]["restart"] == "always", name
        assert SERVICES[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for name in ONE_SHOT:  # they exit when done; restarting them would loop
        assert "restart" not in SERVICES[name] and "healthcheck" not in SERVICES[name]


def test_healthchecks_probe_what_each_service_serves():
    assert healthcheck_command("airflow-apiserver") == "CMD curl --fail http://localhost:8080/api/v2/monitor/health"
    assert healthcheck_command("airflow-scheduler") == "CMD curl --fail http://localhost:8974/health"
    assert COMMON["environment"]["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    for name, job in (("airflow-dag-processor", "DagProcessorJob"), ("airflow-triggerer", "TriggererJob")):
        # $$ reaches the container as $: each container checks its own job, by its own hostname.
        assert healthcheck_command(name) == f'CMD-SHELL airflow jobs check --job-type {job} --hostname "$${{HOSTNAME}}"'
    worker = healthcheck_command("airflow-worker")
    assert "celery_executor.app inspect ping" in worker and '"celery@$${HOSTNAME}"' in worker
    assert "redis-cli ping" in healthcheck_command("redis")
    assert healthcheck_command("postgres") == "CMD pg_isready -U airflow -d airflow"


def test_start_order_check_then_database_then_init_then_airflow():
    assert depends("airflow-check-env") == {}
    for name in ("postgres", "redis"):
        assert depends(name) == {"airflow-check-env": "service_completed_successfully"}
    assert depends("airflow-init") == {
        "airflow-check-env": "service_completed_successfully",
        "postgres": "service_healthy",
    }
    for name in AIRFLOW_DAEMONS:
        assert depends(name)["airflow-init"] == "service_completed_successfully", name
        assert depends(name)["postgres"] == "service_healthy", name
    assert depends("airflow-worker")["redis"] == "service_healthy"
    # Every service waits, directly or not, for the check: nothing starts with a placeholder secret.
    for name in SERVICES:
        seen, todo = set(), [name]
        while todo:
            for dependency in depends(todo.pop()):
                assert dependency != name, f"dependency cycle through {name}"
                if dependency not in seen:
                    seen.add(dependency)
                    todo.append(dependency)
        assert name == "airflow-check-env" or "airflow-check-env" in seen, name


def test_init_migrates_creates_the_warehouse_pool_and_hands_volumes_to_airflow_uid():
    init = SERVICES["airflow-init"]
    script = init["command"][-1]
    steps = [line.strip() for line in script.splitlines() if line.strip()]
    assert steps[0] == "set -euo pipefail"
    assert "airflow db migrate" in steps
    assert f'airflow pools set {WAREHOUSE_POOL} 1 "newsflow: single warehouse writer"' in steps
    warehouse = next(target for target, (source, _) in mounts().items() if "newsflow-warehouse" in source)
    assert f'chown -R "${{AIRFLOW_UID:-50000}}:0" /opt/airflow/logs {warehouse}' in steps
    assert init["user"] == "0:0" and init["entrypoint"] == "/bin/bash"
    check = SERVICES["airflow-check-env"]
    assert check["entrypoint"] == ["python", "/opt/newsflow/deploy/check_env.py"]


def test_no_secret_is_written_in_the_file():
    envs = [COMMON["environment"], *(service.get("environment", {}) for service in SERVICES.values())]
    for env in envs:
        for key, value in env.items():
            if SECRET_KEY.search(key):
                assert "${" in str(value), f"{key} has a literal value: {value!r}"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in SECRET_NAMES:
        # Required everywhere it is used: ${NAME:?message}, never a default.
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses and all(use.startswith(":?") for use in uses), (name, uses)
    # Needed only with Celery (the check enforces it there), so it alone defaults to empty.
    assert set(re.findall(r"\$\{REDIS_PASSWORD[^}]*\}", text)) == {"${REDIS_PASSWORD:-}"}
    assert "airflow:airflow@" not in text


def test_executor_defaults_to_local_and_celery_is_a_profile():
    env = COMMON["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://:${REDIS_PASSWORD:-}@redis:6379/0"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://airflow:${POSTGRES_PASSWORD:?")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].endswith("}@postgres/airflow")
    profiles = {name: service.get("profiles") for name, service in SERVICES.items() if service.get("profiles")}
    assert profiles == {"redis": ["celery"], "airflow-worker": ["celery"], "flower": ["flower"]}
    assert SERVICES["airflow-worker"]["command"] == "celery worker"
    # A service of the default profile must not need one that only a profile starts.
    for name in SERVICES:
        if name not in profiles:
            assert not set(depends(name)) & set(profiles), name
    # Redis is reachable from the other containers only; its password comes from .env.
    assert "ports" not in SERVICES["redis"]
    assert SERVICES["redis"]["command"] == ["redis-server", "--requirepass", "${REDIS_PASSWORD:-}"]


# source:target[:mode], where the source may be ${VAR:-default} (colons inside the braces).
VOLUME = re.compile(r"^(?P<source>\$\{[^}]*\}|[^:]+):(?P<target>[^:]+)(?::(?P<mode>ro|rw))?$")


def mounts() -> dict[str, tuple[str, bool]]:
    """{target: (source, read_only)} of the Airflow services' volumes."""
    parsed = {}
    for volume in COMMON["volumes"]:
        match = VOLUME.match(volume)
        assert match, volume
        parsed[match["target"]] = (match["source"], match["mode"] == "ro")
    return parsed


def test_volumes_mount_code_read_only_and_the_warehouse_writable_under_newsflow_home():
    home = dockerfile_env()["NEWSFLOW_HOME"]
    mounted = mounts()
    for name in ("dags", "plugins", "sql", "expectations", "config", "newsflow.yaml"):
        source, read_only = mounted[f"{home}/{name}"]
        assert source == f"./{name}" and read_only, name
        assert (COMPOSE_FILE.parent / name).exists(), name
    assert mounted[f"{home}/data"] == ("${NEWSFLOW_SOURCES_DIR:-./data}", True)
    assert mounted[f"{home}/warehouse"] == ("${NEWSFLOW_WAREHOUSE_DIR:-newsflow-warehouse}", False)
    assert mounted["/opt/airflow/logs"] == ("airflow-logs", False)
    assert set(COMPOSE["volumes"]) == {"postgres-db", "newsflow-warehouse", "airflow-logs"}
    env = COMMON["environment"]
    assert env["NEWSFLOW_CONFIG"] == f"{home}/newsflow.yaml"
    assert Path(env["NEWSFLOW_WAREHOUSE"]).parent == Path(env["NEWSFLOW_VAR_DIR"]).parent == Path(f"{home}/warehouse")
    assert env["NEWSFLOW_WAREHOUSE_URI"] == "file://" + env["NEWSFLOW_WAREHOUSE"]
    assert env["NEWSFLOW_SCHEDULE"] == "${NEWSFLOW_SCHEDULE:-@hourly}"
    # The bundled config's sources resolve inside the read-only sources mount.
    sources = yaml.safe_load((COMPOSE_FILE.parent / "newsflow.yaml").read_text())["sources"]
    assert all(source["path"].startswith("data/") for source in sources if "path" in source)


def test_env_example_documents_exactly_the_variables_the_file_reads():
    used = set(COMPOSE_VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    documented = env_example()
    assert used == set(documented)
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), f"{line!r} has no comment above it"


# --- a real Compose implementation --------------------------------------------------------


def docker_compose(tmp_path, env: dict[str, str], *args: str, compose_file: Path = COMPOSE_FILE):
    """``docker-compose config`` on ``compose_file`` with ``env`` as its .env file, nothing else set."""
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "Debian's docker-compose is not installed (apt-get install docker-compose; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    command = [binary, "--project-directory", str(compose_file.parent), "-f", str(compose_file)]
    command += ["--env-file", str(env_file), "config", *args]
    return subprocess.run(
        command, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=120
    )


def test_docker_compose_accepts_the_file_and_interpolates_env(tmp_path):
    env = good_env(NEWSFLOW_WAREHOUSE_DIR="/srv/newsflow", NEWSFLOW_SCHEDULE="none")
    result = docker_compose(tmp_path, env)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    scheduler = config["services"]["airflow-scheduler"]
    assert scheduler["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert scheduler["environment"]["NEWSFLOW_SCHEDULE"] == "none"
    conn = scheduler["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert conn == f"postgresql+psycopg2://airflow:{env['POSTGRES_PASSWORD']}@postgres/airflow"
    assert "/srv/newsflow:/opt/newsflow/warehouse:rw" in scheduler["volumes"]
    api = config["services"]["airflow-apiserver"]
    assert api["ports"] == ["127.0.0.1:8080:8080/tcp"]
    assert api["environment"]["AIRFLOW_ADMIN_PASSWORD"] == env["AIRFLOW_ADMIN_PASSWORD"]
    dag_processor = config["services"]["airflow-dag-processor"]["healthcheck"]["test"][1]
    assert '--hostname "$${HOSTNAME}"' in dag_processor  # still escaped: the container expands it
    init = config["services"]["airflow-init"]["command"][-1]
    assert 'chown -R "50000:0"' in init


def test_docker_compose_with_the_celery_profile(tmp_path):
    redis_password = good_env()["POSTGRES_PASSWORD"]
    env = good_env(AIRFLOW_EXECUTOR="CeleryExecutor", COMPOSE_PROFILES="celery,flower", REDIS_PASSWORD=redis_password)
    result = docker_compose(tmp_path, env)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    worker = services["airflow-worker"]
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert worker["environment"]["AIRFLOW__CELERY__BROKER_URL"] == f"redis://:{redis_password}@redis:6379/0"
    assert services["redis"]["command"] == ["redis-server", "--requirepass", redis_password]
    assert services["redis"]["environment"]["REDISCLI_AUTH"] == redis_password
    services_listed = docker_compose(tmp_path, env, "--services")
    assert {"redis", "airflow-worker", "flower"} <= set(services_listed.stdout.split())


def test_docker_compose_refuses_a_missing_secret_and_a_mistyped_key(tmp_path):
    env = good_env()
    del env["AIRFLOW_JWT_SECRET"]
    result = docker_compose(tmp_path, env)
    assert result.returncode != 0
    assert "set AIRFLOW_JWT_SECRET in .env (see .env.example)" in result.stderr
    # The schema check is real: one misspelt key fails the whole file.
    broken = tmp_path / "project" / "docker-compose.yml"
    broken.parent.mkdir()
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("    healthcheck:\n", "    healtcheck:\n", 1))
    result = docker_compose(tmp_path, good_env(), compose_file=broken)
    assert result.returncode != 0
    assert "Unsupported config option for services.postgres: 'healtcheck'" in result.stderr
