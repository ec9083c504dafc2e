"""What kind of thing a name is (issue 13): people and organisations whose names hold a place
name, places next to capitalised words, big places the NER mislabels. Own texts (see
:mod:`tests.text.kind_cases`), no corpus sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app.places.gazetteer import get_gazetteer
from geo_app.text.extract import _COMMON_WORDS, get_nlp
from geo_app.text.spans import person_marks, person_names, token_view
from tests.text.kind_cases import BIG_PLACES, PEOPLE, PLACES, case_errors

PUB = dt.date(2024, 3, 14)
#: Misses allowed among the 20 people (see test_people_named_like_places_are_not_places).
MAX_PEOPLE_FAILURES = 1


def test_the_name_lists_hold_given_names_and_surnames() -> None:
    names = person_names()
    assert len(names) > 20_000
    given, surname = names["jordan"]
    assert 0 < given and 0 < surname  # both a given name and a surname
    assert names["henderson"][0] == 0 < names["henderson"][1]
    assert "kherson" not in names and "hodeidah" not in names


@pytest.mark.parametrize(("text", "name", "pair"), [
    ("Jordan Henderson scored twice.", "Jordan", True),
    ("Israel Adesanya will fight in Perth.", "Israel", True),  # a surname the lists lack, ending the name
    ("Farmers in the Jordan Valley waited for rain.", "Jordan", False),
    ("Jordan Amman said nothing.", "Jordan", False),  # the next word is a place, not a surname
    ("Georgia Gov. Brian Kemp spoke.", "Georgia", False),
    ("A win lifted the Houston Rockets to first place.", "Houston", False),  # after "the": a team
    ("Students at Paris High School marched.", "Paris", False),  # the pair heads a longer name
])
def test_a_given_name_before_a_surname_is_marked(text: str, name: str, pair: bool) -> None:
    doc = get_nlp().make_doc(text)
    marks = person_marks(token_view(doc), get_gazetteer(), _COMMON_WORDS)
    at = [t.i for t in doc if t.text == name][0]
    assert (at in marks.pattern) is pair


def _run(cases: list) -> list[list[str]]:
    return case_errors(cases, PUB)


def test_people_named_like_places_are_not_places() -> None:
    """Persons whose given name is a country, state or city ("Jordan Henderson", "Georgia Whitfield")."""
    failures = [(case[0], errs) for case, errs in zip(PEOPLE, _run(PEOPLE)) if errs]
    # The dev set's score when this test was written (issue 13): 20 of 20; before the person
    # features: 12 of 20. A little slack for a retrained model.
    assert len(failures) <= MAX_PEOPLE_FAILURES, failures


def test_places_beside_capitalised_words_stay_places() -> None:
    """"Georgia Gov. Brian Kemp", "Paris police", "Jordan Valley", "Washington Post reporters in Kabul"."""
    failures = [(case[0], errs) for case, errs in zip(PLACES, _run(PLACES)) if errs]
    assert not failures, failures


def test_big_places_the_ner_mislabels_are_places() -> None:
    """"around Hodeidah and Taiz", a sentence-initial "Mariupol" the NER calls an organisation,
    "Kherson" it calls a person."""
    failures = [(case[0], errs) for case, errs in zip(BIG_PLACES, _run(BIG_PLACES)) if errs]
    assert not failures, failures
