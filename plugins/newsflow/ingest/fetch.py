"""Polite, bounded fetching of article pages (and of the robots.txt that governs them).

One :class:`PageFetcher` per run.  For every URL it:

1. refuses schemes other than http(s), and hosts that resolve to loopback, private,
   link-local, multicast or reserved addresses unless ``allow_private_addresses`` is set
   or the address is in ``allowed_networks`` (a link found in a feed must never reach the
   machine's own network); every redirect hop is checked again.  The check is made where
   the connection is opened, on the very addresses it connects to (resolved once, checked,
   then connected by address with the hostname kept for Host, SNI and the certificate), so
   a name that resolves to a public address for the check and to a private one for the
   connection (DNS rebinding) never reaches the private one;
2. asks the host's robots.txt (fetched once per host per run, parsed with Protego) whether
   the configured User-Agent may fetch it, and honours its Crawl-delay; a robots.txt
   that answers 4xx allows everything, one that cannot be read (5xx, timeout) disallows
   everything for this run (RFC 9309, 2.3.1);
3. waits for a slot: at most ``concurrency`` requests at once, at most
   ``per_host_concurrency`` to one host, and at least ``per_host_delay_s`` between the
   starts of two requests to one host;
4. sends a conditional GET when it has the page's validators (ETag, Last-Modified);
5. retries 429, 5xx and connection failures up to ``retries`` times with exponential
   backoff, honouring Retry-After up to ``max_retry_after_s``;
6. accepts only HTML (Content-Type), follows at most ``max_redirects`` redirects, and
   reads at most ``max_bytes`` of the decoded body (a compressed response that inflates
   past the cap is refused: no decompression bomb), within ``timeout_s`` per request.

The outcome of each URL is a :class:`FetchResult`: the body, or ``not_modified``, or the
reason it could not be had (the caller quarantines it and retries the entry next run).
Bytes are returned undecoded with the response's charset; :meth:`FetchResult.text` decodes them.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from protego import Protego
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from newsflow import __version__

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
)
SITEMAP_TYPES = ("application/xml", "text/xml", "application/gzip", "application/x-gzip", "text/plain")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far pages are fetched (the ``fetch:`` settings)."""

    # Say who you are: operators set fetch.user_agent (or NEWSFLOW_USER_AGENT) to name a contact.
    user_agent: str = f"newsflow/{__version__} (media monitoring)"
    timeout_s: float = 20.0
    concurrency: int = 8
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    retries: int = 3
    backoff_s: float = 1.0
    max_retry_after_s: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 5 * 1024 * 1024
    allow_private_addresses: bool = False
    # Non-public networks that may be reached all the same (CIDR, e.g. an intranet news server).
    allowed_networks: tuple[str, ...] = ()
    respect_robots: bool = True
    # Pages followed per source per run; the rest wait for the next run (newest first in sitemaps).
    max_pages_per_source: int = 1000


@dataclass
class FetchResult:
    """What fetching one URL gave: a page, 'not modified', or the reason there is none."""

    url: str
    final_url: str | None = None
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    validators: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified

    def text(self) -> str:
        """The body decoded by the evidence (BOM, the response's charset, the page's own
        declaration, then detection; see :mod:`newsflow.ingest.decode`); raises
        :class:`~newsflow.ingest.decode.NotText` for bytes that are not text."""
        # Imported here: the settings import this module for FetchPolicy, and decoding brings
        # in the record rules (trafilatura, the language model), which reading settings never needs.
        from newsflow.ingest.decode import charset_of, decode_bytes

        return decode_bytes(self.body, charset_of(self.content_type), markup=True).text


class FetchRefused(Exception):
    """The URL must not or cannot be fetched; the message is the reason."""


class _Host:
    """Per-host slot bookkeeping: a semaphore for concurrency and the next allowed start time."""

    def __init__(self, concurrency: int):
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay_s = 0.0
        self.robots: Protego | None = None
        self.robots_error: str | None = None
        self.robots_read = False


class AddressRefused(FetchRefused):
    """The host resolves to an address that must not be contacted (never retried)."""


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses may be contacted: public ones, plus the configured networks."""

    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()

    def refusal(self, address: str) -> str | None:
        """Why ``address`` must not be contacted (None when it may)."""
        ip = ipaddress.ip_address(address.split("%")[0])
        if self.allow_private or any(ip in ipaddress.ip_network(n, strict=False) for n in self.allowed_networks):
            return None
        if not ip.is_global or ip.is_multicast:
            return f"non-public address ({ip})"
        return None

    def resolve(self, host: str, port: int) -> list[tuple]:
        """``host``'s addresses (getaddrinfo tuples), all of them allowed; raises
        :class:`AddressRefused` when any is not (``socket.gaierror`` when none resolve)."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        for info in infos:
            reason = self.refusal(info[4][0])
            if reason:
                raise AddressRefused(f"host {host!r} resolves to a {reason}; not fetched")
        return infos


def address_refusal(host: str, port: int, guard: AddressGuard) -> str | None:
    """Why ``host`` must not be contacted (None when it may): early, for a clear reason; the
    connection itself checks again (:class:`_GuardedConnection`)."""
    try:
        guard.resolve(host, port)
    except socket.gaierror as exc:
        return f"cannot resolve host {host!r}: {exc.strerror}"
    except AddressRefused as exc:
        return str(exc)
    return None


class _GuardedConnection(HTTPConnection):
    """Connects only to addresses its guard allows, resolving the host once for check and connect."""

    guard: AddressGuard

    def _new_conn(self) -> socket.socket:
        try:
            infos = self.guard.resolve(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: OSError | None = None
        for *_, sockaddr in infos:
            try:
                return create_connection(
                    (sockaddr[0], self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


def _guarded_pools(guard: AddressGuard) -> dict[str, type]:
    """Connection pool classes (by scheme) whose connections check their peer with ``guard``."""
    pools = {}
    for scheme, pool, connection in (
        ("http", HTTPConnectionPool, HTTPConnection),
        ("https", HTTPSConnectionPool, HTTPSConnection),
    ):
        guarded = type(f"Guarded{connection.__name__}", (_GuardedConnection, connection), {"guard": guard})
        pools[scheme] = type(f"Guarded{pool.__name__}", (pool,), {"ConnectionCls": guarded})
    return pools


class PageFetcher:
    """Fetches pages under one :class:`FetchPolicy`; thread-safe, one per run."""

    def __init__(self, policy: FetchPolicy):
        self.policy = policy
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._pool = urllib3.PoolManager(
            num_pools=64,
            maxsize=max(policy.per_host_concurrency, 1),
            block=False,
            headers={"User-Agent": policy.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
            timeout=urllib3.Timeout(connect=policy.timeout_s, read=policy.timeout_s),
            retries=False,
        )
        self._guard = AddressGuard(policy.allow_private_addresses, policy.allowed_networks)
        self._pool.pool_classes_by_scheme = _guarded_pools(self._guard)
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def _host(self, netloc: str) -> _Host:
        with self._hosts_lock:
            if netloc not in self._hosts:
                self._hosts[netloc] = _Host(self.policy.per_host_concurrency)
            return self._hosts[netloc]

    def fetch_many(
        self,
        urls: Iterable[str],
        validators: dict[str, dict[str, str]] | None = None,
        accept: tuple[str, ...] = HTML_TYPES,
    ) -> dict[str, FetchResult]:
        """Fetch every URL (duplicates once) with the policy's limits; returns url -> result.

        ``accept``: the content types wanted (HTML pages by default; feeds, sitemaps)."""
        unique = list(dict.fromkeys(urls))
        validators = validators or {}
        if not unique:
            return {}
        with ThreadPoolExecutor(max_workers=max(self.policy.concurrency, 1), thread_name_prefix="fetch") as pool:
            results = pool.map(lambda u: self.fetch(u, validators.get(u), accept), unique)
            return dict(zip(unique, results, strict=True))

    def fetch(
        self, url: str, validators: dict[str, str] | None = None, accept: tuple[str, ...] = HTML_TYPES
    ) -> FetchResult:
        """One page, politely; never raises for network trouble (the result carries the reason)."""
        try:
            return self._fetch(url, validators or {}, accept)
        except FetchRefused as exc:
            return FetchResult(url=url, error=str(exc))

    def _fetch(self, url: str, validators: dict[str, str], accept: tuple[str, ...]) -> FetchResult:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            parts = self._check_url(current)
            host = self._host(parts.netloc)
            if self.policy.respect_robots:
                self._check_robots(host, parts, current)
            response = self._request_with_retries(host, current, validators if current == url else {})
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                response.release_conn()
                if not location:
                    raise FetchRefused(f"redirect {response.status} without a Location")
                current = urljoin(current, location)
                continue
            return self._read(url, current, response, validators, accept)
        raise FetchRefused(f"more than {self.policy.max_redirects} redirects")

    def _check_url(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        refusal = address_refusal(parts.hostname, port, self._guard)
        if refusal:
            raise FetchRefused(refusal)
        return parts

    def _check_robots(self, host: _Host, parts, url: str) -> None:
        with host.lock:
            if not host.robots_read:
                host.robots_read = True
                self._read_robots(host, f"{parts.scheme}://{parts.netloc}/robots.txt")
        if host.robots_error:
            raise FetchRefused(host.robots_error)
        if host.robots is not None and not host.robots.can_fetch(url, self.policy.user_agent):
            raise FetchRefused("robots.txt disallows this page")

    def _read_robots(self, host: _Host, robots_url: str) -> None:
        """Called with ``host.lock`` held: one robots.txt request per host per run."""
        try:
            response = self._send(robots_url, {}, preload=True)
        except FetchRefused as exc:
            host.robots_error = f"robots.txt unreadable ({exc}); host skipped this run"
            return
        if response.status >= 500:
            host.robots_error = f"robots.txt answered {response.status}; host skipped this run"
        elif response.status < 300:
            host.robots = Protego.parse(response.data[:ROBOTS_MAX_BYTES].decode("utf-8", "replace"))
            delay = host.robots.crawl_delay(self.policy.user_agent)
            if delay:
                host.delay_s = min(float(delay), self.policy.max_retry_after_s)
        # 4xx (no robots.txt) and redirects we do not follow for robots: everything is allowed.

    def _request_with_retries(self, host: _Host, url: str, validators: dict[str, str]) -> urllib3.BaseHTTPResponse:
        headers = {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        attempt = 0
        while True:
            with host.slots:
                self._wait_turn(host)
                try:
                    response = self._send(url, headers, preload=False)
                    error = None
                except AddressRefused:
                    raise
                except FetchRefused as exc:
                    response, error = None, str(exc)
            if response is not None and response.status not in RETRY_STATUSES:
                return response
            if attempt >= self.policy.retries:
                if response is not None:
                    response.release_conn()
                    raise FetchRefused(f"HTTP {response.status} after {attempt + 1} attempts")
                raise FetchRefused(f"{error} after {attempt + 1} attempts")
            wait = self.policy.backoff_s * 2**attempt
            if response is not None:
                retry_after = _retry_after_s(response.headers.get("Retry-After"))
                response.release_conn()
                if retry_after is not None:
                    if retry_after > self.policy.max_retry_after_s:
                        raise FetchRefused(f"HTTP {response.status}: Retry-After {retry_after:.0f}s is too long")
                    wait = retry_after
            attempt += 1
            time.sleep(wait)

    def _wait_turn(self, host: _Host) -> None:
        """Sleep until this host may be sent the next request (per-host minimum delay)."""
        delay = max(self.policy.per_host_delay_s, host.delay_s)
        with host.lock:
            now = time.monotonic()
            start = max(now, host.next_start)
            host.next_start = start + delay
        if start > now:
            time.sleep(start - now)

    def _send(self, url: str, headers: dict[str, str], *, preload: bool) -> urllib3.BaseHTTPResponse:
        with self._count_lock:
            self.requests_sent += 1
        try:
            return self._pool.request(
                "GET", url, headers=headers, redirect=False, preload_content=preload, decode_content=True
            )
        except urllib3.exceptions.HTTPError as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchRefused(f"fetch failed: {type(exc).__name__}: {reason}") from exc

    def _read(
        self,
        url: str,
        final_url: str,
        response: urllib3.BaseHTTPResponse,
        validators: dict,
        accept: tuple[str, ...],
    ) -> FetchResult:
        try:
            if response.status == 304:
                return FetchResult(url=url, final_url=final_url, status=304, not_modified=True, validators=validators)
            if response.status >= 400:
                raise FetchRefused(f"HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "")
            if content_type and content_type.split(";")[0].strip().lower() not in accept:
                wanted = "an HTML page" if accept == HTML_TYPES else "a feed or sitemap"
                raise FetchRefused(f"not {wanted} (Content-Type {content_type.split(';')[0]!r})")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                raise FetchRefused(f"page larger than {self.policy.max_bytes} bytes (Content-Length {declared})")
            body = bytearray()
            deadline = time.monotonic() + self.policy.timeout_s
            try:
                for chunk in response.stream(64 * 1024, decode_content=True):
                    body.extend(chunk)
                    if len(body) > self.policy.max_bytes:
                        raise FetchRefused(f"page larger than {self.policy.max_bytes} bytes once decoded")
                    if time.monotonic() > deadline:  # a server dripping bytes never trips the read timeout
                        raise FetchRefused(f"page not read within {self.policy.timeout_s:g}s")
            except urllib3.exceptions.HTTPError as exc:
                raise FetchRefused(f"reading the page failed: {type(exc).__name__}") from exc
            new = {
                "etag": response.headers.get("ETag", ""),
                "last_modified": response.headers.get("Last-Modified", ""),
                "fetched_at": email.utils.format_datetime(datetime.now(tz=UTC), usegmt=True),
            }
            return FetchResult(
                url=url,
                final_url=final_url,
                status=response.status,
                body=bytes(body),
                content_type=content_type,
                validators={k: v for k, v in new.items() if v},
            )
        finally:
            response.release_conn()


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(tz=UTC)).total_seconds(), 0.0)
