"""Places resolved against a hand-annotated gold set: country and city accuracy, share unresolved.

Reads ``bench/data/places_gold.jsonl``: one place mention per line, found by the project's NER
in a bundled sample article (``doc`` = ``sample/<folder>/<file>``) or in a real page of
``../shared/data/extraction-dev`` (``doc`` = ``extraction-dev/<id>``, text extracted by
:func:`newsflow.ingest.parsers.parse_html`, i.e. trafilatura), with what a reader decided:
``country_code`` (ISO alpha-2 of the country the mention is in or stands for; null for
regions spanning countries and for names that are no place), ``city_id`` (the GeoNames id
of the city meant, null when the mention is not a city) and ``kind`` (country, admin, city,
region, local; null when the mention should stay unresolved), plus a ``note`` on hard cases.
``start_char``/``end_char`` are offsets in the text extracted when the gold was written, and
``before``/``after`` the 30 characters around the mention: when extraction changes, each
mention is found again by its words and context, and rows no longer in the text are counted
and left out.

Each article's gold mentions (canonical name as enrichment gives it, label, offsets) go to
:func:`newsflow.nlp.places.resolve_places` in one call, as enrichment will make it. Figures:
- country accuracy: over place mentions (GPE/LOC/FAC) with a gold country, the share
  resolved to that country (unresolved counts as wrong);
- city accuracy: over mentions whose gold is a city, the share resolved to that GeoNames id;
- adjective accuracy: the same as country accuracy, over NORP mentions with a gold country;
- unresolved: share of all mentions left unresolved; kept unresolved: over mentions whose
  gold says they should stay unresolved, the share the resolver left unresolved;
- country of KIND (all documents): country accuracy by what the gold says the mention is
  (a country, an admin area, a city, a region inside one country, or a ``local`` place:
  district, street, building, river, mountain, which the packaged gazetteer does not hold).
The baseline looks a name up exactly: a country's GeoNames name, else the most populous
city of that exact name, else a US state; no context, no adjectives, no abbreviations.
Documents are split in two halves by the parity of their name's SHA-1: ``tune`` (rules were
developed on it) and ``held-out``; both are printed.

Usage: python bench/eval_places.py [--gold FILE] [--show-errors]
       python bench/eval_places.py --draft OUT.jsonl   # NER place mentions with context, to annotate
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path

from newsflow.config import DEFAULT_ALIASES, PROJECT_ROOT, default_spacy_model
from newsflow.ingest.parsers import parse_html, parse_text
from newsflow.nlp.places import ADJECTIVE_LABEL, PlaceMention, ResolvedPlace, load_gazetteer, resolve_places

SAMPLE = PROJECT_ROOT / "data" / "sample"
EXTRACTION_DEV = PROJECT_ROOT.parent / "shared" / "data" / "extraction-dev"
DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "places_gold.jsonl"
CONTEXT_CHARS = 80
# Characters of the annotated surroundings a re-found mention must share (either side).
MIN_CONTEXT_AGREEMENT = 8


def article_texts(extraction_dev: Path = EXTRACTION_DEV) -> dict[str, str]:
    """The sample's text and HTML articles and extraction-dev's pages, by document name."""
    texts: dict[str, str] = {}
    for path in sorted((SAMPLE / "text").glob("*.txt")):
        [item] = parse_text(path.read_bytes())
        texts[f"sample/text/{path.name}"] = item["text"]
    for path in sorted((SAMPLE / "html").glob("*.html")):
        items = parse_html(path.read_bytes())
        if items and isinstance(items[0], dict) and items[0].get("text"):
            texts[f"sample/html/{path.name}"] = items[0]["text"]
    truth_file = extraction_dev / "ground-truth.json"
    if truth_file.exists():
        for page_id, row in sorted(json.loads(truth_file.read_text(encoding="utf-8")).items()):
            data = gzip.decompress((extraction_dev / "html" / f"{page_id}.html.gz").read_bytes())
            items = parse_html(data, row["url"])
            if items and isinstance(items[0], dict) and items[0].get("text"):
                texts[f"extraction-dev/{page_id}"] = items[0]["text"]
    return texts


def anchor(row: dict, text: str) -> bool:
    """Point the row's offsets at its mention in ``text``: where the annotated offsets still
    hold, else at the occurrence of the same words whose surroundings agree most with the 30
    characters annotated either side (spacing ignored; the extraction may have moved or
    re-wrapped the text); False when the words are gone or no occurrence agrees."""
    start, end = row["start_char"], row["end_char"]
    if text[start:end] == row["text"] and text[max(0, start - len(row["before"])) : start] == row["before"]:
        return True
    before, after = " ".join(row["before"].split()), " ".join(row["after"].split())
    best, best_agreement = None, 0
    found = text.find(row["text"])
    while found >= 0:
        left = " ".join(text[max(0, found - 60) : found].split())
        right = " ".join(text[found + len(row["text"]) : found + len(row["text"]) + 60].split())
        agreement = len(os.path.commonprefix([left[::-1], before[::-1]])) + len(os.path.commonprefix([right, after]))
        if agreement > best_agreement:
            best, best_agreement = found, agreement
        found = text.find(row["text"], found + 1)
    if best is None or best_agreement < MIN_CONTEXT_AGREEMENT:
        return False
    row["start_char"], row["end_char"] = best, best + len(row["text"])
    return True


def half_of(doc: str) -> str:
    """``tune`` or ``held-out``, by the parity of the document name's SHA-1."""
    return "tune" if int(hashlib.sha1(doc.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def draft(out: Path) -> None:
    """Write the NER's place and nationality mentions of every document, with context, for annotation."""
    import pandas as pd

    from newsflow.nlp.aliases import load_entity_list
    from newsflow.nlp.enrich import enrich_batch

    texts = article_texts()
    articles = pd.DataFrame({"article_id": list(texts), "text": list(texts.values()), "language": "en"})
    tables = enrich_batch(articles, default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))
    found = tables["mentions"].merge(tables["entities"][["entity_id", "name"]], on="entity_id")
    found = found[found["label"].isin(["GPE", "LOC", "FAC", ADJECTIVE_LABEL])]
    with out.open("w", encoding="utf-8") as sink:
        for row in found.itertuples():
            text = texts[row.article_id]
            context = text[max(0, row.start_char - CONTEXT_CHARS) : row.end_char + CONTEXT_CHARS]
            record = {
                "doc": row.article_id,
                "text": row.text,
                "name": row.name,
                "label": row.label,
                "start_char": row.start_char,
                "end_char": row.end_char,
                "context": " ".join(context.split()),
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(found)} mentions in {found['article_id'].nunique()} documents -> {out}")


def baseline(mentions: list[PlaceMention]) -> list[ResolvedPlace]:
    """Exact-name lookup: country name, else the most populous city so named, else a US state."""
    gaz = load_gazetteer()
    by_name = {place.name: place for place in gaz.countries.values()}
    states = {p.name: p for places in gaz.admins.values() for p in places if p.country_code == "US"}
    cities: dict[str, list] = defaultdict(list)
    for places in gaz.cities.values():
        for city in places:
            cities[city.name].append(city)
    results = []
    for mention in mentions:
        place = None
        if mention.label != ADJECTIVE_LABEL:
            place = (
                by_name.get(mention.name)
                or max(cities.get(mention.name, []), key=lambda c: c.population, default=None)
                or states.get(mention.name)
            )
        results.append(ResolvedPlace(mention, place, "exact" if place else None, None if place else "no exact name"))
    return results


def score(gold: list[dict], predicted: list[ResolvedPlace]) -> dict[str, tuple[int, int]]:
    """(right, total) per figure."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, found in zip(gold, predicted, strict=True):
        place = found.place
        country = place.country_code if place else None
        is_adjective = row["label"] == ADJECTIVE_LABEL
        if row["country_code"]:
            name = "adjective" if is_adjective else "country"
            figures[name][0] += country == row["country_code"]
            figures[name][1] += 1
            if not is_adjective:
                figures[f"country of {row['kind']}"][0] += country == row["country_code"]
                figures[f"country of {row['kind']}"][1] += 1
        if row["city_id"]:
            figures["city"][0] += bool(place) and place.place_id == row["city_id"]
            figures["city"][1] += 1
        figures["unresolved"][0] += place is None
        figures["unresolved"][1] += 1
        if row["kind"] is None:
            figures["kept unresolved"][0] += place is None
            figures["kept unresolved"][1] += 1
    return {name: (right, total) for name, (right, total) in figures.items()}


def run(gold: list[dict], method) -> list[ResolvedPlace]:
    by_doc: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(gold):
        by_doc[row["doc"]].append(index)
    predicted: list[ResolvedPlace | None] = [None] * len(gold)
    for indexes in by_doc.values():
        mentions = [
            PlaceMention(gold[i]["name"], gold[i]["label"], gold[i]["start_char"], gold[i]["end_char"]) for i in indexes
        ]
        for i, found in zip(indexes, method(mentions), strict=True):
            predicted[i] = found
    return predicted  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--show-errors", action="store_true", help="print every mention the resolver got wrong")
    parser.add_argument("--draft", type=Path, help="write NER mentions to annotate to this file and stop")
    args = parser.parse_args()
    if args.draft:
        draft(args.draft)
        return
    annotated = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = article_texts()
    gold = [row for row in annotated if anchor(row, texts.get(row["doc"], ""))]
    mine, base = run(gold, resolve_places), run(gold, baseline)
    docs = {row["doc"] for row in gold}
    lost = len(annotated) - len(gold)
    print(f"{len(gold)} gold mentions in {len(docs)} documents", end="")
    print(f" ({lost} annotated mentions not in today's extracted text)" if lost else "")
    figures = ("country", "city", "adjective", "unresolved", "kept unresolved")
    by_kind = tuple(f"country of {kind}" for kind in ("country", "admin", "city", "region", "local"))
    print(f"{'half':10} {'figure':18} {'resolver':>18} {'baseline':>18}")
    for half in ("tune", "held-out", "all"):
        rows = [i for i, row in enumerate(gold) if half == "all" or half_of(row["doc"]) == half]
        ours = score([gold[i] for i in rows], [mine[i] for i in rows])
        theirs = score([gold[i] for i in rows], [base[i] for i in rows])
        for name in figures + (by_kind if half == "all" else ()):
            right, total = ours.get(name, (0, 0))
            b_right, _ = theirs.get(name, (0, 0))
            if total:
                print(
                    f"{half:10} {name:18} {right / total:8.3f} ({right:3d}/{total:3d}) "
                    f"{b_right / total:8.3f} ({b_right:3d}/{total:3d})"
                )
    if args.show_errors:
        for row, found in zip(gold, mine, strict=True):
            place = found.place
            wrong_country = (place.country_code if place else None) != row["country_code"]
            wrong_city = bool(row["city_id"]) and (place is None or place.place_id != row["city_id"])
            if wrong_country or wrong_city:
                got = f"{place.name} {place.kind} {place.country_code} {place.place_id}" if place else found.reason
                print(
                    f"[{half_of(row['doc'])}] {row['doc'][:40]} {row['name']!r} {row['label']}: gold "
                    f"{row['country_code']} {row['city_id']} {row['kind']}; got {got} ({found.method})"
                )


if __name__ == "__main__":
    main()
