"""Article identity when links are shared, teaser marking, and what real feeds become."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from newsflow.config import load_settings
from newsflow.ingest.records import make_article_id
from newsflow.ingest.sources import extract_articles
from tests.helpers import SHARED_DIR

EPISODE = (
    "In this episode the hosts talk about {topic} at length, take listener questions about it, "
    "argue about the best way to explain it to friends and end with their picks of the week."
)


def feed(items: str) -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Show</title>
<link>https://show.example/</link>{items}</channel></rss>""".encode()


def item(title, link, guid=None, description="", content=None) -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>", f"<description>{description}</description>"]
    if guid:
        parts.append(f"<guid>{guid}</guid>")
    if content:
        parts.append(
            f'<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">{content}</content:encoded>'
        )
    return "<item>" + "".join(parts) + "</item>"


def read(tmp_path, data: bytes):
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    settings = load_settings(overrides={"sources": [str(path)], "var_dir": str(tmp_path / "var")}, environ={})
    return extract_articles(settings, datetime(2030, 1, 1, tzinfo=UTC))


def test_entries_sharing_a_link_stay_different_articles(tmp_path):
    items = "".join(
        item(f"Episode {n}", "https://show.example/podcast", f"ep-{n}", EPISODE.format(topic=topic))
        for n, topic in enumerate(["tides", "volcanoes", "glaciers"])
    )
    result = read(tmp_path, feed(items))
    assert result.duplicates == 0
    assert sorted(a.title for a in result.articles) == ["Episode 0", "Episode 1", "Episode 2"]
    assert len({a.article_id for a in result.articles}) == 3
    assert {a.url for a in result.articles} == {"https://show.example/podcast"}


def test_same_text_under_a_shared_link_but_different_titles_stays_apart(tmp_path):
    text = EPISODE.format(topic="the news")
    items = item("Part one", "https://show.example/", "ep", text) + item(
        "Part two", "https://show.example/", "ep", text
    )
    result = read(tmp_path, feed(items))
    assert sorted(a.title for a in result.articles) == ["Part one", "Part two"]


def test_a_home_page_never_identifies_an_article():
    text_hash = "0" * 64
    assert make_article_id("https://show.example/", text_hash, "g1") != make_article_id(
        "https://show.example/", text_hash, "g2"
    )
    assert make_article_id("https://show.example/a/story", text_hash, "g1") == make_article_id(
        "https://show.example/a/story", text_hash, "g2"
    )


def test_the_same_entry_read_again_keeps_its_id(tmp_path):
    items = item("Episode 1", "https://show.example/", "ep-1", EPISODE.format(topic="tides")) + item(
        "Episode 2", "https://show.example/", "ep-2", EPISODE.format(topic="rivers")
    )
    first = {a.title: a.article_id for a in read(tmp_path, feed(items)).articles}
    again = {a.title: a.article_id for a in read(tmp_path, feed(items)).articles}
    assert first == again


def test_summaries_are_marked_as_teasers_and_full_content_is_not(tmp_path):
    summary = "Kim Jong Un met Russia's defence minister in Pyongyang on Friday, state media said, in talks " * 2
    full = " ".join(["<p>" + summary + "</p>"] * 10)
    items = (
        item("Summary only", "https://news.example/a", description=summary)
        + item("Summary that goes on", "https://news.example/b", description=summary * 5 + " Read more")
        + item("Full text", "https://news.example/c", description=summary, content=full)
    )
    teaser = {a.title: a.is_teaser for a in read(tmp_path, feed(items)).articles}
    assert teaser == {"Summary only": True, "Summary that goes on": True, "Full text": False}


def test_real_feeds_parse_or_are_quarantined_and_podcast_episodes_are_not_merged():
    folder = SHARED_DIR / "data" / "feeds-real"
    if not folder.is_dir():
        pytest.skip("../shared/data/feeds-real is not beside the project")
    settings = load_settings(overrides={"sources": [str(folder)]}, environ={})
    result = extract_articles(settings, datetime(2030, 1, 1, tzinfo=UTC))
    assert all(q.reason for q in result.quarantined)
    read_from = {
        loc.split("#")[0]
        for loc in [a.source_location for a in result.articles] + [q.source_location for q in result.quarantined]
    }
    silent = {p.name for p in folder.glob("*.*") if p.suffix in (".rss", ".atom") and str(p) not in read_from}
    # Three fixtures carry the same single episode (same guid and link): it is loaded once, so
    # the ones holding nothing else add nothing; every other feed loads or quarantines its entries.
    assert silent == {"itunes-keywords.rss"}
    per_feed = Counter(a.source_location.split("#")[0].rsplit("/", 1)[-1] for a in result.articles)
    # 7 before: its 84 episodes all link to the show's home page, and the link made them one article.
    assert per_feed["itunes-missing-image.rss"] >= 80
    assert result.duplicates <= 3
