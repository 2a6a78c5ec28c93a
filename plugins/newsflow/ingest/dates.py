"""Publication dates read as written: zone names and abbreviations resolved, never guessed.

A time with a zone we cannot resolve (an unknown or ambiguous abbreviation, an offset no
place on earth uses) is refused, so the caller flags it ``unparsed`` rather than storing it
as if it were UTC.  Only a time with no zone at all is taken as UTC, the convention of
feeds and most CMS exports.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

# Real offsets run from UTC-12:00 to UTC+14:00.
MAX_OFFSET = timedelta(hours=14)
# Abbreviations with one meaning in news copy (hours east of UTC).  CST, IST, BST, AST and
# others name several zones; they are refused rather than guessed.
ZONE_ABBREVIATIONS = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "NST": -3.5, "NDT": -2.5, "JST": 9, "KST": 9,
    "HKT": 8, "SGT": 8, "PHT": 8, "WIB": 7, "ICT": 7, "PKT": 5, "AEST": 10, "AEDT": 11, "ACST": 9.5,
    "ACDT": 10.5, "AWST": 8, "NZST": 12, "NZDT": 13, "SAST": 2, "WAT": 1, "CAT": 2, "EAT": 3,
    "BRT": -3, "ART": -3, "CLT": -4,
}  # fmt: skip
_IANA_ZONE = re.compile(r"\b([A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+)\b")
# "UTC+9" / "GMT-05:00" mean nine hours east / five west (dateutil reads them POSIX-style, inverted).
_PREFIXED_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*(?=[+-]\d)", re.I)
_EPOCH_RANGE = (0, 4_102_444_800)  # 1970 to 2100, in seconds


class ZoneError(ValueError):
    """The time names a zone that cannot be resolved to one offset."""


def _zone_of(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's hook for a zone it found in the string: an offset in seconds or a name."""
    if name is None and offset is None:
        return None  # no zone written: naive, read as UTC by the caller
    if offset is not None:
        if abs(offset) > MAX_OFFSET.total_seconds():
            raise ZoneError(f"offset of {offset / 3600:+g} hours is outside UTC-12..+14")
        return timezone(timedelta(seconds=offset))
    key = (name or "").upper()
    if key in ZONE_ABBREVIATIONS:
        return timezone(timedelta(hours=ZONE_ABBREVIATIONS[key]))
    raise ZoneError(f"unknown or ambiguous time zone {name!r}")


def parse_datetime(value: object) -> datetime:
    """An aware datetime for ``value`` (text, seconds since 1970, a date); raises ValueError.

    Naive values are UTC.  Zone names resolved: abbreviations with one meaning, IANA names
    ("Asia/Seoul", with its daylight saving), numeric offsets within -12..+14 hours.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > _EPOCH_RANGE[1] else value
        if not _EPOCH_RANGE[0] <= seconds <= _EPOCH_RANGE[1]:
            raise ValueError(f"number {value} is not a time in seconds or milliseconds since 1970")
        return datetime.fromtimestamp(seconds, tz=UTC)
    else:
        text = _PREFIXED_OFFSET.sub("", str(value).strip())
        zone: tzinfo | None = None
        match = _IANA_ZONE.search(text)
        if match:
            try:
                zone = ZoneInfo(match.group(1))
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ZoneError(f"unknown time zone {match.group(1)!r}") from exc
            text = (text[: match.start()] + text[match.end() :]).strip()
        parsed = date_parser.parse(text, tzinfos=_zone_of)
        if zone is not None:
            if parsed.tzinfo is not None:
                raise ZoneError("both a zone name and an offset")
            parsed = parsed.replace(tzinfo=zone)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=UTC)
    if abs(parsed.utcoffset()) > MAX_OFFSET:
        raise ZoneError(f"offset {parsed.utcoffset()} is outside UTC-12..+14")
    return parsed.astimezone(UTC)
