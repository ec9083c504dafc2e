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
