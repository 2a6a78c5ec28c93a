"""Reading sources: folders confined to their roots, feeds over real HTTP on loopback."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsflow.config import load_settings
from newsflow.ingest.poison import FileManifest
from newsflow.ingest.sources import UNCHANGED_FILE, SourceError, extract_articles
from tests.helpers import REFERENCE_TIME, SAMPLE_DIR

FEED = (SAMPLE_DIR / "feeds" / "daily_meridian.rss.xml").read_bytes()
ETAG = '"meridian-v1"'


class FeedHandler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        FeedHandler.requests.append({"path": self.path, "if_none_match": self.headers.get("If-None-Match")})
        if self.path == "/slow.xml":
            time.sleep(2)
        if self.path == "/broken.xml":
            self.send_error(500, "upstream exploded")
            return
        if self.path == "/always-304.xml":  # answers "not modified" whatever was asked
            self.send_response(304)
            self.end_headers()
            return
        if self.path == "/trickle.xml":  # every read gets a byte in time; the whole never comes
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            for byte in FEED[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
            return
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", "Tue, 03 Dec 2024 10:00:00 GMT")
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """The timeout test hangs up on purpose; a broken pipe then is expected."""


@pytest.fixture
def feed_server():
    FeedHandler.requests = []
    server = QuietServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def settings_for(sources, tmp_path, **extra):
    overrides = {"sources": sources, "var_dir": str(tmp_path / "var"), **extra}
    return load_settings(config_path=SAMPLE_DIR.parent.parent / "newsflow.yaml", environ={}, overrides=overrides)


def test_feed_is_fetched_over_http_then_revalidated_with_its_etag(feed_server, tmp_path):
    settings = settings_for([{"kind": "feed", "url": f"{feed_server}/rss.xml", "name": "meridian"}], tmp_path)
    first = extract_articles(settings, REFERENCE_TIME)
    assert len(first.articles) == 10
    assert {a.outlet for a in first.articles} == {"Daily Meridian"}
    assert first.feed_state[f"{feed_server}/rss.xml"]["etag"] == ETAG

    second = extract_articles(settings, REFERENCE_TIME, first.feed_state)
    assert FeedHandler.requests[-1]["if_none_match"] == ETAG
    assert second.articles == []
    assert second.not_modified == [f"{feed_server}/rss.xml"]
    assert second.quarantined == []


def test_feed_errors_and_timeouts_are_quarantined_not_raised(feed_server, tmp_path):
    sources = [
        {"kind": "feed", "url": f"{feed_server}/broken.xml", "name": "broken"},
        {"kind": "feed", "url": f"{feed_server}/slow.xml", "name": "slow"},
    ]
    started = time.monotonic()
    result = extract_articles(settings_for(sources, tmp_path, http_timeout_s=0.5), REFERENCE_TIME)
    assert time.monotonic() - started < 2
    reasons = {q.source_name: q.reason for q in result.quarantined}
    assert "500" in reasons["broken"]
    assert "timed out" in reasons["slow"]
    assert result.articles == []


def test_the_timeout_bounds_the_whole_request_and_an_unasked_304_is_quarantined(feed_server, tmp_path):
    sources = [
        {"kind": "feed", "url": f"{feed_server}/trickle.xml", "name": "trickle"},
        {"kind": "feed", "url": f"{feed_server}/always-304.xml", "name": "unasked"},
        {"kind": "feed", "url": f"{feed_server}/rss.xml", "name": "good"},
    ]
    started = time.monotonic()
    result = extract_articles(settings_for(sources, tmp_path, http_timeout_s=1.0), REFERENCE_TIME)
    assert time.monotonic() - started < 3  # the trickle alone would take 4 s
    reasons = {q.source_name: q.reason for q in result.quarantined}
    assert reasons["trickle"].startswith("fetch failed: TimeoutError: timed out")
    assert reasons["unasked"] == "fetch failed: 304 Not Modified answered to a request that sent no validators"
    assert len(result.articles) == 10 and result.not_modified == []


def test_sample_folder_reads_every_format_and_quarantines_bad_input(tmp_path):
    result = extract_articles(settings_for([{"kind": "folder", "path": str(SAMPLE_DIR)}], tmp_path), REFERENCE_TIME)
    formats = {a.source_format for a in result.articles}
    assert formats == {"feed", "html", "text", "jsonl"}
    assert len(result.articles) >= 40
    assert len({a.outlet for a in result.articles}) >= 5
    assert len({a.published_at.date() for a in result.articles if a.published_at}) >= 7
    reasons = sorted(q.reason for q in result.quarantined)
    assert len(reasons) == 2
    assert reasons[0].startswith("boilerplate only (paywall)")  # harborpost_subscribe_wall.html
    assert reasons[1].startswith("line 7: invalid JSON")
    assert result.ignored_files == 2  # README.md and stories.csv document the folder


def test_symlink_out_of_the_root_is_not_followed(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret title\n\n" + "private words " * 30)
    (root / "link.txt").symlink_to(outside)
    (root / "note.txt").write_text("A title\n\n" + "The minister said the talks went well. " * 6)
    result = extract_articles(settings_for([{"kind": "folder", "path": str(root)}], tmp_path), REFERENCE_TIME)
    assert [a.title for a in result.articles] == ["A title"]


def test_unsupported_files_are_quarantined_and_a_missing_root_is_an_error(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "photo.jpg").write_bytes(b"\xff\xd8")
    result = extract_articles(settings_for([{"kind": "folder", "path": str(root)}], tmp_path), REFERENCE_TIME)
    assert [q.reason for q in result.quarantined] == ["unsupported file type '.jpg'"]
    with pytest.raises(SourceError, match="folder not found"):
        extract_articles(settings_for([{"kind": "folder", "path": str(tmp_path / "nope")}], tmp_path), REFERENCE_TIME)


def test_same_article_in_two_files_is_kept_once(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    body = "The minister said the talks in Seoul went well and would continue next week. " * 5
    (root / "a.txt").write_text(f"---\nurl: https://www.x.example/story?utm_source=a\n---\nTitle\n\n{body}")
    (root / "b.txt").write_text(f"---\nurl: https://x.example/story/\n---\nTitle\n\n{body} And more.")
    result = extract_articles(settings_for([{"kind": "folder", "path": str(root)}], tmp_path), REFERENCE_TIME)
    assert len(result.articles) == 1 and result.duplicates == 1
    assert result.articles[0].text.endswith("And more.")


def test_reference_time_makes_dates_future(tmp_path):
    early = datetime(2024, 11, 20, tzinfo=UTC)
    result = extract_articles(settings_for([{"kind": "folder", "path": str(SAMPLE_DIR)}], tmp_path), early)
    assert all(a.date_flag in ("future", "missing") for a in result.articles)
    assert all(a.published_at is None for a in result.articles)


def test_path_is_resolved_against_the_config_file(tmp_path):
    config = tmp_path / "conf" / "newsflow.yaml"
    config.parent.mkdir()
    config.write_text("warehouse: w.duckdb\nsources:\n  - path: ../data\n")
    settings = load_settings(config_path=config, environ={})
    assert settings.warehouse_path == tmp_path / "conf" / "w.duckdb"
    assert Path(settings.sources[0].location) == tmp_path / "data"


def test_files_of_the_manifest_are_skipped_while_unchanged_and_read_once_changed(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for name in ("afp_kim_belousov_20241130.txt", "korealedger_kim_belousov_20241130.txt"):
        (folder / name).write_bytes((SAMPLE_DIR / "text" / name).read_bytes())
    settings = load_settings(environ={}, overrides={"sources": [str(folder)]})
    first = extract_articles(settings, REFERENCE_TIME)
    assert len(first.articles) == 2 and len(first.manifest.files) == 2
    again = extract_articles(settings, REFERENCE_TIME, manifest=first.manifest)
    assert again.articles == [] and again.skipped == {UNCHANGED_FILE: 2}
    changed = folder / "afp_kim_belousov_20241130.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA late paragraph.\n", encoding="utf-8")
    third = extract_articles(settings, REFERENCE_TIME, manifest=first.manifest)
    assert [a.source_location for a in third.articles] == [str(changed)]
    assert third.manifest.files[str(changed)]["sha256"] != first.manifest.files[str(changed)]["sha256"]


def test_the_manifest_belongs_to_one_warehouse_and_readmit_forgets_files(tmp_path):
    manifest = FileManifest("/data/w.duckdb")
    manifest.add("/news/a.txt", 10, 1, "ab" * 32)
    manifest.add("/news/sub/b.txt", 20, 2, "cd" * 32)
    manifest.add("/other/c.txt", 30, 3, "ef" * 32)
    path = tmp_path / "folder_manifest.json"
    manifest.save(path)
    assert FileManifest.load(path, "/data/w.duckdb").files == manifest.files
    assert FileManifest.load(path, "/data/another.duckdb").files == {}  # kept for another warehouse
    assert sorted(manifest.readmit("/news")) == ["/news/a.txt", "/news/sub/b.txt"]
    assert manifest.readmit("efefefef") == ["/other/c.txt"]  # by hash
    assert manifest.files == {}
