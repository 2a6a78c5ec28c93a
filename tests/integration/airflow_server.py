"""A real Airflow deployment for tests: PostgreSQL metadata DB, server processes, REST API v2 client.

Everything here runs real components on the machine's services (PostgreSQL on 127.0.0.1:5432,
Redis on 127.0.0.1:6379); nothing is mocked.  Processes get their own process groups so that
teardown can end them and every child they forked (executor workers, Celery pool processes).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg2
from psycopg2 import sql

from newsflow.config import PROJECT_ROOT

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
API_USER = "newsflow_it"
T = TypeVar("T")


class DeploymentError(AssertionError):
    """A step of the deployment failed; the message carries the evidence (states, log tails)."""


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_execute(statement: sql.Composed) -> None:
    """Run one statement on the server's ``postgres`` database, outside a transaction
    (CREATE/DROP DATABASE cannot run inside one)."""
    con = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(statement)
    finally:
        con.close()


@contextmanager
def postgres_database(prefix: str = "newsflow_it") -> Iterator[str]:
    """Create a fresh, uniquely named database; drop it (and its connections) afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    _admin_execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        # FORCE: a killed scheduler may leave connections the server has not yet noticed.
        _admin_execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def postgres_url(database: str, driver: str = "postgresql+psycopg2") -> str:
    return f"{driver}://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


@dataclass
class Service:
    """One long-running Airflow process (the leader of its own process group)."""

    name: str
    process: subprocess.Popen
    log: Path


@dataclass
class Deployment:
    """Airflow processes sharing one environment; started and stopped as a unit."""

    home: Path
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run one `airflow ...` command to completion; fail with its output."""
        result = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            output = f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            raise DeploymentError(f"`airflow {' '.join(args)}` exited {result.returncode}:\n{output}")
        return result

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> Service:
        """Start `airflow <args>` in its own session, output to ``<home>/<name>.log``; ``env``
        adds to the deployment's environment for this process only."""
        log = self.home / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env={**self.env, **(env or {})},
                cwd=self.home,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def check_alive(self) -> None:
        """Fail at once, with its log, if a server process has exited."""
        for service in self.services:
            code = service.process.poll()
            if code is not None:
                raise DeploymentError(f"{service.name} exited with {code}\n{self.log_tails()}")

    def stop(self, grace_s: float = 30) -> None:
        """SIGTERM every process group, wait for the leaders, then SIGKILL whatever is left."""
        for service in reversed(self.services):
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Children (executor workers, pool processes) may outlive a leader that exited.
            _signal_group(service.process, signal.SIGKILL)
            service.process.wait(timeout=10)

    def log_tails(self, lines: int = 40) -> str:
        return "\n".join(f"----- {s.name} ({s.log}) -----\n{tail(s.log, lines)}" for s in self.services)

    def task_log_tails(self, task_ids: set[str], lines: int = 60) -> str:
        """Tails of the named tasks' own logs (``$AIRFLOW_HOME/logs/dag_id=.../task_id=<id>/...``)."""
        logs = Path(self.env["AIRFLOW_HOME"]) / "logs"
        paths = sorted(p for task_id in task_ids for p in logs.glob(f"**/task_id={task_id}/**/*.log"))
        return "\n".join(f"----- task log {p.relative_to(logs)} -----\n{tail(p, lines)}" for p in paths)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)  # start_new_session: the group id is the leader's pid
    except ProcessLookupError:
        pass


def airflow_environment(
    home: Path,
    database: str,
    api_port: int,
    warehouse: Path,
    var_dir: Path,
    executor: str = "LocalExecutor",
) -> dict[str, str]:
    """Environment shared by every Airflow process of one deployment (no inherited AIRFLOW__/NEWSFLOW_
    but the test session's cache folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_"))}
    passwords = home / "passwords.json"
    env.update(
        AIRFLOW_HOME=str(home / "airflow"),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgres_url(database),
        AIRFLOW__CORE__EXECUTOR=executor,
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_ROOT / "dags"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(PROJECT_ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__AUTH_MANAGER="airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{API_USER}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(64),  # >= 64 bytes for HS512,
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{api_port}/",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        # Tests run side by side on one machine: the task-log server must not take the fixed 8793.
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        NEWSFLOW_SCHEDULE="none",
        NEWSFLOW_HOME=str(PROJECT_ROOT),
        NEWSFLOW_WAREHOUSE=str(warehouse),
        NEWSFLOW_VAR_DIR=str(var_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT / "plugins"), os.environ.get("PYTHONPATH")])),
        GX_ANALYTICS_ENABLED="false",
    )
    if executor == "CeleryExecutor":
        # Task outcomes go to the same test database (celery_taskmeta).  The driver is named because
        # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, which is not installed.
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = postgres_url(database, driver="db+postgresql+psycopg2")
    if os.environ.get("NEWSFLOW_CACHE_DIR"):  # the test session's (tests/conftest.py): what can be rebuilt
        env["NEWSFLOW_CACHE_DIR"] = os.environ["NEWSFLOW_CACHE_DIR"]
    (home / "airflow").mkdir(parents=True, exist_ok=True)
    return env


def write_password(env: dict[str, str]) -> str:
    """Give the SimpleAuthManager user a password generated now (the file it reads, mode 0600)."""
    password = secrets.token_urlsafe(24)
    path = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({API_USER: password}, out)
    return password


def wait_for(
    what: str, probe: Callable[[], T | None], deployment: Deployment, timeout_s: float, every_s: float = 1.0
) -> T:
    """Poll ``probe`` until it returns a value; fail with the log tails on timeout or a dead process."""
    deadline = time.monotonic() + timeout_s
    while True:
        deployment.check_alive()
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise DeploymentError(f"timed out after {timeout_s:.0f} s waiting for {what}\n{deployment.log_tails()}")
        time.sleep(every_s)


class RestClient:
    """The Airflow REST API v2 over plain HTTP, authenticated with a JWT from ``POST /auth/token``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                return exc.code, json.loads(payload)
            except ValueError:
                return exc.code, payload.decode(errors="replace")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
        status, payload = self.request(method, path, body)
        if status != expect:
            raise DeploymentError(f"{method} {path} -> {status} (expected {expect}): {payload}")
        return payload

    def is_up(self) -> bool:
        try:
            return self.request("GET", "/api/v2/monitor/health")[0] == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def login(self, username: str, password: str) -> None:
        reply = self.call("POST", "/auth/token", {"username": username, "password": password}, expect=201)
        self.token = reply["access_token"]


def redis_cleanup(db: int, queue: str) -> None:
    """Remove the per-test queue's keys from the shared Redis (kombu's list and binding tables).

    The queue name is unique to one test, so every key containing it is this test's; kombu's key
    names vary between versions (``_kombu.binding.<q>``, ``_kombu.binding_permanent.<q>``).
    """
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


DAG_ID = "newsflow_ingest"
WAREHOUSE_POOL = "newsflow_warehouse"
FAILED_STATES = {"failed", "up_for_retry", "upstream_failed"}


@dataclass
class DagRunResult:
    """A finished run: its id, trigger->success wall time and its task instances (REST payloads)."""

    run_id: str
    seconds: float
    task_instances: list[dict[str, Any]]


@contextmanager
def running_airflow(
    tmp: Path,
    executor: str = "LocalExecutor",
    extra_env: dict[str, str] | None = None,
    workers: dict[str, list[str]] | None = None,
) -> Iterator[tuple[Deployment, RestClient]]:
    """A migrated PostgreSQL-backed Airflow with scheduler, dag-processor and api-server running.

    ``workers``: name -> arguments of more `airflow ...` processes (Celery workers; each gets a
    task-log server port of its own, as on separate machines).  Yields once the
    API answers, the client holds a JWT and ``newsflow_ingest`` is parsed and unpaused.
    """
    with postgres_database() as database:
        api_port = free_port()
        env = airflow_environment(
            tmp, database, api_port, warehouse=tmp / "warehouse.duckdb", var_dir=tmp / "var", executor=executor
        )
        env.update(extra_env or {})
        deployment = Deployment(tmp, env)
        password = write_password(env)
        try:
            deployment.cli("db", "migrate")
            deployment.cli("pools", "set", WAREHOUSE_POOL, "1", "newsflow: single warehouse writer")
            deployment.start("api-server", "api-server")
            deployment.start("dag-processor", "dag-processor")
            deployment.start("scheduler", "scheduler")
            for name, args in (workers or {}).items():
                deployment.start(name, *args, env={"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())})
            client = RestClient(f"http://127.0.0.1:{api_port}")
            wait_for("the api-server", lambda: client.is_up() or None, deployment, timeout_s=120)
            client.login(API_USER, password)
            wait_for(f"{DAG_ID} to be parsed", lambda: _parsed_dag(client), deployment, timeout_s=180)
            client.call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
            yield deployment, client
        finally:
            deployment.stop()


def _parsed_dag(client: RestClient) -> dict[str, Any] | None:
    status, payload = client.request("GET", f"/api/v2/dags/{DAG_ID}")
    if status == 200:
        return payload
    errors = client.call("GET", "/api/v2/importErrors")
    if errors.get("total_entries"):
        raise DeploymentError(f"{DAG_ID} does not import: {errors['import_errors']}")
    return None


def task_instances(client: RestClient, run_id: str) -> list[dict[str, Any]]:
    reply = client.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")
    return reply["task_instances"]


def trigger_and_wait(
    client: RestClient, deployment: Deployment, logical_date: str, timeout_s: float = 900
) -> DagRunResult:
    """Trigger one run through the REST API and wait for success; fail fast on any failed attempt."""
    started = time.monotonic()
    run = client.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": logical_date})
    run_id = run["dag_run_id"]

    def finished() -> str | None:
        state = client.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
        tis = task_instances(client, run_id)
        # A failed attempt would be retried minutes later (retry_delay); it is a failure now.
        if state == "failed" or any(ti["state"] in FAILED_STATES for ti in tis):
            states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in tis}
            failed = {ti["task_id"] for ti in tis if ti["state"] in FAILED_STATES}
            raise DeploymentError(
                f"run {run_id} is {state}; task states {states}\n"
                f"{deployment.task_log_tails(failed)}\n{deployment.log_tails(60)}"
            )
        return state if state == "success" else None

    wait_for(f"run {run_id} to succeed", finished, deployment, timeout_s=timeout_s)
    seconds = time.monotonic() - started
    return DagRunResult(run_id, seconds, task_instances(client, run_id))
