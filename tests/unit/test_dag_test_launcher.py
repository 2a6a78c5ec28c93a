"""The launcher `newsflow run` starts `airflow dags test` with (newsflow.airflow.dag_test):
Airflow's command line unchanged, its exit code and output kept, the exit handlers run,
and the process ended without the interpreter's teardown."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

from tests.helpers import PROJECT_ROOT


def launch(*argv: str, before: str = "") -> subprocess.CompletedProcess:
    code = "\n".join(
        [
            "import sys",
            before,
            f"sys.argv = ['dag_test', *{list(argv)!r}]",
            "from newsflow.airflow.dag_test import main",
            "main()",
        ]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT / "plugins"), str(PROJECT_ROOT)])}
    command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_the_launcher_runs_airflow_and_keeps_its_output_exit_code_and_exit_handlers():
    # A handler registered before Airflow runs, and one object whose teardown would print:
    # the first must run (logging's flush is such a handler), the second is what is skipped.
    before = (
        "import atexit\n"
        "atexit.register(print, 'exit handler ran')\n"
        "class Noisy:\n"
        "    def __del__(self):\n"
        "        print('torn down')\n"
        "kept = Noisy()"
    )
    done = launch("version", before=before)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0].strip() == version("apache-airflow")
    assert "exit handler ran" in done.stdout
    assert "torn down" not in done.stdout


def test_a_failing_airflow_command_keeps_its_exit_code_and_message():
    done = launch("dags", "no-such-subcommand")
    assert done.returncode == 2  # argparse's usage error, as `airflow` itself exits
    assert "invalid choice" in done.stderr
