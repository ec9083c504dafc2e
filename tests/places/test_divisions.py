"""GeoNames administrative divisions in the gazetteer (issue 13, coverage): second-order
divisions outside the US as places, US county and region alternate names, and the rule that
these names help the resolver without making a word a place."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import shapely

from geo_app import settings
from geo_app.geo.geodesy import geodesic_km
from geo_app.places import borders
from geo_app.places.gazetteer import get_gazetteer
from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract

PUB = dt.date(2024, 5, 2)


def resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def inside(place, iso3166_2: str) -> bool:
    return bool(borders.region(iso3166_2).geometry.contains(shapely.Point(place.lon, place.lat)))


def test_a_district_outside_the_us_resolves_to_the_district_in_its_state():
    r = resolved("Herders clashed with farmers in Guma, a district of Benue State, on Monday.")["Guma"]
    assert r.place.feature_class == "A" and r.place.feature_code == "ADM2"
    assert r.place.country_code == "NG" and inside(r.place, "NG-BE")


def test_a_tribal_district_named_without_its_type_word():
    r = resolved("Drone strikes hit militants in South Waziristan, near the Afghan border.")["South Waziristan"]
    assert r.place.feature_code == "ADM2" and r.place.country_code == "PK"
    assert r.place.geonameid is not None


def test_us_counties_by_their_bare_names_in_a_georgia_report():
    rs = resolved("Sheriff's deputies in Oglethorpe and Madison counties searched the river banks "
                  "near Athens, Georgia.")
    for name in ("Oglethorpe", "Madison"):
        place = rs[name].place
        assert place.layer == "us_counties" and place.feature_code == "ADM2", name
        assert inside(place, "US-GA"), name


def test_division_names_are_weak_they_do_not_make_a_word_a_place(gazetteer):
    # "Gwinnett" names a Georgia county (GeoNames alternate) but no town, region or country.
    assert not gazetteer.has_name("Gwinnett")
    assert not gazetteer.lookup("Gwinnett")
    hits = gazetteer.lookup("Gwinnett", weak=True)
    assert hits and all(m.place.feature_code == "ADM2" and not m.primary for m in hits)
    # A name known before keeps what it had, weak names aside.
    strong = {m.place.key for m in gazetteer.lookup("Lincoln")}
    assert strong < {m.place.key for m in gazetteer.lookup("Lincoln", weak=True)}


def test_region_alternate_names_join_natural_earth_regions(gazetteer):
    hits = gazetteer.lookup("County Mayo", weak=True)
    assert [m.place.layer for m in hits] == ["admin1"] and hits[0].place.country_code == "IE"


def test_a_district_natural_earth_already_has_is_not_added_twice(gazetteer):
    # English two-tier counties are Natural Earth admin-1 regions; GeoNames files them as ADM2.
    hits = [m.place for m in gazetteer.lookup("Suffolk", weak=True) if m.place.country_code == "GB"]
    assert [p.layer for p in hits if p.feature_class == "A"] == ["admin1"]


def test_admin2_points_lie_among_their_towns():
    adm2 = gpd.read_parquet(settings.BOUNDARIES_DIR / "admin2.parquet")
    assert len(adm2) > 30_000 and adm2["geonameid"].is_unique
    assert (adm2["towns"] >= 1).all()
    # Each point lies inside its country (a mean of towns on a sphere, not of degrees): a sample.
    alpha3 = {"NG": "NGA", "PK": "PAK", "FR": "FRA", "BR": "BRA"}
    sample = adm2[adm2["country"].isin(list(alpha3))].sample(200, random_state=0)
    codes = borders.countries_at(sample.geometry.x.to_numpy(), sample.geometry.y.to_numpy())
    assert (codes == sample["country"].map(alpha3).to_numpy()).mean() > 0.95


@pytest.mark.parametrize(("name", "country", "town", "max_km"), [
    ("South Waziristan Agency", "PK", (32.30, 69.68), 80),  # Wana
    ("Guma", "NG", (7.87, 8.81), 60),                       # Daudu, the district seat
])
def test_admin2_point_is_near_the_district(gazetteer, name, country, town, max_km):
    place = next(m.place for m in gazetteer.lookup(name, weak=True)
                 if m.place.feature_code == "ADM2" and m.place.country_code == country)
    assert geodesic_km(place.lon, place.lat, town[1], town[0]) < max_km


def test_darfur_is_the_region_of_the_darfur_states_with_its_polygon():
    from geo_app.places.composites import geometry_of

    r = resolved("Aid convoys reached camps in Darfur after weeks of fighting near the Chad border.")["Darfur"]
    assert r.place.feature_code == "RGN" and r.place.country_code == "SD"
    geom = geometry_of(r.place)
    assert geom is not None and geom.geom_type in ("Polygon", "MultiPolygon")
    # It covers its states (El Fasher, capital of North Darfur; Nyala, of South Darfur) and not Khartoum.
    for lon, lat in ((25.35, 13.63), (24.88, 12.05)):
        assert geom.contains(shapely.Point(lon, lat))
    assert not geom.contains(shapely.Point(32.53, 15.59))


def test_region_groups_leave_names_that_already_have_a_place(gazetteer):
    # East and West Flanders are provinces of the Flemish Region, which is "Flanders" already;
    # "Juba" is South Sudan's capital, not Somalia's Middle and Lower Juba.
    assert not any(m.place.layer == "region_groups" for m in gazetteer.lookup("Flanders", weak=True))
    assert gazetteer.lookup("Juba")[0].place.feature_code == "PPLC"
    assert any(m.place.layer == "region_groups" and m.place.country_code == "CD" for m in gazetteer.lookup("Kivu"))


def test_an_army_post_resolves_to_the_base():
    r = resolved("Soldiers at Fort Hood were told to stay on post as storms crossed central Texas.")["Fort Hood"]
    assert r.place.feature_class == "S" and r.place.feature_code == "MILB" and r.place.country_code == "US"
    assert inside(r.place, "US-TX")
    # Killeen, the town beside the post, is a few km away.
    assert geodesic_km(r.place.lon, r.place.lat, -97.73, 31.12) < 15


def test_a_town_is_found_by_its_name_without_the_arabic_article() -> None:
    gaz = get_gazetteer()
    hodeidah = gaz.lookup("Hodeidah")  # GeoNames has "El-Hodeidah" and "Hodeida", not this spelling
    assert hodeidah and hodeidah[0].place.country_code == "YE" and hodeidah[0].place.feature_class == "P"
    assert gaz.has_name("Hodeidah")
    assert not gaz.has_name("Sham")  # a short word stays a word for recognition


def test_kurdish_names_the_region_across_four_states_not_one_state_s_province():
    from geo_app.places.composites import geometry_of

    found = resolved("Kurdish fighters held the line near Afrin while Turkish jets struck Qamishli.")
    region = found["Kurdish"].place
    assert region.feature_code == "GROUP" and region.country_code != "IR"
    geom = geometry_of(region)
    # Diyarbakir (Turkey), Erbil (Iraq), Sanandaj (Iran) and Qamishli (Syria) lie in it; Tehran does not.
    for lon, lat in ((40.22, 37.91), (44.01, 36.19), (46.99, 35.31), (41.23, 37.05)):
        assert geom.contains(shapely.Point(lon, lat))
    assert not geom.contains(shapely.Point(51.39, 35.69))
    # A province named Kurdistan keeps its own name when the report says so.
    province = resolved("The governor of Kurdistan province in Iran, based in Sanandaj, resigned.")["Kurdistan"]
    assert province.place.country_code == "IR"


@pytest.mark.parametrize("text, name, inside_at, outside_at", [
    # Natural Earth's Italian units are provinces; the press names the region (Milan and Bergamo in it, Turin not).
    ("Hospitals in Lombardy were full as the outbreak spread from Bergamo.", "Lombardy",
     ((9.19, 45.46), (9.67, 45.69)), ((7.69, 45.07),)),
    # Spain's are provinces too: Catalonia holds Barcelona and Girona, not Zaragoza.
    ("Separatists in Catalonia called a general strike in Barcelona.", "Catalonia",
     ((2.17, 41.39), (2.82, 41.98)), ((-0.88, 41.65),)),
    # A metropolitan county, not one of its boroughs: Leeds and Bradford both, York not.
    ("Police in West Yorkshire arrested two men after a chase through Leeds.", "West Yorkshire",
     ((-1.55, 53.80), (-1.75, 53.79)), ((-1.08, 53.96),)),
])
def test_a_region_filed_over_its_provinces_is_one_place_with_their_polygon(text, name, inside_at, outside_at):
    from geo_app.places.composites import geometry_of

    r = resolved(text)[name]
    assert r.place.layer in ("region_groups", "composites")
    geom = geometry_of(r.place)
    assert geom is not None
    for lon, lat in inside_at:
        assert geom.contains(shapely.Point(lon, lat))
    for lon, lat in outside_at:
        assert not geom.contains(shapely.Point(lon, lat))


def test_a_group_name_is_not_left_on_its_members(gazetteer):
    # GeoNames and Natural Earth file "Lombardy" and "Greater Manchester" on each province or borough.
    assert [m.place.layer for m in gazetteer.lookup("Lombardy") if m.place.country_code == "IT"] == ["region_groups"]
    assert [m.place.layer for m in gazetteer.lookup("Greater Manchester")] == ["composites"]
    # The statistical regions named by compass words alone ("North West", "Border") are no places.
    assert not any(m.place.layer == "region_groups" for m in gazetteer.lookup("North West", weak=True))


def test_korea_alone_is_south_korea():
    r = resolved("Exports from Korea fell for a third month, the trade ministry in Seoul said.")["Korea"]
    assert r.place.feature_code == "PCLI" and r.place.country_code == "KR"
