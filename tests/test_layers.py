"""The feature schema: features_gdf on real analyses, filters, GeoJSON / GPKG / CSV, JSON Schemas."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import geopandas as gpd
import jsonschema
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geo_app import features as L
from geo_app import settings
from geo_app._errors import InputError
from geo_app.io import geojson
from geo_app.io.export import features_export

SCHEMA_DIR = settings.PROJECT_DIR / "schema"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def sample_analyses():
    from geo_app.pipeline import analyze
    from geo_app.text.reports import sample_reports

    return [analyze(r.text, r.published, report_id=r.report_id, source=r.source) for r in sample_reports()]


@pytest.fixture(scope="module")
def gdf(sample_analyses) -> gpd.GeoDataFrame:
    return L.features_gdf(sample_analyses)


def _hand_gdf() -> gpd.GeoDataFrame:
    """Four hand-made features: dated by event, dated by publication only, undated, and a claim."""
    base = dict.fromkeys(L.COLUMNS)
    rows = [
        base | {"feature_id": "r1:m0", "kind": "place", "layer": "places", "name": "A", "source": "S1",
                "published": "2022-02-01", "date_start": "2022-02-10", "date_end": "2022-02-12",
                "geometry": Point(30, 50)},
        base | {"feature_id": "r2:m0", "kind": "group", "layer": "groups", "name": "B", "source": "S2",
                "published": "2022-02-15", "geometry": Point(31, 51)},
        base | {"feature_id": "r3:m0", "kind": "demonym", "layer": "demonyms", "name": "C", "source": "",
                "geometry": Point(32, 52)},
        base | {"feature_id": "r1:c0", "kind": "claim", "layer": "claims", "name": "A → border", "source": "S1",
                "published": "2022-02-01", "date_start": "2022-02-01", "date_end": "2022-02-01",
                "verdict": "overstated", "claimed_km": 100.0, "measured_km": 87.3, "bound": "about",
                "geometry": LineString([(30, 50), (30, 51)])},
    ]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    frame.index = frame["feature_id"].to_numpy()
    return L.typed(frame)


# --- building from real analyses ----------------------------------------------------------------


def test_one_point_per_resolved_mention(sample_analyses, gdf):
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == [*L.COLUMNS, "geometry"]
    assert gdf.index.is_unique
    for a in sample_analyses:
        resolved = [r for r in a.resolutions if r.place is not None]
        points = gdf[(gdf["report_id"] == a.report_id) & gdf["layer"].isin(L.POINT_LAYERS)]
        assert len(points) == len(resolved)
        assert set(points.geometry.geom_type) == {"Point"}
        assert set(points["kind"]) <= {"place", "qualified", "group", "demonym"}
    assert set(gdf["kind"]) <= set(L.KINDS) and set(gdf["layer"]) <= set(L.LAYERS)


def test_points_sit_on_the_gazetteer_place(sample_analyses, gdf):
    a = sample_analyses[0]
    kyiv = next(r for r in a.resolutions if r.mention.text == "Kyiv")
    row = gdf[(gdf["report_id"] == a.report_id) & (gdf["text"] == "Kyiv") & (gdf["layer"] == "places")].iloc[0]
    assert row.geometry.x == pytest.approx(kyiv.place.lon) and row.geometry.y == pytest.approx(kyiv.place.lat)
    assert row["geonameid"] == kyiv.place.geonameid
    assert row["source"] == "Harbour Wire (sample)" and row["published"] == "2022-02-03"


def test_quote_marks_the_mention(gdf):
    mentions = gdf[(gdf["kind"] != "claim") & gdf["mark_start"].notna()]
    assert len(mentions) > 20
    for _, row in mentions.iterrows():
        assert row["quote"][int(row["mark_start"]):int(row["mark_end"])] == row["text"]
        assert row["quote"] == row["quote"].strip()


def test_direction_region_and_its_admin1(gdf):
    from geo_app.places import borders

    south = gdf[(gdf["layer"] == "direction_regions") & gdf["text"].str.contains("southern Belarus", na=False)]
    assert len(south) == 1
    geom = south.geometry.iloc[0]
    belarus = borders.country_geometry("BY")
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert belarus.buffer(0.05).contains(geom)
    # the southern third: everything lies south of the middle of Belarus' latitude extent
    assert geom.bounds[3] < (belarus.bounds[1] + belarus.bounds[3]) / 2
    admin1 = gdf[(gdf["layer"] == "direction_admin1") & (gdf["feature_id"].str.startswith(south.index[0].rsplit(":", 1)[0]))]
    assert {"Gomel", "Brest"} <= set(admin1["name"])


def test_group_and_sea_polygons(gdf):
    baltic = gdf[(gdf["layer"] == "group_areas") & (gdf["name"] == "Baltic states")]
    assert len(baltic) == 1
    for city in ((24.1, 56.95), (25.28, 54.69), (24.75, 59.44)):  # Riga, Vilnius, Tallinn
        assert baltic.geometry.iloc[0].buffer(0.05).contains(Point(city))
    black = gdf[(gdf["layer"] == "sea_areas") & (gdf["name"] == "Black Sea")]
    assert len(black) == 1 and black.geometry.iloc[0].contains(Point(34.0, 43.5))


def test_claims_are_lines_or_unmapped(gdf):
    claims = gdf[gdf["kind"] == "claim"]
    if claims.empty:
        pytest.skip("claim checker not installed")
    assert set(claims["layer"]) == {"claims"}
    types = set(claims.geometry.dropna().geom_type)
    assert types <= {"LineString", "MultiLineString"}
    kyiv = claims[claims["name"].str.startswith("Kyiv") & (claims["claimed_km"] == 100.0)]
    assert len(kyiv) == 1
    row = kyiv.iloc[0]
    assert row["bound"] == "at_most" and row["verdict"] == "consistent"
    assert 80 < row["measured_km"] < 95
    start = row.geometry.coords[0]
    assert start == pytest.approx((30.52, 50.45), abs=0.05)  # the line starts at Kyiv
    assert "100 km" in row["quote"][int(row["mark_start"]):int(row["mark_end"])]


def test_claims_from_a_minimal_checker_object(sample_analyses):
    """Any object with to_dict() in the documented claim shape becomes a row; region claims do not."""
    from dataclasses import replace

    class FakeClaim:
        def __init__(self, claim_type: str, line: dict | None) -> None:
            self.d = {"kind": "claim", "claim_type": claim_type, "claimed_km": 5.0, "bound": "about",
                      "measured_km": 6.5, "verdict": "understated", "method": "test", "data_source": "test",
                      "quote": "Q", "report_id": "fake", "from_name": "X", "to_name": "Y",
                      "geometries": {"line": line, "region": None}}

        def to_dict(self) -> dict:
            return self.d

    a = replace(sample_analyses[0], report_id="fake", claims=[
        FakeClaim("distance", {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}),
        FakeClaim("region", None), FakeClaim("adjacency", None)])
    out = L.features_gdf([a])
    claims = out[out["kind"] == "claim"]
    assert list(claims.index) == ["fake:c0", "fake:c2"]
    assert claims.loc["fake:c0", "geometry"].equals(LineString([(1, 2), (3, 4)]))
    assert claims.loc["fake:c2", "geometry"] is None
    assert claims.loc["fake:c0", "verdict"] == "understated" and claims.loc["fake:c0", "name"] == "X → Y"


def test_empty_input():
    out = L.features_gdf([])
    assert out.empty and list(out.columns) == [*L.COLUMNS, "geometry"]
    assert geojson.to_geojson(out) == {"type": "FeatureCollection", "features": []}
    assert L.date_range(out) is None and L.bounds(out) is None


# --- filters --------------------------------------------------------------------------------


def test_window_overlap_rules():
    g = _hand_gdf()
    assert list(L.filter_window(g, "2022-02-12", "2022-02-12").index) == ["r1:m0", "r3:m0"]
    assert list(L.filter_window(g, "2022-02-13", "2022-02-14").index) == ["r3:m0"]
    # the group has no event date: its publication date places it
    assert "r2:m0" in L.filter_window(g, dt.date(2022, 2, 15), dt.date(2022, 2, 15)).index
    assert "r3:m0" not in L.filter_window(g, "2022-02-01", "2022-03-01", include_undated=False).index
    assert list(L.filter_window(g, None, "2022-02-01").index) == ["r3:m0", "r1:c0"]
    assert len(L.filter_window(g)) == 4
    with pytest.raises(InputError):
        L.filter_window(g, "2022-03-01", "2022-02-01")
    with pytest.raises(InputError):
        L.filter_window(g, "not a date")


def test_source_kind_verdict_filters():
    g = _hand_gdf()
    assert set(L.filter_sources(g, ["S1"]).index) == {"r1:m0", "r1:c0"}
    assert set(L.filter_kinds(g, ["claim", "group"]).index) == {"r2:m0", "r1:c0"}
    assert set(L.filter_verdicts(g, ["consistent"]).index) == {"r1:m0", "r2:m0", "r3:m0"}
    assert "r1:c0" in L.filter_verdicts(g, ["overstated"]).index
    assert L.filter_sources(g, None).equals(g)
    assert set(L.apply_filters(g, start="2022-02-10", sources=["S1", "S2"], kinds=["place", "claim"]).index) == {"r1:m0"}


def test_date_range_spans_event_and_publication_dates():
    assert L.date_range(_hand_gdf()) == (dt.date(2022, 2, 1), dt.date(2022, 2, 15))


def test_shared_places(gdf):
    shared = L.shared_places(gdf)
    kyiv = shared[shared["name"] == "Kyiv"].iloc[0]
    assert kyiv["n_reports"] == 2
    assert "Harbour Wire (sample)" in kyiv["sources"] and "Meridian Daily (sample)" in kyiv["sources"]
    assert (shared["n_reports"] >= 2).all()
    assert "Mariupol" not in set(shared["name"])  # one report only


def test_focus_bounds_ignores_coarse_points():
    g = _hand_gdf()
    far = g.iloc[[1]].copy()
    far.index = ["r9:m0"]
    far["geometry"] = [Point(135.0, 48.5)]  # "the Far East" group point
    both = L.concat([g, far])
    assert L.bounds(both)[2] > 130
    assert L.focus_bounds(both)[2] < 40


def _points_and_claims(places: dict[str, tuple[float, float]],
                       claims: dict[str, tuple[tuple[float, float], tuple[float, float]]]) -> gpd.GeoDataFrame:
    base = dict.fromkeys(L.COLUMNS)
    rows = [base | {"feature_id": f"r1:m{i}", "kind": "place", "layer": "places", "name": name,
                    "geometry": Point(*xy)} for i, (name, xy) in enumerate(places.items())]
    rows += [base | {"feature_id": f"r1:c{i}", "kind": "claim", "layer": "claims", "claim_type": "distance",
                     "name": name, "geometry": LineString(ends)} for i, (name, ends) in enumerate(claims.items())]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    frame.index = frame["feature_id"].to_numpy()
    return L.typed(frame)


def test_focus_frames_a_country_wide_report_whole_and_leaves_a_far_stray_out():
    # Invented coordinates on a country-sized theatre: towns 300-700 km apart, a claim of ~800 km
    # from a far town to the capital, and one stray mention an ocean away.
    g = _points_and_claims(
        {"Capital": (32.5, 15.5), "East town": (36.4, 15.4), "Port": (37.2, 19.6), "Border post": (22.2, 13.5),
         "Stray": (-95.4, 29.8)},
        {"West town → Capital": ((25.3, 13.6), (32.5, 15.5))})
    focus = L.focus_extent(g)
    west, south, east, north = focus.bounds
    assert west < 22.2 and east > 37.2 and north > 19.6 and south < 13.5
    assert focus.outliers == ("Stray",)


def test_focus_does_not_stretch_to_the_far_end_of_a_continent_wide_claim():
    g = _points_and_claims({"Minsk": (27.6, 53.9), "Kyiv": (30.5, 50.5), "Brest": (23.7, 52.1)},
                           {"Khabarovsk → Minsk": ((135.1, 48.5), (27.6, 53.9))})
    focus = L.focus_extent(g)
    assert focus.bounds[2] < 40 and "Khabarovsk → Minsk" in focus.outliers


# --- outputs --------------------------------------------------------------------------------


def test_geojson_is_rfc7946(gdf):
    fc = json.loads(geojson.to_geojson_text(gdf))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc and len(fc["features"]) == len(gdf)
    by_id = {f["id"]: f for f in fc["features"]}
    kyiv = next(f for f in fc["features"] if f["properties"]["text"] == "Kyiv" and f["geometry"]["type"] == "Point")
    lon, lat = kyiv["geometry"]["coordinates"]
    assert 30 < lon < 31 and 50 < lat < 51  # lon/lat order
    for f in fc["features"]:
        g = f["geometry"]
        if g and g["type"] in ("Polygon", "MultiPolygon"):
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            for poly in polys:
                assert shapely.LinearRing(poly[0]).is_ccw  # exterior counterclockwise
                for hole in poly[1:]:
                    assert not shapely.LinearRing(hole).is_ccw
    assert set(by_id) == set(gdf.index)


def test_geojson_round_trip(gdf):
    back = geojson.from_geojson(geojson.to_geojson(gdf))
    assert list(back.index) == list(gdf.index)
    pd.testing.assert_series_equal(back["name"], gdf["name"], check_names=False)
    assert back["geonameid"].dtype == "Int64"
    pairs = list(zip(back.geometry.dropna(), gdf.geometry.dropna()))
    assert len(pairs) == int(gdf.geometry.notna().sum())
    assert all(shapely.normalize(a).equals_exact(shapely.normalize(b), 1e-5) for a, b in pairs)


def test_geojson_validates_against_feature_schema(sample_analyses, gdf):
    validator = _validator("feature.schema.json")
    errors = list(validator.iter_errors(geojson.to_geojson(gdf)))
    assert errors == [], [e.message for e in errors[:3]]
    # the schema is not vacuous
    bad = geojson.to_geojson(gdf.iloc[:1])
    del bad["features"][0]["properties"]["quote"]
    assert not validator.is_valid(bad)
    bad = geojson.to_geojson(gdf.iloc[:1])
    bad["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    assert not validator.is_valid(bad)
    bad = geojson.to_geojson(gdf.iloc[:1])
    bad["features"][0]["properties"]["kind"] = "town"
    assert not validator.is_valid(bad)


def test_seed_features_validate(seed_analyses):
    fc = geojson.to_geojson(L.features_gdf(list(seed_analyses.values())))
    assert fc["features"]
    assert list(_validator("feature.schema.json").iter_errors(fc)) == []


def test_parse_output_schema_validates_real_records(sample_analyses):
    validator = _validator("parse_output.schema.json")
    for a in sample_analyses:
        record = json.loads(json.dumps(a.to_record()))
        errors = list(validator.iter_errors(record))
        assert errors == [], [e.message for e in errors[:3]]
        assert record["mentions"] and record["dates"]
    assert validator.is_valid({"id": "x", "error": "line 3: input object has no 'text'"})
    good = json.loads(json.dumps(sample_analyses[0].to_record()))
    broken = json.loads(json.dumps(good))
    broken["mentions"][0]["kind"] = "city"
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(good))
    del broken["distances"]
    assert not validator.is_valid(broken)


def test_parse_cli_output_validates(tmp_path: Path):
    from typer.testing import CliRunner

    from geo_app.ui.cli import app

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Kyiv lies about 90 km from the Belarus border.",
                               "published": "2022-02-11"}) + "\n" + '{"id": "b"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["parse", "--jsonl", str(src), "--out", str(out)])
    assert result.exit_code == 1  # one bad line
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    validator = _validator("parse_output.schema.json")
    assert [validator.is_valid(line) for line in lines] == [True, True]
    assert lines[0]["mentions"] and "error" in lines[1]


def test_gpkg_has_a_table_per_geometry_type(gdf):
    import pyogrio

    data, merged = features_export(gdf, "gpkg")
    assert data[:16] == b"SQLite format 3\x00"
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "f.gpkg"
    path.write_bytes(data)
    names = {name for name, _ in pyogrio.list_layers(path)}
    assert {"features_points", "features_lines", "features_areas"} <= names
    total = sum(len(gpd.read_file(path, layer=n)) for n in names)
    assert total == len(gdf) - merged  # repeated areas are written once
    pts = gpd.read_file(path, layer="features_points")
    assert pts.crs.to_epsg() == 4326 and "quote" in pts.columns


def test_csv_has_every_property_and_a_point(gdf):
    data, merged = features_export(gdf, "csv")
    frame = pd.read_csv(io.StringIO(data.decode("utf-8")))
    assert {*L.COLUMNS, "lon", "lat", "wkt"} <= set(frame.columns)
    assert len(frame) == len(gdf) - merged  # repeated areas are written once
    kyiv = frame[(frame["text"] == "Kyiv") & (frame["layer"] == "places")].iloc[0]
    assert kyiv["lon"] == pytest.approx(30.52, abs=0.05) and kyiv["wkt"].startswith("POINT")


def test_simplify_area_keeps_shape():
    ring = shapely.Point(0, 0).buffer(10, quad_segs=256)
    simple = L.simplify_area(ring, 0.01)
    assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(ring)
    assert simple.symmetric_difference(ring).area / ring.area < 0.01
    assert L.simplify_area(box(0, 0, 1, 1), 0.0).equals(box(0, 0, 1, 1))
    assert L.simplify_area(None) is None


def test_an_aside_claim_between_two_mentioned_towns_does_not_pull_the_map_from_the_theatre():
    # Invented coordinates: four towns of one theatre, and far away two towns an aside measures
    # between ("B lies 160 km from A"): the map opens on the theatre and names the aside left out.
    g = _points_and_claims(
        {"Port": (45.0, 12.8), "Capital": (44.2, 15.4), "Island": (42.6, 15.4), "Harbour": (42.7, 13.0),
         "Far A": (31.2, 30.0), "Far B": (32.3, 31.3)},
        {"Far B → Far A": ((32.3, 31.3), (31.2, 30.0))})
    focus = L.focus_extent(g)
    west, south, east, north = focus.bounds
    assert west < 42.6 and east > 45.0 and south < 12.8 and north < 25
    assert set(focus.outliers) == {"Far A", "Far B", "Far B → Far A"}


def test_a_claim_end_only_the_claim_places_still_draws_the_map_to_it():
    # A town's distance to a border: the border's nearest point is known only from the claim.
    g = _points_and_claims({"Town": (30.5, 50.5), "Elsewhere": (24.0, 45.0), "Elsewhere 2": (24.5, 45.3)},
                           {"Town → border": ((30.5, 50.5), (30.3, 51.3))})
    assert L.focus_extent(g).bounds[3] > 51.3


def test_a_neighbouring_cluster_within_focus_near_km_joins_whatever_the_theatre_span():
    # Invented coordinates: a compact theatre (towns ~150 km apart) and, ~560 km north of it, a
    # paragraph on two towns of a neighbour: framed together. A town 2,000 km away stays out.
    g = _points_and_claims(
        {"A": (25.0, 54.5), "B": (23.0, 54.0), "C": (24.5, 53.3), "North 1": (27.5, 59.3), "North 2": (24.8, 59.4),
         "Far": (31.0, 36.5)},
        {})
    focus = L.focus_extent(g)
    assert focus.bounds[3] > 59.4 and focus.outliers == ("Far",)
