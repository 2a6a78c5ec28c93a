"""Entity labels kept, surface-form folding and stable entity ids."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

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


def _initials(name: str) -> str:
    """Initials of a name's capitalised words: "Korea Institute for National Unification" is "KINU"."""
    return "".join(word[0] for word in re.split(r"[\s-]+", name) if word[:1].isupper())


def link_short_forms(names: list[tuple[str, str]]) -> list[str]:
    """The full name each of one document's mentions (canonical name, label) stands for.

    A person named by part of a longer name in the same document ("Kim", "Putin") is
    that person ("Kim Jong Un", "Vladimir Putin"); an organisation's acronym is the
    organisation whose initials it spells ("KINU").  Only unambiguous links are made:
    with "Kim Jong Un" and "Kim Yo Jong" in one article, "Kim" stays "Kim".
    """
    people = {name.casefold(): name for name, label in names if label == "PERSON"}
    tokens = {key: set(key.split()) for key in people}
    # Link to the longest forms only, so "Kim" and "Kim Jong" both become "Kim Jong Un".
    full = [key for key in people if not any(tokens[key] < tokens[other] for other in people)]
    orgs = {name.casefold(): name for name, label in names if label == "ORG" and " " in name}
    linked = []
    for name, label in names:
        key = name.casefold()
        found: set[str] = set()
        if label == "PERSON" and key not in full:
            found = {people[other] for other in full if tokens[key] < tokens[other]}
        elif label == "ORG" and re.fullmatch(r"[A-Z]{2,6}", name.replace(".", "")):
            found = {org for org in orgs.values() if _initials(org) == name.replace(".", "")}
        linked.append(found.pop() if len(found) == 1 else name)
    return linked


def dominant_labels(labelled: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The label given most often to each name (case-folded) among ``(name, label)`` pairs.

    The model sometimes tags a name differently in one sentence ("Kyiv" as PERSON); the
    majority corrects it.  Names with a tie for the top label get no entry: each
    mention keeps the model's label.
    """
    return dominant_labels_of_counts((name, label, 1) for name, label in labelled)


def dominant_labels_of_counts(counted: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """:func:`dominant_labels` from ``(name, label, number of mentions)`` rows."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name, label, count in counted:
        votes[name.casefold()][label] += count
    dominant = {}
    for key, counts in votes.items():
        top = counts.most_common(2)
        if len(top) == 1 or top[0][1] > top[1][1]:
            dominant[key] = top[0][0]
    return dominant
