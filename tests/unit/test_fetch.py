"""Following feed entries to their pages, against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from newsflow.config import load_settings
from newsflow.ingest.fetch import AddressGuard, FetchPolicy, PageFetcher, address_refusal
from newsflow.ingest.sources import extract_articles
from tests.helpers import SAMPLE_DIR, SHARED_DIR
from tests.newssite import NewsSite, rss

REFERENCE = datetime(2030, 1, 1, tzinfo=UTC)
FAST = {
    "allow_private_addresses": True,  # the test site is on loopback: allowed explicitly
    "per_host_concurrency": 2,
    "per_host_delay_s": 0.0,
    "concurrency": 8,
    "retries": 2,
    "backoff_s": 0.05,
    "timeout_s": 5,
}


def real_articles(count: int) -> list[dict]:
    """Real news articles (stories-dev, else the bundled sample) of at least 120 words."""
    path = SHARED_DIR / "data" / "stories-dev" / "articles.jsonl"
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        settings = load_settings(overrides={"sources": [str(SAMPLE_DIR)]}, environ={})
        rows = [{"title": a.title, "text": a.text} for a in extract_articles(settings, REFERENCE).articles]
    rows = [r for r in rows if len(r["text"].split()) >= 120 and "\n\n" in r["text"]]
    seen, unique = set(), []
    for row in rows:
        if row["title"] not in seen:
            seen.add(row["title"])
            unique.append(row)
    assert len(unique) >= count, "not enough real articles for the fixture"
    return unique[:count]


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0][:300]


def publish(site: NewsSite, path: str, article: dict, day: int) -> dict:
    """Put an article page on ``site`` and return its feed entry (a one-sentence summary)."""
    site.add_article(path, article["title"], article["text"])
    date = format_datetime(datetime(2024, 11, day % 28 + 1, 9, tzinfo=UTC), usegmt=True)
    return {
        "title": article["title"],
        "link": site.url + path,
        "summary": first_sentence(article["text"]),
        "date": date,
    }


def settings_for(tmp_path, feed_url: str, **fetch):
    source = {"name": "herald", "kind": "feed", "url": feed_url}
    return load_settings(
        overrides={"sources": [source], "var_dir": str(tmp_path / "var"), "fetch": {**FAST, **fetch}}, environ={}
    )


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def holds(article_text: str, page_text: str) -> bool:
    """The loaded text carries the page's article: 90 % of its 4-word shingles."""
    page, loaded = words(page_text), " ".join(words(article_text))
    shingles = [" ".join(page[i : i + 4]) for i in range(len(page) - 3)]
    return sum(s in loaded for s in shingles) >= 0.9 * len(shingles)


@pytest.fixture
def herald(tmp_path):
    """Three hosts: the main site (feed, robots.txt disallowing /private/), a slow one, a throttling one."""
    articles = iter(real_articles(64))
    with (
        NewsSite(latency_s=0.02) as main,
        NewsSite(latency_s=0.4) as slow,
        NewsSite(throttle_first=True) as throttled,
    ):
        allowed, disallowed, entries = {}, {}, []
        for n in range(45):
            article = next(articles)
            entries.append(publish(main, f"/news/{n}.html", article, n))
            allowed[entries[-1]["link"]] = article
        for n in range(5):
            article = next(articles)
            entries.append(publish(main, f"/private/{n}.html", article, n))
            disallowed[entries[-1]["link"]] = article
        for site, name in ((slow, "slow"), (throttled, "throttled")):
            for n in range(5):
                article = next(articles)
                entries.append(publish(site, f"/{name}/{n}.html", article, n))
                allowed[entries[-1]["link"]] = article
        missing = next(articles)
        entries.append({**publish(main, "/gone.html", missing, 1), "link": main.url + "/never-published.html"})
        image = next(articles)
        entries.append(publish(main, "/photo.html", image, 2))
        main.add_document("/photo.html", "image/jpeg", b"\xff\xd8\xff not a page")
        main.add_document("/feed.xml", "application/rss+xml", rss(entries))
        yield {
            "main": main,
            "slow": slow,
            "throttled": throttled,
            "allowed": allowed,
            "disallowed": disallowed,
            "settings": settings_for(tmp_path, main.url + "/feed.xml"),
        }


def test_summary_entries_are_loaded_as_their_pages_articles_politely(herald):
    result = extract_articles(herald["settings"], REFERENCE)
    allowed = herald["allowed"]
    assert len(allowed) >= 50
    by_url = {a.url: a for a in result.articles}
    full = [url for url, article in allowed.items() if url in by_url and holds(by_url[url].text, article["text"])]
    assert len(full) >= 0.98 * len(allowed)
    assert not any(by_url[url].is_teaser for url in full)
    # An entry whose page could not be had is loaded as its feed teaser when that is long enough.
    teasers = {a.url: a for a in result.articles if a.is_teaser}
    assert set(teasers) <= set(by_url) - set(full)
    assert all(len(a.text.split()) >= 20 and json.loads(a.field_sources)["text"] == "feed" for a in teasers.values())
    assert set(teasers) & set(herald["disallowed"])
    sources = json.loads(by_url[next(iter(allowed))].field_sources)
    assert sources["text"] == "page" and sources["published_at"] == "feed"
    # robots.txt: the disallowed pages were never requested, and each entry says why it is not loaded.
    main = herald["main"]
    assert not [p for p in main.requested if p.startswith("/private/")]
    assert main.requested.count("/robots.txt") == 1
    reasons = [q.reason for q in result.quarantined]
    assert sum("robots.txt disallows" in r for r in reasons) == len(herald["disallowed"])
    assert any("HTTP 404" in r for r in reasons)
    assert any("not an HTML page" in r for r in reasons)
    # Never more than per_host_concurrency requests at once on any host.
    assert max(site.max_active for site in (main, herald["slow"], herald["throttled"])) <= 2
    assert herald["slow"].max_active == 2  # and the limit was actually reached: the pool is shared
    # 429 with Retry-After, then 200: every throttled page was asked twice and loaded.
    assert set(herald["throttled"].page_requests().values()) == {2}
    # Failures keep the feed un-validated so their entries come back next run.
    assert herald["settings"].sources[0].location not in result.feed_state


def test_a_second_run_requests_no_loaded_page_again(herald):
    first = extract_articles(herald["settings"], REFERENCE)
    loaded_paths = {a.url.split("/", 3)[3] for a in first.articles if not a.is_teaser}  # teasers: retried
    before = {name: herald[name].page_requests() for name in ("main", "slow", "throttled")}
    second = extract_articles(herald["settings"], REFERENCE, page_state=first.page_state)
    for name in ("main", "slow", "throttled"):
        again = herald[name].page_requests() - before[name]
        assert not {path.lstrip("/") for path in again} & loaded_paths, name
    assert second.pages_fetched == 0
    assert second.pages_already_loaded == len([a for a in first.articles if not a.is_teaser])
    # Only the teasers of pages still failing come back (unchanged: the load leaves them out).
    assert second.articles and all(a.is_teaser for a in second.articles)
    assert {a.content_hash for a in second.articles} == {a.content_hash for a in first.articles if a.is_teaser}
    # The failures are tried again (and fail again, with their reasons).
    assert {q.reason for q in second.quarantined} == {q.reason for q in first.quarantined}


def test_a_teaser_whose_page_fails_is_loaded_as_a_teaser_then_replaced_by_its_page(tmp_path):
    article, short = real_articles(2)
    with NewsSite() as site:
        entry = publish(site, "/news/late.html", article, 1)
        entry["summary"] = " ".join(article["text"].split()[:40]) + " …"
        brief = {**publish(site, "/news/brief.html", short, 2), "summary": "Too short to stand alone."}
        del site.documents["/news/late.html"], site.documents["/news/brief.html"]  # not online yet
        site.add_document("/feed.xml", "application/rss+xml", rss([entry, brief]))
        settings = settings_for(tmp_path, site.url + "/feed.xml")
        first = extract_articles(settings, REFERENCE)
        [teaser] = first.articles
        assert teaser.is_teaser and teaser.url == entry["link"] and teaser.text.startswith(entry["summary"][:30])
        failures = {(q.source_location, q.step, q.reason) for q in first.quarantined}
        assert failures == {
            (entry["link"], "fetch", f"page not fetched: HTTP 404 ({entry['link']})"),
            (brief["link"], "fetch", f"page not fetched: HTTP 404 ({brief['link']})"),
        }
        assert settings.sources[0].location not in first.feed_state  # the feed is read again next run
        site.add_article("/news/late.html", article["title"], article["text"])
        site.add_article("/news/brief.html", short["title"], short["text"])
        second = extract_articles(settings, REFERENCE, first.feed_state, first.page_state)
        by_url = {a.url: a for a in second.articles}
        assert not by_url[entry["link"]].is_teaser and holds(by_url[entry["link"]].text, article["text"])
        assert by_url[entry["link"]].article_id == teaser.article_id  # the page's article replaces the teaser
        assert holds(by_url[brief["link"]].text, short["text"]) and second.quarantined == []


def test_links_to_loopback_are_refused_unless_allowed(tmp_path):
    article = real_articles(1)[0]
    with NewsSite() as site:
        site.add_document("/feed.xml", "application/rss+xml", rss([publish(site, "/news/1.html", article, 1)]))
        settings = settings_for(tmp_path, site.url + "/feed.xml", allow_private_addresses=False)
        # The feed itself is the operator's own configured URL; the link inside it is not.
        result = extract_articles(settings, REFERENCE)
        assert all(a.is_teaser for a in result.articles)  # the feed's own text only, never the page's
        assert "non-public address (127.0.0.1)" in result.quarantined[0].reason
        assert site.page_requests() == {"/feed.xml": 1}


def test_address_checks():
    closed = AddressGuard()
    assert address_refusal("127.0.0.1", 80, closed)
    assert address_refusal("169.254.169.254", 80, closed)  # cloud metadata: link-local
    assert address_refusal("10.1.2.3", 80, closed)
    assert address_refusal("::1", 80, closed)
    assert "non-public address (127.0.0.1)" in address_refusal("localhost", 80, closed)
    assert address_refusal("127.0.0.1", 80, AddressGuard(allow_private=True)) is None
    intranet = AddressGuard(allowed_networks=("10.20.0.0/16",))
    assert address_refusal("10.20.3.4", 80, intranet) is None
    assert address_refusal("10.21.3.4", 80, intranet)
    assert "cannot resolve" in address_refusal("no-such-host.invalid", 80, closed)


def test_a_hostname_resolving_to_loopback_is_refused_before_any_request():
    with NewsSite() as site:
        site.add_article("/news/1.html", "Title", "Text of the article.")
        port = site.url.rsplit(":", 1)[1]
        result = PageFetcher(FetchPolicy(per_host_delay_s=0)).fetch(f"http://localhost:{port}/news/1.html")
        assert "resolves to a non-public address (127.0.0.1)" in result.error
        assert site.requested == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_dns_rebinding_never_reaches_the_private_address(monkeypatch, scheme):
    """A name that answers a public address to the first lookup and loopback to the next:
    the connection is checked on the address it connects to, so nothing reaches loopback."""
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)  # DNS is the one thing that cannot run here
    with NewsSite() as site:
        site.add_article("/news/1.html", "Title", "Text of the article.")
        port = site.url.rsplit(":", 1)[1]
        fetcher = PageFetcher(FetchPolicy(per_host_delay_s=0, retries=0))
        result = fetcher.fetch(f"{scheme}://rebind.example:{port}/news/1.html")
        assert len(lookups) >= 2  # the early check passed on the public answer; the connection looked again
        assert "non-public address (127.0.0.1)" in result.error
        assert site.requested == []


def test_redirects_to_private_addresses_are_refused():
    with NewsSite() as public, NewsSite(host="127.0.0.2") as private:
        public.add_article("/news/1.html", "Title", "Text of the article.")
        private.add_article("/secret.html", "Secret", "Internal text.")
        public.add_redirect("/moved.html", private.url + "/secret.html")
        public.add_redirect("/to-localhost.html", "http://localhost:" + private.url.rsplit(":", 1)[1] + "/x")
        # 127.0.0.1 stands for the public internet here: the only network allowed.
        fetcher = PageFetcher(FetchPolicy(allowed_networks=("127.0.0.1/32",), per_host_delay_s=0, retries=0))
        assert fetcher.fetch(public.url + "/news/1.html").ok
        moved = fetcher.fetch(public.url + "/moved.html")
        assert "resolves to a non-public address (127.0.0.2)" in moved.error
        assert private.requested == []
        assert public.page_requests()["/moved.html"] == 1


def test_size_and_redirect_limits():
    with NewsSite(robots=None) as site:
        site.add_document("/big.html", "text/html", b"<html><body><p>" + b"word " * 50_000 + b"</p></body></html>")
        fetcher = PageFetcher(FetchPolicy(allow_private_addresses=True, max_bytes=10_000, per_host_delay_s=0))
        result = fetcher.fetch(site.url + "/big.html")
        assert "larger than 10000 bytes" in result.error
        assert "HTTP 404" in fetcher.fetch(site.url + "/nothing.html").error


def test_pages_are_decoded_by_their_declared_charset_else_guessed():
    from newsflow.ingest.fetch import FetchResult

    text = "Zürich: Bürger stimmen über Straßenbahn ab"
    latin = FetchResult(url="u", body=text.encode("latin-1"), content_type="text/html; charset=ISO-8859-1")
    assert latin.text() == text
    undeclared = FetchResult(url="u", body=text.encode("utf-8"), content_type="text/html")
    assert undeclared.text() == text
    wrong = FetchResult(url="u", body=text.encode("utf-8"), content_type="text/html; charset=no-such-charset")
    assert wrong.text() == text


def test_a_fetched_page_is_decoded_by_the_evidence_not_guessed():
    from newsflow.ingest.decode import NotText
    from newsflow.ingest.fetch import FetchResult

    text = "<html><head><meta charset='shift_jis'><title>東京</title></head><body><p>東京で会議が開かれた。</p>"
    undeclared_header = FetchResult("https://jp.example/a", body=text.encode("shift_jis"), content_type="text/html")
    assert "東京で会議が開かれた" in undeclared_header.text()  # the page's own <meta charset>
    declared = FetchResult("https://kr.example/a", body="<p>서울에서 회의</p>".encode("euc-kr"),
                           content_type="text/html; charset=euc-kr")  # fmt: skip
    assert "서울에서 회의" in declared.text()
    with pytest.raises(NotText):
        FetchResult("https://x.example/a", body=bytes(range(256)) * 40, content_type="text/html").text()
