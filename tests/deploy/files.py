"""The deployment files as the deploy tests read them, and a valid environment for them."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from newsflow.config import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
CHECK_ENV = PROJECT_ROOT / "deploy" / "check_env.py"
AUTH_PASSWORDS = PROJECT_ROOT / "deploy" / "simple_auth_passwords.py"
SECRET_NAMES = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
    "AIRFLOW_FERNET_KEY",
)
# Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}, ...; $$ is a literal dollar.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def load_compose() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and << merges resolved, ${...} left as written)."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    """The KEY=VALUE lines of .env.example, in order."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def good_env(**overrides: str) -> dict[str, str]:
    """.env.example with every secret freshly generated the way .env.example says."""
    env = env_example()
    for name in SECRET_NAMES:
        env[name] = secrets.token_urlsafe(64)
    env["AIRFLOW_FERNET_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    env.update(overrides)
    return env


def run_script(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run one of deploy/*.py the way its container does: a fresh interpreter, only ``env`` set."""
    return subprocess.run(
        [sys.executable, str(script)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def dockerfile_env() -> dict[str, str]:
    """The image's ENV settings."""
    env = {}
    for instruction, args in dockerfile_instructions():
        if instruction == "ENV":
            env.update(pair.split("=", 1) for pair in args.split())
    return env


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY, sources relative to the build context."""
    copies = []
    for instruction, args in dockerfile_instructions():
        if instruction == "COPY":
            *sources, destination = args.split()
            copies.append((sources, destination))
    return copies
