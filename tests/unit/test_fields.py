"""Defensive typing of parsed items and publication dates read with their zones."""

from datetime import UTC, date, datetime, timedelta

import pytest

from newsflow.ingest.dates import parse_datetime
from newsflow.ingest.fields import FieldError, clean_text, coerce_item
from newsflow.ingest.records import parse_published

REF = datetime(2024, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_lists_and_names_become_text_and_numbers_titles():
    item = coerce_item(
        {
            "title": ["Kim meets", "Belousov"],
            "text": ["First paragraph.", "Second paragraph."],
            "author": [{"name": "Jane Doe"}, "John Roe"],
            "outlet": {"name": "AFP"},
            "url": "www.afp.example/story",
            "language": "English",
            "published_at": 1732950000,
        }
    )
    assert item["title"] == "Kim meets Belousov"
    assert item["text"] == "First paragraph.\n\nSecond paragraph."
    assert item["author"] == "Jane Doe, John Roe"
    assert item["outlet"] == "AFP"
    assert item["url"] == "https://www.afp.example/story"
    assert item["language"] is None  # a name, not a code: detected from the text instead
    assert coerce_item({"title": 2024, "text": "x"})["title"] == "2024"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", 12345),
        ("url", ["https://a.example"]),
        ("title", {"nested": True}),
        ("title", True),
        ("text", 42),
        ("text", {"body": "x"}),
        ("author", [1, 2]),
        ("outlet", False),
    ],
)
def test_a_field_that_cannot_be_its_type_is_refused_by_name(field, value):
    with pytest.raises(FieldError, match=f"field '{field}'"):
        coerce_item({"text": "body", field: value})


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "tag:blogger.com,1999:post-1", "urn:uuid:1225c695", "/news/1", "http://[::1/x", ""]
)
def test_text_that_is_no_usable_url_leaves_the_article_without_one(value):
    assert coerce_item({"text": "body", "url": value})["url"] is None


def test_control_characters_and_lone_surrogates_are_cleaned():
    assert clean_text("Kim\x00 met\x1b Belousov\x7f\x85") == "Kim met Belousov"
    assert clean_text("tab\tline\nend") == "tab\tline\nend"
    assert clean_text("bad \ud800 half") == "bad \ufffd half"
    assert coerce_item({"text": "a", "title": "T\x00itle"})["title"] == "Title"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-11-30 10:00 EST", datetime(2024, 11, 30, 15, tzinfo=UTC)),
        ("30 Nov 2024 10:00 KST", datetime(2024, 11, 30, 1, tzinfo=UTC)),
        ("2024-11-30 10:00 UTC+9", datetime(2024, 11, 30, 1, tzinfo=UTC)),
        ("2024-11-30 10:00 GMT-05:00", datetime(2024, 11, 30, 15, tzinfo=UTC)),
        ("2024-07-01 10:00 America/New_York", datetime(2024, 7, 1, 14, tzinfo=UTC)),
        ("2024-11-30 10:00 Asia/Seoul", datetime(2024, 11, 30, 1, tzinfo=UTC)),
        ("Sat, 30 Nov 2024 17:40:00 +0900", datetime(2024, 11, 30, 8, 40, tzinfo=UTC)),
        ("2024-11-30T10:00:00Z", datetime(2024, 11, 30, 10, tzinfo=UTC)),
        ("2024-11-30 10:00", datetime(2024, 11, 30, 10, tzinfo=UTC)),
        (1732950000, datetime(2024, 11, 30, 7, tzinfo=UTC)),
        (1732950000000, datetime(2024, 11, 30, 7, tzinfo=UTC)),
        (date(2024, 11, 30), datetime(2024, 11, 30, tzinfo=UTC)),
        ("1985-03-02", datetime(1985, 3, 2, tzinfo=UTC)),
    ],
)
def test_zones_are_resolved(written, expected):
    assert parse_datetime(written) == expected
    assert parse_published(written, REF, DAY) == (expected, "ok")


@pytest.mark.parametrize(
    "written",
    [
        "2024-11-30 10:00 +25:00",
        "2024-11-30 10:00 -15:00",
        "2024-11-30 10:00 XYZ",
        "2024-11-30 10:00 CST",  # US Central or China: refused, not guessed
        "2024-11-30 10:00 Mars/Olympus_Mons",
        "2024-13-45",
        "99999-01-01",
        -5,
        10**20,
        "\x00\x00",
    ],
)
def test_unresolvable_dates_are_flagged_unparsed_never_shifted(written):
    assert parse_published(written, REF, DAY) == (None, "unparsed")
