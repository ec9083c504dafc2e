"""A town beside a country the report names, the home nations' adjectives and "the Gulf" (issue 13,
"Which place"): each with a text written for the test, none from the corpora."""

from __future__ import annotations

import datetime as dt

import numpy as np

from geo_app.resolve.features import FEATURE_NAMES
from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract
from tests.resolve.rows import feature_rows

PUB = dt.date(2025, 3, 2)


def _resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def test_near_named_country_measures_to_the_named_country_border():
    cands, X = feature_rows("Brest lies on the Polish border.", "Brest", PUB)
    near = X[:, FEATURE_NAMES.index("near_named_country")]
    by_country = {(c.place.country_code, c.place.feature_code): v for c, v in zip(cands, near)}
    # The Belarusian town lies a few km from Poland; the French port over 1,000 km away.
    assert by_country[("BY", "PPL")] > 0.9
    assert by_country[("FR", "PPL")] < 1e-3


def test_a_town_of_a_name_is_the_one_beside_the_country_the_report_names():
    r = _resolved("Tanks were seen moving through Brest, near the Polish border, late on Sunday.")["Brest"]
    assert r.place is not None and r.place.country_code == "BY", r.place


def test_the_english_adjective_names_england_not_the_united_kingdom():
    r = _resolved("The poisoning took place in the quiet English market town of Amesbury.")["English"]
    assert r.place is not None and r.place.name == "England", r.place


def test_the_gulf_beside_its_shore_states_is_the_persian_gulf():
    text = "Warships patrolled the Gulf after two tankers were seized off Bahrain and Kuwait."
    gulf = [r for r in resolve(extract(text, PUB)) if r.mention.text.endswith("Gulf")]
    assert gulf and gulf[0].place is not None and gulf[0].place.name == "Persian Gulf", gulf


def test_the_gulf_beside_gulf_coast_towns_is_the_gulf_of_mexico():
    text = "Storm surge flooded the Gulf shore from Galveston, Texas, to Biloxi, Mississippi."
    gulf = [r for r in resolve(extract(text, PUB)) if r.mention.text.endswith("Gulf")]
    assert gulf and gulf[0].place is not None and gulf[0].place.name == "Gulf of Mexico", gulf
    assert np.isfinite(gulf[0].place.lat)


def test_a_written_container_that_holds_the_town_is_what_the_abbreviation_means():
    # "SC" is also Sichuan's ISO 3166-2 code; beside a South Carolina town it is the state.
    r = _resolved("She moved to the Garden City area near Myrtle Beach, SC, last spring.")["SC"]
    assert r.place is not None and (r.place.country_code, r.place.feature_code) == ("US", "ADM1"), r.place
    assert r.place.name == "South Carolina"
