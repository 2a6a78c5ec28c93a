"""A loopback HTTP server (127.0.0.1 only) that misbehaves in the ways real feeds do.

Each path is one network class of the catalogue; every answer is bounded in time and size,
and the server stops with its context manager.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.robustness.catalogue import network_bodies

HUGE_BYTES = 21 * 1024 * 1024  # just over the 20 MB cap


class MisbehavingHandler(BaseHTTPRequestHandler):
    bodies: dict[str, tuple[str, bytes]] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path
        if path == "/slow":
            time.sleep(3)
            return self._send("application/rss+xml", self.bodies["/good"][1])
        if path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            for byte in self.bodies["/good"][1][:30]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
            return None
        if path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return None
        if path == "/always-304":
            self.send_response(304)
            self.end_headers()
            return None
        if path == "/error":
            return self.send_error(500, "upstream exploded")
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            block = b" " * 65536
            for _ in range(HUGE_BYTES // len(block)):
                self.wfile.write(block)
            return None
        if path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(self.bodies["/good"][1][:200])
            self.wfile.flush()
            self.close_connection = True
            return None
        if path == "/gzip-bomb":
            content_type, body = self.bodies[path]
            return self._send(content_type, body, {"Content-Encoding": "gzip"})
        if path in self.bodies:
            return self._send(*self.bodies[path])
        return self.send_error(404)

    def _send(self, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Clients hang up on purpose (deadlines, size caps): a broken pipe is expected."""


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@contextmanager
def misbehaving_server() -> Iterator[str]:
    """Serve the network classes on 127.0.0.1; yields the base URL."""
    MisbehavingHandler.bodies = network_bodies()
    server = QuietServer(("127.0.0.1", 0), MisbehavingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
