"""What the operator's console shows of a run; the run's log file keeps everything.

``airflow dags test`` prints every task's log records (structlog lines such as
``2026-12-01T12:07:12.5Z [warning  ] message [logger] loc=...``) with Airflow's and its
libraries' own deprecation warnings among them.  The console shows newsflow's progress lines
(the ``newsflow.progress`` logger), newsflow's warnings, and errors from anyone, with the
lines that follow them (a traceback); everything else stays in the log file only.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

RECORD = re.compile(r"^\S+ \[(?P<level>[a-z]+)\s*\] (?P<message>.*?)(?: \[(?P<logger>[\w.]+)\])?(?: \w+=.*)?$")
PROGRESS_LOGGER = "newsflow.progress"


class ConsoleFilter:
    """Turns log lines into console lines (or None); a line that continues a shown record is shown."""

    def __init__(self) -> None:
        self.showing = False

    def __call__(self, line: str) -> str | None:
        line = line.rstrip("\n")
        match = RECORD.match(line)
        if match is None:
            return line if self.showing else None
        level, message, logger = match["level"], match["message"].rstrip(), match["logger"] or ""
        self.showing = True
        if logger == PROGRESS_LOGGER:
            return f"  {message}"
        if level in ("error", "critical", "exception"):
            return f"{level.upper()} {message} [{logger}]"
        if level == "warning" and logger.startswith("newsflow"):
            return f"WARNING {message}"
        self.showing = False
        return None


def relay(lines: Iterable[str], log: TextIO, console: TextIO) -> None:
    """Write every line to ``log`` and the filtered ones to ``console``."""
    keep = ConsoleFilter()
    for line in lines:
        log.write(line)
        shown = keep(line)
        if shown is not None:
            console.write(shown + "\n")
            console.flush()


def run_logged(command: list[str], env: dict[str, str], log_path: Path, console: TextIO = sys.stdout) -> int:
    """Run ``command`` with its output relayed (everything to ``log_path``); returns its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        ) as process,
    ):
        relay(process.stdout, log, console)
        return process.wait()
