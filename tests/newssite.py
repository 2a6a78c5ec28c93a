"""A real "news site" on 127.0.0.1 for fetching tests and bench/fetch.py.

Each :class:`NewsSite` is one host (its own port): it serves article pages, a robots.txt, and
any extra documents the test adds (a feed, a sitemap), and it counts what it was asked: every
path requested, and the most requests it was serving at once.  It can add latency to every
answer, and answer 429 (with Retry-After) to the first request of each page, and redirect a path.
"""

from __future__ import annotations

import html
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class NewsSite:
    """One loopback host; use as a context manager (``with NewsSite(...) as site: site.url``)."""

    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        throttle_first: bool = False,
        robots: str | None = "User-agent: *\nDisallow: /private/\n",
        host: str = "127.0.0.1",
    ):
        self.host = host
        self.latency_s = latency_s
        self.throttle_first = throttle_first
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.redirects: dict[str, str] = {}
        if robots is not None:
            self.documents["/robots.txt"] = ("text/plain", robots.encode())
        self.requested: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    def add_article(self, path: str, title: str, text: str, published: str | None = None) -> None:
        """An article page: a site header and footer around the headline and its paragraphs."""
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
        meta = f'<meta property="article:published_time" content="{published}">' if published else ""
        page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Loopback Herald</title>{meta}
<link rel="canonical" href="{{base}}{path}"></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><p class="byline">By Staff Reporter</p>
{paragraphs}</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Another story</a></li><li><a href="/b">A third</a></li></ul></aside>
<footer><p>© Loopback Herald. All rights reserved.</p></footer></body></html>"""
        self.documents[path] = ("text/html; charset=utf-8", page.encode("utf-8"))

    def add_document(self, path: str, content_type: str, body: bytes) -> None:
        self.documents[path] = (content_type, body)

    def add_redirect(self, path: str, location: str) -> None:
        """``path`` answers 302 to ``location``."""
        self.redirects[path] = location

    def page_requests(self) -> Counter:
        """How often each path other than robots.txt was requested."""
        return Counter(p for p in self.requested if p != "/robots.txt")

    def __enter__(self) -> NewsSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                with site._lock:
                    site.requested.append(self.path)
                    seen = site.requested.count(self.path)
                    site.active += 1
                    site.max_active = max(site.max_active, site.active)
                try:
                    if site.latency_s:
                        time.sleep(site.latency_s)
                    status, headers, body = self._answer(seen)
                finally:
                    # Counted out before the answer leaves: once the client has it, it may
                    # start its next request at once, before this thread could count out.
                    with site._lock:
                        site.active -= 1
                if status == 404:
                    self.send_error(404)
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _answer(self, seen: int) -> tuple[int, dict[str, str], bytes]:
                if site.throttle_first and seen == 1 and self.path != "/robots.txt":
                    return 429, {"Retry-After": "1"}, b""
                if self.path in site.redirects:
                    return 302, {"Location": site.redirects[self.path], "Content-Length": "0"}, b""
                if self.path not in site.documents:
                    return 404, {}, b""
                content_type, body = site.documents[self.path]
                body = body.replace(b"{base}", site.url.encode())
                return 200, {"Content-Type": content_type, "Content-Length": str(len(body))}, body

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def rss(entries: list[dict]) -> bytes:
    """An RSS 2.0 feed of summary-only entries (title, link, description, pubDate)."""
    items = "".join(
        f"<item><title>{html.escape(e['title'])}</title><link>{html.escape(e['link'])}</link>"
        f"<description>{html.escape(e['summary'])}</description><pubDate>{e['date']}</pubDate></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Loopback Herald</title>'
        f"<link>http://127.0.0.1/</link><language>en</language>{items}</channel></rss>"
    ).encode()
