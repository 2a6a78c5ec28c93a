import json

from newsflow.ingest.parsers import html_to_text, parse_feed, parse_html, parse_json, parse_jsonl, parse_text
from newsflow.ingest.records import Reject
from tests.helpers import SAMPLE_DIR, SEEDS


def test_text_with_front_matter_and_markdown_title():
    [item] = parse_text(SEEDS["afp"].read_bytes())
    assert item["outlet"] == "AFP"
    assert item["title"] == "North Korea's Kim, Russian minister agree to boost military ties"
    assert item["text"].lstrip().startswith("AFP – Russian Defence Minister Andrei Belousov")
    assert item["url"].startswith("https://www.afp.example/")


def test_text_without_front_matter_uses_first_line_as_title():
    [item] = parse_text(b"\n\nA title\n\nFirst paragraph.\n\nSecond.")
    assert item["title"] == "A title"
    assert "Second." in item["text"]
    assert item["outlet"] is None


def test_bad_front_matter_is_rejected():
    [item] = parse_text(b"---\nurl: [unclosed\n---\nTitle\n\nBody")
    assert isinstance(item, Reject) and "front matter" in str(item)


def test_jsonl_bad_line_is_rejected_alone():
    data = b'{"text": "one", "title": "A"}\n{"text": "two"\n\n[1, 2]\n{"title": "no text"}\n'
    items = parse_jsonl(data)
    assert len(items) == 4
    assert items[0]["title"] == "A"
    assert isinstance(items[1], Reject) and str(items[1]).startswith("line 2: invalid JSON")
    assert isinstance(items[2], Reject) and "expected a JSON object" in str(items[2])
    assert isinstance(items[3], Reject) and "missing required field 'text'" in str(items[3])


def test_json_file_with_a_list_of_articles():
    items = parse_json(json.dumps([{"text": "a b c", "outlet": 7}, {"text": "d e f"}]).encode())
    assert [item["text"] for item in items] == ["a b c", "d e f"]
    assert items[0]["outlet"] == 7  # JSON types are kept: newsflow.ingest.fields coerces them


def test_html_page_metadata_and_text(tmp_path):
    page = SAMPLE_DIR / "html" / "harborpost_kim_belousov_20241130.html"
    [item] = parse_html(page.read_bytes())
    assert item["outlet"] == "Harbor Post"
    assert item["published_at"].startswith("2024-11-30")
    assert item["url"].startswith("https://www.harborpost.example/")
    assert "Kim Jong Un" in item["text"]
    assert "Subscribe" not in item["title"]
    assert "cookie" not in item["text"].lower()


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    text = html_to_text("<p>One &amp; two.</p><script>alert(1)</script><p>Three</p>")
    assert "alert" not in text
    assert [p.strip() for p in text.split("\n\n") if p.strip()] == ["One & two.", "Three"]


def test_feed_with_entity_declarations_is_refused():
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&b;</title><description>&b;</description></item></channel></rss>"""
    [item] = parse_feed(evil)
    assert isinstance(item, Reject)
    assert "entity" in str(item)


def test_sample_rss_feed_gives_full_text_items():
    items = parse_feed((SAMPLE_DIR / "feeds" / "daily_meridian.rss.xml").read_bytes())
    assert len(items) == 10
    assert all(item["outlet"] == "Daily Meridian" for item in items)
    assert all(len(item["text"].split()) > 150 for item in items)
    assert all(item["published_at"].endswith("+00:00") for item in items)
