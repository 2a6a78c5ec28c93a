"""Entity labels kept, surface-form folding and stable entity ids."""

from __future__ import annotations

import hashlib
import re

# People, organisations and places (plus nationalities/groups, facilities and events);
# dates, numbers and money are not entities an analyst follows.
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "\u00a0": " "})
_POSSESSIVE = re.compile(r"(?:'s|')$", re.I)
_EDGE_PUNCT = " \t\n\"'.,;:!?()[]{}-–—"


def canonical_name(surface: str, label: str) -> str:
    """Fold a mention's surface form to its name: curly quotes, possessives, spacing.

    "North Korea’s" and "North Korea's" are "North Korea"; "the United States" is
    "United States" for places and organisations (a leading article is not part of
    the name).  People keep their names as written.
    """
    name = " ".join(surface.translate(_QUOTES).split())
    name = _POSSESSIVE.sub("", name).strip(_EDGE_PUNCT)
    if label != "PERSON" and name.lower().startswith("the "):
        name = name[4:]
    return name


def entity_id(name: str, label: str) -> str:
    """Stable id of an entity: its label and case-folded canonical name."""
    return hashlib.sha256(f"{label}:{name.casefold()}".encode()).hexdigest()[:16]
