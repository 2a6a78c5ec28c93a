"""Places resolved from one article's mentions: the seeds, abbreviations, context, unresolved names."""

import pandas as pd
import pytest

from newsflow.config import DEFAULT_ALIASES, default_spacy_model
from newsflow.nlp.aliases import load_entity_list
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.places import PlaceMention, load_gazetteer, name_key, resolve_places, stored_gazetteer
from tests.helpers import seed_rows

PYONGYANG, SEOUL, PARIS_FRANCE, PARIS_TEXAS = 1871859, 1835848, 2988507, 4717560


@pytest.fixture(scope="module")
def seed_places():
    """Each seed's NER mentions (canonical names, as enrichment gives them) resolved in one call."""
    rows = seed_rows()
    tables = enrich_batch(pd.DataFrame(rows), default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))
    found = tables["mentions"].merge(tables["entities"][["entity_id", "name"]], on="entity_id")
    resolved = {}
    for article_id, mentions in found.groupby("article_id"):
        mentions = mentions.sort_values("start_char")
        resolved[article_id] = resolve_places(
            [
                PlaceMention(row.name, row.label, row.start_char, row.end_char)
                for row in mentions.itertuples()
                if row.label in {"GPE", "LOC", "FAC", "NORP"}
            ]
        )
    return resolved


def by_name(results):
    return {r.mention.name: r for r in results}


def mentions(*names, label="GPE", gap=40):
    """Mentions of ``names`` in one article, ``gap`` characters apart."""
    found, start = [], 0
    for name in names:
        found.append(PlaceMention(name, label, start, start + len(name)))
        start += len(name) + gap
    return found


@pytest.mark.parametrize("article_id", ["afp", "rewrite"])
def test_seed_countries_resolve_to_their_codes(seed_places, article_id):
    places = by_name(seed_places[article_id])
    for name, code in {"North Korea": "KP", "South Korea": "KR", "Russia": "RU", "Ukraine": "UA"}.items():
        assert places[name].place.kind == "country", name
        assert places[name].place.country_code == code, name


@pytest.mark.parametrize("article_id", ["afp", "rewrite"])
def test_seed_capitals_resolve_to_their_cities_and_countries(seed_places, article_id):
    places = by_name(seed_places[article_id])
    pyongyang, seoul = places["Pyongyang"], places["Seoul"]
    assert (pyongyang.place.place_id, pyongyang.place.kind, pyongyang.place.country_code) == (PYONGYANG, "city", "KP")
    assert (seoul.place.place_id, seoul.place.kind, seoul.place.country_code) == (SEOUL, "city", "KR")
    assert pyongyang.method == "capital"
    assert 38 < pyongyang.place.latitude < 40 and 125 < pyongyang.place.longitude < 126


def test_seed_adjectives_are_flagged_links_and_other_groups_stay_unresolved(seed_places):
    places = by_name(seed_places["afp"])
    russian = places["Russian"]
    assert russian.place.country_code == "RU" and russian.via_adjective and russian.method == "adjective"
    assert places["North Korean"].place.country_code == "KP"
    western = places["Western"]
    assert western.place is None and western.reason == "not a country adjective"
    assert not any(r.via_adjective for r in seed_places["afp"] if r.mention.label != "NORP")


def test_seed_keeps_every_mention_in_order(seed_places):
    for results in seed_places.values():
        starts = [r.mention.start_char for r in results]
        assert starts == sorted(starts) and len(results) > 10


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("DPRK", "KP"),
        ("N. Korea", "KP"),
        ("S. Korea", "KR"),
        ("U.K.", "GB"),
        ("UK", "GB"),
        ("UAE", "AE"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("PRC", "CN"),
        ("Russian Federation", "RU"),
        ("Democratic People's Republic of Korea", "KP"),
        ("the Netherlands", "NL"),
        ("Burma", "MM"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_abbreviations_and_other_spellings_name_countries(name, code):
    [result] = resolve_places(mentions(name))
    assert result.place is not None, result.reason
    assert (result.place.kind, result.place.country_code) == ("country", code)


def test_paris_next_to_texas_is_paris_texas_and_alone_is_paris_france():
    paris, texas = resolve_places([PlaceMention("Paris", "GPE", 0, 5), PlaceMention("Texas", "GPE", 7, 12)])
    assert paris.place.place_id == PARIS_TEXAS and paris.place.country_code == "US"
    assert texas.place.kind == "admin" and texas.place.country_code == "US"
    [alone] = resolve_places(mentions("Paris"))
    assert alone.place.place_id == PARIS_FRANCE and alone.method == "capital"
    # Texas named further away in the same article still points to Texas.
    far = resolve_places([PlaceMention("Paris", "GPE", 0, 5), PlaceMention("Texas", "GPE", 900, 905)])
    assert far[0].place.place_id == PARIS_TEXAS


def test_a_country_the_article_names_picks_the_city():
    hamilton, _ = resolve_places(mentions("Hamilton", "New Zealand"))
    assert hamilton.place.country_code == "NZ"
    [alone] = resolve_places(mentions("Hamilton"))
    assert alone.place.country_code == "CA" and alone.place.population > hamilton.place.population
    birmingham, _ = resolve_places(mentions("Birmingham", "Alabama", gap=400))
    assert (birmingham.place.country_code, birmingham.place.admin_code) == ("US", "AL")


def test_georgia_is_the_state_among_us_places_and_the_country_elsewhere():
    state = resolve_places(mentions("Georgia", "Atlanta", "United States"))[0]
    assert (state.place.kind, state.place.country_code) == ("admin", "US")
    country = resolve_places(mentions("Georgia", "Russia", "Tbilisi"))[0]
    assert (country.place.kind, country.place.country_code) == ("country", "GE")


def test_capital_metonyms_carry_their_country():
    for name, code in {"Washington": "US", "Moscow": "RU", "Kyiv": "UA", "Beijing": "CN"}.items():
        [result] = resolve_places(mentions(name))
        assert (result.place.kind, result.place.country_code, result.method) == ("city", code, "capital"), name


def test_other_spellings_regions_areas_and_parts():
    kiev, europe, new_york, north_india, zabul = resolve_places(
        mentions("Kiev", "Europe", "New York", "North India", "Zabul province", label="LOC")
    )
    assert kiev.place.name == "Kyiv" and kiev.place.country_code == "UA"
    assert europe.place.kind == "region" and europe.place.country_code is None and europe.place.place_id
    assert new_york.place.name == "New York City"
    assert (north_india.place.kind, north_india.place.country_code, north_india.method) == ("region", "IN", "part of")
    assert (zabul.place.kind, zabul.place.country_code, zabul.method) == ("admin", "AF", "area")


def test_possessor_of_a_facility_locates_it():
    [opry] = resolve_places(mentions("Nashville's Grand Ole Opry", label="FAC"))
    assert opry.method == "possessor" and opry.place.name == "Nashville" and opry.place.country_code == "US"


def test_unresolved_names_are_kept_with_a_reason():
    names = ["Korean Peninsula", "Sohae Satellite Launching Station", "Hong Min"]
    results = resolve_places(
        [*mentions(*names[:2], label="LOC"), PlaceMention("Hong Min", "PERSON", 500, 508)]
        + mentions("Korean", label="NORP")
    )
    assert [r.mention.name for r in results] == [*names, "Korean"]
    assert all(r.place is None and r.reason for r in results)
    assert results[2].reason == "not a place label"
    row = results[0].as_row()
    assert row["place_id"] is None and row["reason"] == "not in gazetteer" and row["text"] == "Korean Peninsula"


def test_shared_adjectives_resolve_only_when_one_country_dominates():
    american, french, pro_israeli, islander = resolve_places(
        mentions("American", "French", "pro-Israeli", "Channel Islander", label="NORP")
    )
    assert american.place.country_code == "US" and french.place.country_code == "FR"
    assert pro_israeli.place.country_code == "IL"
    assert islander.place is None and islander.reason == "adjective shared by several countries"


def test_name_key_folds_case_accents_dots_and_articles():
    assert name_key("the U.S.") == "us"
    assert name_key("Côte d’Ivoire") == name_key("Cote d'Ivoire")
    assert name_key("N. Korea") == "north korea"
    assert name_key("North Korea’s") == "north korea"


def test_the_north_and_a_shared_adjective_follow_the_countries_the_article_names():
    north, korean, _ = resolve_places(
        [
            *mentions("North", label="LOC"),
            *mentions("Korean", label="NORP"),
            PlaceMention("North Korea", "GPE", 300, 311),
        ]
    )
    assert (north.place.country_code, north.method) == ("KP", "short form")
    assert korean.place.country_code == "KP" and korean.via_adjective
    both = resolve_places([*mentions("Korean", label="NORP"), *mentions("North Korea", "South Korea")])
    assert both[0].place is None and both[0].reason == "adjective shared by several countries"
    [alone] = resolve_places(mentions("North", label="LOC"))
    assert alone.place is None and alone.reason == "a direction, not a place"


def test_lowercase_names_are_common_nouns():
    [coast] = resolve_places(mentions("west coast", label="LOC"))
    assert coast.place is None and coast.reason == "not a proper name"


def test_a_capital_is_the_city_of_that_name_not_one_that_also_goes_by_it():
    [new_delhi] = resolve_places(mentions("New Delhi"))
    assert (new_delhi.place.name, new_delhi.place.place_id, new_delhi.method) == ("New Delhi", 1261481, "capital")


def test_a_name_two_countries_share_follows_the_article():
    korea, _ = resolve_places(mentions("Korea", "Busan"))
    assert korea.place.country_code == "KR" and korea.method == "country"
    korea, _ = resolve_places(mentions("Korea", "Pyongyang"))
    assert korea.place.country_code == "KP"
    [alone] = resolve_places(mentions("Korea"))
    assert alone.place is None and alone.reason == "name shared by several countries"
    [africa] = resolve_places(mentions("Africa", label="LOC"))
    assert africa.place.kind == "region"  # a continent, not what is left of "South Africa"


def test_the_inside_a_name_and_a_trailing_score_are_ignored():
    [congo] = resolve_places(mentions("Democratic Republic of Congo"))
    assert congo.place.country_code == "CD"
    [chile] = resolve_places(mentions("Chile 3-0", label="FAC"))
    assert (chile.place.country_code, chile.method) == ("CL", "trimmed")


def test_ap_state_abbreviations_among_us_places_only():
    _, calif = resolve_places(mentions("Fresno", "Calif", gap=2))
    assert (calif.place.name, calif.method) == ("California", "state abbreviation")
    _, calif = resolve_places(mentions("Lyon", "Calif"))
    assert calif.place is None and calif.reason == "not in gazetteer"


def test_areas_and_facilities_unknown_to_the_gazetteer_go_to_the_article_main_country():
    field, county, coast, telescope, _, _, _ = resolve_places(
        [
            *mentions("Heinz Field", label="FAC"),
            *mentions("Cholsan County", "west coast"),
            *mentions("Hubble Space Telescope", label="FAC"),
            *mentions("Pittsburgh", "United States", "Ohio"),
        ]
    )
    assert (field.place.kind, field.place.country_code, field.place.place_id) == ("local", "US", None)
    assert field.method == "article country"
    assert (county.place.kind, county.place.country_code) == ("admin", "US")
    assert (coast.place.kind, coast.place.country_code) == ("region", "US")
    assert telescope.place is None  # no facility word: a name the NER took for a place
    [alone] = resolve_places(mentions("Heinz Field", label="FAC"))
    assert alone.place is None  # no main country to put it in
    split = resolve_places(mentions("Heinz Field", "Pittsburgh", "London", label="FAC"))
    assert split[0].place is None  # half the places in the US is no main country


def test_the_area_around_a_place_is_a_region_of_its_country():
    kowloon, bay_area = resolve_places(mentions("Kowloon West", "San Francisco Bay Area", label="LOC"))
    assert (kowloon.place.kind, kowloon.place.country_code, kowloon.method) == ("region", "HK", "around")
    assert (bay_area.place.country_code, bay_area.place.place_id) == ("US", None)


def test_a_city_near_the_other_cities_of_the_article():
    melbourne, _, _ = resolve_places(mentions("Melbourne", "Palm Bay", "Cocoa"))
    assert melbourne.place.country_code == "US" and melbourne.place.admin_code == "FL"
    [alone] = resolve_places(mentions("Melbourne"))
    assert alone.place.country_code == "AU"


def test_the_stored_gazetteer_is_the_built_one_and_a_damaged_file_is_built_again(tmp_path):
    built = load_gazetteer()
    stored_gazetteer.cache_clear()
    assert stored_gazetteer(tmp_path) is built  # the first process builds it and stores it
    [path] = tmp_path.glob("gazetteer-*.pickle")
    stored_gazetteer.cache_clear()
    again = stored_gazetteer(tmp_path)  # the next one reads the file
    assert again is not built and again == built
    path.write_bytes(b"half a pickle")
    stored_gazetteer.cache_clear()
    assert stored_gazetteer(tmp_path) is built
    stored_gazetteer.cache_clear()
    assert stored_gazetteer(tmp_path) == built  # the damaged file was replaced
    stored_gazetteer.cache_clear()
