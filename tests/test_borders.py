"""Border data: the figures issue 2 pins, point-of-view policy, and provenance."""

from __future__ import annotations

import pytest
import shapely

from geo_app.places import borders
from geo_app.geo.geodesy import nearest_on_boundary
from geo_app.geo.projection import equal_area_centroid

KYIV = (30.5234, 50.4501)


def test_layer_sizes_and_crs():
    assert len(borders.countries()) == 250
    assert len(borders.admin1()) == 4596
    assert len(borders.seas()) >= 290
    for gdf in (borders.countries(), borders.admin1(), borders.seas(), borders.us_counties()):
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.is_valid.all()


def test_kyiv_to_belarus_border_is_87_3_km():
    result = nearest_on_boundary(*KYIV, borders.country_geometry("BLR"))
    assert result.distance_km == pytest.approx(87.3, abs=0.5)
    assert not result.inside


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [(30.5234, 50.4501, "UKR"), (27.5590, 53.9006, "BLR"), (34.1024, 44.9521, "UKR")],
    ids=["Kyiv", "Minsk", "Simferopol"],
)
def test_point_in_country(lon, lat, expected):
    assert borders.country_at(lon, lat) == expected


def test_crimea_is_ukraine_in_admin1_too_with_status_recorded():
    for code in ("UA-43", "UA-40"):
        row = borders.region(code)
        assert row["adm0_a3"] == "UKR"
        assert "occupied" in row["status"] and "68/262" in row["status"]
    # admin-0 and admin-1 agree: Simferopol lies in a UKR region
    simferopol = shapely.Point(34.1024, 44.9521)
    ukr = borders.regions_of("UA")
    assert ukr.geometry.contains(simferopol).any()


def test_black_sea_equal_area_centroid():
    centre = equal_area_centroid(borders.sea("Black Sea").geometry)
    assert centre.y == pytest.approx(43.29, abs=0.02)
    assert centre.x == pytest.approx(34.20, abs=0.02)


def test_cyrillic_names_are_not_garbled():
    ukr = borders.countries().loc["UKR"]
    assert ukr["NAME_EN"] == "Ukraine"
    full = __import__("geopandas").read_parquet(borders.settings.BOUNDARIES_DIR / "countries.parquet", columns=["ADM0_A3", "NAME_RU", "NAME_UK", "geometry"])
    row = full[full["ADM0_A3"] == "UKR"].iloc[0]
    assert row["NAME_RU"] == "Украина" and row["NAME_UK"] == "Україна"


def test_country_lookup_by_any_code_or_name():
    for code in ("BY", "BLR", "Belarus", "belarus"):
        assert borders.country(code)["ADM0_A3"] == "BLR"
    with pytest.raises(LookupError):
        borders.country("Atlantis")


def test_composite_members():
    from geo_app.places.composites import get_composite

    baltic = borders.composite_members(get_composite("baltic_states"))
    assert sorted(baltic["member_code"]) == ["EE", "LT", "LV"]
    east = set(borders.composite_members(get_composite("eastern_europe"))["member_code"])
    assert {"BY", "UA", "PL", "RU", "RO", "BG"} <= east and "DE" not in east
    far_east = borders.composite_members(get_composite("russian_far_east"))
    assert len(far_east) == 11
    # Norway's code is written "NO", which YAML reads as false unless quoted: it had vanished.
    assert "NO" in set(borders.composite_members(get_composite("scandinavia"))["member_code"])


def test_a_bare_no_in_the_composites_file_is_refused(tmp_path, monkeypatch):
    from geo_app import settings
    from geo_app._errors import DataError
    from geo_app.places import composites

    bad = tmp_path / "composites.yaml"
    bad.write_text("composites:\n  - id: nordic\n    names: [Nordics]\n    kind: group\n"
                   "    members_iso2: [DK, NO, SE]\n", encoding="utf-8")
    monkeypatch.setattr(settings, "COMPOSITES_FILE", bad)
    composites.load_composites.cache_clear()
    try:
        with pytest.raises(DataError, match="quote"):
            composites.load_composites()
    finally:
        composites.load_composites.cache_clear()


# --- issue 13: map units and airports ---------------------------------------------------------


def test_map_units_hold_the_uks_nations():
    from pyproj import Geod

    units = borders.map_units()
    assert units.crs.to_epsg() == 4326 and units.geometry.is_valid.all()
    nations = units[units["adm0_a3"] == "GBR"]
    assert sorted(nations["name"]) == ["England", "Northern Ireland", "Scotland", "Wales"]
    assert sorted(nations["code"]) == ["GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"]
    # Together they are the UK: same area within 1% (geodesic areas on WGS84).
    geod = Geod(ellps="WGS84")
    nations_km2 = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in nations.geometry) / 1e6
    uk_km2 = abs(geod.geometry_area_perimeter(borders.country_geometry("GB"))[0]) / 1e6
    assert nations_km2 == pytest.approx(uk_km2, rel=0.01)
    # No unit is a whole country, a single region or an acronym.
    assert not units["name"].isin(["Serbia", "Tanzania", "South Sudan", "Republic of Congo", "UNDOF"]).any()


def test_region_accepts_a_map_unit_code():
    edinburgh = shapely.Point(-3.19, 55.95)
    assert borders.region("GB-SCT").geometry.contains(edinburgh)
    assert not borders.region("GB-ENG").geometry.contains(edinburgh)
    with pytest.raises(LookupError):
        borders.region("GB-XXX")


def test_map_units_are_rebuilt_identically_from_admin1():
    """The derived layer is a pure function of the committed admin-0 and admin-1 files."""
    import importlib.util

    import geopandas as gpd

    spec = importlib.util.spec_from_file_location("ne_build", borders.settings.BOUNDARIES_DIR / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    admin1 = gpd.read_parquet(borders.settings.BOUNDARIES_DIR / "admin1.parquet")
    countries = gpd.read_parquet(borders.settings.BOUNDARIES_DIR / "countries.parquet")
    rebuilt = build.build_map_units(admin1, countries)
    committed = gpd.read_parquet(borders.settings.BOUNDARIES_DIR / "map_units.parquet")
    assert list(rebuilt["code"]) == list(committed["code"])
    assert rebuilt.geometry.geom_equals_exact(committed.geometry, tolerance=0).all()


def test_airports_layer():
    airports = borders.airports()
    assert airports.crs.to_epsg() == 4326
    assert airports.index.is_unique and len(airports) > 8_000
    assert set(airports["feature_code"]) == {"AIRP", "AIRB"}
    assert (airports.geometry.geom_type == "Point").all()
    heathrow = airports.loc["EGLL"]
    assert heathrow["iata"] == "LHR" and borders.country_at(heathrow.geometry.x, heathrow.geometry.y) == "GBR"
