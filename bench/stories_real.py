"""Same-story detection on real news: newsflow's linking against human-labelled stories.

Reads a JSON-lines file of articles and a truth file (a list of stories, each a list of
article URLs; default: the ECB+ development topics in ``/work/shared/data/stories-dev``),
runs the real code on it (the extractor's article records, spaCy enrichment, then
``link_batch``: citations, links and stories), and prints pairwise and B-cubed
precision/recall/F1 of the stories, and the precision of the links by kind, in two
variants:

- dated: every article keeps its ``published_at`` (in ECB+ the second event of a topic
  is dated 30 days after the first);
- one timestamp: every article gets the same ``published_at``, so only the text can
  tell two events of one kind apart.

Next to it, a baseline: TF-IDF cosine similarity of the texts, stories as connected
components of the pairs above a threshold, at its best threshold (an upper bound for the
baseline; newsflow's thresholds are fixed), and in the dated variant only pairs within
linking's time window.

The topics are split into two halves by topic number (``--half even|odd``; ECB+ URLs end
in ``<topic>_<doc>ecb[plus]``): tune on one, report both.  The spaCy enrichment of the
articles is cached (``--cache``, keyed by the input and the enrichment code), so a run
that only changed linking takes seconds.

Usage: nice python bench/stories_real.py [--articles FILE --truth FILE] [--half all|a|b]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

from newsflow.config import PROJECT_ROOT, SourceConfig, load_settings
from newsflow.ingest.sources import Extractor
from newsflow.nlp.linking import link_batch
from newsflow.nlp.stories import WINDOW
from newsflow.pipeline.run_folder import articles_frame
from newsflow.pipeline.steps import enrich_with_settings

DATA = Path("/work/shared/data/stories-dev")
CACHE = PROJECT_ROOT / "var" / "bench-cache"
ENRICHED = ("mentions", "entities")  # what linking reads of the enrichment
# The enrichment code the cache depends on: a change there re-enriches.
ENRICH_CODE = ("enrich.py", "entities.py", "model.py", "aliases.py")
_TOPIC = re.compile(r"/(\d+)_\d+ecb(?:plus)?$")


def topic_of(url: str) -> str:
    """The ECB+ topic of an article URL (the whole URL when it is not an ECB+ one)."""
    found = _TOPIC.search(url)
    return found.group(1) if found else url


def half_of(url: str) -> str:
    """Half 'a' or 'b' of the topics: every other topic number, so both halves mix kinds."""
    topic = topic_of(url)
    return "a" if topic.isdigit() and int(topic) % 4 == 0 else "b"


def load_articles(path: Path) -> pd.DataFrame:
    """The file's articles as the pipeline's extractor makes them (ids, dates, hashes)."""
    settings = load_settings(environ={}, overrides={"sources": []})
    source = SourceConfig(name="bench", kind="file", location=str(path.resolve()))
    result = Extractor(settings, datetime.now(tz=UTC), {}).run((source,))
    if result.quarantined:
        print(f"note: {len(result.quarantined)} records quarantined by the extractor", file=sys.stderr)
    return articles_frame(result.articles)


def enriched(articles: pd.DataFrame, cache: Path) -> dict[str, pd.DataFrame]:
    """Mentions and entities of the articles, from the cache when the input and code match."""
    settings = load_settings(environ={}, overrides={"sources": []})
    key = hashlib.sha256(settings.spacy_model.encode())
    for text in articles.sort_values("article_id")["text"]:
        key.update(text.encode())
    for name in ENRICH_CODE:
        key.update((PROJECT_ROOT / "plugins" / "newsflow" / "nlp" / name).read_bytes())
    folder = cache / key.hexdigest()[:16]
    if all((folder / f"{name}.parquet").exists() for name in ENRICHED):
        return {name: pd.read_parquet(folder / f"{name}.parquet") for name in ENRICHED}
    started = time.perf_counter()
    tables = enrich_with_settings(articles, settings)
    print(f"enriched {len(articles)} articles in {time.perf_counter() - started:.0f} s (cached in {folder})")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ENRICHED:
        tables[name].to_parquet(folder / f"{name}.parquet", index=False)
    return {name: tables[name] for name in ENRICHED}


def pairs_of(groups: dict[str, object]) -> set[frozenset[str]]:
    members: dict[object, list[str]] = defaultdict(list)
    for item, group in groups.items():
        members[group].append(item)
    return {frozenset(p) for ids in members.values() for p in combinations(sorted(ids), 2)}


def prf(tp: float, predicted: float, truth: float) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 1.0
    recall = tp / truth if truth else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def pairwise(predicted: dict[str, object], truth: dict[str, object]) -> tuple[float, float, float]:
    p, t = pairs_of(predicted), pairs_of(truth)
    return prf(len(p & t), len(p), len(t))


def bcubed(predicted: dict[str, object], truth: dict[str, object]) -> tuple[float, float, float]:
    """B-cubed precision and recall: per item, the share of its cluster that is right, averaged."""
    by_p, by_t = defaultdict(set), defaultdict(set)
    for item in truth:
        by_p[predicted[item]].add(item)
        by_t[truth[item]].add(item)
    precision = sum(len(by_p[predicted[i]] & by_t[truth[i]]) / len(by_p[predicted[i]]) for i in truth) / len(truth)
    recall = sum(len(by_p[predicted[i]] & by_t[truth[i]]) / len(by_t[truth[i]]) for i in truth) / len(truth)
    return prf(1, 1 / precision, 1 / recall) if precision and recall else (precision, recall, 0.0)


def tfidf_similarity(texts: list[str]) -> np.ndarray:
    """Cosine similarity of sublinear TF-IDF vectors of the texts' words (English stop words out)."""
    counts = [Counter(w for w in re.findall(r"[a-z0-9]{2,}", t.lower()) if w not in STOP_WORDS) for t in texts]
    df = Counter(w for c in counts for w in c)
    vocabulary = {w: i for i, w in enumerate(sorted(df))}
    rows, cols, values = [], [], []
    for r, c in enumerate(counts):
        for w, n in c.items():
            rows.append(r)
            cols.append(vocabulary[w])
            values.append((1 + math.log(n)) * (1 + math.log((1 + len(texts)) / (1 + df[w]))))
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(vocabulary)))
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel()
    matrix = sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix
    return (matrix @ matrix.T).toarray()


def tfidf_components(texts: dict[str, str], times: dict[str, datetime], threshold: float) -> dict[str, str]:
    """Connected components of pairs whose TF-IDF cosine reaches ``threshold`` (within the window)."""
    ids = sorted(texts)
    similarity = tfidf_similarity([texts[i] for i in ids])
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in zip(*(similarity >= threshold).nonzero(), strict=True):
        if i < j and abs(times[ids[i]] - times[ids[j]]) <= WINDOW:
            parent[find(i)] = find(j)
    return {ids[i]: str(find(i)) for i in range(len(ids))}


def row(name: str, predicted: dict[str, object], truth: dict[str, object], extra: str = "") -> str:
    pw, b3 = pairwise(predicted, truth), bcubed(predicted, truth)
    return f"  {name:<24} " + " ".join(f"{x:>6.3f}" for x in (*pw, *b3)) + f"  {extra}"


def evaluate(articles, tables, truth_of, variant: str, halves: list[str]) -> None:
    frame = articles.copy()
    if variant == "one timestamp":
        frame["published_at"] = pd.Timestamp("2024-01-15T12:00:00Z")
        frame["date_flag"] = "ok"
    started = time.perf_counter()
    linked = link_batch({"articles": frame, **tables}, datetime(2024, 3, 1, tzinfo=UTC))
    seconds = time.perf_counter() - started
    url_of = dict(zip(frame["article_id"], frame["url"], strict=True))
    story_of = {
        url_of[a]: s for a, s in zip(linked["stories"]["article_id"], linked["stories"]["story_id"], strict=True)
    }
    texts = {url_of[a]: t for a, t in zip(frame["article_id"], frame["text"], strict=True)}
    times = {url_of[a]: t for a, t in zip(frame["article_id"], frame["published_at"], strict=True)}
    print(f"\n{variant}: {len(frame)} articles, {len(linked['story_links'])} links, linking {seconds:.1f} s")
    print(f"  {'':<24} {'pair P':>6} {'pair R':>6} {'pair F':>6} {'B3 P':>6} {'B3 R':>6} {'B3 F':>6}")
    for half in halves:
        keep = {u for u in truth_of if half == "all" or half_of(u) == half}
        truth = {u: truth_of[u] for u in keep}
        ours = {u: story_of[u] for u in keep}
        label = "all topics" if half == "all" else f"half {half}"
        print(row(f"newsflow, {label}", ours, truth))
        best = max(
            ((t / 100, tfidf_components({u: texts[u] for u in keep}, times, t / 100)) for t in range(5, 80, 2)),
            key=lambda found: pairwise(found[1], truth)[2],
        )
        print(row(f"TF-IDF, {label}", best[1], truth, f"(best threshold {best[0]:.2f})"))
    links = linked["story_links"]
    right = [
        truth_of.get(url_of[a]) == truth_of.get(url_of[b])
        for a, b in zip(links["article_id"], links["other_article_id"], strict=True)
    ]
    by_kind = Counter(links["kind"])
    good = Counter(k for k, ok in zip(links["kind"], right, strict=True) if ok)
    print(
        "  link precision by kind: "
        + ", ".join(f"{k} {good[k]}/{n} = {good[k] / n:.3f}" for k, n in sorted(by_kind.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=DATA / "articles.jsonl")
    parser.add_argument("--truth", type=Path, default=DATA / "truth.json")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--half", choices=["all", "a", "b", "each"], default="each", help="topics to score")
    parser.add_argument("--variant", choices=["dated", "one timestamp", "both"], default="both")
    args = parser.parse_args()
    truth_of = {url: n for n, story in enumerate(json.loads(args.truth.read_text())) for url in story}
    articles = load_articles(args.articles)
    missing = set(truth_of) - set(articles["url"])
    if missing:
        print(f"note: {len(missing)} labelled URLs have no article (dropped or merged by the extractor)")
        truth_of = {u: s for u, s in truth_of.items() if u not in missing}
    tables = enriched(articles, args.cache)
    halves = ["all", "a", "b"] if args.half == "each" else [args.half]
    variants = ["dated", "one timestamp"] if args.variant == "both" else [args.variant]
    print(f"{len(articles)} articles, {len(set(truth_of.values()))} stories; halves: a = topics % 4 == 0, b = the rest")
    for variant in variants:
        evaluate(articles, tables, truth_of, variant, halves)


if __name__ == "__main__":
    main()
