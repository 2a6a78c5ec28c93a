"""A second process on a DuckDB file, as an analyst's session would be: plain duckdb, no newsflow.

``read FILE LOG``: open FILE read-only, print ``ready``, then query it every 10 ms, appending
one JSON line per query to LOG (time, article, batch and mart row counts, or the error),
until a line arrives on stdin; then, on the same connection, read columns and a table it
had not read yet (so DuckDB fetches them from the file it opened now), check whether the
file it opened changed since (through a file handle opened beside DuckDB's, so on the same
inode), and log that as the ``final`` line.  Exits 1 after an error.

``hold FILE MODE SECONDS``: open FILE (MODE ``ro`` or ``rw``), print ``ready``, hold the
connection for SECONDS (or until stdin closes when SECONDS is ``inf``), then close it and
print ``released``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time

import duckdb

COUNTS = """
select
    (select count(*) from staging.articles) as articles,
    (select count(*) from raw.batches) as batches,
    (select coalesce(sum(articles), 0) from marts.source_daily_volume) as mart_articles
"""
UNREAD = """
select
    (select count(distinct text) from staging.articles) as texts,
    (select sum(word_count) from staging.articles) as words,
    (select count(*) from staging.mentions) as mentions
"""


def read(path: str, log_path: str) -> int:
    stop = threading.Event()
    con = duckdb.connect(path, read_only=True)
    held = open(path, "rb")  # kept open to reread the very file DuckDB opened
    opened = hashlib.sha256(held.read()).hexdigest()
    print("ready", flush=True)
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    with open(log_path, "a", encoding="utf-8", buffering=1) as log:
        while not stop.is_set():
            try:
                articles, batches, mart_articles = con.execute(COUNTS).fetchone()
            except duckdb.Error as exc:
                log.write(json.dumps({"t": time.time(), "error": repr(exc)}) + "\n")
                return 1
            row = {"t": time.time(), "articles": articles, "batches": batches, "mart_articles": int(mart_articles)}
            log.write(json.dumps(row) + "\n")
            time.sleep(0.01)
        try:
            texts, words, mentions = con.execute(UNREAD).fetchone()
        except duckdb.Error as exc:
            log.write(json.dumps({"t": time.time(), "error": repr(exc)}) + "\n")
            return 1
        held.seek(0)
        unchanged = hashlib.sha256(held.read()).hexdigest() == opened
        final = {"final": True, "texts": texts, "words": int(words), "mentions": mentions, "unchanged": unchanged}
        log.write(json.dumps(final) + "\n")
    held.close()
    con.close()
    return 0


def hold(path: str, mode: str, seconds: str) -> int:
    con = duckdb.connect(path, read_only=mode == "ro")
    print("ready", flush=True)
    if seconds == "inf":
        sys.stdin.read()
    else:
        time.sleep(float(seconds))
    con.close()
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit(read(*args) if command == "read" else hold(*args))
