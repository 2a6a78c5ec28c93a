"""Print the robustness catalogue: every bad-input class, what happened to it, and whether that is right.

Runs the whole catalogue (tests/robustness/catalogue.py) once through the real steps on a
temporary warehouse, with the misbehaving feeds served on 127.0.0.1, and prints one row per
class: its name, the expected outcome, the outcome seen, and OK or what is wrong.

    nice .venv/bin/python bench/robustness_table.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.robustness.catalogue import outcome_of, run_catalogue  # noqa: E402
from tests.robustness.server import closed_port_url, misbehaving_server  # noqa: E402


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, misbehaving_server() as base_url:
        run = run_catalogue(Path(tmp), base_url, closed_port_url())
    width = max(len(case.name) for case in run.cases)
    print(f"{'class':<{width}}  {'expected':<52}  {'outcome':<80}  verdict")
    for case in run.cases:
        problem = run.problems[case.name]
        expected = case.check.expected[:52]
        print(f"{case.name:<{width}}  {expected:<52}  {outcome_of(run.seen[case.name]):<80}  {problem or 'OK'}")
    wrong = sum(p is not None for p in run.problems.values())
    print(
        f"\n{len(run.cases)} classes, {len(run.cases) - wrong} handled as expected, {wrong} not; "
        f"good articles loaded beside {sum(s.good_loaded for s in run.seen.values())} of {len(run.cases)} "
        f"(+ the good feed: {run.good_feed_loaded}); run status: {run.verdict['status']}; "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
