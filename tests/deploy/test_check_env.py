"""deploy/check_env.py, run as the airflow-check-env container runs it, with good and bad settings."""

from __future__ import annotations

import base64
import os
import secrets

import pytest
from cryptography.fernet import Fernet

from tests.deploy.files import CHECK_ENV, SECRET_NAMES, env_example, good_env, run_script


def refusals(env: dict[str, str]) -> list[str]:
    """The problem lines the check prints; asserts it exits 1 exactly when there are some."""
    result = run_script(CHECK_ENV, env)
    lines = [line.removeprefix("  - ") for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert result.returncode == (1 if lines else 0), result.stderr
    return lines


def test_generated_secrets_pass():
    result = run_script(CHECK_ENV, good_env())
    assert result.returncode == 0, result.stderr
    assert "secrets set" in result.stdout


def test_env_example_as_shipped_is_refused_for_every_secret():
    lines = refusals(env_example())
    assert "refusing to start" in run_script(CHECK_ENV, env_example()).stderr
    for name in SECRET_NAMES:
        assert [line for line in lines if line.startswith(name)], f"{name} not refused: {lines}"
    assert any("still a placeholder ('<generate-a-secret>')" in line for line in lines)


@pytest.mark.parametrize("name", [name for name in SECRET_NAMES if name != "AIRFLOW_FERNET_KEY"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "is not set"),
        ("<your password here>", "placeholder"),
        ("changeme-changeme-changeme", "placeholder"),
        ("airflow", "well-known default"),
        ("Admin", "well-known default"),
        ("k3Jq9-short", "too short"),
    ],
)
def test_each_secret_refuses_empty_placeholder_weak_and_short_values(name, value, reason):
    lines = refusals(good_env(**{name: value}))
    assert len(lines) == 1, lines
    assert lines[0].startswith(name), lines
    assert reason in lines[0], lines


def test_jwt_secret_is_as_long_as_the_hs512_hash():
    lines = refusals(good_env(AIRFLOW_JWT_SECRET=secrets.token_urlsafe(32)))
    assert lines == [lines[0]] and lines[0].startswith("AIRFLOW_JWT_SECRET is too short (43 bytes, at least 64)")
    assert refusals(good_env(AIRFLOW_JWT_SECRET=secrets.token_hex(32))) == []  # 64 bytes
    # The other secrets need 16.
    assert refusals(good_env(AIRFLOW_API_SECRET_KEY=secrets.token_hex(8))) == []


def test_unset_secret_is_refused_like_an_empty_one():
    env = good_env()
    del env["AIRFLOW_JWT_SECRET"]
    assert refusals(env)[0].startswith("AIRFLOW_JWT_SECRET is not set")


def test_database_password_must_fit_in_a_connection_url():
    lines = refusals(good_env(POSTGRES_PASSWORD="p@ss/word:with#url-syntax"))
    assert len(lines) == 1 and "connection URL" in lines[0]
    # The other secrets are not in URLs: any characters go.
    assert refusals(good_env(AIRFLOW_JWT_SECRET="p@ss/word:with#url-syntax" * 3)) == []


def test_fernet_key_is_checked_like_cryptography_checks_it():
    valid = Fernet.generate_key().decode()
    assert refusals(good_env(AIRFLOW_FERNET_KEY=valid)) == []
    not_32_bytes = base64.urlsafe_b64encode(os.urandom(24)).decode()
    not_base64 = "*" * 44
    for bad in (not_32_bytes, not_base64, "<generate-a-fernet-key>"):
        with pytest.raises(ValueError):
            Fernet(bad)
        lines = refusals(good_env(AIRFLOW_FERNET_KEY=bad))
        assert len(lines) == 1 and lines[0].startswith("AIRFLOW_FERNET_KEY is not a Fernet key"), lines
    assert refusals(good_env(AIRFLOW_FERNET_KEY=""))[0].startswith("AIRFLOW_FERNET_KEY is not set")


def test_reused_secret_is_refused():
    env = good_env()
    env["AIRFLOW_API_SECRET_KEY"] = env["AIRFLOW_JWT_SECRET"]
    assert refusals(env) == ["two secrets have the same value; generate each one separately"]


def test_every_problem_is_reported_at_once():
    lines = refusals(good_env(POSTGRES_PASSWORD="", AIRFLOW_ADMIN_PASSWORD="airflow", AIRFLOW_EXECUTOR="Sequential"))
    assert [line.split()[0] for line in lines] == ["POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_EXECUTOR"]


def test_celery_executor_needs_the_profile_and_a_redis_password():
    redis = {"REDIS_PASSWORD": good_env()["POSTGRES_PASSWORD"] + "r"}
    assert refusals(good_env(AIRFLOW_EXECUTOR="CeleryExecutor", COMPOSE_PROFILES="celery", **redis)) == []
    assert refusals(good_env(AIRFLOW_EXECUTOR="CeleryExecutor", COMPOSE_PROFILES="flower, celery", **redis)) == []
    no_profile = refusals(good_env(AIRFLOW_EXECUTOR="CeleryExecutor", **redis))
    assert no_profile == ["AIRFLOW_EXECUTOR=CeleryExecutor needs COMPOSE_PROFILES=celery (Redis and the workers)"]
    no_password = refusals(good_env(AIRFLOW_EXECUTOR="CeleryExecutor", COMPOSE_PROFILES="celery"))
    assert len(no_password) == 1 and no_password[0].startswith("REDIS_PASSWORD is not set")
    bad_password = refusals(
        good_env(AIRFLOW_EXECUTOR="CeleryExecutor", COMPOSE_PROFILES="celery", REDIS_PASSWORD="redis")
    )
    assert len(bad_password) == 1 and "well-known default" in bad_password[0]


def test_local_executor_ignores_the_redis_password_but_refuses_idle_workers():
    assert refusals(good_env(AIRFLOW_EXECUTOR="LocalExecutor", REDIS_PASSWORD="")) == []
    assert refusals(good_env(AIRFLOW_EXECUTOR="", COMPOSE_PROFILES="")) == []  # empty means the default
    assert refusals(good_env(COMPOSE_PROFILES="celery")) == [
        "COMPOSE_PROFILES=celery starts Celery workers: set AIRFLOW_EXECUTOR=CeleryExecutor too"
    ]
    assert "needs the celery profile" in refusals(good_env(COMPOSE_PROFILES="flower"))[0]
