"""Arabic place names in the press's romanisation find GeoNames' (issue 13, coverage): "Tal Abyad"
is GeoNames' "Tall Abyaḑ". Texts written for the test."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app.places.variants import transliteration_key
from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract

PUB = dt.date(2025, 3, 2)


@pytest.mark.parametrize(("press", "geonames"), [
    ("tal abyad", "tall abyaḑ"),
    ("deir al-balah", "dayr al balaḩ"),
    ("ras al-ain", "ra’s al ‘ayn"),
    ("ain issa", "‘ayn ‘īsá"),
    ("hassakeh", "al-hasakah"[3:]),
    ("sheikh maqsoud", "shaykh maqsud"),
])
def test_the_press_and_geonames_spellings_share_a_key(press, geonames):
    from geo_app._text import normalize_name

    assert transliteration_key(normalize_name(press)) == transliteration_key(normalize_name(geonames)) is not None


@pytest.mark.parametrize("name", ["springfield", "miami-dade", "-dade", "new york", "kharkiv"])
def test_a_name_without_the_signs_of_a_romanisation_has_no_key(name):
    assert transliteration_key(name) is None


def test_a_town_written_as_the_press_writes_it_is_found_and_placed():
    found = {r.mention.text: r for r in resolve(extract(
        "Turkish shelling hit Tal Abyad and Ras al-Ain overnight, Syrian Kurdish officials said. "
        "Kurdish forces withdrew from Tal Tamr.", PUB))}
    for name in ("Tal Abyad", "Tal Tamr"):
        place = found[name].place
        assert place is not None and place.country_code == "SY", (name, place)
    gaza = {r.mention.text: r for r in resolve(extract("Israeli strikes hit Deir al-Balah in central Gaza.", PUB))}
    assert gaza["Deir al-Balah"].place.country_code == "PS"


def test_an_unknown_name_does_not_borrow_a_romanisation_key(gazetteer):
    assert not gazetteer.lookup("Miami-Dadeville")
    assert gazetteer.lookup("Savannah")[0].place.country_code == "US"
