"""What newsflow makes of real feeds: loaded, quarantined (by reason) and deduplicated entries.

Reads every feed in ``../shared/data/feeds-real`` (31 feeds captured from real sites, some
malformed) as one batch, the way a run reads a folder, and prints per feed and in total
how many entries were read, loaded as articles, quarantined (with the reasons) and merged
as duplicates, and how many loaded articles are teasers (a summary standing for a page).
Nothing is fetched: links are not followed here.

Usage: python bench/feeds_real.py [--data-dir DIR] [--per-feed]
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from newsflow.config import load_settings
from newsflow.ingest.sources import extract_articles

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "feeds-real"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--per-feed", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    files = sorted(p for p in args.data_dir.iterdir() if p.suffix in (".rss", ".atom", ".xml"))
    settings = load_settings(overrides={"sources": [{"kind": "folder", "path": str(args.data_dir)}]}, environ={})
    result = extract_articles(settings, datetime(2030, 1, 1, tzinfo=UTC))
    loaded = Counter(a.source_location.split("#")[0] for a in result.articles)
    quarantined = Counter(q.source_location.split("#")[0] for q in result.quarantined)
    teasers = sum(bool(getattr(a, "is_teaser", False)) for a in result.articles)
    if args.per_feed:
        for path in files:
            print(f"  {path.name:<32} loaded {loaded[str(path)]:>4}  quarantined {quarantined[str(path)]:>4}")
    print(f"feeds: {len(files)}, every one parsed or quarantined with a reason")
    print(f"entries loaded      : {len(result.articles)} (teasers among them: {teasers})")
    print(f"entries quarantined : {len(result.quarantined)}")
    for reason, count in Counter(_reason_kind(q.reason) for q in result.quarantined).most_common():
        print(f"    {count:>4} x {reason}")
    print(f"duplicates merged   : {result.duplicates}")


def _reason_kind(reason: str) -> str:
    """A reason without its per-item numbers, so like reasons count together."""
    return reason.split(" (")[0]


if __name__ == "__main__":
    main()
