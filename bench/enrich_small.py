"""Enrichment of a small batch (an hourly run's new articles) in one process or two.

Each measurement is a fresh process, as each run of the DAG is: it loads the models and the
gazetteer and enriches N articles of the generated corpus (bench/throughput.py), in one
process or in two (this one and a forked worker), alternating, ``--rounds`` times.  Prints
the median seconds of each and their difference, so the smallest batch a worker pays for
shows.  Usage: python bench/enrich_small.py --sizes 6,8,10,20,40 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import build_corpus  # noqa: E402  (a sibling script, not a package)

from newsflow.config import PROJECT_ROOT, load_settings  # noqa: E402

# Runs in a fresh process: the models' load is part of what a small run pays.
TIME_ENRICH = """
import sys, time
import pandas as pd
start = time.perf_counter()
from newsflow.nlp.enrich import enrich_batch
articles = pd.read_parquet(sys.argv[1]).head(int(sys.argv[3]))
enrich_batch(articles, sys.argv[2], n_process=int(sys.argv[4]))
print(time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="6,8,10,20,40", help="batch sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    model = load_settings(environ={}).spacy_model
    # Texts the sample does not hold as such (shuffled paragraphs), as new articles would be.
    corpus = build_corpus(max(sizes) + 100, seed=11).iloc[100:].reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.parquet"
        corpus.to_parquet(path)
        print(f"enrich_batch in a fresh process (models, gazetteer, N articles); median of {args.rounds}")
        print(f"{'articles':>8} {'1 process':>10} {'2 processes':>12} {'difference':>11}")
        for size in sizes:
            seconds: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for processes in (1, 2):
                    command = [sys.executable, "-c", TIME_ENRICH, str(path), model, str(size), str(processes)]
                    out = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
                    seconds[processes].append(float(out.stdout.split()[-1]))
            one, two = statistics.median(seconds[1]), statistics.median(seconds[2])
            print(f"{size:>8} {one:>9.2f}s {two:>11.2f}s {two - one:>+10.2f}s")


if __name__ == "__main__":
    main()
