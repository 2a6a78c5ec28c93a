"""Entities per article against a hand-annotated sample: precision, recall and F1 per label.

Reads ``bench/data/ner_gold.jsonl``: one article per line, ``file`` (under data/sample/) and
``entities`` (``name`` and ``label`` of every person, organisation, place, group and facility
the article names, written from reading the text: full names as the article gives them,
no leading "the", the alias table's names for listed spellings, e.g. "U.S." is
"United States").  Comparison is document-level: an article's set of (canonical name,
label) pairs from :func:`newsflow.nlp.enrich.enrich_batch` (with the default alias table)
against the gold set, names compared case-blind.  Micro figures pool every pair.
Usage: python bench/eval_ner.py [--gold FILE] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import pandas as pd

from newsflow.config import DEFAULT_ALIASES, PROJECT_ROOT, default_spacy_model
from newsflow.ingest.parsers import parse_text
from newsflow.nlp.aliases import load_entity_list
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.entities import ENTITY_LABELS

SAMPLE = PROJECT_ROOT / "data" / "sample"
DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "ner_gold.jsonl"


def scores(true_positives: int, predicted: int, expected: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--show-errors", action="store_true", help="print missed and spurious pairs per article")
    args = parser.parse_args()
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = {}
    for row in gold:
        [item] = parse_text((SAMPLE / row["file"]).read_bytes())
        texts[row["file"]] = item["text"].strip()
    articles = pd.DataFrame({"article_id": list(texts), "text": list(texts.values()), "language": "en"})
    tables = enrich_batch(articles, default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))
    found = tables["mentions"].merge(tables["entities"][["entity_id", "name"]], on="entity_id")
    counts: dict[str, Counter[str]] = {label: Counter() for label in ENTITY_LABELS}
    for row in gold:
        expected = {(e["name"].casefold(), e["label"]) for e in row["entities"]}
        mine = found[found.article_id == row["file"]]
        predicted = {(name.casefold(), label) for name, label in zip(mine["name"], mine["label"], strict=True)}
        for name, label in expected:
            counts[label]["expected"] += 1
            counts[label]["right"] += (name, label) in predicted
        for _, label in predicted:
            counts[label]["predicted"] += 1
        if args.show_errors:
            print(
                f"{row['file']}\n  missed  : {sorted(expected - predicted)}\n  spurious: {sorted(predicted - expected)}"
            )
    print(f"gold: {sum(len(r['entities']) for r in gold)} entities in {len(gold)} articles (document level)")
    print(f"  {'label':<8}{'gold':>6}{'found':>7}{'right':>7}{'P':>8}{'R':>8}{'F1':>8}")
    total: Counter[str] = Counter()
    for label, c in counts.items():
        total.update(c)
        if c["expected"] or c["predicted"]:
            p, r, f = scores(c["right"], c["predicted"], c["expected"])
            print(f"  {label:<8}{c['expected']:>6}{c['predicted']:>7}{c['right']:>7}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    p, r, f = scores(total["right"], total["predicted"], total["expected"])
    print(f"  {'micro':<8}{total['expected']:>6}{total['predicted']:>7}{total['right']:>7}{p:>8.3f}{r:>8.3f}{f:>8.3f}")


if __name__ == "__main__":
    main()
