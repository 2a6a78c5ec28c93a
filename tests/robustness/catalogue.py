"""A catalogue of bad-input classes, each beside a good article, run through the real steps.

Every class is a folder holding one good article (``good.txt``) and the bad input; network
classes are feed URLs served by a loopback HTTP server (:mod:`tests.robustness.server`).
:func:`run_catalogue` runs all of them in ONE pipeline run (the DAG's list of steps: extract
-> partition -> enrich -> merge -> link -> validate -> load -> refresh) on a temporary
warehouse, then judges each
class: its good article loaded, and its bad input loaded correctly or quarantined with a
reason.  ``bench/robustness_table.py`` prints the outcome as a table.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.config import load_settings
from newsflow.pipeline.run_folder import BatchInfo, RunFolder
from newsflow.pipeline.steps import run_steps
from newsflow.warehouse import db

PROJECT = Path(__file__).resolve().parents[2]
SEED = (PROJECT / "data" / "sample" / "text" / "afp_kim_belousov_20241130.txt").read_text(encoding="utf-8")
SEED_BODY = SEED.split("# North Korea's Kim, Russian minister agree to boost military ties", 1)[1].strip()
SAMPLE_FEED = (PROJECT / "data" / "sample" / "feeds" / "daily_meridian.rss.xml").read_bytes()
SAMPLE_PAGE = (PROJECT / "data" / "sample" / "html" / "harborpost_kim_belousov_20241130.html").read_text(
    encoding="utf-8"
)
ORIGINAL_PAGE_URL = "https://www.harborpost.example/world/asia/2024/11/30/kim-jong-un-russian-defence-chief-pledge-deeper-military-cooperation"
BATCH = BatchInfo(datetime(2024, 12, 4, tzinfo=UTC), datetime(2024, 12, 4, 1, tzinfo=UTC))
KOREAN = (
    "북한 김정은 국무위원장이 평양에서 러시아의 안드레이 벨로우소프 국방장관을 만나 군사 협력을 강화하기로 "
    "합의했다고 조선중앙통신이 30일 보도했다. 양측은 회담에서 국제 정세와 양국 관계 발전 방안을 논의했다. "
) * 6
JAPANESE = (
    "北朝鮮の金正恩総書記は平壌でロシアのベロウソフ国防相と会談し、軍事協力を強化することで合意したと、"
    "朝鮮中央通信が三十日に伝えた。双方は国際情勢と両国関係の発展について話し合った。"
) * 6
PARAGRAPH = (
    "Officials in Seoul said the meeting showed how far cooperation between Moscow and Pyongyang had gone, "
    "and analysts at the Korea Institute for National Unification said more visits were likely."
)


def article_text(tag: str) -> str:
    """A real article body, made distinct by ``tag`` (so two cases are two articles)."""
    return f"{SEED_BODY}\n\nThis copy was filed for the {tag.replace('_', ' ')} case."


def good_article(tag: str) -> bytes:
    """The good article placed beside each bad input."""
    return (
        f"---\noutlet: AFP\nurl: https://good.example/{tag}\npublished_at: 2024-11-30T03:12:00+00:00\n---\n"
        f"Good article beside {tag.replace('_', ' ')}\n\n{article_text(tag)}\n"
    ).encode()


def as_json(tag: str, **fields: Any) -> dict[str, Any]:
    """A JSON article of the case ``tag`` with some fields replaced."""
    return {
        "url": f"https://bad.example/{tag}",
        "title": f"Belousov meets Kim ({tag})",
        "text": article_text(f"{tag} bad"),
        "outlet": "Wire",
        "published_at": "2024-11-30T08:00:00+00:00",
        **fields,
    }


def json_bytes(tag: str, **fields: Any) -> bytes:
    return json.dumps(as_json(tag, **fields), ensure_ascii=False).encode()


def text_file(tag: str, front: str, title: str = "", body: str | None = None) -> bytes:
    body = article_text(f"{tag} bad") if body is None else body
    return f"---\n{front}\n---\n{title or 'Belousov meets Kim ' + tag}\n\n{body}\n".encode()


def rss(items: str, encoding: str = "utf-8", channel: str = "Feed") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{channel}</title>'
        f"<link>https://feed.example/</link>{items}</channel></rss>"
    )


def rss_item(tag: str, text: str | None = None, title: str | None = None) -> str:
    return (
        f"<item><title>{title or 'Feed entry ' + tag}</title><link>https://bad.example/{tag}</link>"
        f"<pubDate>Sat, 30 Nov 2024 08:00:00 +0000</pubDate>"
        f"<description><![CDATA[{text or article_text(tag + ' bad')}]]></description></item>"
    )


ENTITY_FEED = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<!DOCTYPE rss [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    '<rss version="2.0"><channel><title>Laughs</title><item><title>&b;</title>'
    "<link>https://bad.example/entities</link><description>&b;</description></item></channel></rss>"
)


def entity_feed(python_codec: str, label: str, bom: bytes = b"") -> bytes:
    return bom + ENTITY_FEED.format(encoding=label).encode(python_codec)


def random_bytes(size: int, seed: int = 13) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(size))


def page(tag: str, head: str = "", wrap: tuple[str, str] = ("", "")) -> str:
    """The sample HTML article, with extra ``head`` markup and its body wrapped in ``wrap``."""
    head_part, body_part = SAMPLE_PAGE.split("<body", 1)
    open_end = body_part.index(">") + 1
    inner = body_part[open_end:].replace("</body>", "")
    inner = inner.replace("Russian Defence Minister", f"({tag} case) Russian Defence Minister", 1)
    head_part = head_part.replace(ORIGINAL_PAGE_URL, f"https://bad.example/{tag}")
    head_part = head_part.replace("military cooperation", f"military cooperation ({tag})")
    return (
        head_part.replace("</head>", f"{head}</head>")
        + "<body"
        + body_part[:open_end]
        + wrap[0]
        + inner
        + wrap[1]
        + "</body></html>"
    )


# What the judge sees of the warehouse for one class.
@dataclass
class Seen:
    articles: list[dict[str, Any]]  # bad inputs loaded: staging.articles rows (+ source_location)
    quarantine: list[dict[str, Any]]  # raw.quarantine rows of the class
    good_loaded: bool
    skipped: dict[str, int]  # the run's skip counts
    mentions: list[dict[str, Any]] = field(default_factory=list)


Check = Callable[[Seen], str | None]  # None when the outcome is right, else what is wrong


def quarantined(pattern: str, step: str | None = None) -> Check:
    """The bad input must be in the quarantine with a reason matching ``pattern`` (and ``step``)."""

    def check(seen: Seen) -> str | None:
        if seen.articles:
            return f"loaded {len(seen.articles)} article(s) that should be quarantined"
        hits = [q for q in seen.quarantine if re.search(pattern, q["reason"]) and step in (None, q["step"])]
        return None if hits else f"no quarantine row matching {pattern!r} (step {step}): {seen.quarantine}"

    check.expected = f"quarantined: {pattern}"  # type: ignore[attr-defined]
    return check


def loaded(description: str, test: Callable[[dict[str, Any], Seen], bool] = lambda a, s: True, count: int = 1) -> Check:
    """The bad input must load (``count`` articles), each passing ``test``."""

    def check(seen: Seen) -> str | None:
        if len(seen.articles) != count:
            return f"{len(seen.articles)} articles loaded, expected {count}; quarantine: {seen.quarantine}"
        failing = [a for a in seen.articles if not test(a, seen)]
        return f"loaded but wrong ({description}): {failing[0]}" if failing else None

    check.expected = f"loaded: {description}"  # type: ignore[attr-defined]
    return check


def skipped(reason: str) -> Check:
    def check(seen: Seen) -> str | None:
        if seen.articles or seen.quarantine:
            return f"read although it should be skipped: {seen.articles or seen.quarantine}"
        return None if seen.skipped.get(reason) else f"no skip counted as {reason!r}: {seen.skipped}"

    check.expected = f"skipped and counted: {reason}"  # type: ignore[attr-defined]
    return check


def either(*checks: Check) -> Check:
    def check(seen: Seen) -> str | None:
        problems = [c(seen) for c in checks]
        return None if any(p is None for p in problems) else " / ".join(p for p in problems if p)

    check.expected = " or ".join(c.expected for c in checks)  # type: ignore[attr-defined]
    return check


@dataclass
class Case:
    """One bad-input class: files in its folder (beside good.txt), or a feed URL path served."""

    name: str
    check: Check
    files: dict[str | bytes, bytes] = field(default_factory=dict)
    served: str | None = None  # path on the loopback server, for network classes
    symlink_out: bool = False


def _long_text() -> str:
    # Over spaCy's max_length (1,000,000 characters) with few tokens, so the case stays quick;
    # a real paragraph at each end shows entities are found across the pieces.
    filler = " ".join(["Pyongyangconstructionprogrammeassessmentreportsection"] * 22_000)
    return f"{SEED_BODY}\n\n{filler}\n\n{PARAGRAPH} Kim Jong Un met Vladimir Putin in Moscow."


def yaml_alias_bomb() -> str:
    """Nine levels of nine references: 9**9 items if anything expanded it."""
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(levels)


def _title_is(expected: str) -> Callable[[dict[str, Any], Seen], bool]:
    return lambda article, _: article["title"] == expected


def _no_control(article: dict[str, Any], _: Seen) -> bool:
    return not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", article["title"] + article["text"])


def file_cases() -> list[Case]:
    """Classes read from files."""
    deep = b"[" * 100_000 + b"]" * 100_000
    deep_front = b"---\nnested: " + b"[" * 50_000 + b"]" * 50_000 + b"\n---\nTitle\n\n" + article_text("deep").encode()
    cases = [
        # wrong types in every field of every format
        Case("json_url_number", quarantined(r"^field 'url': expected a URL as text, got int$", "record"),
             {"bad.json": json_bytes("json_url_number", url=12345)}),
        Case("json_url_not_http", loaded("a javascript: URL is dropped, the id comes from the text",
                                         lambda a, _: a["url"] is None),
             {"bad.json": json_bytes("json_url_not_http", url="javascript:alert(1)")}),
        Case("json_title_list", loaded("a list title is joined, not its Python repr", _title_is("Kim meets Belousov")),
             {"bad.json": json_bytes("json_title_list", title=["Kim meets", "Belousov"])}),
        Case("json_title_object", quarantined(r"^field 'title': expected text, got dict$", "record"),
             {"bad.json": json_bytes("json_title_object", title={"en": "x"})}),
        Case("json_text_number", quarantined(r"^field 'text': expected text, got int$", "record"),
             {"bad.json": json_bytes("json_text_number", text=123456)}),
        Case("json_text_list", loaded("paragraph list joined", lambda a, _: "\n\n" in a["text"]),
             {"bad.json": json_bytes("json_text_list", text=article_text("json_text_list bad").split("\n\n"))}),
        Case("json_author_numbers", quarantined(r"^field 'author': .*list holding int", "record"),
             {"bad.json": json_bytes("json_author_numbers", author=[1, 2])}),
        Case("json_outlet_bool", quarantined(r"^field 'outlet': expected text, got bool$", "record"),
             {"bad.json": json_bytes("json_outlet_bool", outlet=True)}),
        Case("json_date_list", loaded("date flagged unparsed", lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.json": json_bytes("json_date_list", published_at=[2024, 11, 30])}),
        Case("json_date_epoch", loaded("epoch seconds read as a time", lambda a, _: a["date_flag"] == "ok"
                                       and a["published_at"] == datetime(2024, 11, 30, 7, tzinfo=UTC)),
             {"bad.json": json_bytes("json_date_epoch", published_at=1732950000)}),
        Case("json_language_name", loaded("'English' is no code: detected as en", lambda a, _: a["language"] == "en"),
             {"bad.json": json_bytes("json_language_name", language="English")}),
        Case("json_language_number", loaded("detected as en", lambda a, _: a["language"] == "en"),
             {"bad.json": json_bytes("json_language_number", language=42)}),
        Case("jsonl_wrong_type_line", quarantined(r"^field 'url'", "record"),
             {"bad.jsonl": json_bytes("jsonl_wrong_type_line", url=["https://a.example"]) + b"\n"}),
        Case("front_matter_url_number", quarantined(r"^field 'url'", "record"),
             {"bad.txt": text_file("front_matter_url_number", "url: 12345")}),
        Case("front_matter_title_list", loaded("YAML list title joined", _title_is("Kim meets Belousov")),
             {"bad.txt": text_file("front_matter_title_list", "title: [Kim meets, Belousov]")}),
        Case("front_matter_not_mapping", quarantined("front matter is not a mapping", "parse"),
             {"bad.txt": text_file("front_matter_not_mapping", "- a\n- b")}),
        Case("front_matter_invalid_yaml", quarantined("front matter is not valid YAML", "parse"),
             {"bad.txt": text_file("front_matter_invalid_yaml", "url: [unclosed")}),
        Case("front_matter_date_object", loaded("YAML date read", lambda a, _: a["date_flag"] == "ok"),
             {"bad.txt": text_file("front_matter_date_object", "published_at: 2024-11-30")}),
        Case("json_top_level_scalar", quarantined("expected a JSON object", "parse"), {"bad.json": b"42"}),
        Case("json_feed_items_not_objects", quarantined("expected a JSON object", "parse"),
             {"bad.json": json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "F",
                                      "items": ["x", 3]}).encode()}),
        Case("jsonl_invalid_line", quarantined("invalid JSON", "parse"), {"bad.jsonl": b'{"text": "unterminated\n'}),
        Case("csv_named_jsonl", quarantined(r"^49900 more items of this document rejected", "parse"),
             {"bad.jsonl": b"id,title,text\n" + b"1,a title,some text\n" * 49_999}),
        # huge and deep
        Case("json_deep_nesting", quarantined(r"RecursionError", "parse"), {"bad.json": deep}),
        Case("yaml_deep_nesting", either(quarantined(r"RecursionError|front matter", "parse"), loaded("text kept")),
             {"bad.txt": deep_front}),
        Case("yaml_alias_bomb", loaded("the date is unparsed, the bomb never expanded",
                                       lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.txt": text_file("yaml_alias_bomb", yaml_alias_bomb() + "\npublished_at: *i\n"
                                   "url: https://bad.example/yaml-bomb")}),
        Case("text_over_model_max_length",
             loaded("enriched in pieces: entities after the first million characters",
                    lambda a, s: any(m["start_char"] > 1_000_000 for m in s.mentions)),
             {"bad.txt": text_file("text_over_model_max_length", "url: https://bad.example/long", "Long read",
                                   _long_text())}),
        Case("file_over_size_cap", quarantined("larger than", "read"), {"bad.txt": b"x" * (20 * 1024 * 1024 + 1)}),
        Case("html_megabyte_script_wrapper", loaded("the article inside 3 MB of script"),
             {"bad.html": page("script", wrap=("<script>" + "var x='" + "a" * 3_000_000 + "';</script>",
                                               "<script>var y=1;</script>")).encode()}),
        Case("html_50000_nested_divs", loaded("the article inside 50,000 divs"),
             {"bad.html": page("nested", wrap=("<div>" * 50_000, "</div>" * 50_000)).encode()}),
        # text and encodings
        Case("json_lone_surrogate", loaded("lone surrogate replaced", lambda a, _: "\ufffd" in a["title"]),
             {"bad.json": json_bytes("json_lone_surrogate").replace(b"Belousov meets", b"Belousov \\ud800 meets")}),
        Case("nul_bytes_in_title", loaded("NUL bytes stripped", _no_control),
             {"bad.json": json_bytes("nul_bytes_in_title", title="Kim\u0000 meets\u0000 Belousov")}),
        Case("control_characters_in_text", loaded("control characters stripped", _no_control),
             {"bad.txt": text_file("control_characters_in_text", "url: https://bad.example/ctl", "Ctl\x1b title",
                                   article_text("ctl").replace(". ", ".\x07 ", 3))}),
        Case("euc_kr_undeclared", loaded("Korean decoded, not Latin-1", lambda a, _: "김정은" in a["text"]),
             {"bad.txt": text_file("euc_kr", "url: https://bad.example/ko", "북한 김정은", KOREAN + "(파일)").decode()
                 .encode("euc-kr")}),
        Case("shift_jis_html_meta_charset", loaded("Japanese decoded by its <meta charset>",
                                                   lambda a, _: "金正恩" in a["text"]),
             {"bad.html": ('<html><head><meta charset="Shift_JIS"><title>金正恩氏</title>'
                           '<link rel="canonical" href="https://bad.example/sjis"></head><body><article>'
                           f"<h1>金正恩氏</h1><p>{JAPANESE}</p><p>{JAPANESE}</p></article></body></html>").encode(
                 "shift_jis")}),
        Case("windows_1252_undeclared", loaded("curly quotes kept", lambda a, _: "’" in a["text"]),
             {"bad.txt": text_file("windows_1252", "url: https://bad.example/cp1252", "It’s a “test”",
                                   article_text("cp1252").replace("'", "’")).decode().encode("cp1252")}),
        Case("utf16_text_with_bom", loaded("UTF-16 text read"),
             {"bad.txt": codecs.BOM_UTF16_LE + text_file("utf16", "url: https://bad.example/u16").decode().encode(
                 "utf-16-le")}),
        Case("utf8_bom_json", loaded("BOM dropped"), {"bad.json": codecs.BOM_UTF8 + json_bytes("utf8_bom_json")}),
        Case("random_bytes_named_txt", quarantined("^not text", "decode"), {"bad.txt": random_bytes(6000)}),
        Case("binary_named_html", quarantined("^not text", "decode"),
             {"bad.html": b"\x89PNG\r\n\x1a\n" + random_bytes(4000, 5)}),
        Case("nul_bytes_file", quarantined("^not text", "decode"), {"bad.json": b"\x00" * 5000}),
        # entity declarations in every encoding
        Case("entities_utf8", quarantined("declares XML entities", "parse"),
             {"bad.xml": entity_feed("utf-8", "utf-8")}),
        Case("entities_utf16_bom", quarantined("declares XML entities", "parse"),
             {"bad.xml": entity_feed("utf-16", "utf-16")}),
        Case("entities_utf16be_no_bom", quarantined("declares XML entities", "parse"),
             {"bad.xml": entity_feed("utf-16-be", "utf-16")}),
        Case("entities_utf32", quarantined("declares XML entities", "parse"),
             {"bad.xml": entity_feed("utf-32", "utf-32")}),
        Case("entities_latin1", quarantined("declares XML entities", "parse"),
             {"bad.rss": entity_feed("latin-1", "iso-8859-1")}),
        # malformed and truncated feeds, hostile HTML
        Case("feed_truncated", either(loaded("entries before the cut"), quarantined("unparseable feed", "parse")),
             {"bad.xml": rss(rss_item("feed_truncated") + rss_item("feed_truncated_2"))[:-120].encode()}),
        Case("feed_not_xml", quarantined("not a feed|unparseable", "parse"), {"bad.rss": b"this is not a feed at all"}),
        Case("feed_html_named_xml", quarantined("not a feed|unparseable", "parse"),
             {"bad.xml": b"<html><body><p>Moved</p></body></html>"}),
        Case("feed_entry_wrong_types", loaded("entry read, junk ignored"),
             {"bad.xml": rss(rss_item("feed_entry_wrong_types").replace(
                 "<pubDate>Sat, 30 Nov 2024 08:00:00 +0000</pubDate>", "<pubDate>[1, 2]</pubDate><author><b/></author>"
             )).encode()}),
        # Navigation links only: the extractor drops link lines, so the page has no text at all.
        Case("html_not_an_article", quarantined("no extractable article text", "parse"),
             {"bad.html": b"<html><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav></body></html>"}),
        Case("html_hostile_markup", loaded("script and handlers not in the text",
                                           lambda a, _: "<script" not in a["text"] and "onerror" not in a["text"]),
             {"bad.html": page("hostile", head="<script>alert(1)</script>",
                               wrap=('<img src=x onerror="alert(2)"><iframe src="javascript:alert(3)"></iframe>',
                                     "<script>document.write('<p>injected</p>')</script>")).encode()}),
        Case("text_too_short", quarantined("no extractable article text", "record"),
             {"bad.txt": b"Title\n\nSubscribe to read.\n"}),
        # odd dates and zones
        Case("offset_plus_25_hours", loaded("+25:00 flagged unparsed", lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.json": json_bytes("offset_plus_25_hours", published_at="2024-11-30T10:00:00+25:00")}),
        Case("zone_abbreviation_est", loaded("10:00 EST is 15:00 UTC", lambda a, _: a["published_at"]
                                             == datetime(2024, 11, 30, 15, tzinfo=UTC)),
             {"bad.json": json_bytes("zone_abbreviation_est", published_at="Sat, 30 Nov 2024 10:00:00 EST")}),
        Case("zone_iana_name", loaded("Asia/Seoul resolved", lambda a, _: a["published_at"]
                                      == datetime(2024, 11, 30, 1, tzinfo=UTC)),
             {"bad.json": json_bytes("zone_iana_name", published_at="2024-11-30 10:00 Asia/Seoul")}),
        Case("zone_unknown", loaded("unknown zone: unparsed, not UTC", lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.json": json_bytes("zone_unknown", published_at="2024-11-30 10:00 XYZT")}),
        Case("zone_ambiguous", loaded("CST is refused, not guessed", lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.json": json_bytes("zone_ambiguous", published_at="2024-11-30 10:00 CST")}),
        Case("archive_date_1985", loaded("archive date kept", lambda a, _: a["published_at"]
                                         == datetime(1985, 3, 2, tzinfo=UTC)),
             {"bad.json": json_bytes("archive_date_1985", published_at="1985-03-02")}),
        Case("date_in_future", loaded("future date flagged", lambda a, _: a["date_flag"] == "future"),
             {"bad.json": json_bytes("date_in_future", published_at="2031-01-01T00:00:00Z")}),
        Case("date_nonsense", loaded("flagged unparsed", lambda a, _: a["date_flag"] == "unparsed"),
             {"bad.json": json_bytes("date_nonsense", published_at="the 45th of Smarch")}),
        # odd file names
        Case("file_name_not_utf8", loaded("read under an escaped name",
                                          lambda a, _: "\\xff" in a["source_location"]),
             {b"bad-\xff\xfe.txt": text_file("file_name_not_utf8", "url: https://bad.example/latin-name")}),
        Case("file_name_control_chars", loaded("read"),
             {"bad\nname\t.txt": text_file("file_name_control_chars", "url: https://bad.example/ctl-name")}),
        Case("file_name_very_long", loaded("read"),
             {"b" * 240 + ".txt": text_file("file_name_very_long", "url: https://bad.example/long-name")}),
        Case("file_unsupported_extension", quarantined("unsupported file type", "read"), {"bad.pdf": b"%PDF-1.4"}),
        Case("dot_file", skipped("hidden"), {".bad.txt": text_file("dot_file", "url: https://bad.example/dot")}),
        Case("ignored_name", skipped("ignored name"), {"NOTES.md": b"# notes"}),
        Case("symlink_out_of_root", skipped("outside the source root"), symlink_out=True),
        Case("language_german", loaded("non-English article loads without entities",
                                       lambda a, s: a["language"] != "en" and not s.mentions),
             {"bad.json": json_bytes("language_german", language="de", text=(
                 "Der russische Verteidigungsminister traf in Pyongyang den nordkoreanischen Machthaber. "
                 "Beide Seiten vereinbarten eine engere militärische Zusammenarbeit, meldeten Staatsmedien. ") * 4)}),
    ]  # fmt: skip
    for ext in ("txt", "json", "jsonl", "html", "xml", "rss"):
        cases.append(Case(f"empty_{ext}", quarantined(r"^empty file \(0 bytes", "read"), {f"bad.{ext}": b""}))
    cases.append(Case("whitespace_only_json", quarantined("^empty file", "read"), {"bad.json": b"  \n\t\n"}))
    cases.append(Case("empty_json_list", quarantined("no articles found", "parse"), {"bad.json": b"[]"}))
    return cases


def network_cases() -> list[Case]:
    """Classes served over HTTP by the loopback server (see tests/robustness/server.py)."""
    return [
        Case("net_slow_response", quarantined("timed out", "fetch"), served="/slow"),
        Case("net_trickle", quarantined("timed out: no complete answer", "fetch"), served="/trickle"),
        Case("net_redirect_loop", quarantined("redirect", "fetch"), served="/loop"),
        Case("net_gzip_bomb", quarantined("^not text|larger than", None), served="/gzip-bomb"),
        Case("net_oversized", quarantined("larger than", "fetch"), served="/huge"),
        Case("net_wrong_type_image", quarantined("^not text", "decode"), served="/image"),
        Case("net_wrong_type_html", quarantined("not a feed|unparseable", "parse"), served="/html"),
        Case("net_304_without_validators", quarantined("304 Not Modified .* no validators", "fetch"),
             served="/always-304"),
        Case("net_server_error", quarantined("500", "fetch"), served="/error"),
        Case("net_truncated_body", quarantined("IncompleteRead|unparseable|timed out", None), served="/truncated"),
        Case("net_connection_refused", quarantined("Connection refused|refused", "fetch"), served="CLOSED"),
        Case("net_declared_charset", loaded("EUC-KR by its header", lambda a, _: "김정은" in a["text"]),
             served="/euc-kr"),
        Case("net_entities_utf16", quarantined("declares XML entities", "parse"), served="/entities-utf16"),
    ]  # fmt: skip


def network_bodies() -> dict[str, tuple[str, bytes]]:
    """What the loopback server answers at each path: content type and body."""
    korean_feed = rss(rss_item("net_declared_charset", KOREAN + "(피드)", "북한 김정은"), encoding="EUC-KR")
    korean_feed = korean_feed.encode("euc-kr")
    return {
        "/good": ("application/rss+xml", rss(rss_item("net_good")).encode()),
        "/gzip-bomb": ("application/rss+xml", gzip.compress(b"\x00" * 30_000_000)),
        "/image": ("image/png", b"\x89PNG\r\n\x1a\n" + random_bytes(5000)),
        "/html": ("text/html", b"<html><body><p>Please enable JavaScript.</p></body></html>"),
        "/euc-kr": ("application/rss+xml; charset=EUC-KR", korean_feed.replace(b'encoding="EUC-KR"', b"")),
        "/entities-utf16": ("application/xml", entity_feed("utf-16", "utf-16")),
    }


def all_cases() -> list[Case]:
    return file_cases() + network_cases()


@dataclass
class CatalogueRun:
    """The outcome of one run over the catalogue."""

    cases: list[Case]
    seen: dict[str, Seen]
    problems: dict[str, str | None]
    good_feed_loaded: bool
    verdict: dict[str, Any]


def write_cases(root: Path, outside: Path, cases: list[Case]) -> None:
    for case in cases:
        if case.served:
            continue
        folder = root / case.name
        folder.mkdir(parents=True)
        (folder / "good.txt").write_bytes(good_article(case.name))
        for name, data in case.files.items():
            raw = name if isinstance(name, bytes) else name.encode()
            with open(os.path.join(os.fsencode(folder), raw), "wb") as handle:
                handle.write(data)
        if case.symlink_out:
            secret = outside / "secret.txt"
            secret.write_bytes(text_file("symlink", "url: https://bad.example/secret"))
            (folder / "link.txt").symlink_to(secret)


def run_catalogue(tmp: Path, base_url: str, closed_url: str, cases: list[Case] | None = None) -> CatalogueRun:
    """Write the cases, run every step once over them, and judge each class."""
    cases = cases if cases is not None else all_cases()
    root, outside = tmp / "sources", tmp / "outside"
    outside.mkdir(parents=True)
    write_cases(root, outside, cases)
    sources: list[dict[str, Any]] = [{"kind": "folder", "path": str(root), "name": "catalogue"}]
    sources.append({"kind": "feed", "url": f"{base_url}/good", "name": "net_good"})
    for case in cases:
        if case.served:
            url = closed_url if case.served == "CLOSED" else base_url + case.served
            sources.append({"kind": "feed", "url": url, "name": case.name})
    settings = load_settings(
        environ={},
        overrides={
            "sources": sources,
            "var_dir": str(tmp / "var"),
            "warehouse": str(tmp / "warehouse.duckdb"),
            "http_timeout_s": 1.0,
            "enrich_partition_size": 40,
        },
    )
    run = RunFolder.for_batch(settings, BATCH)
    results = run_steps(settings, run)  # the DAG's list of steps, every one of them
    verdict = results["validate_batch"]
    skipped_counts = run.read_info().skipped_files
    seen = _observe(settings.warehouse_path, root, cases, skipped_counts)
    with db.connect(settings.warehouse_path, read_only=True) as con:
        good_feed = con.execute("select count(*) from staging.articles where url like '%/net_good'").fetchone()[0]
    problems = {case.name: _judge(case, seen[case.name]) for case in cases}
    return CatalogueRun(cases, seen, problems, good_feed == 1, verdict)


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _observe(warehouse: Path, root: Path, cases: list[Case], skipped_counts: dict[str, int]) -> dict[str, Seen]:
    with db.connect(warehouse, read_only=True) as con:
        articles = _rows(
            con,
            "select s.*, r.source_location from staging.articles s "
            "join raw.articles r using (article_id, content_hash)",
        )
        quarantine = _rows(con, "select * from raw.quarantine")
        mentions = _rows(con, "select article_id, start_char, text from staging.mentions")
    seen = {}
    for case in cases:
        if case.served:
            mine = [a for a in articles if a["source_name"] == case.name]
            bad, good = mine, True
            rows = [q for q in quarantine if q["source_name"] == case.name]
        else:
            prefix = os.fsencode(root / case.name).decode("utf-8", "backslashreplace") + "/"
            mine = [a for a in articles if a["source_location"].startswith(prefix)]
            good = any(a["url"] == f"https://good.example/{case.name}" for a in mine)
            bad = [a for a in mine if a["url"] != f"https://good.example/{case.name}"]
            rows = [q for q in quarantine if q["source_location"].startswith(prefix)]
        ids = {a["article_id"] for a in bad}
        seen[case.name] = Seen(bad, rows, good, skipped_counts, [m for m in mentions if m["article_id"] in ids])
    return seen


def _judge(case: Case, seen: Seen) -> str | None:
    if not seen.good_loaded:
        return "the good article beside it was not loaded"
    return case.check(seen)


def outcome_of(seen: Seen) -> str:
    """A short description of what happened to a class's bad input."""
    if seen.articles:
        return f"loaded ({len(seen.articles)})"
    if seen.quarantine:
        first = seen.quarantine[0]
        return f"quarantined at {first['step']}: {' '.join(first['reason'].split())[:70]}"
    return "skipped (counted)"
