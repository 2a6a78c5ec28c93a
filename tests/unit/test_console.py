"""The run's console: progress and errors shown, third-party noise kept in the log only; reason classes."""

from __future__ import annotations

import io

import pytest

from newsflow.console import ConsoleFilter, relay
from newsflow.ingest.records import Quarantined, reason_class

LOG = [
    "2026-12-01T12:07:05.241117Z [warning  ] GitWildMatchPattern ('gitwildmatch') is deprecated. "
    "[py.warnings] category=DeprecationWarning filename=x.py lineno=106\n",
    "2026-12-01T12:07:12.501739Z [info     ] quarantined a.rss#1: no extractable article text (0 words, need 20) "
    "[newsflow.ingest.sources] loc=sources.py:183\n",
    "2026-12-01T12:07:12.6Z [info     ] extract: read 967 articles [newsflow.progress] loc=pipeline.py:130\n",
    "2026-12-01T12:07:13.0Z [info     ] Task instance is in running state [airflow.task]\n",
    "2026-12-01T12:07:14.0Z [warning  ] marts refreshed, but no snapshot was published [newsflow.pipeline]\n",
    "2026-12-01T12:07:15.0Z [error    ] Task failed with exception [airflow.task] loc=taskrunner.py:1\n",
    "Traceback (most recent call last):\n",
    '  File "x.py", line 1, in <module>\n',
    "2026-12-01T12:07:16.0Z [info     ] Marking run as failed [airflow.models.dagrun]\n",
    "some unstructured line\n",
]


def test_the_console_shows_progress_newsflow_warnings_and_errors_with_their_traceback():
    log, console = io.StringIO(), io.StringIO()
    relay(LOG, log, console)
    assert log.getvalue() == "".join(LOG)  # the log keeps everything
    assert console.getvalue().splitlines() == [
        "  extract: read 967 articles",
        "WARNING marts refreshed, but no snapshot was published",
        "ERROR Task failed with exception [airflow.task]",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
    ]


def test_a_line_before_any_record_is_not_shown():
    assert ConsoleFilter()("plain text\n") is None


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("no extractable article text (18 words, need 20)", "too_little_text"),
        ("no extractable article text (0 words, need 20)", "too_little_text"),
        ("line 7: invalid JSON: Unterminated string starting at (column 64)", "invalid_json"),
        ("unparseable feed: <unknown>:3:0: junk after document element", "unparseable_feed"),
        ("fetch failed: timed out", "fetch_failed"),
        ("boilerplate only (paywall), no article text (52 words)", "boilerplate_only"),
        ("page not fetched: HTTP 404 (https://example.org/a)", "fetch_failed"),
        ("item 12: something new happened 3 times", "something new happened N times"),  # unknown: numbers masked
    ],
)
def test_reasons_group_by_a_class_that_numbers_do_not_split(reason, expected):
    assert reason_class(reason) == expected
    row = Quarantined("s", "loc", "rss", reason).as_row()
    assert row["reason_class"] == expected and row["reason"] == reason
