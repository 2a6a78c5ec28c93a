"""Analyst-maintained entity lists: the alias table and watchlists (same YAML format).

A file is a list of entries ``{name, label, aliases}``::

    - name: United States
      label: GPE
      aliases: [US, U.S., USA]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from newsflow.config import ConfigError
from newsflow.nlp.entities import ENTITY_LABELS, canonical_name


@dataclass(frozen=True)
class EntityEntry:
    """One listed entity: its canonical name, label and other names."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def name_key(name: str, label: str = "") -> str:
    """Lookup key of a name: canonical form, case-folded, without dots ("U.S." is "US")."""
    return canonical_name(name, label).casefold().replace(".", "")


@dataclass(frozen=True)
class EntityList:
    """A list of entities, looked up by any of their names (hashable, so it can key caches)."""

    entries: tuple[EntityEntry, ...] = ()

    def __post_init__(self) -> None:
        index: dict[str, EntityEntry] = {}
        for entry in self.entries:
            for name in entry.names:
                key = name_key(name, entry.label)
                if index.get(key, entry) != entry:
                    raise ConfigError(f"{name!r} is listed under both {index[key].name!r} and {entry.name!r}")
                index[key] = entry
        object.__setattr__(self, "_index", index)

    def find(self, name: str, label: str = "") -> EntityEntry | None:
        """The entry that ``name`` (a surface form or canonical name) stands for, if listed."""
        return self._index.get(name_key(name, label))  # type: ignore[attr-defined]


def parse_entity_list(raw: object, source: str) -> EntityList:
    """Validate a loaded YAML document into an :class:`EntityList`; ``source`` names it in errors."""
    if raw is None:
        return EntityList()
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: top level must be a list of {{name, label, aliases}} entries")
    entries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("name") or item.get("label") not in ENTITY_LABELS:
            raise ConfigError(f"{source}[{i}]: needs 'name' and 'label' (one of {ENTITY_LABELS})")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list):
            raise ConfigError(f"{source}[{i}].aliases must be a list")
        entries.append(EntityEntry(str(item["name"]), item["label"], tuple(str(a) for a in aliases)))
    return EntityList(tuple(entries))


@lru_cache(maxsize=8)
def load_entity_list(path: Path | None) -> EntityList:
    """Read an alias table or watchlist file once per process; ``None`` is the empty list."""
    if path is None:
        return EntityList()
    if not path.exists():
        raise ConfigError(f"entity list not found: {path}")
    return parse_entity_list(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
