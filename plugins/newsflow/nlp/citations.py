"""Which agencies and outlets an article credits or cites, from its text alone.

Credits (the article *is* agency copy): a dateline ("SEOUL, Nov 30 (Reuters) -",
"AFP –"), a byline naming an agency, a sign-off ("— With AFP", "Reporting by ...;
Editing by ...", a last line "AFP").  Citations (the article *quotes* a source):
"according to X", "X reported", "X said", "X news agency", "told X".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical agency name -> the ways copy names it.  "AP" alone is only trusted inside a
# dateline or credit, where it cannot be an abbreviation of something else.
AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "Reuters": ("Reuters", "Thomson Reuters"),
    "KCNA": ("KCNA", "Korean Central News Agency"),
    "Yonhap": ("Yonhap", "Yonhap News Agency"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "TASS": ("TASS", "Tass"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "dpa": ("dpa", "Deutsche Presse-Agentur"),
    "EFE": ("EFE",),
    "ANSA": ("ANSA",),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "UPI": ("UPI", "United Press International"),
    "Anadolu": ("Anadolu", "Anadolu Agency"),
}
CREDIT_KINDS = ("dateline", "byline", "signoff")
_ALIAS_TO_AGENCY = {alias.casefold(): name for name, aliases in AGENCIES.items() for alias in aliases}
_ALIASES = "|".join(
    sorted((re.escape(alias) for aliases in AGENCIES.values() for alias in aliases), key=len, reverse=True)
)
_DASH = r"[-–—:]"
_DATELINE = re.compile(rf"^[^\n]{{0,80}}?\((?P<agency>{_ALIASES})\)\s*{_DASH}|^\s*(?P<lead>{_ALIASES})\s*{_DASH}")
_SIGNOFF = re.compile(
    rf"(?:[-–—]\s*)?(?:with|via|source:|sources?:|copyright)\s+(?:the\s+)?(?P<agency>{_ALIASES})\b"
    rf"|^\s*\(?(?P<alone>{_ALIASES})\)?\s*$"
    r"|^\s*\(?(?P<reuters>Reporting by\b[^\n]*)",
    re.I | re.M,
)
_BYLINE = re.compile(rf"(?<![\w-])({_ALIASES})(?![\w-])")
_VERBS = r"(?:said|says|reported|reports|quoted|cited|announced|added|wrote)"
_ATTRIBUTION = re.compile(
    rf"according to (?:the )?(?P<a>{_ALIASES})\b"
    rf"|\b(?P<b>{_ALIASES})(?: news agency)? {_VERBS}\b"
    rf"|\btold (?:the )?(?P<c>{_ALIASES})\b"
    rf"|\b(?P<d>{_ALIASES}),? (?:the )?(?:state |official |national )?news agency\b"
)


@dataclass(frozen=True)
class Citation:
    """One credit or citation: the canonical source name, how it was found and where."""

    source: str
    kind: str  # dateline | byline | signoff | attribution
    is_agency: bool
    start_char: int
    evidence: str


def agency_of(name: str | None) -> str | None:
    """The canonical agency a name or outlet stands for, if any ("Associated Press" -> "AP")."""
    if not name:
        return None
    return _ALIAS_TO_AGENCY.get(" ".join(name.split()).casefold())


def _agency(match: re.Match, *groups: str) -> tuple[str, int] | None:
    for group in groups:
        if match.group(group):
            # Lower-case "ap"/"afp" in running prose is not an agency credit.
            value = match.group(group)
            if value.islower() and value.casefold() not in ("dpa",):
                return None
            return _ALIAS_TO_AGENCY[value.casefold()], match.start(group)
    return None


def find_citations(
    text: str, author: str | None = None, org_mentions: list[tuple[str, int, int]] | None = None
) -> list[Citation]:
    """Credits and citations of one article, deduplicated per (source, kind).

    ``org_mentions`` are (canonical name, start_char, end_char) of ORG entities; an
    organisation that is not an agency counts when an attribution verb follows it
    or "according to" precedes it.
    """
    found: dict[tuple[str, str], Citation] = {}

    def add(source: str, kind: str, start: int, evidence: str, is_agency: bool = True) -> None:
        found.setdefault((source, kind), Citation(source, kind, is_agency, start, evidence.strip()[:160]))

    head = text[:300]
    match = _DATELINE.search(head)
    if match and (hit := _agency(match, "agency", "lead")):
        add(hit[0], "dateline", hit[1], head[match.start() : match.end()])
    if author and (byline_agency := _byline_agency(author)):
        add(byline_agency, "byline", -1, author)
    tail_start = max(0, len(text) - 400)
    for match in _SIGNOFF.finditer(text, tail_start):
        if match.group("reuters"):
            add("Reuters", "signoff", match.start(), match.group(0))
        elif hit := _agency(match, "agency", "alone"):
            add(hit[0], "signoff", hit[1], match.group(0))
    for match in _ATTRIBUTION.finditer(text):
        if hit := _agency(match, "a", "b", "c", "d"):
            add(hit[0], "attribution", hit[1], text[max(0, match.start() - 40) : match.end() + 20])
    for name, start, end in org_mentions or []:
        if agency_of(name):
            continue
        before, after = text[max(0, start - 16) : start], text[end : end + 14]
        if re.search(r"according to (?:the )?$", before) or re.match(rf",? {_VERBS}\b", after):
            add(name, "attribution", start, text[max(0, start - 40) : end + 20], is_agency=False)
    return sorted(found.values(), key=lambda c: (c.start_char, c.source, c.kind))


def _byline_agency(author: str) -> str | None:
    """An agency named in a byline ("By AFP", "Reuters staff", "Jane Doe / Yonhap")."""
    match = _BYLINE.search(author)
    return _ALIAS_TO_AGENCY[match.group(1).casefold()] if match else None


def credited_agency(citations: list[Citation]) -> str | None:
    """The agency an article is copy of: a dateline beats a byline beats a sign-off."""
    for kind in CREDIT_KINDS:
        for citation in citations:
            if citation.kind == kind and citation.is_agency:
                return citation.source
    return None
