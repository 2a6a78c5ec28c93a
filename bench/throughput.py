"""Throughput of ``enrich`` against the limit: raw spaCy ``nlp.pipe`` with only NER.

Builds a corpus of N articles by varying the bundled sample (paragraphs shuffled with a
fixed seed), then times, in one process and on the same texts:
  1. enrich_batch (NER + canonical names + sentence and document sentiment),
  2. nlp.pipe with only tok2vec + NER (what the model alone costs).
Prints articles/s, words/s and their ratio.  Usage: python bench/throughput.py --articles 2000

With ``--against REV`` it also times the enrich step of an earlier revision of newsflow
(e.g. the commit before a feature) on the same corpus: each side runs in its own process,
alternating, ``--rounds`` times, and the ratio of the medians is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pandas as pd
import spacy

from newsflow.config import PROJECT_ROOT, load_settings
from newsflow.ingest.records import count_words
from newsflow.ingest.sources import extract_articles
from newsflow.nlp.enrich import enrich_batch


def build_corpus(n: int, seed: int = 7) -> pd.DataFrame:
    """N English articles made from the sample by shuffling each article's paragraphs."""
    settings = load_settings(environ={}, overrides={"sources": [str(PROJECT_ROOT / "data" / "sample")]})
    sample = [a for a in extract_articles(settings, datetime.now(tz=UTC)).articles if a.language == "en"]
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        paragraphs = sample[i % len(sample)].text.split("\n\n")
        if i >= len(sample):
            rng.shuffle(paragraphs)
        rows.append({"article_id": f"bench{i:06d}", "text": "\n\n".join(paragraphs), "language": "en"})
    return pd.DataFrame(rows)


# Runs in a fresh process whose PYTHONPATH picks the revision's code.
TIME_ENRICH = """
import sys, time
import pandas as pd
from newsflow.nlp.enrich import enrich_batch
corpus, model, size = pd.read_parquet(sys.argv[1]), sys.argv[2], int(sys.argv[3])
enrich_batch(corpus.head(50), model, size)
start = time.perf_counter()
enrich_batch(corpus, model, size)
print(time.perf_counter() - start)
"""


def checkout(revision: str, into: Path) -> Path:
    """The library (``plugins/``) at git ``revision``, unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "plugins"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def enrich_seconds(project: Path, corpus: Path, model: str, batch_size: int) -> float:
    """Seconds the enrich step of the code in ``project`` takes on ``corpus``, in its own process."""
    env = dict(os.environ, PYTHONPATH=str(project / "plugins"), NEWSFLOW_HOME=str(project))
    result = subprocess.run(
        [sys.executable, "-c", TIME_ENRICH, str(corpus), model, str(batch_size)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def compare(revision: str, corpus: pd.DataFrame, model: str, batch_size: int, rounds: int) -> None:
    """Time this tree's enrich step against ``revision``'s, alternating, on the same corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = Path(tmp) / "corpus.parquet"
        corpus.to_parquet(corpus_path, index=False)
        earlier = checkout(revision, Path(tmp) / "earlier")
        times: dict[str, list[float]] = {"this tree": [], revision: []}
        for _ in range(rounds):
            times[revision].append(enrich_seconds(earlier, corpus_path, model, batch_size))
            times["this tree"].append(enrich_seconds(PROJECT_ROOT, corpus_path, model, batch_size))
    print(f"enrich, this tree against {revision} ({rounds} alternating rounds, median seconds):")
    medians = {side: statistics.median(found) for side, found in times.items()}
    for side, found in times.items():
        runs = " ".join(f"{t:.1f}" for t in found)
        print(f"  {side:<12}: {len(corpus) / medians[side]:8.1f} articles/s  (runs: {runs} s)")
    print(f"  ratio this tree / {revision} (throughput): {medians[revision] / medians['this tree']:.2f}")


def timed(label: str, func) -> float:
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="corpus size N")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--against", metavar="REV", help="also time the enrich step of this git revision")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per side with --against")
    args = parser.parse_args()

    corpus = build_corpus(args.articles)
    words = sum(count_words(t) for t in corpus["text"])
    model = load_settings(environ={}).spacy_model
    print(f"corpus: {len(corpus)} articles, {words} words; model {model}; batch size {args.batch_size}")

    ner_only = spacy.load(model, exclude=["parser", "senter", "tagger", "attribute_ruler", "lemmatizer"])
    texts = corpus["text"].tolist()
    enrich_batch(corpus.head(50), model, args.batch_size)  # load and warm up both pipelines
    list(ner_only.pipe(texts[:50], batch_size=args.batch_size))

    print("timings:")
    enrich_s = timed("enrich_batch", lambda: enrich_batch(corpus, model, args.batch_size))
    limit_s = timed("nlp.pipe (tok2vec+ner only)", lambda: list(ner_only.pipe(texts, batch_size=args.batch_size)))

    n = len(corpus)
    print("results:")
    print(f"  enrich        : {n / enrich_s:8.1f} articles/s  {words / enrich_s:10.0f} words/s")
    print(f"  nlp.pipe NER  : {n / limit_s:8.1f} articles/s  {words / limit_s:10.0f} words/s")
    print(f"  ratio enrich/limit (throughput): {limit_s / enrich_s:.2f}")
    print(f"  peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.against:
        compare(args.against, corpus, model, args.batch_size, args.rounds)


if __name__ == "__main__":
    main()
