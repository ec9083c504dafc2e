"""Every claim has a geometry on the map and in every export (issue 12).

A report of our own with one claim of each kind, through the real pipeline, the feature
table and the GeoJSON/CSV exports; plus the geodesic circle that draws a distance whose
second end the report does not name.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from geo_app.features import features_gdf
from geo_app.geo.geodesy import geodesic_circle, geodesic_km
from geo_app.pipeline import analyze

REPORT = """Belarus border tension rises

MINSK, March 3, 2022 - Kharkiv, Ukraine's second-largest city, lies about 40 kilometres from the Russian \
border. Kyiv and Minsk are about 430 km apart. Odesa lies some 5 km from the Black Sea coast. The Suwalki Gap, \
the roughly 65 km stretch between Belarus and Russia's Kaliningrad exclave, is seen as NATO's most vulnerable \
point. Troops are within 30 km of Kyiv. Russian troops arrived in Brest, in western Belarus. Belarus, which borders \
Ukraine, denied the reports. Mariupol on the Sea of Azov was shelled. NATO will send ships to Eastern European \
countries such as Lithuania, Romania and Bulgaria. Zaporizhzhia lies 40 km from Xyzzyville.
"""


@pytest.fixture(scope="module")
def analysis():
    return analyze(REPORT, "2022-03-03", report_id="geom")


def test_one_claim_of_each_kind_each_with_a_geometry(analysis) -> None:
    claims = [c for c in analysis.claims if c.claim_type != "region"]
    kinds = {c.claim_type for c in claims}
    assert kinds >= {"distance", "containment", "adjacency", "coastal", "membership"}, kinds
    for c in claims:
        assert c.primary_geometry() is not None, c.summary()
        assert c.to_feature()["geometry"] is not None, c.summary()


def test_the_headline_and_dateline_are_not_ends(analysis) -> None:
    kharkiv = [c for c in analysis.claims if c.claim_type == "distance" and 706483 in (c.from_geonameid,
                                                                                         c.to_geonameid)]
    assert kharkiv and kharkiv[0].measured_km == pytest.approx(32.6, abs=1.0)


def test_every_claim_row_of_the_feature_table_and_exports_has_a_geometry(analysis, tmp_path) -> None:
    gdf = features_gdf([analysis])
    rows = gdf[gdf["kind"] == "claim"]
    assert len(rows) >= 9
    assert rows.geometry.notna().all() and not rows.geometry.is_empty.any(), rows[rows.geometry.isna()]["name"]
    path = tmp_path / "claims.geojson"
    path.write_text(rows.to_json(), encoding="utf-8")
    assert all(f["geometry"] for f in json.loads(path.read_text(encoding="utf-8"))["features"])


def test_a_distance_with_one_named_end_is_drawn_as_the_claimed_circle(analysis) -> None:
    (c,) = [c for c in analysis.claims if c.claim_type == "distance" and c.claimed_km == 30.0]
    assert c.measured_km is None and c.verdict == "unverifiable"
    ring = np.asarray(shapely.get_coordinates(c.region.exterior))
    km = geodesic_km(np.full(len(ring), c.point.x), np.full(len(ring), c.point.y), ring[:, 0], ring[:, 1])
    assert np.allclose(km, 30.0, atol=0.01)


def test_a_distance_to_an_unknown_place_is_drawn_around_the_known_one(analysis) -> None:
    (c,) = [c for c in analysis.claims if c.claim_type == "distance" and "Xyzzyville" in (c.to_name or "")]
    assert c.verdict == "unverifiable" and c.region is not None and c.region.geom_type == "Polygon"


def test_geodesic_circle_across_the_antimeridian_is_one_ring() -> None:
    circle = geodesic_circle(179.9, 65.0, 50.0)
    lons = shapely.get_coordinates(circle)[:, 0]
    assert circle.is_valid and lons.max() - lons.min() < 5.0
    with pytest.raises(Exception):
        geodesic_circle(0.0, 0.0, -1.0)


def test_an_unverifiable_relation_is_drawn_as_its_known_point() -> None:
    (c,) = [c for c in analyze("The town of Shebekino, which borders Ukraine, was shelled.").claims
            if c.claim_type == "adjacency"]
    assert c.verdict == "unverifiable" and "only as a point" in c.reason
    assert c.point is not None and c.region is not None and c.region.contains(c.point)
    assert c.to_feature()["geometry"] is not None


def test_a_distance_with_a_stated_way_is_drawn_as_a_band_that_way() -> None:
    # "60 km north-east of Maiduguri" from an unnamed camp: the band one compass point wide, not a circle
    from geo_app.geo.geodesy import geodesic_azimuth

    a = analyze("Gunmen attacked the camp. The camp lies about 60 km north-east of Maiduguri, officials said.",
                "2024-05-01")
    claim = next(c for c in a.claims if c.claim_type == "distance")
    assert claim.verdict == "unverifiable" and claim.point is not None and claim.region is not None
    centre = claim.point
    ring = np.asarray(claim.region.exterior.coords)
    km = np.array([geodesic_km(centre.x, centre.y, x, y) for x, y in ring])
    az = np.array([geodesic_azimuth(centre.x, centre.y, x, y) for x, y in ring])
    assert km.min() >= 60 - claim.tolerance_km - 0.5 and km.max() <= 60 + claim.tolerance_km + 0.5
    assert km.min() > 30  # a band away from the town, not a wedge from it
    assert np.all(np.abs((az - 45.0 + 180.0) % 360.0 - 180.0) <= 22.5 + 0.1)


def test_a_stated_way_from_a_named_far_end_draws_the_band_that_way_from_it() -> None:
    # the near end unsaid ("it"), the far end named with the way: the band lies west of Khartoum
    from geo_app.geo.geodesy import geodesic_azimuth

    a = analyze("Shelling hit Sudan. It is roughly 800 km west of the capital, residents said.", "2024-05-01")
    claim = next(c for c in a.claims if c.claim_type == "distance")
    assert claim.verdict == "unverifiable" and claim.region is not None
    centre = claim.point
    az = np.array([geodesic_azimuth(centre.x, centre.y, x, y) for x, y in claim.region.exterior.coords])
    assert np.all(np.abs((az - 270.0 + 180.0) % 360.0 - 180.0) <= 22.5 + 0.1)
