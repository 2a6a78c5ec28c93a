"""deploy/simple_auth_passwords.py writes the file Airflow's real SimpleAuthManager logs in with."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from tests.deploy.files import AUTH_PASSWORDS, load_compose, run_script

PASSWORDS_VAR = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
# In a fresh interpreter: what the API server does at start (init), then what login reads.
AUTH_MANAGER_START = """
import json
from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
manager = SimpleAuthManager()
manager.init()
print(json.dumps(manager.get_passwords()))
"""


def write(path, username: str | None, password: str) -> subprocess.CompletedProcess:
    env = {PASSWORDS_VAR: str(path), "AIRFLOW_ADMIN_PASSWORD": password}
    if username is not None:
        env["AIRFLOW_ADMIN_USERNAME"] = username
    return run_script(AUTH_PASSWORDS, env)


def start_auth_manager(tmp_path, passwords_file, users: str) -> tuple[dict[str, str], str]:
    """Run SimpleAuthManager.init() as the API server would; returns its passwords and what it logged."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": users,
        PASSWORDS_VAR: str(passwords_file),
        "GX_ANALYTICS_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", AUTH_MANAGER_START], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    *logged, passwords = result.stdout.strip().splitlines()
    return json.loads(passwords), "\n".join(logged) + result.stderr


def test_writes_the_admin_password_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "auth" / "passwords.json"
    assert write(path, "ops", "first-password-value").returncode == 0
    assert json.loads(path.read_text()) == {"ops": "first-password-value"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A restart with a new password in .env replaces the old one, and only the configured user remains.
    assert write(path, None, 'second "password" \\ value').returncode == 0
    assert json.loads(path.read_text()) == {"admin": 'second "password" \\ value'}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["passwords.json"]


def test_refuses_to_write_without_a_password(tmp_path):
    path = tmp_path / "passwords.json"
    result = write(path, "admin", "")
    assert result.returncode == 1
    assert "AIRFLOW_ADMIN_PASSWORD" in result.stderr
    assert not path.exists()


def test_real_simple_auth_manager_uses_the_written_password_and_generates_none(tmp_path):
    ours = tmp_path / "ours.json"
    assert write(ours, "admin", "the-password-from-dot-env").returncode == 0
    passwords, output = start_auth_manager(tmp_path, ours, "admin:admin")
    assert passwords == {"admin": "the-password-from-dot-env"}
    assert "the-password-from-dot-env" not in output
    assert "Password for user" not in output
    # Without the file, the same start generates a random password and prints it to the logs.
    generated, output = start_auth_manager(tmp_path, tmp_path / "absent.json", "admin:admin")
    assert set(generated) == {"admin"} and generated["admin"] != "the-password-from-dot-env"
    assert f"Password for user 'admin': {generated['admin']}" in output


def test_compose_gives_the_auth_manager_and_the_script_the_same_user():
    api = load_compose()["services"]["airflow-apiserver"]
    env = api["environment"]
    username = env["AIRFLOW_ADMIN_USERNAME"]
    assert username == "${AIRFLOW_ADMIN_USERNAME:-admin}"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == f"{username}:admin"
    assert env["AIRFLOW_ADMIN_PASSWORD"].startswith("${AIRFLOW_ADMIN_PASSWORD:?")
    assert env[PASSWORDS_VAR].startswith("/opt/airflow/")  # AIRFLOW_HOME: writable by AIRFLOW_UID's group 0
    script = "/opt/newsflow/deploy/" + AUTH_PASSWORDS.name
    assert api["command"][-1] == f"python {script} && exec airflow api-server"
