"""Sitemaps, URL lists and sites as sources, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip

from newsflow.config import load_settings
from newsflow.ingest.parsers import parse_sitemap
from newsflow.ingest.records import Reject
from newsflow.ingest.sources import COMMON_FEED_PATHS, extract_articles
from tests.newssite import NewsSite, rss
from tests.unit.test_fetch import FAST, REFERENCE, holds, publish, real_articles

NEWS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def settings_for(tmp_path, source: dict):
    return load_settings(
        overrides={"sources": [{"name": "src", **source}], "var_dir": str(tmp_path / "var"), "fetch": FAST},
        environ={},
    )


def news_sitemap(urls: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Herald</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for loc, date, title in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NEWS}>{entries}</urlset>'.encode()


def test_a_sitemap_index_with_a_news_sitemap_and_a_gzipped_one(tmp_path):
    articles = real_articles(8)
    with NewsSite() as site:
        news, plain = [], []
        for n, article in enumerate(articles[:5]):
            site.add_article(f"/news/{n}.html", article["title"], article["text"])
            news.append((f"{site.url}/news/{n}.html", f"2024-11-0{n + 1}T08:00:00+00:00", "Headline &amp; more"))
        for n, article in enumerate(articles[5:]):
            path = "/private/old.html" if n == 0 else f"/archive/{n}.html"
            site.add_article(path, article["title"], article["text"])
            plain.append(f"<url><loc>{site.url}{path}</loc><lastmod>1987-03-2{n}</lastmod></url>")
        site.add_document("/news-sitemap.xml", "application/xml", news_sitemap(news))
        urlset = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(plain)}</urlset>'
        site.add_document("/archive.xml.gz", "application/gzip", gzip.compress(urlset.encode()))
        index = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url}/news-sitemap.xml</loc></sitemap>"
            f"<sitemap><loc>{site.url}/archive.xml.gz</loc></sitemap></sitemapindex>"
        )
        site.add_document("/sitemap.xml", "application/xml", index.encode())
        settings = settings_for(tmp_path, {"kind": "sitemap", "url": f"{site.url}/sitemap.xml"})
        result = extract_articles(settings, REFERENCE)
        by_path = {a.url.split("/", 3)[3]: a for a in result.articles}
        assert set(by_path) == {*(f"news/{n}.html" for n in range(5)), "archive/1.html", "archive/2.html"}
        assert all(holds(by_path[f"news/{n}.html"].text, articles[n]["text"]) for n in range(5))
        assert by_path["news/2.html"].published_at.isoformat() == "2024-11-03T08:00:00+00:00"
        assert by_path["archive/1.html"].published_at.year == 1987  # archives load
        assert "/private/old.html" not in site.requested
        assert any("robots.txt disallows" in q.reason for q in result.quarantined)
        # Next run: nothing already loaded is requested again.
        before = site.page_requests()
        again = extract_articles(settings, REFERENCE, feed_state=result.feed_state, page_state=result.page_state)
        new_requests = site.page_requests() - before
        assert not [p for p in new_requests if p.startswith(("/news/", "/archive/"))]
        assert again.articles == []


def test_a_url_list_file(tmp_path):
    articles = real_articles(3)
    with NewsSite() as site:
        lines = ["# today's reading", ""]
        for n, article in enumerate(articles):
            site.add_article(f"/story/{n}", article["title"], article["text"])
            lines.append(f"{site.url}/story/{n}")
        lines.append("ftp://example.org/not-a-page")
        path = tmp_path / "links.txt"
        path.write_text("\n".join(lines))
        result = extract_articles(settings_for(tmp_path, {"kind": "urls", "path": str(path)}), REFERENCE)
        assert len(result.articles) == 3
        assert [q.reason for q in result.quarantined] == ["line 6: not an http(s) URL: 'ftp://example.org/not-a-page'"]


def test_a_site_is_read_through_the_feeds_its_home_page_announces(tmp_path):
    articles = real_articles(4)
    with NewsSite() as site:
        entries = [publish(site, f"/news/{n}.html", article, n) for n, article in enumerate(articles)]
        site.add_document("/rss.xml", "application/rss+xml", rss(entries))
        home = (
            '<html><head><title>Herald</title><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            "</head><body><h1>Herald</h1></body></html>"
        )
        site.add_document("/", "text/html", home.encode())
        result = extract_articles(settings_for(tmp_path, {"kind": "site", "url": site.url + "/"}), REFERENCE)
        assert len(result.articles) == 4
        assert all(
            holds(a.text, articles[n]["text"]) for n, a in enumerate(sorted(result.articles, key=lambda a: a.url))
        )


def test_a_site_that_announces_no_feed_is_probed_at_the_common_feed_paths(tmp_path):
    articles = real_articles(3)
    robots = "User-agent: *\nDisallow: /rss\n"
    with NewsSite(robots=robots) as site:
        entries = [publish(site, f"/news/{n}.html", article, n) for n, article in enumerate(articles)]
        site.add_document("/", "text/html", b"<html><body><h1>Herald</h1><p>Today's news</p></body></html>")
        site.add_document("/feed", "text/html", b"<html><body><p>Not a feed: the blog's front page</p></body></html>")
        site.add_document("/rss", "application/rss+xml", rss(entries[:1]))  # disallowed (/rss*): never asked
        site.add_document("/feed.xml", "application/xml", b'<?xml version="1.0"?><urlset/>')  # XML, not a feed
        site.add_document("/atom.xml", "application/rss+xml", rss(entries))
        site.add_document("/index.xml", "application/rss+xml", rss(entries))  # past the first find: not asked
        settings = settings_for(tmp_path, {"kind": "site", "url": site.url + "/"})
        result = extract_articles(settings, REFERENCE)
        assert sorted(a.url for a in result.articles) == sorted(e["link"] for e in entries)
        asked = [p for p in site.requested if p not in ("/robots.txt",) and not p.startswith("/news/")]
        assert asked == ["/", "/feed", "/feed.xml", "/atom.xml"]
        assert result.quarantined == []
        # Next run: the feed found is asked first, conditionally; nothing else is probed.
        before = len(site.requested)
        again = extract_articles(settings, REFERENCE, feed_state=result.feed_state, page_state=result.page_state)
        assert again.articles == [] and [p for p in site.requested[before:] if p != "/robots.txt"] == ["/", "/atom.xml"]


def test_a_home_page_without_feeds_and_broken_sitemaps_are_quarantined(tmp_path):
    with NewsSite() as site:
        site.add_document("/", "text/html", b"<html><body><p>Welcome</p></body></html>")
        result = extract_articles(settings_for(tmp_path, {"kind": "site", "url": site.url + "/"}), REFERENCE)
        [reason] = [q.reason for q in result.quarantined]
        assert reason.startswith("no feed found on the home page nor at the common feed paths (/feed, /rss,")
        assert site.page_requests() == {"/": 1, **{path: 1 for path in COMMON_FEED_PATHS}}
    assert isinstance(parse_sitemap(b"<urlset><url><loc>http://a/</loc></url"), Reject)
    assert "entities" in str(parse_sitemap(b'<!DOCTYPE x [<!ENTITY a "b">]><urlset/>'))
    assert "not a sitemap" in str(parse_sitemap(b"<rss/>"))
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    assert "larger than" in str(parse_sitemap(bomb))
