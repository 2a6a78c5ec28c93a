"""Throughput of ``enrich`` against the limit: raw spaCy ``nlp.pipe`` with only NER.

Builds a corpus of N articles by varying the bundled sample (paragraphs shuffled with a
fixed seed), then times, in one process and on the same texts:
  1. enrich_batch (NER + canonical names + sentence and document sentiment),
  2. nlp.pipe with only tok2vec + NER (what the model alone costs).
Prints articles/s, words/s and their ratio.  Usage: python bench/throughput.py --articles 2000
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import UTC, datetime

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


if __name__ == "__main__":
    main()
