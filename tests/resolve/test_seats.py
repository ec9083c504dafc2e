"""A town and the county or district named after it (its seat) (issue 13, "Which place"): each with a
text written for the test, none from the corpora."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from geo_app.resolve.features import FEATURE_NAMES
from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract
from tests.resolve.rows import feature_rows

PUB = dt.date(2024, 9, 14)


def _resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def _rows(text: str, name: str) -> tuple[list, np.ndarray]:
    return feature_rows(text, name, PUB)


@pytest.mark.parametrize("text, name", [
    ("Azerbaijani forces shelled positions near Jermuk and Goris on Tuesday, the Armenian defence ministry "
     "said. The ministry said the attack came from the east.", "Jermuk"),
    ("Two soldiers were wounded near Vardenis on Tuesday, the Armenian defence ministry said, and the "
     "road to Yerevan was closed for the night.", "Vardenis"),
])
def test_a_town_beats_the_district_named_after_it(text, name):
    r = _resolved(text)[name]
    assert r.place is not None
    assert (r.place.feature_class, r.place.country_code) == ("P", "AM"), r.place


def test_the_seat_features_mark_the_town_and_its_district():
    cands, X = _rows("Azerbaijani forces shelled Jermuk on Tuesday, the Armenian defence ministry said.", "Jermuk")
    area, town, cue = (X[:, FEATURE_NAMES.index(f)] for f in ("seat_area", "seat_town", "seat_area_cue"))
    marked_areas = {(cands[k].place.feature_code, cands[k].place.country_code) for k in np.flatnonzero(area)}
    marked_towns = {(cands[k].place.name, cands[k].place.country_code) for k in np.flatnonzero(town)}
    assert marked_areas == {("ADM2", "AM")}
    assert ("Jermuk", "AM") in marked_towns
    # A namesake in another country is no seat of it.
    assert all(cands[k].place.country_code == "AM" for k in np.flatnonzero(town))
    assert not cue.any()


def test_words_about_the_unit_mark_the_district():
    text = "Schools in the Jermuk municipality stayed closed on Tuesday after the shelling, Armenian officials said."
    cands, X = _rows(text, "Jermuk")
    cue = X[:, FEATURE_NAMES.index("seat_area_cue")]
    assert {cands[k].place.feature_code for k in np.flatnonzero(cue)} == {"ADM2"}
    r = _resolved(text)["Jermuk"]
    assert r.place is not None and r.place.feature_code == "ADM2" and r.place.country_code == "AM"
