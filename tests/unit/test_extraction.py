"""Page extraction: the cascade's choice, notice lines, boilerplate-only pages, plain titles, real pages."""

from __future__ import annotations

import gzip
import json

import pytest
from lxml import html as lxml_html

from newsflow.ingest.extraction import (
    boilerplate_reason,
    choose_body,
    drop_leading_headline,
    drop_link_lines,
    drop_notice_lines,
    extract_page,
    page_signals,
    unmark_embedded_posts,
)
from newsflow.ingest.parsers import parse_html
from newsflow.ingest.records import plain_title
from tests.helpers import SEEDS, SHARED_DIR

ARTICLE = SEEDS["afp"].read_text(encoding="utf-8").split("---\n")[-1]
ARTICLE_LINE = "Kim Jong Un met Russia's defence minister Andrei Belousov in Pyongyang on Friday, KCNA said."


def test_titles_are_plain_text():
    assert plain_title("Kim &amp; Putin: <b>talks</b> &#8216;go well&#8217;") == "Kim & Putin: talks ‘go well’"
    assert plain_title("Profits &amp;lt;b&amp;gt;soar&amp;lt;/b&amp;gt;") == "Profits soar"
    assert plain_title("Revenue < forecast, costs > plan") == "Revenue < forecast, costs > plan"
    assert plain_title("  <span> </span> ") is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "We use cookies to improve your experience. By continuing you accept our cookie policy. "
            "Manage preferences. Accept all.",
            "cookie notice",
        ),
        ("Subscribe to continue reading. Already a subscriber? Sign in to read the full story.", "paywall"),
        (
            "This article was originally published on The Conversation, an independent and nonprofit source "
            "of news, analysis and commentary from academic experts. It is republished here with permission "
            "under a Creative Commons license.",
            "reprint notice",
        ),
        ("Please enable JavaScript to view this page.", "javascript required"),
    ],
)
def test_pages_that_are_only_a_notice_are_named(text, reason):
    assert boilerplate_reason(text) == reason


def test_an_article_that_mentions_cookies_or_subscribers_is_an_article():
    long_text = ARTICLE + " The minister said subscribers to the treaty would accept cookies from Pyongyang."
    assert boilerplate_reason(long_text) is None
    assert boilerplate_reason("Kim Jong Un met Andrei Belousov in Pyongyang on Friday, KCNA said.") is None


def test_short_notice_lines_are_dropped_and_paragraphs_kept():
    text = (
        "Kim met Belousov in Pyongyang.\nRelated: Kim's missile tests in pictures\n"
        "Sign up for our daily newsletter.\nEmail Jane Doe at jane@example.org or follow her on X.\n"
        "The ministers discussed a newsletter the two armies plan to share, officials said, and the long "
        "paragraph that mentions it is article text because it runs well past forty words, telling the "
        "reader what was agreed, who was there, what each side wanted from the meeting and what comes next "
        "for the two countries and their armies."
    )
    kept = drop_notice_lines(text).split("\n")
    assert kept[0] == "Kim met Belousov in Pyongyang."
    assert len(kept) == 2 and kept[1].startswith("The ministers discussed a newsletter")


def test_lines_made_of_the_pages_link_texts_are_navigation():
    tree = lxml_html.fromstring(
        "<html><body><h1>Kim meets Belousov</h1><p>Kim met Belousov in Pyongyang.</p>"
        "<ul><li><a href='/a'>China furious at Macron over protest jibe</a></li><li><a href='/b'>here</a></li>"
        "<li><a href='https://amzn.to/x'>https://amzn.to/2iJFhRj</a></li></ul></body></html>"
    )
    headlines, links = page_signals(tree)
    assert headlines == {"kim meets belousov"}
    assert "https amzn to 2ijfhrj" not in links  # a written-out address is content
    text = (
        "Kim met Belousov in Pyongyang, and the talks went on for hours, officials said here.\n"
        "China furious at Macron over protest jibe [INSIGHT]\n"
        "Buy it at https://amzn.to/2iJFhRj"
    )
    assert drop_link_lines(text, links).split("\n") == [text.split("\n")[0], text.split("\n")[2]]


def test_a_leading_headline_or_dateline_is_not_body():
    text = "Kim meets Belousov\nNovember 20, 2019 - 11:28 AMT\nKim met Belousov in Pyongyang.\nKim meets Belousov"
    assert drop_leading_headline(text, {"kim meets belousov"}) == "Kim met Belousov in Pyongyang.\nKim meets Belousov"
    article = "In 2019 the talks were held at 10:30 in Pyongyang, and they lasted all day, officials said."
    assert drop_leading_headline(article, set()) == article  # a long line with a date is a sentence


def test_extract_page_reads_the_article_without_its_site():
    paragraphs = "".join(f"<p>{ARTICLE_LINE} Paragraph {i} adds a fact of its own.</p>" for i in range(8))
    page = (
        "<html><head><title>Kim meets Belousov | Herald</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Kim meets Belousov</h1><p>20/11/2019 11:28</p>{paragraphs}"
        "<p><a href='/x'>Kim's missile tests in pictures</a></p></article>"
        "<footer><a href='/about'>About us</a></footer></body></html>"
    )
    lines = extract_page(page, "https://herald.example/kim")["text"].split("\n")
    assert lines[0].startswith(ARTICLE_LINE) and len(lines) == 8
    assert not any("missile tests" in line or "Kim meets Belousov" == line for line in lines)


def test_an_embedded_post_is_quoted_text_of_the_article():
    paragraphs = "".join(f"<p>{ARTICLE_LINE} Paragraph {i} adds a fact of its own.</p>" for i in range(6))
    tweet = "The talks in Pyongyang were useful and we agreed to meet again in Moscow next spring"
    page = (
        f"<html><body><article><h1>Kim meets Belousov</h1>{paragraphs}"
        f"<div class='social-media-embed'><blockquote class='twitter-tweet'><p lang='en'>{tweet}</p>"
        "— Defence Ministry (@mod_russia) November 18, 2019</blockquote></div>"
        f"{paragraphs}</article></body></html>"
    )
    assert tweet in extract_page(page, "https://herald.example/kim")["text"]
    tree = lxml_html.fromstring(page)
    assert unmark_embedded_posts(tree)
    assert tree.xpath("//blockquote/@class") == [""] and tree.xpath("//div/@class") == [""]
    assert not unmark_embedded_posts(lxml_html.fromstring(f"<html><body>{paragraphs}</body></html>"))


def test_readability_replaces_trafilatura_only_when_one_text_holds_the_other():
    body = " ".join(f"Sentence number {i} of the article says something new." for i in range(60))
    bio = " The author covers defence for the paper and lives in Seoul with two cats and a dog."
    assert choose_body(body + bio, body) == (body, "readability")  # trafilatura kept a bio box
    assert choose_body(body[:200], body) == (body, "readability")  # trafilatura stopped early
    other = " ".join(f"Another page entirely, line {i}, about football scores." for i in range(60))
    assert choose_body(body, other) == (body, "trafilatura")
    assert choose_body(body, "") == (body, "trafilatura")


def test_extraction_beats_plain_trafilatura_on_real_pages():
    """The regression guard of bench/extraction.py (the bench prints the halves)."""
    data = SHARED_DIR / "data" / "extraction-dev"
    if not data.is_dir():
        pytest.skip("../shared/data/extraction-dev is not beside the project")
    import trafilatura

    from bench.extraction import load_evaluate

    evaluate = load_evaluate(data)
    gold = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ours, plain = [], []
    for key, page in gold.items():
        markup = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        [item] = parse_html(markup, page["url"])
        assert isinstance(item, dict), f"{page['url']} quarantined: {item}"
        ours.append(evaluate.string_shingle_matching(page["articleBody"], item["text"]))
        plain_text = trafilatura.extract(markup.decode("utf-8", "replace"), url=page["url"]) or ""
        plain.append(evaluate.string_shingle_matching(page["articleBody"], plain_text))
    ours_f1 = evaluate.metrics_from_tp_fp_fns(ours)["f1"]
    assert ours_f1 >= 0.975
    assert ours_f1 > evaluate.metrics_from_tp_fp_fns(plain)["f1"] + 0.01
