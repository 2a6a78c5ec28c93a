"""Real-world feeds (feed-rs fixtures in ../shared/data/feeds) against their expected parse."""

import json
from pathlib import Path

import pytest

from newsflow.ingest.parsers import parse_feed, parse_json
from newsflow.ingest.records import Reject

MALFORMED_UNREADABLE = {"rss_2.0_invalid_1.xml"}


def _documents(root: Path):
    for path in sorted(root.glob("*/*")):
        if path.suffix in (".xml", ".json") and not path.name.endswith(".serde.json"):
            yield path


def _parse(path: Path):
    data = path.read_bytes()
    return parse_json(data) if path.suffix == ".json" else parse_feed(data)


def test_every_reference_feed_matches_its_expected_entries(shared_feeds):
    checked = 0
    for path in _documents(shared_feeds):
        expected_path = path.with_name(path.name.rsplit(".", 1)[0] + ".serde.json")
        if not expected_path.exists():
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        items = [i for i in _parse(path) if not isinstance(i, Reject)]
        want = [(e.get("title") or {}).get("content") for e in expected.get("entries", [])]
        got = [i["title"] for i in items]
        assert len(got) == len(want), path.name
        for title_got, title_want in zip(got, want, strict=True):
            if title_want:
                assert " ".join(title_got.split()) == " ".join(title_want.split()), path.name
        checked += 1
    assert checked >= 60


def test_truncated_feed_is_rejected_with_the_parser_error(shared_feeds):
    [item] = parse_feed((shared_feeds / "rss2" / "rss_2.0_invalid_1.xml").read_bytes())
    assert isinstance(item, Reject)
    assert "unparseable feed" in str(item)


@pytest.mark.parametrize("name", ["xml_sample_1.xml", "xml_sample_2.xml"])
def test_plain_xml_is_not_taken_for_a_feed(shared_feeds, name):
    [item] = parse_feed((shared_feeds / "xml" / name).read_bytes())
    assert isinstance(item, Reject) and "not a feed" in str(item)


def test_json_feed_items_have_text_dates_and_authors(shared_feeds):
    items = parse_json((shared_feeds / "jsonfeed" / "jsonfeed_spec_1.json").read_bytes())
    assert items[0]["title"] == "Announcing JSON Feed"
    assert items[0]["published_at"] == "2017-05-17T08:02:12-07:00"
    assert "JSON Feed" in items[0]["text"] and "<p>" not in items[0]["text"]
