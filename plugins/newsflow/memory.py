"""Giving freed memory back to the operating system between the steps of a long-lived process.

``newsflow run`` runs every task of a DAG run in one process (``airflow dags test``), and
glibc keeps the heap a step has freed (the batch's frames, GX's and the linker's objects)
for later reuse instead of returning it: the process's resident size only grows, and the
enrichment workers forked from it start with all of it.  ``malloc_trim`` hands the free
pages back, as Dask's workers do for the same reason.  Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim with
        return None


def release_freed_memory() -> None:
    """Return the heap's free pages to the operating system.

    No garbage collection first: a full collection in a process holding millions of objects
    (a test session, Airflow's) took longer than the step it followed, and what a step frees
    is freed by reference counting.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def releases_memory(step: Callable[P, R]) -> Callable[P, R]:
    """Run ``step``, then :func:`release_freed_memory` (also when it raises)."""

    @functools.wraps(step)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return step(*args, **kwargs)
        finally:
            release_freed_memory()

    return wrapper
