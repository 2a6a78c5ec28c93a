"""Freed memory goes back to the operating system between the steps of one process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsflow.memory import _malloc_trim, releases_memory
from tests.helpers import PROJECT_ROOT

# In a fresh interpreter: 200 MB of 1 kB strings (glibc's heap, not Python's own arenas), then a
# small string allocated after them so the heap's top is in use and free() alone returns nothing.
PROBE = """
import psutil
from newsflow.memory import release_freed_memory

process = psutil.Process()
blocks = [bytes(1000) + bytes([i % 256]) * 24 for i in range(200_000)]
sentinel = bytes(2000)
before = process.memory_info().rss
del blocks
freed = process.memory_info().rss
release_freed_memory()
print(before - freed, before - process.memory_info().rss)
"""


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc: there is nothing to trim with")
def test_freed_heap_memory_is_returned_only_once_released():
    env = {"PYTHONPATH": f"{PROJECT_ROOT / 'plugins'}:{PROJECT_ROOT}"}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env)
    by_free, by_release = (int(n) for n in out.stdout.split())
    assert by_free < 50 * 2**20  # glibc kept what was freed
    assert by_release > 150 * 2**20  # and gave it back when asked


def test_a_step_releases_memory_also_when_it_raises(monkeypatch):
    calls = []
    monkeypatch.setattr("newsflow.memory.release_freed_memory", lambda: calls.append("released"))

    @releases_memory
    def step(fail: bool) -> str:
        calls.append("ran")
        if fail:
            raise ValueError("bad batch")
        return "done"

    assert step(False) == "done"
    with pytest.raises(ValueError, match="bad batch"):
        step(True)
    assert calls == ["ran", "released", "ran", "released"]
