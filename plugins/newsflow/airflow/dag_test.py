"""``airflow dags test`` for ``newsflow run``, with a process that ends when the run does.

A process that has run the whole DAG holds over a million Python objects (the dbt
manifest, the GX context, spaCy's model, the task modules); once the DAG run is over and
every result is written, the interpreter's own teardown frees them one by one, which
measured 5 s on the 2-core machine, after Airflow had printed "DagRun Finished".  This
entry point runs Airflow's command line unchanged, then what a normal exit runs that has
an effect outside the process (the ``atexit`` handlers: logging's flush, multiprocessing's
clean-up, Airflow's own), flushes the standard streams and ends with :func:`os._exit`,
skipping only the freeing of memory the operating system takes back anyway.

Usage: ``python -m newsflow.airflow.dag_test dags test DAG_ID DATE ...`` (the arguments of
``airflow``); the exit code is the command's.
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback


def exit_code(exc: SystemExit) -> int:
    """The process exit code a ``SystemExit`` stands for (its message printed, as Python does)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def main() -> None:
    """Run ``airflow`` with this process's arguments, then end the process at once."""
    try:
        from airflow.__main__ import main as airflow_main

        airflow_main()
        code = 0
    except SystemExit as exc:
        code = exit_code(exc)
    except BaseException:  # noqa: BLE001 (reported as Python would, then the same quick exit)
        traceback.print_exc()
        code = 1
    # What the interpreter would run on the way out, before its teardown: the exit handlers
    # (atexit has no public way to run them early; this is the one its tests use).
    atexit._run_exitfuncs()  # noqa: SLF001
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
