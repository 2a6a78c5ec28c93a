from datetime import UTC, datetime, timedelta

import pytest

from newsflow.ingest.records import (
    Reject,
    build_article,
    content_hash,
    fold_whitespace,
    make_article_id,
    parse_published,
)

REF = datetime(2024, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(hours=24)
BODY = "Russian Defence Minister Andrei Belousov met North Korean leader Kim Jong Un in Pyongyang. " * 3


def article(**changes):
    fields = dict(
        text=BODY,
        title="Kim meets Belousov",
        url="https://www.afp.example/story?utm_source=x",
        outlet="AFP",
        author=None,
        published="2024-11-30T08:12:00+00:00",
        language=None,
        source_name="test",
        source_location="mem",
        source_format="text",
        reference_time=REF,
        tolerance=DAY,
    )
    fields.update(changes)
    return build_article(**fields)


def test_dates_are_converted_to_utc_and_flagged():
    assert parse_published("Sat, 30 Nov 2024 17:40:00 +0900", REF, DAY) == (
        datetime(2024, 11, 30, 8, 40, tzinfo=UTC),
        "ok",
    )
    assert parse_published("2024-11-30 08:00", REF, DAY) == (datetime(2024, 11, 30, 8, tzinfo=UTC), "ok")
    assert parse_published(None, REF, DAY) == (None, "missing")
    assert parse_published("  ", REF, DAY) == (None, "missing")
    assert parse_published("the day after tomorrow", REF, DAY) == (None, "unparsed")


def test_future_dates_are_flagged_not_replaced_by_now():
    published, flag = parse_published("2025-06-01T00:00:00Z", REF, DAY)
    assert (published, flag) == (None, "future")
    built = article(published="2025-06-01T00:00:00Z")
    assert built.date_flag == "future"
    assert built.published_at is None
    assert built.published_at_raw == "2025-06-01T00:00:00Z"


def test_article_id_comes_from_the_normalised_url_else_the_content():
    a = article()
    b = article(url="https://afp.example/story", text=BODY + " Updated.")
    assert a.article_id == b.article_id
    assert a.content_hash != b.content_hash
    no_url = article(url=None)
    assert no_url.article_id == make_article_id(None, content_hash(BODY))
    assert no_url.article_id != a.article_id
    assert no_url.outlet == "AFP"


def test_content_hash_ignores_case_and_spacing_only():
    assert content_hash("Kim  met\nBelousov") == content_hash("kim met belousov")
    assert content_hash("Kim met Belousov") != content_hash("Kim met Putin")


def test_text_without_enough_words_is_rejected_with_a_reason():
    with pytest.raises(Reject, match="no extractable article text"):
        article(text="Subscribe to continue reading.")


def test_missing_title_falls_back_to_first_line_and_outlet_to_domain():
    built = article(title="  ", outlet=None)
    assert built.title.startswith("Russian Defence Minister")
    assert built.outlet == "afp.example"


def test_whitespace_folding_keeps_paragraphs():
    assert fold_whitespace("a  b\r\n\r\n\n c\td ") == "a b\n\nc d"


def test_archive_dates_are_kept_unless_an_earliest_date_is_configured():
    assert parse_published("Thu, 26 Mar 1987 09:30:00 GMT", REF, DAY) == (
        datetime(1987, 3, 26, 9, 30, tzinfo=UTC),
        "ok",
    )
    earliest = datetime(1990, 1, 1, tzinfo=UTC)
    assert parse_published("1987-03-26", REF, DAY, earliest) == (None, "before_earliest")
    assert parse_published("1990-01-01", REF, DAY, earliest) == (earliest, "ok")
    built = article(published="1970-01-01T00:00:00Z", earliest=earliest)
    assert (built.published_at, built.date_flag, built.published_at_raw) == (
        None,
        "before_earliest",
        "1970-01-01T00:00:00Z",
    )
