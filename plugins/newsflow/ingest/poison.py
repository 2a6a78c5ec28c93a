"""Files remembered between runs, so a folder run reads only what changed.

:class:`FileManifest`: every file whose articles a loaded batch holds, with its size,
modification time and SHA-256.  While its size and mtime are unchanged the next run skips
the file without opening it; a file touched with the same bytes (same hash) is skipped
after hashing, unparsed.  The manifest belongs to one warehouse: it is ignored when that
warehouse is absent or another one is configured, and on a full refresh.  It lives in
``<var_dir>/state/folder_manifest.json`` and a run adds to it only when its batch is loaded
(a failed run reads the files again).

:class:`PoisonFiles`: files that can never become articles, remembered by content so they
are read once.  A file that yielded no article, only quarantine rows
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

POISON_FILE = "poison_files.json"
MANIFEST_FILE = "folder_manifest.json"


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
        return _forget(self.entries, target, lambda key: key.split(" ", 1))

    @classmethod
    def load(cls, path: Path) -> PoisonFiles:
        return cls(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else cls()

    def save(self, path: Path) -> None:
        _save(path, self.entries)


@dataclass
class FileManifest:
    """Files whose articles are loaded in ``warehouse``: location -> size, mtime_ns, sha256."""

    warehouse: str = ""
    files: dict[str, dict[str, int | str]] = field(default_factory=dict)

    def unchanged(self, location: str, size: int, mtime_ns: int) -> bool:
        """Whether the file is as it was when loaded, by its size and modification time."""
        seen = self.files.get(location)
        return seen is not None and seen["size"] == size and seen["mtime_ns"] == mtime_ns

    def same_content(self, location: str, sha256: str) -> bool:
        seen = self.files.get(location)
        return seen is not None and seen["sha256"] == sha256

    def add(self, location: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.files[location] = {"size": size, "mtime_ns": mtime_ns, "sha256": sha256}

    def update(self, other: FileManifest) -> None:
        self.files.update(other.files)

    def readmit(self, target: str) -> list[str]:
        """Forget the files whose location starts with ``target`` or whose hash does."""
        return _forget(self.files, target, lambda key: (str(self.files[key]["sha256"]), key))

    @classmethod
    def load(cls, path: Path, warehouse: Path | str | None = None) -> FileManifest:
        """The manifest saved in ``path``; empty when absent or kept for another ``warehouse``
        (``None``: whichever it was kept for)."""
        if not path.exists():
            return cls(str(warehouse or ""))
        data = json.loads(path.read_text(encoding="utf-8"))
        if warehouse is not None and data.get("warehouse") != str(warehouse):
            return cls(str(warehouse))
        return cls(data.get("warehouse", ""), data.get("files", {}))

    def save(self, path: Path) -> None:
        _save(path, {"warehouse": self.warehouse, "files": self.files})


def _forget(entries: dict, target: str, hash_and_location: Callable[[str], Sequence[str]]) -> list[str]:
    """Remove from ``entries`` the keys whose location starts with ``target`` (a path or a
    folder) or whose content hash does (8 characters at least); returns them."""
    gone = []
    for key in list(entries):
        sha256, location = hash_and_location(key)
        if location.startswith(target) or (len(target) >= 8 and sha256.startswith(target.lower())):
            gone.append(key)
    for key in gone:
        del entries[key]
    return gone


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
