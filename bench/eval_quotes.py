"""Quotes and their speakers against a hand-annotated sample: precision, recall, speaker accuracy.

Reads ``bench/data/quotes_gold.jsonl``: one quote per line, ``file`` (under data/sample/),
``quote`` (words of the quote as printed, enough to find it) and ``speaker`` (the name of
the entity who speaks, "A|B" for accepted spellings, null when no named entity speaks).
The gold holds direct quotes of 3+ words that report speech or writing (not titles or scare
quotes) and statements attributed with a verb of saying or reporting (said, told,
according to, reported, noted, showed, ...), annotated from the text, not the model.

A found quote matches a gold quote when their spans overlap (one to one).  Speaker
accuracy is over matched quotes (no speaker on both sides is right); speaker precision is
over matched quotes the system gives an entity, speaker recall over matched quotes whose
gold speaker is named.
Usage: python bench/eval_quotes.py [--gold FILE] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from newsflow.config import PROJECT_ROOT, default_spacy_model
from newsflow.ingest.parsers import parse_text
from newsflow.nlp.enrich import enrich_batch

SAMPLE = PROJECT_ROOT / "data" / "sample"
DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "quotes_gold.jsonl"


def read_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def article_text(file: str) -> str:
    [item] = parse_text((SAMPLE / file).read_bytes())
    return item["text"].strip()


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a (0/0)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--show-misses", action="store_true", help="print unmatched quotes and wrong speakers")
    args = parser.parse_args()
    gold = read_gold(args.gold)
    files = sorted({g["file"] for g in gold})
    texts = {file: article_text(file) for file in files}
    spans = []
    for g in gold:
        start = texts[g["file"]].find(g["quote"])
        if start < 0:
            raise SystemExit(f"gold quote not in {g['file']}: {g['quote']!r}")
        spans.append((start, start + len(g["quote"])))
    articles = pd.DataFrame({"article_id": files, "text": [texts[f] for f in files], "language": "en"})
    tables = enrich_batch(articles, default_spacy_model())
    names = tables["entities"].set_index("entity_id")["name"]
    found = tables["quotes"].assign(speaker=lambda f: f["speaker_entity_id"].map(names))

    matched: list[tuple[dict, str | None]] = []
    used: set[int] = set()
    for g, (start, end) in zip(gold, spans, strict=True):
        candidates = found[(found.article_id == g["file"]) & (found.start_char < end) & (start < found.end_char)]
        free = [i for i in candidates.index if i not in used]
        if free:
            used.add(free[0])
            speaker = found.at[free[0], "speaker"]
            matched.append((g, speaker if isinstance(speaker, str) else None))
        elif args.show_misses:
            print(f"missed  {g['file']}: {g['quote']!r}")
    if args.show_misses:
        for row in found.drop(index=list(used)).itertuples():
            print(f"extra   {row.article_id}: {row.quote[:70]!r} ({row.speaker_text})")

    def right(g: dict, speaker: str | None) -> bool:
        if g["speaker"] is None or speaker is None:
            return g["speaker"] is None and speaker is None
        return speaker.casefold() in {name.casefold() for name in g["speaker"].split("|")}

    correct = [right(g, s) for g, s in matched]
    if args.show_misses:
        for (g, s), ok in zip(matched, correct, strict=True):
            if not ok:
                print(f"speaker {g['file']}: {g['quote'][:50]!r} gold {g['speaker']} found {s}")
    named = [ok for (_, s), ok in zip(matched, correct, strict=True) if s is not None]
    expected = [ok for (g, _), ok in zip(matched, correct, strict=True) if g["speaker"] is not None]
    print(f"gold: {len(gold)} quotes in {len(files)} articles; found: {len(found)} quotes")
    print(f"  quote precision   : {ratio(len(used), len(found))}")
    print(f"  quote recall      : {ratio(len(matched), len(gold))}")
    print(f"  speaker accuracy  : {ratio(sum(correct), len(matched))}  (matched quotes)")
    print(f"  speaker precision : {ratio(sum(named), len(named))}  (matched quotes with an entity speaker)")
    print(f"  speaker recall    : {ratio(sum(expected), len(expected))}  (matched quotes with a named gold speaker)")


if __name__ == "__main__":
    main()
