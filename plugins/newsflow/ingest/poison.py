"""Files that can never become articles, remembered by content so they are read once.

A folder is read again on every run.  A file that yielded no article, only quarantine rows
for reasons that re-reading the same bytes cannot change (empty, not text, unparseable, a
field of the wrong type), is remembered here by its SHA-256 and its path; while both are
unchanged, later runs count it as skipped instead of failing it again.  Changing the file
re-admits it by itself (new bytes, new hash); so does ``python -m newsflow readmit PATH``
(after a newsflow upgrade that may now read it).

The list lives in ``<var_dir>/state/poison_files.json``; a run adds to it only when its
batch is loaded, like the feed validators.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

POISON_FILE = "poison_files.json"


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def readmit_hint(sha256: str) -> str:
    """What the quarantine row says about a remembered file."""
    return (
        f"content sha256 {sha256[:16]}: not read again while unchanged; "
        "to re-admit it, change the file or run `python -m newsflow readmit PATH`"
    )


@dataclass
class PoisonFiles:
    """Remembered poison files: ``"<sha256> <location>"`` -> the reason it was quarantined."""

    entries: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def key(sha256: str, location: str) -> str:
        return f"{sha256} {location}"

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def add(self, sha256: str, location: str, reason: str) -> None:
        self.entries[self.key(sha256, location)] = reason

    def update(self, other: PoisonFiles) -> None:
        self.entries.update(other.entries)

    def readmit(self, target: str) -> list[str]:
        """Forget the files whose location starts with ``target`` (a path or folder) or whose hash does."""
        gone = [
            key
            for key in self.entries
            if key.split(" ", 1)[1].startswith(target) or (len(target) >= 8 and key.startswith(target.lower()))
        ]
        for key in gone:
            del self.entries[key]
        return gone

    @classmethod
    def load(cls, path: Path) -> PoisonFiles:
        return cls(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.entries, indent=2, sort_keys=True) + "\n", encoding="utf-8")
