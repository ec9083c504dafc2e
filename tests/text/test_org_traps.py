"""Names that are not places and places that look like names (issue 13): the use features of the kind
model (:func:`geo_app.text.place_context.use_features`, :func:`geo_app.text.spans.org_head_class`), the
apposition of a role in the person cues, and the trap set :mod:`tests.text.org_cases` end to end. Own
sentences, no corpus text."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app.text.extract import get_nlp
from geo_app.text.place_context import use_features
from geo_app.text.spans import org_head_class
from tests.text.kind_cases import case_errors, one_word_features
from tests.text.org_cases import COMPOUNDS, NER_PEOPLE, ORGS, PEOPLE, PLACES

PUB = dt.date(2024, 3, 14)


def _use(text: str, name: str) -> dict[str, float]:
    """The use features of the one-word name ``name`` (its first occurrence) in ``text``."""
    doc = get_nlp().make_doc(text)
    words = [t.text for t in doc]
    at = words.index(name)
    f: dict[str, float] = {}
    use_features(f, words, [w.lower() for w in words], [t.i == 0 for t in doc], at, at + 1)
    return f


@pytest.mark.parametrize(("text", "name", "feature"), [
    ("She wore a Panama hat to the races.", "Panama", "use_after=thing"),
    ("He never liked Brussels sprouts.", "Brussels", "use_after=thing"),
    ("Dijon police arrested two men.", "Dijon", "use_after=place"),
    ("Delta state police said gunmen struck.", "Delta", "use_after=place"),
    ("Farms along the Hudson valley flooded.", "Hudson", "use_after=place"),  # a lower-case geographic head
    ("Sumy's mayor said the city had no power.", "Sumy", "use_poss=place"),
    ("Sicily's regional government declared an emergency.", "Sicily", "use_poss=place"),
    ("Missiles hit Kramatorsk late on Tuesday.", "Kramatorsk", "use_verb_before"),
    ("Drones struck Sumy overnight; the town's mayor said three were hurt.", "Sumy", "use_anaphor"),
])
def test_a_use_feature_fires(text: str, name: str, feature: str) -> None:
    assert _use(text, name).get(feature) == 1.0


@pytest.mark.parametrize(("text", "name", "feature"), [
    ("Victoria's Secret closed a store.", "Victoria", "use_poss=place"),  # a capitalised word: no office
    ("Dijon Mustard Company said it would expand.", "Dijon", "use_after=thing"),  # capitalised: a name
    ("Paris hosted the talks.", "Paris", "use_after=place"),
    ("Hit songs from Paris topped the charts.", "Paris", "use_verb_before"),
])
def test_a_use_feature_stays_silent(text: str, name: str, feature: str) -> None:
    assert feature not in _use(text, name)


def test_the_head_of_an_organisation_says_whether_the_place_is_its_seat() -> None:
    assert org_head_class("times") == "seat"  # "New York Times"
    assert org_head_class("police") == "seat"
    assert org_head_class("lines") == "nonseat"  # "Delta Air Lines"
    assert org_head_class("agreement") == "nonseat"  # "Paris Agreement"
    assert org_head_class("sachs") == "other"


_feats = one_word_features


@pytest.mark.parametrize(("text", "name", "feature"), [
    ("Shares of Arizona Beverages rose on Friday.", "Arizona", "run_head=nonseat"),  # with or without an NER span
    ("Delta Air Lines cancelled flights.", "Delta", "run_head=nonseat"),
    ("Victoria Police said the driver was arrested.", "Victoria", "run_head=seat"),
])
def test_the_capitalised_run_a_name_opens_is_classed_by_its_last_word(text: str, name: str, feature: str) -> None:
    f = _feats(text, name)
    assert f.get(feature, f.get(f"pp|{feature}")) == 1.0


@pytest.mark.parametrize(("text", "name", "cue"), [
    ("Hamilton Jordan, a retired diplomat, told reporters the talks had failed.", "Jordan", "person_act_last"),
    ("Kingston Coleman, an analyst at the bank, said the risks were rising.", "Kingston", "person_act"),
    ("Berkeley Breathed drew the comic strip for almost a decade.", "Berkeley", "person_act"),
])
def test_a_pair_acts_through_an_apposition_or_with_an_unlisted_surname(text: str, name: str, cue: str) -> None:
    assert _feats(text, name).get(cue) == 1.0


@pytest.mark.parametrize(("text", "name"), [
    ("Hamilton, a port city in Ontario, said it would expand bus service.", "Hamilton"),  # one word, a place noun
    ("Charlotte Raleigh, the twin cities, said nothing.", "Charlotte"),  # a place noun in the apposition
    ("Georgia Instruments said profits rose.", "Georgia"),  # a plural noun is no surname
])
def test_no_person_cue_without_a_role(text: str, name: str) -> None:
    f = _feats(text, name)
    assert "person_act" not in f and "person_act_last" not in f


def _failures(cases: list) -> list:
    return [(case[0], errs) for case, errs in zip(cases, case_errors(cases, PUB)) if errs]


#: Misses allowed per group of the trap set: when the model was retrained with the use features it
#: got 7 of 12 organisations, 10 of 10 compounds, 7 of 8 places the NER takes for people, 6 of 6 people
#: and 17 of 18 places (before them: 2, 1, 6, 4 and 17). A little slack for a retrained model.
MAX_FAILURES = {"orgs": 6, "compounds": 2, "ner people": 2, "people": 1}


def test_organisations_named_after_a_place_are_not_places() -> None:
    failures = _failures(ORGS)
    assert len(failures) <= MAX_FAILURES["orgs"], failures


def test_compounds_of_a_place_name_and_a_product_are_not_places() -> None:
    failures = _failures(COMPOUNDS)
    assert len(failures) <= MAX_FAILURES["compounds"], failures


def test_places_the_ner_takes_for_people_are_places() -> None:
    failures = _failures(NER_PEOPLE)
    assert len(failures) <= MAX_FAILURES["ner people"], failures


def test_people_with_an_apposition_or_an_unlisted_surname_are_not_places() -> None:
    failures = _failures(PEOPLE)
    assert len(failures) <= MAX_FAILURES["people"], failures


def test_places_that_look_like_organisations_or_compounds_stay_places() -> None:
    failures = _failures(PLACES)
    # "the Amazon" (the region) was missed before this change too.
    assert len(failures) <= 1, failures
