"""Same-story detection on the sample's known stories, pair rules and incremental linking."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime

import pandas as pd
import pytest

from newsflow.config import load_settings
from newsflow.ingest.sources import extract_articles
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.linking import link_batch
from newsflow.nlp.stories import PairScores, classify
from newsflow.pipeline.run_folder import BatchInfo, RunFolder, articles_frame
from newsflow.pipeline.steps import STEPS, run_steps
from newsflow.warehouse import db
from tests.helpers import REFERENCE_TIME, SAMPLE_DIR, SEEDS


@pytest.fixture(scope="module")
def sample_stories():
    settings = load_settings(environ={}, overrides={"sources": [str(SAMPLE_DIR)]})
    articles = articles_frame(extract_articles(settings, REFERENCE_TIME).articles)
    tables = {"articles": articles, **enrich_batch(articles, settings.spacy_model)}
    linked = link_batch(tables, REFERENCE_TIME)
    url_of = dict(zip(articles["article_id"], articles["url"], strict=True))
    stories = linked["stories"].assign(url=lambda f: f["article_id"].map(url_of))
    return articles, linked, stories


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
    shared_anchors=0,
    shared_figures=0,
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
        ({"topic": 0.25, "shared_anchors": 1, "shared_figures": 1}, False, "related"),
        ({"topic": 0.25, "shared_anchors": 3}, False, "related"),
        ({"topic": 0.25, "shared_anchors": 2}, False, None),  # a company and its chief: a shared subject
        (
            {"topic": 0.25, "shared_figures": 1, "shared_anchors": 1, "hours_apart": 40.0},
            False,
            None,
        ),  # not one news cycle
        ({"topic": 0.25}, False, None),  # same topic, nobody in common
    ],
)
def test_pair_rules(changes, same_hash, kind):
    verdict = classify(PairScores(**{**SCORES, **changes}), same_hash)
    assert (verdict[0] if verdict else None) == kind


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
