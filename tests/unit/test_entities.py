import pytest

from newsflow.nlp.entities import canonical_name, entity_id


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
