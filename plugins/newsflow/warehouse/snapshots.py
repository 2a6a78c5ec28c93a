"""Published read-only snapshots: how analysts read the warehouse while the pipeline loads it.

DuckDB lets one process write a database file, and a process that merely reads it still
locks out that writer.  So analysts never open the warehouse itself: after each marts
refresh the writer publishes a copy, ``<stem>.published.duckdb`` by default, by copying
the checkpointed file to a temporary file in the same folder and renaming it over the
previous snapshot.  The rename is atomic, so a new reader gets either the old or the new
snapshot, never half of one; a reader that already has the old one open keeps reading
that file (same inode) until it disconnects, when the system frees it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from newsflow.warehouse.db import connect, table_counts

log = logging.getLogger(__name__)

# Free space to leave on the snapshot's filesystem after the copy, so that publishing can
# never be what fills the disk the warehouse writes its WAL to.
HEADROOM_BYTES = 256 * 1024 * 1024


class SnapshotError(RuntimeError):
    """The snapshot could not be published; the previous one (if any) is still in place."""


def _temp_files(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f".{published.name}.*.tmp"))


def publish_snapshot(con: duckdb.DuckDBPyConnection, warehouse: Path, published: Path) -> float:
    """Publish the warehouse, as ``con`` has committed it, to ``published``; returns the seconds it took.

    ``con`` must be the writer's open read-write connection to ``warehouse`` with no
    transaction running: holding it keeps every other writer out while the file is copied,
    and so makes temporary files left by a crashed publish safe to delete.  The copy is
    checked (same row count in every table) before it replaces the previous snapshot.
    Raises :class:`SnapshotError` or ``OSError`` when it cannot publish.
    """
    started = time.perf_counter()
    # After a checkpoint the file alone holds every committed row and the WAL is empty.
    con.execute("checkpoint")
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists() and wal.stat().st_size:
        raise SnapshotError(f"{wal} is not empty after a checkpoint; the file alone is not the warehouse")
    published.parent.mkdir(parents=True, exist_ok=True)
    for stale in _temp_files(published):
        log.info("removing %s, left by an interrupted publish", stale)
        stale.unlink()
    size = warehouse.stat().st_size
    free = shutil.disk_usage(published.parent).free
    if free < size + HEADROOM_BYTES:
        raise SnapshotError(
            f"{free / 2**20:.0f} MiB free in {published.parent}; copying {size / 2**20:.0f} MiB "
            f"would leave less than {HEADROOM_BYTES / 2**20:.0f} MiB"
        )
    handle, name = tempfile.mkstemp(prefix=f".{published.name}.", suffix=".tmp", dir=published.parent)
    os.close(handle)
    temp = Path(name)
    try:
        shutil.copyfile(warehouse, temp)
        with temp.open("rb") as copied:
            os.fsync(copied.fileno())  # on disk before the rename makes it the snapshot
        with connect(temp, read_only=True) as copy:
            if table_counts(copy) != table_counts(con):
                raise SnapshotError(f"the copy of {warehouse} does not hold the same rows; not published")
        # Readable by whoever may read the warehouse; writable by no one, since nothing
        # written to a snapshot survives the next publish.
        temp.chmod(warehouse.stat().st_mode & 0o444)
        os.replace(temp, published)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    folder = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # make the rename itself durable
    finally:
        os.close(folder)
    seconds = time.perf_counter() - started
    log.info("published %s (%.0f MiB) in %.2f s", published, size / 2**20, seconds)
    return seconds
