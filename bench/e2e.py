"""The whole pipeline as a user runs it (`newsflow run`: the real DAG, extract -> marts) on a
generated corpus, against the limit of spaCy NER alone on the same texts.

Prints, in one process tree:
  1. the limit: ``nlp.pipe`` with tok2vec + NER only, on every core, over the N texts;
  2. a fresh run over N articles: articles/s, words/s, and the ratio to the limit;
  3. a second run after adding 1 % new articles: its time as a share of the first run's;
  4. a run adding N articles of which 30 % are exact copies of earlier texts under new URLs
     (other outlets): words/s of the distinct new texts, and of all new articles, vs the limit;
plus each run's peak RSS (the whole process tree, sampled) and how its time splits across
the DAG's tasks (from Airflow's own task instance records), so the next bottleneck shows.
Each run's CPU time (all its processes, in core-seconds) bounds what any scheduling could
do: a run that needs X core-seconds takes at least X / cores seconds, so the ratio it could
reach with every core busy all the time is printed beside the ratio it reached.  A run that
finds nothing new is timed too: its time is what every run pays before any work (Airflow's
start, the imports, the marts' refresh), the lowest share run 3 can have.
The limit is measured before and again after the fresh run, and the ratios use the mean of
the two: on a shared machine the speed drifts by tens of percent within minutes, and the
spread printed shows by how much.

The corpus is the bundled sample's articles with their paragraphs shuffled (fixed seed), as
in bench/throughput.py, repeats dropped so that every text is distinct (a one-paragraph
article shuffles to itself: the pipeline would analyse it once, the limit every time),
written as JSON-lines files in a folder source, dated over 30 days.  Each run's wall time
is also split into the DAG run and what lies outside it (Airflow's start-up, report, summary).

Usage: python bench/e2e.py --articles 2000   (--articles 10000 for the memory figure;
--runs 2 or --runs 2,4 to time only some runs while iterating: run 4 needs run 2's load)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psutil
import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import build_corpus  # noqa: E402  (a sibling script, not a package)

from newsflow.config import PROJECT_ROOT, load_settings  # noqa: E402
from newsflow.ingest.records import count_words  # noqa: E402

OUTLETS = ("Wire One", "The Daily Bench", "Harbor Gazette", "Northern Ledger", "Metro Times", "Coast Courier")
START = datetime(2024, 11, 1, tzinfo=UTC)


# Articles per JSON-lines file: 10,000 articles in one file would pass the 20 MB file cap.
ARTICLES_PER_FILE = 1000


def write_articles(folder: Path, name: str, texts: list[str], first: int, outlet_offset: int = 0) -> int:
    """Write ``texts`` as JSON-lines files of articles numbered from ``first``
    (``ARTICLES_PER_FILE`` each); returns words."""
    for part, start in enumerate(range(0, len(texts), ARTICLES_PER_FILE)):
        chunk = texts[start : start + ARTICLES_PER_FILE]
        _write_file(folder / f"{name}-{part:03d}.jsonl", chunk, first + start, outlet_offset)
    return sum(count_words(t) for t in texts)


def _write_file(path: Path, texts: list[str], first: int, outlet_offset: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(texts, start=first):
            published = START + timedelta(minutes=17 * i % (30 * 24 * 60))
            title = " ".join(text.split()[:9])
            row = {
                "url": f"https://bench.example/{i:07d}",
                "outlet": OUTLETS[(i + outlet_offset) % len(OUTLETS)],
                "title": f"{title} ({i})",
                "published_at": published.isoformat(),
                "text": text,
            }
            out.write(json.dumps(row) + "\n")


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds of this process (``RUSAGE_SELF``) or of its ended children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_pipeline(home: Path, corpus: Path, logical: datetime) -> tuple[float, int, float]:
    """``newsflow run`` over ``corpus``; returns wall seconds, peak tree RSS in bytes and the CPU
    seconds of the whole tree (every process of the run is waited for, so its time is counted)."""
    env = dict(
        os.environ,
        AIRFLOW_HOME=str(home / "airflow"),
        NEWSFLOW_VAR_DIR=str(home / "var"),
        NEWSFLOW_SCHEDULE="none",
    )
    env.pop("NEWSFLOW_SOURCES", None)
    command = [
        sys.executable, "-m", "newsflow", "run", "--source", str(corpus),
        "--warehouse", str(home / "warehouse.duckdb"), "--logical-date", logical.isoformat(),
    ]  # fmt: skip
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = TreeMemory(process.pid)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        sys.stderr.write(output.decode(errors="replace")[-6000:])
        raise SystemExit(f"newsflow run failed with exit code {process.returncode}")
    return seconds, peak, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu


def distinct_corpus(n: int, seed: int) -> list[str]:
    """``n`` distinct texts of :func:`throughput.build_corpus`, in its order."""
    size = n
    while True:
        texts = list(dict.fromkeys(build_corpus(size, seed=seed)["text"]))
        if len(texts) >= n:
            return texts[:n]
        size *= 2


def dag_seconds(home: Path, logical: datetime) -> float:
    """Wall seconds of the DAG run at ``logical``, from its first task's start to its last's end."""
    con = sqlite3.connect(home / "airflow" / "airflow.db")
    try:
        [(seconds,)] = con.execute(
            """
            select (julianday(max(ti.end_date)) - julianday(min(ti.start_date))) * 86400
            from task_instance ti join dag_run dr on dr.run_id = ti.run_id and dr.dag_id = ti.dag_id
            where ti.dag_id = 'newsflow_ingest' and dr.logical_date like ?
            """,
            [logical.strftime("%Y-%m-%d %H:%M:%S") + "%"],
        ).fetchall()
    finally:
        con.close()
    return seconds or 0.0


def task_split(home: Path, logical: datetime) -> dict[str, float]:
    """Seconds per task of the DAG run at ``logical`` (mapped instances summed), in task order."""
    con = sqlite3.connect(home / "airflow" / "airflow.db")
    try:
        rows = con.execute(
            """
            select ti.task_id, sum((julianday(ti.end_date) - julianday(ti.start_date)) * 86400), min(ti.start_date)
            from task_instance ti join dag_run dr on dr.run_id = ti.run_id and dr.dag_id = ti.dag_id
            where ti.dag_id = 'newsflow_ingest' and dr.logical_date like ?
            group by ti.task_id order by 3
            """,
            [logical.strftime("%Y-%m-%d %H:%M:%S") + "%"],
        ).fetchall()
    finally:
        con.close()
    return {task: seconds for task, seconds, _ in rows}


def batch_record(home: Path) -> tuple:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select articles, enriched, reused, unchanged from raw.batches order by loaded_at desc limit 1"
        ).fetchone()
    finally:
        con.close()


def ner_limit(texts: list[str], batch_size: int) -> tuple[float, float]:
    """Wall seconds spaCy takes for tok2vec + NER alone over ``texts`` on every core, and the CPU
    seconds of all its processes."""
    model = load_settings(environ={}).spacy_model
    nlp = spacy.load(model, exclude=["parser", "senter", "tagger", "attribute_ruler", "lemmatizer"])
    cores = len(os.sched_getaffinity(0))
    list(nlp.pipe(texts[:50], batch_size=batch_size))
    cpu = cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    list(nlp.pipe(texts, batch_size=batch_size, n_process=cores))
    seconds = time.perf_counter() - start
    return seconds, cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN) - cpu


def report(label: str, seconds: float, peak: int, cpu: float, home: Path, logical: datetime, record: tuple) -> None:
    split = task_split(home, logical)
    total = sum(split.values()) or 1.0
    articles, enriched, reused, unchanged = record
    dag = dag_seconds(home, logical)
    cores = len(os.sched_getaffinity(0))
    print(f"  {label}: {seconds:.1f} s wall, peak RSS {peak / 2**30:.2f} GiB (process tree)")
    print(
        f"    CPU: {cpu:.1f} core-seconds, {cpu / (seconds * cores):.0%} of {cores} cores over the run; "
        f"with every core busy it could not take less than {cpu / cores:.1f} s"
    )
    print(f"    wall: DAG run {dag:.1f} s (first task start to last task end), outside it {seconds - dag:.1f} s")
    print(f"    batch: {articles} articles loaded, {enriched} enriched, {reused} reused, {unchanged} unchanged")
    print("    tasks: " + ", ".join(f"{task} {sec:.1f} s ({sec / total:.0%})" for task, sec in split.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="corpus size N")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--keep", metavar="DIR", help="work in DIR (new or empty) and keep it (default: a temporary folder)"
    )
    parser.add_argument("--runs", default="2,3,4", help="which of runs 2, 3, 4 to time (run 2 always loads)")
    args = parser.parse_args()
    runs = {int(run) for run in args.runs.split(",")}

    n = args.articles
    extra = max(1, n // 100)
    # Run 4 adds as many articles as run 2 read: 70 % new texts, 30 % exact copies of run 2's
    # texts under new URLs (other outlets), so its figure is not the fixed cost of a run.
    corpus = distinct_corpus(n + extra + n - int(n * 0.3), seed=11)
    first, added = corpus[:n], corpus[n : n + extra]
    copies = first[: int(n * 0.3)]
    fourth = corpus[n + extra :] + copies

    with contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        folder = home / "corpus"
        folder.mkdir()
        words = write_articles(folder, "part1", first, 0)
        cores = len(os.sched_getaffinity(0))
        print(f"corpus: {n} articles ({len(set(first))} distinct texts), {words} words; {cores} cores")

        limit, limit_cpu = ner_limit(first, args.batch_size)
        print("1. limit, spaCy tok2vec+NER alone on every core:")
        print(
            f"  {n / limit:.1f} articles/s, {words / limit:.0f} words/s ({limit:.1f} s; "
            f"CPU {limit_cpu:.1f} core-seconds, {limit_cpu / (limit * cores):.0%} of {cores} cores)"
        )

        print("2. fresh run over N articles:")
        day = datetime(2024, 12, 1, tzinfo=UTC)
        run2, peak2, cpu2 = run_pipeline(home, folder, day)
        report("run", run2, peak2, cpu2, home, day, batch_record(home))
        again, again_cpu = ner_limit(first, args.batch_size)
        print(
            f"  the limit again, after this run: {again:.1f} s ({again / limit - 1:+.0%}, the machine's drift); "
            f"the ratios use the mean, {(limit + again) / 2:.1f} s"
        )
        limit, limit_cpu = (limit + again) / 2, (limit_cpu + again_cpu) / 2
        print(f"  {n / run2:.1f} articles/s, {words / run2:.0f} words/s; ratio to the limit {limit / run2:.2f}")
        print(
            f"  CPU beyond the limit's: {cpu2 - limit_cpu:.1f} core-seconds; with every core busy all along "
            f"the ratio could reach {limit / (cpu2 / cores):.2f}"
        )

        peaks = [peak2]
        if 3 in runs:
            print("3. second run after adding 1 % new articles:")
            write_articles(folder, "part2", added, n)
            day3 = day + timedelta(hours=1)
            run3, peak3, cpu3 = run_pipeline(home, folder, day3)
            report("run", run3, peak3, cpu3, home, day3, batch_record(home))
            print(f"  time as a share of the fresh run: {run3 / run2:.3f}")
            print("   then a run that finds nothing new (the cost every run pays before any work):")
            idle_day = day3 + timedelta(minutes=30)
            idle, peak_idle, cpu_idle = run_pipeline(home, folder, idle_day)
            report("run", idle, peak_idle, cpu_idle, home, idle_day, batch_record(home))
            print(f"  time as a share of the fresh run: {idle / run2:.3f} (the lowest share run 3 can have)")
            peaks += [peak3, peak_idle]
        if 4 not in runs:
            print(f"peak RSS over the runs: {max(peaks) / 2**30:.2f} GiB")
            return

        print("4. a run whose new articles are 30 % exact copies of earlier texts under new URLs:")
        new_words = write_articles(folder, "part3", fourth, n + extra, outlet_offset=1)
        distinct_words = sum(count_words(t) for t in fourth[: len(fourth) - len(copies)])
        day4 = day + timedelta(hours=2)
        run4, peak4, cpu4 = run_pipeline(home, folder, day4)
        record = batch_record(home)
        report("run", run4, peak4, cpu4, home, day4, record)
        limit_wps = words / limit
        distinct_wps, all_wps = distinct_words / run4, new_words / run4
        print(f"  distinct-text words/s {distinct_wps:.0f} ({distinct_wps / limit_wps:.2f} x the limit)")
        print(f"  all new words/s {all_wps:.0f} ({all_wps / limit_wps:.2f} x the limit, the effective rate)")
        print(f"  with every core busy all along: {new_words / (cpu4 / cores) / limit_wps:.2f} x the limit at most")
        distinct = len(set(fourth) - set(first))
        print(
            f"  texts analysed: {record[1]} of {len(fourth)} new articles, {distinct} of them new distinct texts "
            f"({record[2]} copies reused)"
        )
        print(f"peak RSS over the runs: {max(*peaks, peak4) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
