import pytest

from newsflow.config import DEFAULT_ALIASES, ConfigError
from newsflow.nlp.aliases import load_entity_list, parse_entity_list
from newsflow.nlp.entities import canonical_name, dominant_labels, entity_id, link_short_forms


@pytest.mark.parametrize(
    ("surface", "label", "name"),
    [
        ("North Korea's", "GPE", "North Korea"),
        ("North Korea’s", "GPE", "North Korea"),
        ("North  Korea", "GPE", "North Korea"),
        ("the Korea Institute for National Unification", "ORG", "Korea Institute for National Unification"),
        ("The United States", "GPE", "United States"),
        ("Donald Trump’s", "PERSON", "Donald Trump"),
        ("Belousov,", "PERSON", "Belousov"),
        ("Thea Pedersen", "PERSON", "Thea Pedersen"),
        ("Jesus'", "PERSON", "Jesus"),
    ],
)
def test_surface_forms_fold_to_their_name(surface, label, name):
    assert canonical_name(surface, label) == name


def test_entity_ids_are_stable_case_blind_and_label_aware():
    assert entity_id("North Korea", "GPE") == entity_id("north korea", "GPE")
    assert entity_id("North Korea", "GPE") != entity_id("North Korea", "ORG")
    assert len(entity_id("KCNA", "ORG")) == 16


def test_short_forms_link_to_the_one_full_name_in_the_document():
    names = [
        ("Kim", "PERSON"),  # a headline may use the short form first
        ("Kim Jong Un", "PERSON"),
        ("Putin", "PERSON"),
        ("Vladimir Putin", "PERSON"),
        ("Kim Jong", "PERSON"),
        ("Korea Institute for National Unification", "ORG"),
        ("KINU", "ORG"),
        ("Putin", "GPE"),  # only people link to people
    ]
    assert link_short_forms(names) == [
        "Kim Jong Un",
        "Kim Jong Un",
        "Vladimir Putin",
        "Vladimir Putin",
        "Kim Jong Un",
        "Korea Institute for National Unification",
        "Korea Institute for National Unification",
        "Putin",
    ]


def test_ambiguous_short_forms_stay_as_written():
    names = [("Kim Jong Un", "PERSON"), ("Kim Yo Jong", "PERSON"), ("Kim", "PERSON"), ("UN", "ORG")]
    assert link_short_forms(names) == ["Kim Jong Un", "Kim Yo Jong", "Kim", "UN"]


def test_dominant_label_wins_and_ties_keep_the_model_label():
    votes = [("Kyiv", "GPE"), ("kyiv", "GPE"), ("Kyiv", "PERSON"), ("Jordan", "PERSON"), ("Jordan", "GPE")]
    assert dominant_labels(votes) == {"kyiv": "GPE"}


def test_entity_lists_find_names_ignoring_case_dots_and_the():
    entries = parse_entity_list(
        [{"name": "United States", "label": "GPE", "aliases": ["US", "USA"]}, {"name": "Kyiv", "label": "GPE"}], "t"
    )
    assert entries.find("U.S.", "ORG").name == "United States"
    assert entries.find("the united states", "GPE").name == "United States"
    assert entries.find("Kyiv’s", "PERSON").name == "Kyiv"
    assert entries.find("Kiev") is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "X"}, "top level must be a list"),
        ([{"name": "X", "label": "DATE"}], "needs 'name' and 'label'"),
        ([{"name": "X", "label": "ORG", "aliases": "Y"}], "aliases must be a list"),
        (
            [{"name": "UN", "label": "ORG"}, {"name": "United Nations", "label": "ORG", "aliases": ["U.N."]}],
            "listed under both",
        ),
    ],
)
def test_bad_entity_lists_are_refused_with_a_reason(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_entity_list(raw, "aliases.yaml")


def test_the_shipped_alias_table_loads():
    table = load_entity_list(DEFAULT_ALIASES)
    assert table.find("DPRK").name == "North Korea"
    assert table.find("Republic of Korea").name == "South Korea"
    assert table.find("Britain").name == "United Kingdom"
