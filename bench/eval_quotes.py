"""Quotes and their speakers against a hand-annotated sample: precision, recall, speaker accuracy.

Reads ``bench/data/quotes_gold.jsonl``: one quote per line, ``file`` (under data/sample/,
else under bench/data/quote_articles/: wire copy written for this set), ``quote`` (words of
the quote as printed, enough to find it), ``speaker`` (who speaks: an entity's name or, for
an organisation or title without a name, the words that name it, "A|B" for accepted
forms; null when nobody is named) and ``speaker_kind`` (person or organisation; when
absent, the label of the entity the speaker names).
The gold holds direct quotes of 3+ words that report speech or writing (not titles or scare
quotes) and statements attributed with a verb of saying or reporting (said, told,
according to, reported, noted, showed, ...), annotated from the text, not the model.

A found quote matches a gold quote when their spans overlap (one to one).  Recall is
reported for direct quotes (in quote marks) and reported speech apart.  A speaker is right
when the found entity's name or the found speaker's words ("the ministry") are one of the
gold forms (a leading "the"/"a" and a possessive aside).  Speaker accuracy is over matched
quotes (no speaker on both sides is right) and apart for person and organisation speakers;
speaker precision is over matched quotes the system gives an entity, speaker recall over
matched quotes whose gold speaker is named.
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
WRITTEN = Path(__file__).resolve().parent / "data" / "quote_articles"
QUOTE_MARKS = '"“”'
DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "quotes_gold.jsonl"


def read_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def article_text(file: str) -> str:
    path = SAMPLE / file if (SAMPLE / file).exists() else WRITTEN / file
    [item] = parse_text(path.read_bytes())
    return item["text"].strip()


def is_direct(text: str, start: int) -> bool:
    """A quote in quote marks: a mark opens it (spaces and punctuation aside)."""
    before = text[:start].rstrip(" ,;:")
    return before.endswith(tuple(QUOTE_MARKS))


def plain(name: str) -> str:
    name = name.casefold().replace("’", "'").strip()
    for article in ("the ", "a ", "an "):
        name = name.removeprefix(article)
    return name.removesuffix("'s").strip()


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
    labels = tables["entities"].set_index("entity_id")["label"]
    found = tables["quotes"].assign(speaker=lambda f: f["speaker_entity_id"].map(names))
    label_of = {plain(n): label for n, label in zip(names, labels, strict=True)}
    for g, (start, _) in zip(gold, spans, strict=True):
        g["direct"] = is_direct(texts[g["file"]], start)
        if g["speaker"] and "speaker_kind" not in g:
            label = label_of.get(plain(g["speaker"].split("|")[0]))
            g["speaker_kind"] = "organisation" if label in ("ORG", "NORP") else "person"

    matched: list[tuple[dict, tuple[str | None, str | None]]] = []
    used: set[int] = set()
    for g, (start, end) in zip(gold, spans, strict=True):
        candidates = found[(found.article_id == g["file"]) & (found.start_char < end) & (start < found.end_char)]
        free = [i for i in candidates.index if i not in used]
        if free:
            used.add(free[0])
            speaker, words = found.at[free[0], "speaker"], found.at[free[0], "speaker_text"]
            matched.append(
                (g, (speaker if isinstance(speaker, str) else None, words if isinstance(words, str) else None))
            )
        elif args.show_misses:
            print(f"missed  {g['file']}: {g['quote']!r}")
    if args.show_misses:
        for row in found.drop(index=list(used)).itertuples():
            print(f"extra   {row.article_id}: {row.quote[:70]!r} ({row.speaker_text})")

    def right(g: dict, speaker: tuple[str | None, str | None]) -> bool:
        entity, words = speaker
        if g["speaker"] is None:
            return entity is None
        forms = {plain(name) for name in g["speaker"].split("|")}
        return any(name is not None and plain(name) in forms for name in (entity, words))

    correct = [right(g, s) for g, s in matched]
    if args.show_misses:
        for (g, s), ok in zip(matched, correct, strict=True):
            if not ok:
                print(f"speaker {g['file']}: {g['quote'][:50]!r} gold {g['speaker']} found {s}")
    named = [ok for (_, s), ok in zip(matched, correct, strict=True) if s[0] is not None]
    expected = [ok for (g, _), ok in zip(matched, correct, strict=True) if g["speaker"] is not None]
    print(f"gold: {len(gold)} quotes in {len(files)} articles; found: {len(found)} quotes")
    print(f"  quote precision   : {ratio(len(used), len(found))}")
    print(f"  quote recall      : {ratio(len(matched), len(gold))}")
    for label, direct in (("direct quotes", True), ("reported speech", False)):
        kind = [g for g in gold if g["direct"] is direct]
        hits = [g for g, _ in matched if g["direct"] is direct]
        print(f"    {label:<16}: {ratio(len(hits), len(kind))}")
    print(f"  speaker accuracy  : {ratio(sum(correct), len(matched))}  (matched quotes)")
    for kind in ("person", "organisation"):
        oks = [ok for (g, _), ok in zip(matched, correct, strict=True) if g.get("speaker_kind") == kind]
        print(f"    {kind + ' speakers':<16}: {ratio(sum(oks), len(oks))}")
    print(f"  speaker precision : {ratio(sum(named), len(named))}  (matched quotes with an entity speaker)")
    print(f"  speaker recall    : {ratio(sum(expected), len(expected))}  (matched quotes with a named gold speaker)")


if __name__ == "__main__":
    main()
