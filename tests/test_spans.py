"""Span arbitration and the kind classifier (issue 13): precedence, the model file, and the
kinds of names a reader tells apart at once, each with its own text (not corpus sentences)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract
from geo_app.text.kinds import CLASSES, MODEL_PATH, get_model, model_from_dict
from geo_app.text.spans import Candidate, arbitrate

PUB = dt.date(2023, 5, 2)


def _resolved(text: str) -> list:
    return resolve(extract(text, PUB))


def _names(text: str) -> set[str]:
    return {m.text for m in extract(text, PUB).mentions}


# --- precedence ----------------------------------------------------------------------------


def _cand(start: int, end: int, keep: float, blocked: bool = False) -> Candidate:
    return Candidate(start, end, "gaz", probs=(1 - keep, keep, 0.0), blocked=blocked)


def test_longest_accepted_span_wins_over_its_parts() -> None:
    whole, part, other = _cand(3, 5, 0.7), _cand(3, 4, 0.95), _cand(8, 9, 0.9)
    assert arbitrate([part, whole, other], threshold=0.5) == [whole, other]


def test_rejected_longer_span_leaves_the_part() -> None:
    whole, part = _cand(3, 5, 0.2), _cand(4, 5, 0.8)
    assert arbitrate([whole, part], threshold=0.5) == [part]


def test_equal_length_overlap_goes_to_the_more_probable() -> None:
    a, b = _cand(2, 4, 0.6), _cand(3, 5, 0.9)
    assert arbitrate([a, b], threshold=0.5) == [b]


def test_blocked_candidate_never_wins() -> None:
    assert arbitrate([_cand(0, 1, 0.99, blocked=True)], threshold=0.5) == []


# --- the model file ----------------------------------------------------------------------


def test_model_is_json_with_cross_validated_figures() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["classes"] == list(CLASSES)
    figures = data["meta"]["span_f1"]
    for corpus in ("LGL", "GeoWebNews"):
        assert 0.5 < figures[corpus]["cv"]["f1"] <= figures[corpus]["in_sample"]["f1"] <= 1.0
    model = get_model()
    assert 0.0 < model.threshold < 1.0
    assert model.coef.shape == (len(data["features"]), len(CLASSES))


def test_model_inference_is_softmax_over_known_features() -> None:
    model = model_from_dict({"classes": list(CLASSES), "features": ["a", "b"],
                             "coef": [[0.0, 0.0], [2.0, 0.0], [0.0, 3.0]], "intercept": [0.0, 0.0, 0.0],
                             "threshold": 0.5})
    probs = model.predict([{"a": 1.0}, {"b": 1.0, "unknown": 5.0}, {}])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0].argmax() == 1 and probs[1].argmax() == 2
    np.testing.assert_allclose(probs[2], 1 / 3)


def test_tree_stack_walks_its_nodes_and_keeps_the_place_demonym_split() -> None:
    # One stump on feature "a" (<= 0.5 -> left leaf -2, else right leaf +2) and one on the
    # regression's log-probability of "place" (<= log 0.5 -> -1, else +1).
    stump = {"feature": [0, 0, 0], "threshold": [0.5, 0, 0], "left": [1, 0, 0], "right": [2, 0, 0],
             "leaf": [0, 1, 1], "value": [0, -2.0, 2.0]}
    on_lr = {"feature": [2, 0, 0], "threshold": [float(np.log(0.5)), 0, 0], "left": [1, 0, 0], "right": [2, 0, 0],
             "leaf": [0, 1, 1], "value": [0, -1.0, 1.0]}
    model = model_from_dict({"classes": list(CLASSES), "features": ["a", "b"],
                             "coef": [[0.0, 0.0], [2.0, 0.0], [0.0, 3.0]], "intercept": [0.0, 0.0, 0.0],
                             "threshold": 0.5, "stack": {"inputs": ["a", "__lr0", "__lr1", "__lr2"], "baseline": 0.0,
                                                         "depth": 2, "trees": [stump, on_lr]}})
    rows = [{"a": 1.0}, {"b": 1.0}, {}]
    linear = model.predict(rows, linear_only=True)
    probs = model.predict(rows)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    # Row 0: a=1 (right, +2) and P(place) = e^2/(e^2+2) > 0.5 (right, +1).
    np.testing.assert_allclose(probs[0, 1] + probs[0, 2], sigmoid(3.0))
    # Row 2: a=0 (left, -2), P(place) = 1/3 (left, -1).
    np.testing.assert_allclose(probs[2, 1] + probs[2, 2], sigmoid(-3.0))
    # Place against demonym keeps the regression's ratio.
    for i in range(3):
        assert probs[i, 1] / probs[i, 2] == pytest.approx(linear[i, 1] / linear[i, 2])


def test_model_with_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        model_from_dict({"classes": list(CLASSES), "features": ["a"], "coef": [[1.0]], "intercept": [0, 0, 0]})


# --- spans ---------------------------------------------------------------------------------


def test_longest_place_name_wins() -> None:
    res = _resolved("Smoke from fires in British Columbia reached Seattle, and a quake shook Mexico City.")
    by_text = {r.mention.text: r for r in res}
    assert "British" not in by_text and "Mexico" not in by_text
    bc, mx = by_text["British Columbia"], by_text["Mexico City"]
    assert (bc.place.country_code, bc.place.feature_code) == ("CA", "ADM1")
    assert (mx.place.country_code, mx.place.feature_class) == ("MX", "P")


def test_region_word_joins_the_name() -> None:
    res = _resolved("New air defence units arrived in Kaliningrad Oblast this spring.")
    oblast = next(r for r in res if r.mention.text == "Kaliningrad Oblast")
    assert oblast.mention.name == "Kaliningrad" and oblast.place.feature_code == "ADM1"


def test_sentence_initial_and_exclaimed_names_are_found() -> None:
    assert "Kursk" in _names("Kursk is less than 100 km from the frontier, officials said.")
    text = "Don't forget Aleppo! The siege and destruction of Aleppo, Syria's largest city, went on for years."
    aleppo = [m for m in extract(text, PUB).mentions if m.text == "Aleppo"]
    assert len(aleppo) == 2


def test_seat_of_an_organisation_stays_a_place() -> None:
    assert "New York" in _names("Reporters at The New York Times wrote about the storm.")


# --- kinds of names ------------------------------------------------------------------------


def test_person_named_like_a_city_is_a_person() -> None:
    res = _resolved("Defense Secretary Lloyd Austin told reporters in Brussels that more aid would come.")
    assert not any(r.place is not None and r.place.name == "Austin" for r in res)
    assert not any("Austin" in r.mention.text for r in res)


def test_treaty_organisation_is_not_the_ocean() -> None:
    res = _resolved("Leaders of the North Atlantic Treaty Organization met on Thursday to discuss spending.")
    assert not any(r.place is not None and "Atlantic" in r.place.name for r in res)


SOVIET = "Exercises were held in the former Soviet Republic of Belarus near the Polish frontier."


def test_former_soviet_republic_is_the_country() -> None:
    res = _resolved(SOVIET)
    assert any(r.place is not None and r.place.country_code == "BY" and r.place.feature_code == "PCLI" for r in res)


def test_former_soviet_republic_is_not_the_soviet_union() -> None:
    assert not any(r.place is not None and r.place.name == "Soviet Union" for r in _resolved(SOVIET))


@pytest.mark.parametrize("text, country", [
    ("Delegates flew in from the Arab Republic of Egypt for the talks on water.", "EG"),
    ("Trade with the former Yugoslav Republic of Macedonia grew last year.", "MK"),
])
def test_an_adjective_in_a_formal_state_name_is_not_a_place(text: str, country: str) -> None:
    res = _resolved(text)
    assert all(r.mention.text not in ("Arab", "Yugoslav") for r in res)
    assert any(r.place is not None and r.place.country_code == country for r in res)


def test_the_adjective_alone_still_names_its_place() -> None:
    res = _resolved("Soviet troops left Afghanistan in 1989; the Soviet Republic of Belarus became independent.")
    soviet = [r for r in res if r.mention.text == "Soviet"]
    assert len(soviet) == 1 and soviet[0].mention.start == 0


def test_viruses_named_after_places_are_not_places() -> None:
    text = ("Health officials confirmed new cases of West Nile virus this summer. Researchers compared it with "
            "the Marburg virus and the Reston virus, which was first found in monkeys. Reston labs were closed.")
    names = _names(text)
    assert not names & {"West Nile", "Marburg", "Reston"}


ORGS = ("The Red Cross and the UN sent supplies, Halliburton workers repaired the pipeline and the "
        "Highway Patrol closed the road. Ms Raggi, the mayor, thanked them.")


def test_organisations_and_titles_are_not_places() -> None:
    assert not _names(ORGS) & {"UN", "Halliburton", "Highway Patrol", "Ms Raggi", "Raggi"}


def test_red_cross_is_not_a_place() -> None:
    assert "Red Cross" not in _names(ORGS)


def test_kaliningrad_is_the_city() -> None:
    res = _resolved("Russia moved more missiles to Kaliningrad, its exclave on the Baltic coast.")
    k = next(r for r in res if r.mention.text == "Kaliningrad")
    assert k.place.feature_class == "P" and k.place.country_code == "RU"


# --- recall: names at sentence starts and names the NER gives no label -------------------------


def test_a_city_opening_a_later_sentence_is_found() -> None:
    # The NER labels a sentence-initial city ORG; what ended the previous sentence says nothing.
    text = "Shelling went on through the night near the front. Kharkiv, the second city, lost power again."
    assert "Kharkiv" in _names(text)
    text = "Ports reopened after the storm. Odesa, on the Black Sea, took in grain ships."
    assert "Odesa" in _names(text)


def test_an_older_spelling_of_a_capital_beside_its_country_is_a_place() -> None:
    text = "The distance from the frontier to Kiev, the capital of Ukraine, is short, officials said."
    kiev = [r for r in _resolved(text) if r.mention.name == "Kiev"]
    assert kiev and kiev[0].place is not None and kiev[0].place.country_code == "UA"


def test_a_region_by_its_short_name_is_the_region() -> None:
    res = _resolved("Russia annexed Crimea in 2014 and has since moved warships to its ports.")
    crimea = [r for r in res if r.mention.text == "Crimea"]
    assert crimea and crimea[0].place is not None
    assert (crimea[0].place.feature_code, crimea[0].place.country_code) == ("ADM1", "UA")


def test_a_strait_by_its_english_spelling() -> None:
    res = _resolved("Two frigates sailed through the Bosphorus on Tuesday towards the Black Sea.")
    strait = [r for r in res if r.mention.text == "Bosphorus"]
    assert strait and strait[0].place is not None and strait[0].place.name == "Bosporus"


def _candidates(text: str) -> dict[str, "Candidate"]:
    from geo_app import settings
    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.text import extract as ex
    from geo_app.text.spans import candidate_features, candidates

    doc = next(ex.annotate([text], arbitrate=False))
    gaz = get_gazetteer()
    cands = candidates(doc, gaz)
    candidate_features(doc, cands, gaz, ex._COMMON_WORDS, ex._GENERIC_WORDS, frozenset(settings.NON_PLACE_HEAD_WORDS))
    return {doc[c.start:c.end].text: c for c in cands}


def test_names_ending_in_a_head_noun_are_candidates_with_its_class() -> None:
    cands = _candidates("Crews repaved Lindgren Avenue beside the Okafor Memorial Library. "
                        "The University of St. Brendan said the Tavy River flooded.")
    assert cands["Lindgren Avenue"].feats["head=road"] == 1.0
    assert cands["Okafor Memorial Library"].feats["head=building"] == 1.0
    assert cands["Tavy River"].feats["head=nature"] == 1.0
    # "St." before a name is Saint, not Street; "The" is no part of the name.
    assert "University of St." not in cands and "The University of St." not in cands


def test_context_words_stay_inside_the_sentence() -> None:
    cands = _candidates("Rain fell on the coast for a week. Kharkiv, far inland, stayed dry.")
    feats = cands["Kharkiv"].feats
    assert feats.get("p1=<s>") == 1.0 and feats.get("p2=<s>") == 1.0
    assert not any(k in feats for k in ("p1=.", "p2=week"))


def test_a_country_named_in_the_report_is_a_feature_of_its_towns() -> None:
    assert _candidates("Talks in Kiev and in Ukraine's east went on.")["Kiev"].feats.get("country_in_doc") == 1.0
    assert "country_in_doc" not in _candidates("Talks in Kiev went on for a week.")["Kiev"].feats
