"""Body extraction on real pages: newsflow's extraction next to plain trafilatura.extract.

Reads ``../shared/data/extraction-dev`` (92 pages with gold bodies, the development half of
the article-extraction-benchmark) and scores each extractor with the benchmark's own
``evaluate.py`` (precision/recall over 4-gram token shingles per page, averaged, F1 of the
averages).  The pages are split in two halves by a hash of their id that the data set's own
split does not use: settings were tuned on half A; half B is the check.  This gold has no
titles or dates, so title and date agreement are measured against the page's own schema.org
JSON-LD (the publisher's ``headline`` and ``datePublished``) where it has them, for newsflow
and for trafilatura's metadata alone.

Usage: nice python bench/extraction.py [--data-dir DIR] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from dateutil import parser as date_parser
from lxml import html as lxml_html

from newsflow.ingest.parsers import parse_html
from newsflow.ingest.records import Reject, plain_title

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction-dev"


def load_evaluate(data_dir: Path):
    """The benchmark's own scorer module (evaluate.py beside the data)."""
    spec = importlib.util.spec_from_file_location("extraction_evaluate", data_dir / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_of(page_id: str) -> str:
    """'A' (tuning) or 'B' (check): md5 parity, independent of the data set's sha1 split."""
    return "A" if int(hashlib.md5(page_id.encode()).hexdigest(), 16) % 2 == 0 else "B"


def newsflow_extract(markup: str, url: str) -> dict:
    """newsflow's page parser: body, title and date as it would load them."""
    [item] = parse_html(markup.encode("utf-8"), url)
    if isinstance(item, Reject):
        return {"articleBody": "", "quarantined": str(item)}
    return {"articleBody": item["text"], "headline": item.get("title"), "datePublished": item.get("published_at")}


def plain_trafilatura(markup: str, url: str) -> dict:
    return {"articleBody": trafilatura.extract(markup, url=url) or ""}


def json_ld_article(markup: str) -> dict:
    """The page's own schema.org ``headline`` and ``datePublished`` (JSON-LD), where it has them."""
    found: dict = {}
    try:
        tree = lxml_html.fromstring(markup.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
        scripts = tree.xpath("//script[@type='application/ld+json']/text()")
    except Exception:  # noqa: BLE001 (a page lxml cannot read has no JSON-LD to compare with)
        return found
    stack = []
    for script in scripts:
        try:
            stack.append(json.loads(script))
        except ValueError:
            continue
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            if isinstance(node.get("headline"), str):
                found.setdefault("headline", node["headline"])
            if stated_day(node.get("datePublished")):
                found.setdefault("datePublished", node["datePublished"])
    return found


def stated_day(value: object) -> str | None:
    """The calendar day a date states (as written, zone aside), or None when it states none."""
    try:
        day = date_parser.parse(str(value)).date()
    except (ValueError, OverflowError):
        return None
    return day.isoformat() if day.year >= 1900 else None  # JSON-LD's 0001-01-01 placeholders state nothing


def same_title(ours: object, theirs: str) -> bool:
    """Titles agree when their words agree (case, punctuation and entities aside)."""
    words = re.compile(r"\w+")
    return words.findall(str(plain_title(str(ours or "")) or "").casefold()) == words.findall(
        str(plain_title(theirs) or "").casefold()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--worst", type=int, default=0, help="list the N pages newsflow scores worst on")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura and readability log every odd page
    evaluate = load_evaluate(args.data_dir)
    gold = json.loads((args.data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((args.data_dir / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        for key in gold
    }
    extractors: dict[str, Callable[[str, str], dict]] = {
        "trafilatura.extract": plain_trafilatura,
        "newsflow": newsflow_extract,
    }
    halves = {"all": list(gold), "A (tuned)": [k for k in gold if half_of(k) == "A"]}
    halves["B (check)"] = [k for k in gold if half_of(k) == "B"]
    print(f"{len(gold)} pages; body scores are the benchmark's (4-gram shingles); A: {len(halves['A (tuned)'])}")
    print(f"{'extractor':<22}{'half':<11}{'F1':>7}{'precision':>11}{'recall':>8}{'pages/s':>9}")
    predictions = {}
    for name, extract in extractors.items():
        started = time.perf_counter()
        predictions[name] = {key: extract(pages[key], gold[key].get("url") or "") for key in gold}
        speed = len(gold) / (time.perf_counter() - started)
        for half, keys in halves.items():
            scores = evaluate.metrics_from_tp_fp_fns(
                [
                    evaluate.string_shingle_matching(gold[k]["articleBody"], predictions[name][k]["articleBody"])
                    for k in keys
                ]
            )
            print(
                f"{name:<22}{half:<11}{scores['f1']:>7.4f}{scores['precision']:>11.4f}{scores['recall']:>8.4f}"
                + (f"{speed:>9.1f}" if half == "all" else "")
            )
    quarantined = {k: p["quarantined"] for k, p in predictions["newsflow"].items() if "quarantined" in p}
    print(f"newsflow quarantined {len(quarantined)} of {len(gold)} pages: {sorted(quarantined.values())}")
    reference = {k: json_ld_article(pages[k]) for k in gold}
    metadata = {k: trafilatura.extract_metadata(pages[k], default_url=gold[k].get("url")) for k in gold}
    plain_fields = {
        k: {"headline": m.title if m else None, "datePublished": m.date if m else None} for k, m in metadata.items()
    }
    print("title and date agreement with the page's own JSON-LD (the gold has neither):")
    for field in ("headline", "datePublished"):
        keys = [k for k in gold if reference[k].get(field)]
        for name, fields in (
            ("newsflow", {k: predictions["newsflow"][k] for k in gold}),
            ("trafilatura", plain_fields),
        ):
            if field == "headline":
                agree = sum(same_title(fields[k].get(field), reference[k][field]) for k in keys)
            else:
                agree = sum(stated_day(fields[k].get(field)) == stated_day(reference[k][field]) for k in keys)
            print(f"  {field:<14}{name:<13}{agree} of {len(keys)} pages")
    if args.worst:
        rows = []
        for key in gold:
            tp, fp, fn = evaluate.string_shingle_matching(
                gold[key]["articleBody"], predictions["newsflow"][key]["articleBody"]
            )
            precision, recall = evaluate.precision_score(tp, fp, fn), evaluate.recall_score(tp, fp, fn)
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            rows.append((f1, precision, recall, key))
        for f1, precision, recall, key in sorted(rows)[: args.worst]:
            print(f"  {f1:.3f} P {precision:.3f} R {recall:.3f} {half_of(key)} {gold[key]['url'][:80]}")


if __name__ == "__main__":
    main()
