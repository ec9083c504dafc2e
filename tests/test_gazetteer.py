"""Gazetteer index: alternate spellings, sources, demonyms, composites; offline geocoder contract."""

from __future__ import annotations

import pytest
import shapely
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
    # Deterministic: this build holds the same rows as the cached index built from the same sources.
    import sqlite3

    def rows(index):
        con = sqlite3.connect(index)
        try:
            return [con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                    for table in ("places", "names", "demonyms", "ruler_patterns")]
        finally:
            con.close()

    assert rows(path) == rows(gz.get_gazetteer().path)
    with pytest.raises(gz.DataError):
        gz.Gazetteer(tmp_path / "missing.sqlite")


# --- issue 13: the UK's nations as places; airports and air bases ----------------------------


@pytest.mark.parametrize(
    ("name", "inner_city"),
    [("England", "Manchester"), ("Scotland", "Edinburgh"), ("Wales", "Cardiff"), ("Northern Ireland", "Belfast")],
)
def test_home_nations_are_places_with_their_own_polygon(gazetteer, name, inner_city):
    import shapely
    from pyproj import Geod

    from geo_app.places.composites import geometry_of

    nation = next(m.place for m in gazetteer.lookup(name) if m.place.layer == "map_units")
    assert (nation.feature_class, nation.feature_code, nation.country_code) == ("A", "ADM1", "GB")
    polygon = geometry_of(nation)
    assert polygon.contains(shapely.Point(nation.lon, nation.lat))
    city = next(m.place for m in gazetteer.lookup(inner_city) if m.place.country_code == "GB" and m.place.feature_class == "P")
    assert polygon.contains(shapely.Point(city.lon, city.lat))
    # The other nations' polygons do not hold the city.
    others = [m.place for other in ("England", "Scotland", "Wales", "Northern Ireland") if other != name
              for m in gazetteer.lookup(other) if m.place.layer == "map_units"]
    assert not any(geometry_of(o).contains(shapely.Point(city.lon, city.lat)) for o in others)
    # Its own centre, not the UK's point.
    uk = gazetteer.country("GB")
    _, _, metres = Geod(ellps="WGS84").inv(uk.lon, uk.lat, nation.lon, nation.lat)
    assert metres > 50_000


def test_home_nations_resolve_to_themselves_in_a_report():
    import datetime as dt

    from geo_app.resolve.resolver import resolve
    from geo_app.text.extract import extract

    text = ("Snow closed roads across Scotland on Tuesday, while flood warnings were issued in Wales "
            "and police in Northern Ireland asked drivers to stay at home. England escaped the worst.")
    got = {r.mention.text: r.place for r in resolve(extract(text, dt.date(2024, 1, 9)))}
    for name in ("Scotland", "Wales", "Northern Ireland", "England"):
        assert got[name] is not None and got[name].layer == "map_units", name
        assert got[name].name == name


def test_scottish_points_to_scotland(gazetteer):
    assert gazetteer.demonym("Scottish") == "name:Scotland"
    assert gazetteer.demonym("Welsh") == "name:Wales"


def test_map_unit_aliases_and_single_region_units(gazetteer):
    assert any(m.place.key == "mapunit:BE-BFR" for m in gazetteer.lookup("Flanders"))
    assert any(m.place.key == "mapunit:BA-BIS" for m in gazetteer.lookup("Republika Srpska"))
    # A map unit of one admin-1 region is that region, under the unit's name.
    assert any(m.place.layer == "admin1" and m.place.country_code == "PG" for m in gazetteer.lookup("Bougainville"))


def test_airports_are_found_and_located(gazetteer):
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    for name, (lat, lon), code in [
        ("Heathrow Airport", (51.4700, -0.4543), "AIRP"),
        ("Schiphol", (52.3105, 4.7683), "AIRP"),
        ("Suvarnabhumi Airport", (13.6900, 100.7501), "AIRP"),
        ("O'Hare", (41.9786, -87.9048), "AIRP"),
        ("Incirlik Air Base", (37.0021, 35.4259), "AIRB"),
    ]:
        airport = next(m.place for m in gazetteer.lookup(name) if m.place.layer == "airports")
        assert (airport.feature_class, airport.feature_code) == ("S", code), name
        _, _, metres = geod.inv(lon, lat, airport.lon, airport.lat)
        assert metres < 5_000, name
    # "Heathrow" names the airport too, beside the towns of that name, never above a town's prior.
    heathrow = [m for m in gazetteer.lookup("Heathrow") if m.place.layer == "airports"]
    assert heathrow and not heathrow[0].primary and heathrow[0].place.population == 0


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("London Heathrow Airport", "London", ["London Heathrow Airport", "Heathrow Airport", "Heathrow"]),
        ("Amsterdam Airport Schiphol", "Amsterdam", ["Amsterdam Airport Schiphol", "Schiphol"]),
        ("Tulsa International Airport", "Tulsa", ["Tulsa International Airport"]),
        ("Podunk Municipal Airport", "Podunk", ["Podunk Municipal Airport"]),
        ("Chicago O'Hare International Airport", "Chicago",
         ["Chicago O'Hare International Airport", "O'Hare International Airport", "O'Hare"]),
        ("John F Kennedy International Airport", "New York", ["John F Kennedy International Airport"]),
        ("Barkley Regional Airport", "Paducah", ["Barkley Regional Airport"]),
        ("Smallville Community Airport", "Smallville", ["Smallville Community Airport"]),
    ],
)
def test_airport_names_never_make_a_generic_word_a_name(name, city, expected):
    from geo_app.places.gazetteer import airport_names

    assert airport_names(name, city) == expected


def test_an_airport_in_a_report_is_found_and_placed():
    import datetime as dt

    from geo_app.resolve.resolver import resolve
    from geo_app.text.extract import extract

    text = ("Passengers at Heathrow Airport waited for hours on Saturday, while tankers took off "
            "from Incirlik Air Base in Turkey.")
    got = {r.mention.text: r.place for r in resolve(extract(text, dt.date(2024, 3, 2)))}
    assert got["Heathrow Airport"] is not None and got["Heathrow Airport"].feature_code == "AIRP"
    assert got["Heathrow Airport"].country_code == "GB"
    assert got["Incirlik Air Base"] is not None and got["Incirlik Air Base"].feature_code == "AIRB"
    assert got["Incirlik Air Base"].country_code == "TR"


@pytest.mark.parametrize(
    ("name", "types", "expected"),
    [("Autonomous Republic of Crimea", ("Autonomous Republic", ""), ["Crimea"]),
     ("Lugansk Oblast", ("Region", "Oblast"), ["Lugansk"]),
     ("Emirate of Sharjah", ("Emirate",), ["Sharjah"]),
     ("Northern Territory", ("Territory",), []),  # a bare direction is no name
     ("Rose Atoll", ("", None), []),  # no type of its own: the name stays whole
     ("Gansu", ("Province",), [])],
)
def test_admin1_short_names_drop_the_regions_own_type_words(name, types, expected):
    from geo_app.places.gazetteer import admin1_short_names

    assert admin1_short_names(name, *types) == expected


def test_short_admin1_names_are_primary_names(gazetteer):
    # Natural Earth's English name is "Autonomous Republic of Crimea"; the press says "Crimea".
    crimea = [m for m in gazetteer.lookup("Crimea") if m.place.layer == "admin1"]
    assert crimea and crimea[0].primary and crimea[0].place.country_code == "UA"


def test_english_names_of_straits(gazetteer):
    for name in ("Bosphorus", "Bosporus", "Strait of Istanbul"):
        (match,) = [m for m in gazetteer.lookup(name) if m.place.layer == "seas"]
        assert match.place.name == "Bosporus" and match.place.feature_class == "H"
        assert 40.9 < match.place.lat < 41.3 and 28.9 < match.place.lon < 29.2


def test_areas_carry_the_people_of_their_towns(gazetteer):
    def area(name: str, country: str):
        return next(m.place for m in gazetteer.lookup(name)
                    if m.place.feature_class == "A" and m.place.country_code == country)

    texas, florida_us, florida_uy = area("Texas", "US"), area("Florida", "US"), area("Florida", "UY")
    assert texas.population == 0 and texas.area_population > 10_000_000  # towns' sum, a lower bound
    assert florida_us.area_population > 100 * florida_uy.area_population > 0
    assert area("Ukraine", "UA").area_population > area("Moldova", "MD").area_population
    assert all(m.place.area_population == 0 for m in gazetteer.lookup("Kyiv") if m.place.feature_class == "P")


@pytest.mark.parametrize(("query", "country", "code"), [("Florida", "US", "ADM1"), ("Punjab", "PK", "ADM1"),
                                                         ("Georgia", "GE", "PCLI")])
def test_context_free_geocoding_weighs_areas_by_their_people(query, country, code):
    raw = OfflineGeocoder(with_polygon=False).geocode(query).raw
    assert (raw["country_code"], raw["feature_code"]) == (country, code)


@pytest.mark.parametrize(("name", "key"), [
    ("Democratic Republic of Congo", "country:COD"),  # the press's form of Natural Earth's "... of the Congo"
    ("Republic of Congo", "country:COG"),
])
def test_a_country_named_of_the_is_also_known_without_the_article(gazetteer, name, key):
    assert gazetteer.lookup(name)[0].place.key == key


@pytest.mark.parametrize(("name", "key"), [
    ("Bab el-Mandeb", "sea:Bab el Mandeb"),  # hyphenated as the press writes it; spaced in Natural Earth
    ("Guinea Bissau", "country:GNB"),  # spaced; hyphenated in Natural Earth
])
def test_hyphens_and_spaces_between_the_words_of_a_name_are_one(gazetteer, name, key):
    assert gazetteer.lookup(name)[0].place.key == key


def test_regions_of_common_speech_cover_their_members():
    from geo_app.places.composites import geometry_of
    from geo_app.places.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    donbas = geometry_of(gaz.lookup("Donbass")[0].place)
    # Donetsk and Luhansk lie in the Donbas; Kharkiv and Rostov-on-Don do not.
    assert donbas.contains(shapely.Point(37.80, 48.02)) and donbas.contains(shapely.Point(39.31, 48.57))
    assert not donbas.contains(shapely.Point(36.23, 49.99)) and not donbas.contains(shapely.Point(39.72, 47.24))
    sahel = geometry_of(gaz.lookup("the Sahel")[0].place)
    assert sahel.contains(shapely.Point(-1.53, 12.37))  # Ouagadougou
    assert not sahel.contains(shapely.Point(3.38, 6.52))  # Lagos
