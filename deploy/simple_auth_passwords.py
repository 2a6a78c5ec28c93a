"""Write the SimpleAuthManager passwords file from the environment, then the API server starts.

Airflow's SimpleAuthManager keeps ``{"user": "password"}`` in the JSON file named by
``AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE`` and generates (and logs) a random
password for any configured user missing from it.  Writing the file from
``AIRFLOW_ADMIN_USERNAME`` / ``AIRFLOW_ADMIN_PASSWORD`` at every start makes ``.env`` the one
place the password is set: nothing is generated, nothing is logged, and changing ``.env``
and restarting the API server changes the password.  Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PASSWORDS_FILE_VAR = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"


def write_passwords(path: Path, username: str, password: str) -> None:
    """Replace ``path`` with ``{username: password}``, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    # Created 0600 before the password is written, then renamed: never readable by others, never half-written.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(json.dumps({username: password}) + "\n")
    os.chmod(partial, 0o600)  # an existing .partial keeps its old mode through O_CREAT
    partial.replace(path)


def main() -> int:
    path = os.environ.get(PASSWORDS_FILE_VAR, "")
    username = os.environ.get("AIRFLOW_ADMIN_USERNAME") or "admin"
    password = os.environ.get("AIRFLOW_ADMIN_PASSWORD", "")
    if not path or not password:
        print(f"newsflow: {PASSWORDS_FILE_VAR} and AIRFLOW_ADMIN_PASSWORD must both be set", file=sys.stderr)
        return 1
    write_passwords(Path(path), username, password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
