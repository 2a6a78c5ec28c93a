"""Refuse to start the stack with missing, placeholder or weak secrets, or a mismatched executor.

Run by the compose service ``airflow-check-env`` before PostgreSQL, Redis and Airflow start
(PostgreSQL keeps the password it was first started with, so a placeholder must never reach
it).  Reads the variables of ``.env.example`` from the environment; prints one line per
problem and exits 1, or confirms in one line and exits 0.  Standard library only, so it
needs nothing from the image but Python and no database.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sys
from collections.abc import Mapping

# The secrets every deployment needs, with what they protect (for the error message).
SECRETS = {
    "POSTGRES_PASSWORD": "the PostgreSQL metadata database",
    "AIRFLOW_JWT_SECRET": "the tokens Airflow components and tasks authenticate with",
    "AIRFLOW_API_SECRET_KEY": "the API server's sessions and worker log requests",
    "AIRFLOW_ADMIN_PASSWORD": "the Airflow UI admin login",
}
CELERY_SECRETS = {"REDIS_PASSWORD": "the Redis broker of the Celery workers"}
FERNET_KEY = "AIRFLOW_FERNET_KEY"
# Embedded in connection URLs (postgresql://airflow:PASSWORD@..., redis://:PASSWORD@...) without
# escaping, so they must not contain URL syntax; hex or token_urlsafe output always fits.
URL_SAFE = {"POSTGRES_PASSWORD", "REDIS_PASSWORD"}
URL_SAFE_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
MIN_LENGTH = 16
# Airflow signs tokens with HS512 when jwt_secret is set: a key shorter than the 64-byte hash
# is one PyJWT warns about as insecure.
MIN_LENGTHS = {"AIRFLOW_JWT_SECRET": 64}
WEAK_VALUES = {"airflow", "admin", "password", "secret", "postgres", "redis", "changeme", "default", "test"}
PLACEHOLDER_MARKERS = ("change-me", "changeme", "change_me", "replace-me", "placeholder", "example")
EXECUTORS = ("LocalExecutor", "CeleryExecutor")
GENERATE_HINT = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(64))"'
FERNET_HINT = (
    'generate one with: python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


def secret_problem(name: str, value: str) -> str | None:
    """Why ``value`` is not acceptable as the secret ``name``, or None if it is."""
    if not value:
        return f"{name} is not set"
    lowered = value.lower()
    if value.startswith("<") or value.endswith(">") or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return f"{name} is still a placeholder ({value!r})"
    if lowered in WEAK_VALUES:
        return f"{name} is a well-known default ({value!r})"
    minimum = MIN_LENGTHS.get(name, MIN_LENGTH)
    if len(value.encode("utf-8")) < minimum:
        return f"{name} is too short ({len(value.encode('utf-8'))} bytes, at least {minimum})"
    if name in URL_SAFE and not URL_SAFE_CHARS.fullmatch(value):
        return f"{name} may only contain letters, digits and . _ ~ - (it is part of a connection URL)"
    return None


def fernet_problem(value: str) -> str | None:
    """Why ``value`` is not a Fernet key (32 random bytes, URL-safe base64), or None."""
    if not value:
        return f"{FERNET_KEY} is not set; {FERNET_HINT}"
    try:
        key = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        return f"{FERNET_KEY} is not a Fernet key (32 bytes, URL-safe base64); {FERNET_HINT}"
    return None


def executor_problems(env: Mapping[str, str]) -> list[str]:
    """The executor and the compose profiles must agree: Celery needs workers, workers need Celery."""
    executor = env.get("AIRFLOW_EXECUTOR") or "LocalExecutor"
    profiles = {p.strip() for p in env.get("COMPOSE_PROFILES", "").split(",") if p.strip()}
    if executor not in EXECUTORS:
        return [f"AIRFLOW_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {executor!r}"]
    if executor == "CeleryExecutor" and "celery" not in profiles:
        return ["AIRFLOW_EXECUTOR=CeleryExecutor needs COMPOSE_PROFILES=celery (Redis and the workers)"]
    if executor == "LocalExecutor" and "celery" in profiles:
        return ["COMPOSE_PROFILES=celery starts Celery workers: set AIRFLOW_EXECUTOR=CeleryExecutor too"]
    if "flower" in profiles and "celery" not in profiles:
        return ["COMPOSE_PROFILES=flower needs the celery profile too (Flower watches the Celery workers)"]
    return []


def problems(env: Mapping[str, str]) -> list[str]:
    """Every reason not to start, one line each; empty when the environment is fit to run."""
    found = []
    secrets = dict(SECRETS)
    if (env.get("AIRFLOW_EXECUTOR") or "LocalExecutor") == "CeleryExecutor":
        secrets |= CELERY_SECRETS
    for name, purpose in secrets.items():
        problem = secret_problem(name, env.get(name, ""))
        if problem:
            found.append(f"{problem}: it protects {purpose}; {GENERATE_HINT}")
    fernet = fernet_problem(env.get(FERNET_KEY, ""))
    if fernet:
        found.append(fernet)
    # One leaked value must not open everything: each secret is generated on its own.
    values = [env[name] for name in [*secrets, FERNET_KEY] if env.get(name)]
    if len(set(values)) < len(values):
        found.append("two secrets have the same value; generate each one separately")
    return found + executor_problems(env)


def main() -> int:
    found = problems(os.environ)
    if not found:
        print("newsflow: environment checked, secrets set")
        return 0
    print("newsflow: refusing to start; fix these in .env (see .env.example and docs/deploy.md):", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
