"""Gazetteer index: alternate spellings, sources, demonyms, composites; offline geocoder contract."""

from __future__ import annotations

import pytest
from geopy.location import Location

from geo_app.places.geocoder import OfflineGeocoder


@pytest.mark.parametrize("name", ["Kyiv", "Kiev", "Київ", "Киев", "KIEV", "Kyіv", "Ky\u200biv"])
def test_spellings_of_kyiv_resolve_to_one_place(gazetteer, name):
    assert gazetteer.lookup(name)[0].place.geonameid == 703448


def test_sources_are_all_present(gazetteer):
    stats = gazetteer.stats()
    assert stats["places"] > 200_000 and stats["names"] > 1_000_000
    assert gazetteer.lookup("Black Sea")[0].place.layer == "seas"
    assert gazetteer.lookup("Gomel")  # admin-1 and the city
    assert {m.place.feature_code for m in gazetteer.lookup("Gomel")} >= {"ADM1", "PPL"}
    assert gazetteer.lookup("Baltic states")[0].place.feature_code == "GROUP"
    assert gazetteer.lookup("Laurel County")[0].place.feature_code == "ADM2"
    assert gazetteer.lookup("Europe")[0].place.feature_code == "CONT"


def test_country_names_in_other_languages(gazetteer):
    for name in ("Wit-Rusland", "Белоруссия", "Biélorussie", "Білорусь", "白俄罗斯"):
        assert any(m.place.key == "country:BLR" for m in gazetteer.lookup(name)), name


def test_demonyms(gazetteer):
    assert gazetteer.demonym("Belarusian") == "BY"
    assert gazetteer.demonym("Russian") == "RU"
    assert gazetteer.demonym("European") == "name:Europe"
    assert gazetteer.demonym("Kyiv") is None


def test_airport_codes_are_not_names(gazetteer):
    assert not any(m.place.geonameid == 703448 for m in gazetteer.lookup("IEV"))


def test_geocoder_answers_the_geopy_contract():
    geocoder = OfflineGeocoder()
    loc = geocoder.geocode("Kiev")
    assert isinstance(loc, Location)
    assert loc.raw["geonameid"] == 703448 and loc.raw["country_code"] == "UA"
    assert loc.latitude == pytest.approx(50.45, abs=0.05)
    many = geocoder.geocode("Paris", exactly_one=False, limit=5)
    assert isinstance(many, list) and len(many) == 5
    assert geocoder.geocode("Xyzzyplugh") is None
    assert geocoder.geocode("") is None
    belarus = geocoder.geocode("Belarus")
    assert belarus.raw["polygon"] is not None and belarus.raw["polygon"].geom_type == "MultiPolygon" or belarus.raw["polygon"].geom_type == "Polygon"


@pytest.mark.parametrize(
    ("query", "country", "admin"),
    [("Paris, Texas", "US", "US-TX"), ("Bangor, Maine", "US", "US-ME"), ("Troy, N.C.", "US", "US-NC")],
)
def test_written_hierarchy_wins_over_population(query, country, admin):
    from geo_app.places import borders
    import shapely

    loc = OfflineGeocoder().geocode(query)
    assert loc.raw["country_code"] == country
    assert borders.region(admin).geometry.contains(shapely.Point(loc.longitude, loc.latitude))


def test_reverse_geocoding_offline():
    assert OfflineGeocoder().reverse("44.95, 34.10").raw["country_code"] == "UA"  # Simferopol
    assert OfflineGeocoder().reverse("43.0, 34.0") is None  # the Black Sea


def test_index_is_rebuilt_atomically(tmp_path, monkeypatch):
    """A build writes a temp file and renames it: no half-built index is ever visible."""
    from geo_app.places import gazetteer as gz

    path = tmp_path / "index.sqlite"
    gz.build_index(path)
    assert path.exists() and not list(tmp_path.glob("*.tmp"))
    assert gz.Gazetteer(path).lookup("Minsk")[0].place.country_code == "BY"
    with pytest.raises(gz.DataError):
        gz.Gazetteer(tmp_path / "missing.sqlite")
