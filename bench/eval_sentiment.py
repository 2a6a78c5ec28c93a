"""Agreement of newsflow's sentiment with people, next to plain VADER.

Reads the development halves in ``../shared/data/sentiment-dev/`` (relative to the repo root):
  * nyt_editorial_sentences.tsv: 2,598 New York Times editorial sentences with a mean human
    rating (-4..+4).  Prints Pearson and Spearman r of VADER's compound and of
    :func:`newsflow.nlp.sentiment.sentence_compound` with the ratings.
  * sentfin_entity_headlines.csv: SEntFiN financial headlines with a label per entity.  Prints
    accuracy and macro-F1 (positive/neutral/negative) of the headline's VADER label given to
    every entity, and of :func:`newsflow.nlp.sentiment.entity_sentiment`.  An entity that
    entity_sentiment does not find in its headline (the data set has a few mangled names)
    counts as a wrong answer.
Usage: python bench/eval_sentiment.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

from scipy.stats import pearsonr, spearmanr

from newsflow.nlp.sentiment import analyzer, entity_sentiment, label_of, sentence_compound

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "sentiment-dev"
NYT_FILE = "nyt_editorial_sentences.tsv"
SENTFIN_FILE = "sentfin_entity_headlines.csv"
LABELS = ("positive", "neutral", "negative")
# Decisions look like {'Sebi': 'neutral', "Osian's Art Fund": 'neutral'}: Python-like, but names may
# hold an unescaped quote, so the pairs are read with a pattern rather than ast.literal_eval.
_DECISION = re.compile(r"""(?:^\{|, )(['"])(.+?)\1: (['"])(positive|neutral|negative)\3(?=, ['"]|\}$)""")


def read_nyt(path: Path) -> tuple[list[str], list[float]]:
    """Sentences and their mean human ratings."""
    sentences, ratings, _ = read_nyt_with_halves(path)
    return sentences, ratings


def read_nyt_with_halves(path: Path) -> tuple[list[str], list[float], list[str]]:
    """Sentences, their mean human ratings and their half: 'a' when the digits of the id
    ("12_3" -> 123) make an even number, else 'b' (tune on one half, check on the other)."""
    sentences, ratings, halves = [], [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            key, rating, sentence = line.rstrip("\n").split("\t", 2)
            sentences.append(sentence)
            ratings.append(float(rating))
            digits = "".join(c for c in key if c.isdigit()) or "0"
            halves.append("a" if int(digits) % 2 == 0 else "b")
    return sentences, ratings, halves


def read_sentfin(path: Path) -> list[tuple[str, dict[str, str]]]:
    """(headline, {entity: label}) per row."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            decisions = {m.group(2): m.group(4) for m in _DECISION.finditer(row["Decisions"].strip())}
            rows.append((row["Title"], decisions))
    return rows


def scores(gold: list[str], predicted: list[str | None]) -> tuple[float, float, dict[str, float]]:
    """Accuracy, macro-F1 over :data:`LABELS` and the F1 of each label."""
    f1 = {}
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return accuracy, sum(f1.values()) / len(f1), f1


def evaluate_nyt(path: Path) -> None:
    sentences, ratings, halves = read_nyt_with_halves(path)
    vader = analyzer()
    print(f"NYT editorial sentences ({len(sentences)}): correlation with the mean human rating")
    for name, score in (
        ("VADER compound", lambda s: vader.polarity_scores(s)["compound"]),
        ("newsflow sentence_compound", sentence_compound),
    ):
        start = time.perf_counter()
        predicted = [score(s) for s in sentences]
        ms = 1000 * (time.perf_counter() - start) / len(sentences)
        pearson, spearman = pearsonr(predicted, ratings)[0], spearmanr(predicted, ratings)[0]
        by_half = {}
        for half in ("a", "b"):
            kept = [(p, r) for p, r, h in zip(predicted, ratings, halves, strict=True) if h == half]
            by_half[half] = pearsonr([p for p, _ in kept], [r for _, r in kept])[0]
        print(
            f"  {name:<28} Pearson r {pearson:.3f}  Spearman r {spearman:.3f}  "
            f"(half a {by_half['a']:.3f}, half b {by_half['b']:.3f}; {ms:.3f} ms/sentence)"
        )


def evaluate_sentfin(path: Path) -> None:
    rows = read_sentfin(path)
    vader = analyzer()
    gold: list[str] = []
    headline: list[str | None] = []
    newsflow: list[str | None] = []
    for title, decisions in rows:
        headline_label = label_of(vader.polarity_scores(title)["compound"])
        tones = entity_sentiment(title, list(decisions))
        for entity, label in decisions.items():
            gold.append(label)
            headline.append(headline_label)
            newsflow.append(tones[entity].label)
    missing = sum(p is None for p in newsflow)
    print(f"SEntFiN headlines ({len(rows)}, {len(gold)} entity labels): agreement with the entity's label")
    for name, predicted in (("headline VADER label", headline), ("newsflow entity_sentiment", newsflow)):
        accuracy, macro_f1, f1 = scores(gold, predicted)
        per_label = "  ".join(f"{label} {f1[label]:.3f}" for label in LABELS)
        print(f"  {name:<28} accuracy {accuracy:.3f}  macro-F1 {macro_f1:.3f}  (F1: {per_label})")
    print(f"  ({missing} entities not found in their headline count as wrong for entity_sentiment)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help=f"default: {DEFAULT_DATA}")
    args = parser.parse_args()
    missing = [name for name in (NYT_FILE, SENTFIN_FILE) if not (args.data_dir / name).is_file()]
    if missing:
        print(
            f"error: {', '.join(missing)} not found in {args.data_dir}; this script needs the shared "
            "development data (../shared/data/sentiment-dev/ beside the repo, or --data-dir)",
            file=sys.stderr,
        )
        return 2
    evaluate_nyt(args.data_dir / NYT_FILE)
    print()
    evaluate_sentfin(args.data_dir / SENTFIN_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
