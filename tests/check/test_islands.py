"""Named islands in the gazetteer (issue 12): their polygons, and distance claims that name them.

The expected gaps are the independently measured truths of tests/data/claims
(build_truth.py: geodesic on WGS84, two methods, Natural Earth 1:10m).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
import yaml

from geo_app import settings
from geo_app.pipeline import analyze
from geo_app.places import borders
from geo_app.places.composites import geometry_of


@pytest.fixture(scope="module")
def islands() -> gpd.GeoDataFrame:
    return borders.islands()


def test_every_listed_island_is_built(islands: gpd.GeoDataFrame) -> None:
    listed = yaml.safe_load((settings.DATA_DIR / "gazetteer_extras.yaml").read_text(encoding="utf-8"))["islands"]
    assert sorted(e["name"] for e in listed) == sorted(islands["name"])  # rebuild: boundaries/build.py --islands


def test_an_island_is_the_polygon_holding_its_town(islands: gpd.GeoDataFrame, gazetteer) -> None:
    for row in islands.itertuples():
        town = gazetteer.get(f"gn:{row.town_geonameid}")
        geom = row.geometry
        assert geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid, row.name
        assert shapely.distance(geom, shapely.Point(town.lon, town.lat)) < 0.06, row.name
    sicily = islands.loc["sicily"].geometry
    italy = borders.countries().loc["ITA"].geometry
    assert sicily.area < 0.15 * italy.area and italy.covers(sicily.representative_point())


def test_an_island_shared_by_countries_joins_their_parts(islands: gpd.GeoDataFrame) -> None:
    assert islands.loc["hispaniola", "adm0_a3"] == "DOM|HTI"
    assert set(islands.loc["borneo", "adm0_a3"].split("|")) == {"BRN", "IDN", "MYS"}
    # an island touching a far larger mainland in the 1:10m data stays the island
    assert islands.loc["usedom", "adm0_a3"] == "DEU"


def test_island_names_resolve_to_island_places(gazetteer) -> None:
    for name, code in (("Lesbos", "lesbos"), ("Lesvos", "lesbos"), ("Bioko", "bioko"), ("Majorca", "mallorca")):
        keys = [m.place.key for m in gazetteer.lookup(name)]
        assert f"island:{code}" in keys, (name, keys)
    place = next(m.place for m in gazetteer.lookup("Bornholm") if m.place.layer == "islands")
    assert place.feature_class == "T" and place.feature_code == "ISL" and place.country_code == "DK"
    assert geometry_of(place).equals(borders.islands().loc["bornholm"].geometry)


@pytest.mark.parametrize("text, island, other, true_km", [
    ("Lesbos, where many migrant boats land, lies about 10 km from the Turkish coast.", "Lesbos", "country:TUR", 8.97),
    ("Bioko, the island that holds Equatorial Guinea's capital, lies some 32 km off the coast of Cameroon.",
     "Bioko", "country:CMR", 36.87),
])
def test_island_to_country_gap(text: str, island: str, other: str, true_km: float) -> None:
    (c,) = [c for c in analyze(text).claims if c.claim_type == "distance"]
    assert island in (c.from_name or "") + (c.to_name or "") and other in (c.from_key, c.to_key)
    assert c.measured_km == pytest.approx(true_km, abs=1.0)
    assert c.line is not None


def test_the_width_of_a_strait_is_the_gap_it_separates() -> None:
    (c,) = [c for c in analyze("Sicily is separated from mainland Italy by the Strait of Messina, about 3 km "
                               "wide at its narrowest.").claims if c.claim_type == "distance"]
    assert {c.from_key, c.to_key} == {"island:sicily", "country:ITA"}
    assert c.measured_km == pytest.approx(2.44, abs=0.5)
    # a width of a thing that separates nothing is no claim
    assert not [c for c in analyze("The Bosphorus, barely 700 metres wide in places, is crossed by three "
                                   "bridges.").claims if c.measured_km is not None]


def test_scorer_matches_a_gazetteer_island_by_name() -> None:
    import importlib.util
    import sys

    path = settings.PROJECT_DIR / "benchmarks" / "score_claims.py"
    spec = importlib.util.spec_from_file_location("score_claims_for_islands", path)
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = scorer
    spec.loader.exec_module(scorer)
    part = {"name": "Okinawa", "type": "country", "iso_a3": "JPN", "ne_name": "Japan", "part_containing": 1856035}
    assert scorer.end_matches(part, "island:okinawa-island", None, "Okinawa Island")
    assert not scorer.end_matches(part, "island:kyushu", None, "Kyushu")
    whole = {"name": "Trinidad", "type": "country", "iso_a3": "TTO", "ne_name": "Trinidad and Tobago"}
    assert scorer.end_matches(whole, "island:trinidad", None, "Trinidad")
