"""Same-story detection on the sample's known stories, pair rules and incremental linking."""

from __future__ import annotations

import csv
import gc
import shutil
from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest
from datasketch import MinHashLSH

from newsflow.config import load_settings
from newsflow.ingest.sources import extract_articles
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.linking import link_batch
from newsflow.nlp.stories import (
    EVENT_SIMILARITY,
    WEAK_EVENT_SIMILARITY,
    Lead,
    Link,
    PairScores,
    StoryArticle,
    build_stories,
    classify,
    event_groups,
    event_similarity,
    lead_actors,
)
from newsflow.pipeline.run_folder import BatchInfo, RunFolder, articles_frame
from newsflow.pipeline.steps import STEPS, run_steps
from newsflow.warehouse import db
from tests.helpers import REFERENCE_TIME, SAMPLE_DIR, SEEDS


@pytest.fixture(scope="module")
def sample_tables():
    settings = load_settings(environ={}, overrides={"sources": [str(SAMPLE_DIR)]})
    articles = articles_frame(extract_articles(settings, REFERENCE_TIME).articles)
    return {"articles": articles, **enrich_batch(articles, settings.spacy_model)}


@pytest.fixture(scope="module")
def sample_stories(sample_tables):
    articles = sample_tables["articles"]
    linked = link_batch(sample_tables, REFERENCE_TIME)
    url_of = dict(zip(articles["article_id"], articles["url"], strict=True))
    stories = linked["stories"].assign(url=lambda f: f["article_id"].map(url_of))
    return articles, linked, stories


def test_linking_leaves_no_index_for_the_garbage_collector(sample_tables):
    # datasketch's MinHashLSH refers to itself: unless the linker frees it, the index waits in
    # memory for a full collection while the process goes on to validate and load.
    gc.collect()
    gc.disable()
    try:
        link_batch(sample_tables, REFERENCE_TIME)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [found for found in gc.garbage if isinstance(found, MinHashLSH)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not left


def ground_truth() -> dict[str, dict[str, str]]:
    """stories.csv: url -> {story, role}; multi-outlet stories are S1..S4."""
    with (SAMPLE_DIR / "stories.csv").open(encoding="utf-8") as handle:
        return {row["url"]: row for row in csv.DictReader(handle) if row["url"]}


def test_every_known_story_is_found_whole_and_nothing_else_is_linked(sample_stories):
    _, _, stories = sample_stories
    truth = ground_truth()
    by_url = stories.set_index("url")
    for story in ("S1", "S2", "S3", "S4"):
        urls = [u for u, row in truth.items() if row["story"] == story]
        found = set(by_url.loc[urls, "story_id"])
        assert len(found) == 1, f"{story} split into {len(found)} stories"
        members = set(stories[stories["story_id"].isin(found)]["url"])
        assert members == set(urls), f"{story} has extra members {members - set(urls)}"
        origin = by_url.loc[[u for u in urls if truth[u]["role"] == "origin"], "is_origin"]
        assert origin.all(), f"{story}: wrong origin"
    singles = [u for u, row in truth.items() if row["role"] == "single" and u in by_url.index]
    sizes = stories.groupby("story_id")["article_id"].transform("size")
    assert (sizes[stories["url"].isin(singles)] == 1).all()


def test_the_seeds_are_one_afp_story_and_the_rewrite_is_a_rewrite(sample_stories):
    articles, linked, stories = sample_stories
    outlet = dict(zip(articles["article_id"], articles["outlet"], strict=True))
    titles = dict(zip(articles["title"], articles["article_id"], strict=True))
    afp = titles["North Korea's Kim, Russian minister agree to boost military ties"]
    rewrite = titles["North Korea and Russian Defense Minister Seek Closer Military Ties to Counter U.S. Influence"]
    by_id = stories.set_index("article_id")
    assert by_id.loc[afp, "story_id"] == by_id.loc[rewrite, "story_id"]
    assert bool(by_id.loc[afp, "is_origin"]) and by_id.loc[afp, "agency"] == "AFP"
    assert by_id.loc[rewrite, "copy_kind"] == "rewrite" and bool(by_id.loc[rewrite, "is_copy"])
    links = linked["story_links"].set_index(["article_id", "other_article_id"])
    assert links.loc[(rewrite, afp), "kind"] == "rewrite"
    assert outlet[afp] == "AFP"


def test_two_different_north_korea_stories_of_the_same_days_are_not_linked(sample_stories):
    articles, linked, _ = sample_stories
    north_korea = articles[
        articles["text"].str.contains("North Korea") & articles["title"].str.contains("Rice prices|Satellite images")
    ]
    assert len(north_korea) == 2
    touching = linked["story_links"][
        linked["story_links"]["article_id"].isin(north_korea["article_id"])
        | linked["story_links"]["other_article_id"].isin(north_korea["article_id"])
    ]
    assert touching.empty


def test_citations_credit_agencies_and_cite_sources(sample_stories):
    articles, linked, _ = sample_stories
    citations = linked["article_citations"].merge(articles[["article_id", "outlet", "title"]], on="article_id")
    afp_seed = citations[citations["title"].str.startswith("North Korea's Kim")]
    assert {("AFP", "dateline"), ("AFP", "signoff"), ("KCNA", "attribution")} <= set(
        zip(afp_seed["source"], afp_seed["kind"], strict=True)
    )
    reuters = citations[(citations["source"] == "Reuters") & (citations["kind"] == "dateline")]
    assert {"Reuters", "Daily Meridian"} <= set(reuters["outlet"])


SCORES = dict(
    jaccard=0.0,
    containment=0.0,
    shared_sentences=0,
    shared_quotes=0,
    topic=0.0,
    hours_apart=2.0,
)


@pytest.mark.parametrize(
    ("changes", "same_hash", "kind"),
    [
        ({}, True, "duplicate"),
        ({"jaccard": 0.99, "containment": 0.99}, False, "duplicate"),
        ({"jaccard": 0.8, "containment": 0.9}, False, "syndicated"),
        ({"shared_quotes": 2, "containment": 0.05, "topic": 0.5}, False, "rewrite"),
        ({"shared_quotes": 2, "topic": 0.1}, False, None),  # a famous quote reused in another story
        ({"topic": 0.6}, False, None),  # no shared text: one event or two is for clustering to say
    ],
)
def test_pair_rules(changes, same_hash, kind):
    verdict = classify(PairScores(**{**SCORES, **changes}), same_hash)
    assert (verdict[0] if verdict else None) == kind


def test_event_similarity_fades_with_the_time_between_reports():
    same_hour, next_day, outside = (
        event_similarity(PairScores(**{**SCORES, "topic": 0.3, "hours_apart": h})) for h in (0, 24, 80)
    )
    assert same_hour == 0.3 and 0 < next_day < same_hour and outside == 0


def _lead(headline: str, *actors: str) -> Lead:
    return Lead(Counter(dict.fromkeys(actors, 1 / len(actors) ** 0.5)), set(headline.split()))


def test_one_weak_pair_does_not_merge_two_groups():
    """Two stories of four with one similar pair between them: single-link would chain them."""
    first, second = {f"a{i}" for i in range(4)}, {f"b{i}" for i in range(4)}
    assert sorted(map(sorted, event_groups([first, second], {("a0", "b0"): 0.9}, {}))) == [
        sorted(first),
        sorted(second),
    ]
    half_alike = {(a, b): 0.5 for a in first for b in second if a[1] in "01"}
    assert len(event_groups([first, second], half_alike, {})) == 1  # mean 0.25: half the pairs alike


def test_the_mean_between_two_groups_is_over_all_their_pairs_not_only_the_candidates():
    first, second = {"a0", "a1", "a2"}, {"b0", "b1", "b2"}
    candidates = {("a0", "b0"): 0.3}  # the index proposed one pair; the others are as alike

    def score(x: str, y: str) -> float:
        return 0.3 if x[0] != y[0] else 0.0

    assert len(event_groups([first, second], candidates, {})) == 2  # 0.3 / 9 pairs
    assert len(event_groups([first, second], candidates, {}, score)) == 1


def _stray_between(core: set[str], other: set[str], to_core: float, to_other: float) -> dict[tuple[str, str], float]:
    """Pairs of a core's reports (alike enough to be one event), and of a stray "s" to two groups."""
    pairs = {(a, b): EVENT_SIMILARITY * 1.5 for group in (core, other) for a in group for b in group if a < b}
    pairs.update({("s", a): to_core for a in core})
    pairs.update({("s", b): to_other for b in other})
    return pairs


def test_a_stray_report_joins_the_core_of_independent_reports_it_is_clearly_about():
    core, other = {"a0", "a1", "a2"}, {"b0", "b1", "b2"}
    below_average_link = (EVENT_SIMILARITY + WEAK_EVENT_SIMILARITY) / 2  # too weak for average-link alone
    seeds = [{a} for a in [*core, *other, "s"]]
    groups = event_groups(seeds, _stray_between(core, other, below_average_link, 0.0), {})
    assert sorted(map(sorted, groups)) == [sorted(core | {"s"}), sorted(other)]
    # As close to both groups: it tells of neither for sure.
    groups = event_groups(seeds, _stray_between(core, other, below_average_link, below_average_link * 0.95), {})
    assert {"s"} in groups
    # Below the weak threshold it joins nothing.
    assert {"s"} in event_groups(seeds, _stray_between(core, other, WEAK_EVENT_SIMILARITY * 0.9, 0.0), {})


def test_a_stray_does_not_join_one_report_and_its_copies():
    """An original and two wire copies are one text's words, not an established event."""
    family = {"a0", "a1", "a2"}
    pairs = {("s", a): (EVENT_SIMILARITY + WEAK_EVENT_SIMILARITY) / 2 for a in family}
    report_of = dict.fromkeys(family, "a0")
    assert len(event_groups([family, {"s"}], pairs, {}, report_of=report_of)) == 2
    assert len(event_groups([family, {"s"}], pairs, {})) == 1  # three independent reports: a core


@pytest.mark.parametrize(
    ("other", "one_event"),
    [
        (_lead("rehab enters", "PERSON:reid", "GPE:malibu", "ORG:promises"), True),
        (_lead("rehab enters", "PERSON:lohan", "GPE:california"), False),  # another star's rehab stay
        (_lead("rehab enters", "PERSON:reid"), False),  # one name in common: a subject, not an event
        (_lead("divorce files", "PERSON:reid", "GPE:malibu"), False),  # the same people, another event
    ],
)
def test_moderately_similar_groups_merge_only_when_their_leads_tell_of_one_event(other, one_event):
    moderate = {("a", "b"): (EVENT_SIMILARITY + WEAK_EVENT_SIMILARITY) / 2}
    leads = {"a": _lead("checks into rehab", "PERSON:reid", "GPE:malibu"), "b": other}
    assert (len(event_groups([{"a"}, {"b"}], moderate, leads)) == 1) is one_event
    assert len(event_groups([{"a"}, {"b"}], {("a", "b"): EVENT_SIMILARITY}, leads)) == 1
    assert len(event_groups([{"a"}, {"b"}], {("a", "b"): WEAK_EVENT_SIMILARITY * 0.9}, leads)) == 2


def test_lead_actors_are_the_entities_the_headline_and_first_sentences_name():
    article = StoryArticle(
        article_id="x",
        outlet="o",
        seen_at=REFERENCE_TIME,
        text="Actress Tara Reid checked into Promises in Malibu on Friday. " + "filler words " * 100 + "Paris Hilton",
        content_hash="h",
        title="reid enters rehab",
        entities={("PERSON", "Tara Reid"), ("ORG", "Promises"), ("GPE", "Malibu"), ("PERSON", "Paris Hilton")},
    )
    assert lead_actors(article) == {"PERSON:reid", "ORG:promises", "GPE:malibu"}


def test_links_stored_as_related_by_earlier_versions_still_join_stories():
    articles = {
        a: StoryArticle(article_id=a, outlet="o", seen_at=REFERENCE_TIME, text="", content_hash=a) for a in ("x", "y")
    }
    stories = build_stories(articles, [Link("y", "x", "related", 0.3)])
    assert len({m.story_id for m in stories}) == 1
    assert {m.copy_kind for m in stories} == {None, "same_event"}


def test_only_the_stories_a_batch_touches_are_recomputed_whole():
    articles = {
        a: StoryArticle(article_id=a, outlet="o", seen_at=REFERENCE_TIME, text="", content_hash=a)
        for a in ("x1", "x2", "y1", "z1", "z2", "b")
    }
    earlier = [Link("x2", "x1", "syndicated", 0.9), Link("z2", "z1", "rewrite", 0.5)]
    merging = [Link("b", "x2", "same_event", 0.3), Link("b", "y1", "same_event", 0.3)]  # the batch's links
    stories = build_stories(articles, [*earlier, *merging], touched={"b"})
    assert {m.article_id for m in stories} == {"x1", "x2", "y1", "b"}  # the z story stays as loaded
    assert len({m.story_id for m in stories}) == 1 and sum(m.is_origin for m in stories) == 1
    # "x2" re-delivered without its links: its earlier story ({x1, x2}, touched) splits in two.
    stories = build_stories(articles, earlier[1:], touched={"x2", "x1"})
    assert sorted(m.article_id for m in stories) == ["x1", "x2"] and len({m.story_id for m in stories}) == 2


@pytest.mark.pipeline
def test_a_new_batch_links_to_a_story_of_an_earlier_batch(tmp_path):
    folders = {}
    for key, path in SEEDS.items():
        folders[key] = tmp_path / key
        folders[key].mkdir()
        shutil.copy(path, folders[key] / path.name)
    warehouse = tmp_path / "w.duckdb"

    def run(key, hour):
        settings = load_settings(
            environ={},
            overrides={"sources": [str(folders[key])], "var_dir": str(tmp_path / "var"), "warehouse": str(warehouse)},
        )
        batch = BatchInfo(datetime(2024, 12, 1, hour, tzinfo=UTC), datetime(2024, 12, 1, hour + 1, tzinfo=UTC))
        run_folder = RunFolder.for_batch(settings, batch)
        run_steps(settings, run_folder, STEPS)  # the refresh too: staging derives from raw
        return run_folder.path

    run("afp", 0)
    second = run("rewrite", 1)
    assert list(pd.read_parquet(second / "story_links.parquet")["kind"]) == ["rewrite"]
    with db.connect(warehouse, read_only=True) as con:
        stories = con.execute(
            "select a.outlet, s.is_origin, s.copy_kind, s.agency from staging.stories s "
            "join staging.articles a using (article_id) order by a.outlet"
        ).fetchall()
        assert con.execute("select count(distinct story_id) from staging.stories").fetchone() == (1,)
    assert stories == [("AFP", True, None, "AFP"), ("The Korea Ledger", False, "rewrite", "AFP")]
    run("rewrite", 1)  # re-running the second interval changes nothing
    with db.connect(warehouse, read_only=True) as con:
        assert con.execute("select count(*) from staging.story_links").fetchone() == (1,)
        assert con.execute("select count(*) from staging.stories").fetchone() == (2,)


@pytest.mark.pipeline
def test_the_real_news_bench_scores_stories_against_a_truth_file(tmp_path):
    """bench/stories_real.py end to end on two stories of three copies each: found whole, scored 1.0."""
    import json
    import subprocess
    import sys

    from newsflow.config import PROJECT_ROOT

    bodies = {
        "quake": "A strong earthquake of magnitude 6.4 struck off the coast of Valmora early on Sunday, "
        "damaging dozens of homes and cutting power to the port district, the national seismic "
        "institute said. Rescue teams searched collapsed buildings through the morning.",
        "strike": "Dockworkers at the Port of Kestra walked out on Monday in a dispute over night shifts, "
        "leaving twenty container ships waiting at anchor, the union said. The port authority said "
        "talks with the union would resume on Wednesday afternoon.",
    }
    rows, truth = [], []
    for story, body in bodies.items():
        urls = [f"https://news.example/{story}/{n}" for n in range(3)]
        truth.append(urls)
        for n, url in enumerate(urls):
            text = body + ["", " Reporting by Anna Berg.", " Editing by Omar Haddad."][n]
            rows.append({"url": url, "title": f"{story} {n}", "text": text, "published_at": "2024-05-05T10:00:00Z"})
    articles, truth_file = tmp_path / "articles.jsonl", tmp_path / "truth.json"
    articles.write_text("\n".join(json.dumps(r) for r in rows))
    truth_file.write_text(json.dumps(truth))
    result = subprocess.run(
        [sys.executable, "bench/stories_real.py", "--articles", str(articles), "--truth", str(truth_file)]
        + ["--cache", str(tmp_path / "cache"), "--half", "all"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines() if line.strip().startswith("newsflow, all topics")]
    assert len(lines) == 2  # dated and one timestamp
    assert all(line[3:9] == ["1.000"] * 6 for line in lines)
    assert "link precision by kind: syndicated 6/6 = 1.000" in result.stdout
