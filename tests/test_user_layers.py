"""User boundary layers: loading (shapefile, GeoPackage, KML, GeoJSON), repairs and rejections,
dated series, the store (v2 -> v3 migration), place-in-layer tests, claim checks, the CLI and the app.

Every layer is written here, small, for the test: squares built in an equal-area (LAEA) or
UTM projection, whose areas are known by construction, checked against the geodesic area
(WGS84) of what the loader returns.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer

from geo_app.io import gpkg
from geo_app.io import store as store_mod
from geo_app._errors import InputError, NotFoundError
from geo_app.geo.geodesy import BoundaryIndex, geodesic_area_km2
from geo_app.text.reports import Report
from geo_app.io.gpkg import to_gpkg_blob
from geo_app.io.store import AnalysisResult, Store, StoredFeature
from geo_app.layers import (
    check_places,
    layer_on,
    load_user_layer,
    place_checks_to_geojson,
    places_in_layer,
    with_validity,
)

KYIV = (30.5238, 50.4547)
ZHYTOMYR = (28.66, 50.25)
GEOD = Geod(ellps="WGS84")


# --- layers written for the tests ------------------------------------------------------------------


def _laea(lon: float, lat: float) -> str:
    return f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m +no_defs"


def _densify(ring: list[tuple[float, float]], step_m: float = 1000.0) -> list[tuple[float, float]]:
    out = []
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:]):
        n = max(int(np.hypot(x1 - x0, y1 - y0) // step_m), 1)
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n)]
    return out + [ring[-1]]


def _square_ring(cx: float, cy: float, half_m: float) -> list[tuple[float, float]]:
    return [(cx - half_m, cy - half_m), (cx + half_m, cy - half_m), (cx + half_m, cy + half_m),
            (cx - half_m, cy + half_m), (cx - half_m, cy - half_m)]


def laea_square(lon: float, lat: float, side_km: float, *, east_km: float = 0.0) -> shapely.Polygon:
    """A square of ``side_km`` (so ``side_km**2`` km² on the ellipsoid) in lon/lat, centred east of (lon, lat)."""
    to_ll = Transformer.from_crs(_laea(lon, lat), 4326, always_xy=True)
    ring = _densify(_square_ring(east_km * 1000, 0.0, side_km * 500))
    xs, ys = to_ll.transform(*zip(*ring))
    return shapely.Polygon(list(zip(xs, ys)))


def utm_square_with_hole() -> shapely.Polygon:
    """20 km square with a 5 km hole near Zhytomyr, in EPSG:32635 metres: 375 km² (UTM's scale factor
    is 0.9998 there, so the true area is within 0.05 % of that)."""
    cx, cy = Transformer.from_crs(4326, 32635, always_xy=True).transform(*ZHYTOMYR)
    return shapely.Polygon(_densify(_square_ring(cx, cy, 10_000)), [_densify(_square_ring(cx + 4500, cy + 4500, 2500))])


def zip_shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str, *, parts=("shp", "shx", "dbf", "prj", "cpg"),
                  inner: str = "") -> Path:
    src = folder / f"{stem}_src"
    src.mkdir()
    gdf.to_file(src / f"{stem}.shp", engine="pyogrio")
    out = folder / f"{stem}.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for ext in parts:
            if (src / f"{stem}.{ext}").exists():
                zf.write(src / f"{stem}.{ext}", f"{inner}{stem}.{ext}")
    return out


def _inside(gdf: gpd.GeoDataFrame, lon: float, lat: float) -> bool:
    return bool(places_in_layer([shapely.Point(lon, lat)], gdf, distances=False)["inside"].iat[0])


def _area_ok(geom: shapely.Geometry, expected_km2: float) -> None:
    assert geodesic_area_km2(geom) == pytest.approx(expected_km2, rel=0.005)


# --- loading ---------------------------------------------------------------------------------------


def test_zipped_shapefile_in_utm_35n_loads_reprojected(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["zone A"], "kind": ["exercise"]}, geometry=[utm_square_with_hole()],
                           crs="EPSG:32635")
    path = zip_shapefile(gdf, tmp_path, "zones", inner="data/")  # inside a folder of the archive
    info, layer, repairs = load_user_layer(path, name="exercise zone")
    assert (info.crs, info.feature_count, info.geometry_type, info.source_file) == ("EPSG:32635", 1, "Polygon",
                                                                                   "zones.zip")
    assert repairs == () and info.date_text == "undated" and layer.crs.to_epsg() == 4326
    geom = layer.geometry.iat[0]
    _area_ok(geom, 20 * 20 - 5 * 5)
    assert _inside(layer, *ZHYTOMYR)
    assert not _inside(layer, ZHYTOMYR[0] + 0.063, ZHYTOMYR[1] + 0.0405)  # in the hole
    assert not _inside(layer, ZHYTOMYR[0] + 0.25, ZHYTOMYR[1])  # ~18 km east: outside the square
    assert layer["name"].iat[0] == "zone A" and layer["properties"].iat[0]["kind"] == "exercise"


def test_shapefile_without_prj_needs_a_crs(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["zone A"]}, geometry=[utm_square_with_hole()], crs="EPSG:32635")
    path = zip_shapefile(gdf, tmp_path, "noprj", parts=("shp", "shx", "dbf"))
    with pytest.raises(InputError, match=r"no \.prj.*--crs"):
        load_user_layer(path, name="z")
    info, layer, _ = load_user_layer(path, name="z", crs="EPSG:32635")
    assert info.crs == "EPSG:32635" and _inside(layer, *ZHYTOMYR)
    _area_ok(layer.geometry.iat[0], 375)


def test_zip_without_shp_and_zip_slip_are_rejected(tmp_path: Path) -> None:
    no_shp = tmp_path / "no_shp.zip"
    with zipfile.ZipFile(no_shp, "w") as zf:
        zf.writestr("readme.txt", "just notes")
        zf.writestr("zones.dbf", b"\x03" + bytes(40))
    with pytest.raises(InputError, match=r"holds no \.shp file.*readme\.txt"):
        load_user_layer(no_shp, name="z")
    for evil_name in ("../evil.shp", "/tmp/evil.shp", "a/../../evil.shp", "..\\evil.shp"):
        evil = tmp_path / "evil.zip"
        with zipfile.ZipFile(evil, "w") as zf:
            zf.writestr(evil_name, b"x")
            zf.writestr("ok.shx", b"x")
        with pytest.raises(InputError, match="zip-slip"):
            load_user_layer(evil, name="z")
    assert not (tmp_path.parent / "evil.shp").exists() and not Path("/tmp/evil.shp").exists()


def test_geopackage_with_two_layers_needs_a_choice(tmp_path: Path) -> None:
    to_3035 = Transformer.from_crs(4326, 3035, always_xy=True)
    cx, cy = to_3035.transform(*KYIV)
    zones = gpd.GeoDataFrame({"name": ["north", "south"]}, crs="EPSG:3035", geometry=[
        shapely.Polygon(_densify(_square_ring(cx, cy + 60_000, 25_000))),
        shapely.Polygon(_densify(_square_ring(cx, cy - 60_000, 25_000)))])
    roads = gpd.GeoDataFrame({"name": ["M06"]}, geometry=[shapely.LineString([KYIV, (29.5, 50.6)])], crs=4326)
    path = tmp_path / "mixed.gpkg"
    zones.to_file(path, layer="zones", engine="pyogrio")
    roads.to_file(path, layer="roads", engine="pyogrio")
    pyogrio.write_dataframe(gpd.pd.DataFrame({"a": [1]}), path, layer="notes")
    with pytest.raises(InputError, match=r"2 layers \((zones, roads|roads, zones)\).*--layer"):
        load_user_layer(path, name="z")
    with pytest.raises(InputError, match=r"no layer 'nope' \(layers: .*zones"):
        load_user_layer(path, name="z", layer="nope")
    with pytest.raises(InputError, match="no geometry"):
        load_user_layer(path, name="z", layer="notes")
    info, layer, _ = load_user_layer(path, name="z", layer="zones")
    assert info.crs == "EPSG:3035" and info.source_layer == "zones" and info.feature_count == 2
    north = layer[layer["name"] == "north"].geometry.iat[0]
    _area_ok(north, 50 * 50)
    assert not _inside(layer, *KYIV) and _inside(layer, KYIV[0], KYIV[1] + 0.54)  # ~60 km north
    info, lines, _ = load_user_layer(path, name="front", layer="roads")
    assert info.geometry_type == "LineString" and not _inside(lines, *KYIV)


def test_kml_loads_through_gdal(tmp_path: Path) -> None:
    drivers = pyogrio.list_drivers()
    assert "r" in drivers.get("KML", "") or "r" in drivers.get("LIBKML", "")
    square = laea_square(*KYIV, 30)
    path = tmp_path / "zone.kml"
    gpd.GeoDataFrame({"Name": ["Exercise <b>zone</b>"], "Description": ["drills"]}, geometry=[square],
                     crs=4326).to_file(path, driver="KML", engine="pyogrio")
    info, layer, repairs = load_user_layer(path, name="kml zone")
    assert info.crs == "EPSG:4326" and info.feature_count == 1 and not repairs
    assert layer["name"].iat[0] == "Exercise <b>zone</b>"  # kept as text
    _area_ok(layer.geometry.iat[0], 900)
    assert _inside(layer, *KYIV) and not _inside(layer, KYIV[0] + 0.5, KYIV[1])


def test_geojson_self_intersecting_polygon_is_repaired_and_reported(tmp_path: Path) -> None:
    # A bow tie in LAEA metres: two triangles of s² each, meeting at the centre.
    s = 10_000.0
    to_ll = Transformer.from_crs(_laea(*KYIV), 4326, always_xy=True)
    ring = _densify([(-s, -s), (s, s), (s, -s), (-s, s), (-s, -s)])
    xs, ys = to_ll.transform(*zip(*ring))
    bowtie = shapely.Polygon(list(zip(xs, ys)))
    assert not bowtie.is_valid
    fine = laea_square(*KYIV, 10, east_km=100)
    path = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"name": ["bow tie", "fine"]}, geometry=[bowtie, fine], crs=4326).to_file(path, engine="pyogrio")
    info, layer, repairs = load_user_layer(path, name="zones")
    assert len(repairs) == 1 and info.n_repaired == 1
    assert repairs[0].name == "bow tie" and "Self-intersection" in repairs[0].reason
    assert repairs[0].result == "MultiPolygon" and "Self-intersection" in str(repairs[0])
    fixed = layer[layer["name"] == "bow tie"].geometry.iat[0]
    assert fixed.is_valid and len(fixed.geoms) == 2
    _area_ok(fixed, 2 * (s / 1000) ** 2)
    right, left = to_ll.transform(s * 0.7, 0.0), to_ll.transform(-s * 0.7, 0.0)
    above = to_ll.transform(0.0, s * 0.7)  # between the lobes
    assert _inside(layer, *right) and _inside(layer, *left) and not _inside(layer, *above)


def test_unusable_files_are_rejected_with_their_reason(tmp_path: Path) -> None:
    pts = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.Point(KYIV), shapely.Point(ZHYTOMYR)],
                     crs=4326).to_file(pts, engine="pyogrio")
    with pytest.raises(InputError, match=r"only points \(2\).*polygons"):
        load_user_layer(pts, name="p")
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="no features"):
        load_user_layer(empty, name="e")
    nogeom = tmp_path / "nogeom.geojson"
    nogeom.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": 1}, '
                      '"geometry": null}]}')
    with pytest.raises(InputError, match="geometry"):
        load_user_layer(nogeom, name="n")
    other = tmp_path / "table.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="unsupported layer file type"):
        load_user_layer(other, name="t")
    good = tmp_path / "good.geojson"
    gpd.GeoDataFrame({"name": ["a"], "when": ["next week"]}, geometry=[laea_square(*KYIV, 5)],
                     crs=4326).to_file(good, engine="pyogrio")
    with pytest.raises(InputError, match="not both"):
        load_user_layer(good, name="g", date="2022-03-01", date_field="when")
    with pytest.raises(InputError, match=r"no field 'missing' \(fields: .*when"):
        load_user_layer(good, name="g", date_field="missing")
    with pytest.raises(InputError, match=r"'next week' in field 'when', not a date"):
        load_user_layer(good, name="g", date_field="when")
    with pytest.raises(InputError, match="name"):
        load_user_layer(good, name="  ")
    mixed = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame({"name": ["pt", "area"]}, geometry=[shapely.Point(KYIV), laea_square(*KYIV, 5)],
                     crs=4326).to_file(mixed, engine="pyogrio")
    info, layer, _ = load_user_layer(mixed, name="m")
    assert info.feature_count == 1 and any("point feature(s) left out" in n for n in info.notes)


# --- dates -------------------------------------------------------------------------------------------


def test_dates_per_feature_and_validity(tmp_path: Path) -> None:
    path = tmp_path / "dated.geojson"
    gpd.GeoDataFrame({"name": ["early", "late", "drill", "always"],
                      "when": ["2022-03-01", "2022-03-15", "2022-03-05/2022-03-07", None],
                      "begin": ["2022-03-01", "2022-03-15", "2022-03-05", None],
                      "end": [None, None, "2022-03-07", None]},
                     geometry=[laea_square(*KYIV, s) for s in (10, 20, 5, 3)], crs=4326).to_file(path, engine="pyogrio")
    for field in ("when", "begin,end"):
        info, layer, _ = load_user_layer(path, name="front", date_field=field)
        assert (info.date_start, info.date_end, info.date_text) == ("2022-03-01", "2022-03-15",
                                                                    "2022-03-01 \u2013 2022-03-15")
        assert any("no date" in n for n in info.notes)
        valid = with_validity(layer).set_index("name")
        assert valid.loc["early", "valid_to"] == "2022-03-14" and valid.loc["late", "valid_to"] is None
        assert valid.loc["drill", "valid_to"] == "2022-03-07" and valid.loc["always", "valid_from"] is None

        def names_on(day: str) -> set[str]:
            return set(layer_on(layer, day)["name"])

        assert names_on("2022-02-27") == {"always"}
        assert names_on("2022-03-06") == {"early", "drill", "always"}
        assert names_on("2022-03-14") == {"early", "always"}
        assert names_on("2022-03-15") == names_on("2099-01-01") == {"late", "always"}
        assert set(layer_on(layer, None)["name"]) == {"late", "always"}  # latest state


# --- the store ----------------------------------------------------------------------------------------


def _write_v2_store(path: Path) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.execute(f"PRAGMA application_id = {gpkg.GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {gpkg.GPKG_USER_VERSION}")
    for script in store_mod.MIGRATIONS[:2]:
        gpkg.executescript_in_tx(con, script)
    con.execute("INSERT INTO geo_app_meta VALUES ('schema_version', '2')")
    con.execute("INSERT INTO reports (report_key, title, text, source, url, published, content_hash, origin, added_at) "
                "VALUES ('r1', 'T', 'Troops near Kyiv.', 'Wire', '', '2022-03-05', 'h1', 'a.txt', "
                "'2022-03-06T00:00:00.000Z')")
    con.execute("COMMIT")
    con.close()


def _dated_layer(tmp_path: Path, name: str, square: shapely.Polygon, label: str) -> Path:
    path = tmp_path / f"{name}.geojson"
    gpd.GeoDataFrame({"name": [label]}, geometry=[square], crs=4326).to_file(path, engine="pyogrio")
    return path


def test_v2_store_migrates_to_v3_and_keeps_user_layers(tmp_path: Path) -> None:
    db = tmp_path / "old.gpkg"
    _write_v2_store(db)
    early = _dated_layer(tmp_path, "c0301", laea_square(*KYIV, 40, east_km=60), "control")
    late = _dated_layer(tmp_path, "c0315", laea_square(*KYIV, 200, east_km=40), "control")
    with Store(db) as s:
        assert s.schema_version == store_mod.SCHEMA_VERSION >= 3
        assert s.get(1).text == "Troops near Kyiv." and s.user_layers() == []
        a, added = s.add_user_layer(*load_user_layer(early, name="control", date="2022-03-01"))
        assert added and a.layer_id == 1 and a.date_text == "2022-03-01"
        again = s.add_user_layer(*load_user_layer(early, name="control", date="2022-03-01"))
        assert again[1] is False and again[0].layer_id == 1  # the same file twice: stored once
        with pytest.raises(InputError, match="already has a file dated 2022-03-01"):
            s.add_user_layer(*load_user_layer(late, name="control", date="2022-03-01"))
        b, _ = s.add_user_layer(*load_user_layer(late, name="control", date="2022-03-15"))
        with pytest.raises(InputError, match="undated"):
            s.add_user_layer(*load_user_layer(late, name="control"))
        listed = s.user_layers()
        assert [(u.name, u.source_file, u.feature_count, u.crs, u.date_text) for u in listed] == [
            ("control", "c0301.geojson", 1, "EPSG:4326", "2022-03-01"),
            ("control", "c0315.geojson", 1, "EPSG:4326", "2022-03-15")]
        assert s.user_layer_span() == (dt.date(2022, 3, 1), dt.date(2022, 3, 15))
    with Store(db) as s:  # reopened: no second migration, everything there
        assert s.schema_version == store_mod.SCHEMA_VERSION and len(s.user_layer_gdf("control")) == 2
    # The store is still a GeoPackage: GDAL reads the layers' features beside the reports'.
    gdal = pyogrio.read_dataframe(db, layer="user_layer_features")
    assert len(gdal) == 2 and set(gdal["date_start"].astype(str)) == {"2022-03-01", "2022-03-15"}
    _area_ok(gdal.geometry.iat[0], 1600)
    with Store(db) as s:
        assert s.remove_user_layers("control", date="2022-03-01") == [a.layer_id]
        assert [u.layer_id for u in s.user_layers()] == [b.layer_id]
        with pytest.raises(NotFoundError, match="no stored layer 'nope'"):
            s.remove_user_layers("nope")
        assert s.remove_user_layers("control") == [b.layer_id] and s.user_layer_gdf().empty


# --- places in a layer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lat", [50.0, 69.5])
def test_places_in_layer_distance_is_the_exact_geodesic_one(lat: float) -> None:
    rng = np.random.default_rng(3)
    squares = [laea_square(30.0 + 0.9 * i, lat + 0.5 * (i % 2), 12 + 4 * i) for i in range(5)]
    line = shapely.LineString([(29.0, lat - 0.8), (33.5, lat - 0.6)])
    layer = gpd.GeoDataFrame({"feature_id": [f"f{i}" for i in range(6)], "name": [f"n{i}" for i in range(6)]},
                             geometry=[*squares, line], crs=4326)
    lons, lats = rng.uniform(28.5, 34.5, 400), rng.uniform(lat - 1.5, lat + 1.5, 400)
    got = places_in_layer([shapely.Point(x, y) for x, y in zip(lons, lats)], layer)
    exact, _, _ = BoundaryIndex(shapely.MultiLineString(
        [*(shapely.LineString(sq.exterior.coords) for sq in squares), line])).nearest_many(lons, lats)
    assert np.abs(got["distance_km"].to_numpy() - exact).max() < 0.001  # 1 m
    inside = np.array([any(sq.contains(shapely.Point(x, y)) for sq in squares) for x, y in zip(lons, lats)])
    assert (got["inside"].to_numpy() == inside).all() and 0 < inside.sum() < len(lons)
    some = int(np.flatnonzero(inside)[0])
    assert squares[int(got["feature_id"].iat[some][1:])].contains(shapely.Point(lons[some], lats[some]))


# --- a dated pair of layers and two reports on different dates -------------------------------------------


def _place(report_key: str, published: str, name: str, lon: float, lat: float, source: str) -> StoredFeature:
    props = {"feature_id": f"{report_key}:m0", "kind": "place", "layer": "places", "name": name, "text": name,
             "quote": f"Shelling was reported in {name}.", "report_id": report_key, "source": source,
             "published": published, "date_start": published, "date_end": published, "date_source": "published",
             "feature_code": "PPLC", "feature_class": "P", "country_code": "UA", "confidence": 0.95,
             "place_key": f"gn:{name}"}
    return StoredFeature(to_gpkg_blob(shapely.Point(lon, lat)), props)


def write_dated_archive(folder: Path, *, note: str = "") -> Path:
    """A store with two reports on Kyiv (2022-03-05, 2022-03-20) and layer 'control' dated 2022-03-01
    (a square 40 km east of Kyiv, Kyiv outside) and 2022-03-15 (a larger one around Kyiv)."""
    db = folder / "archive.gpkg"
    with Store(db) as s:
        for key, day, source in (("rA", "2022-03-05", "Wire A"), ("rB", "2022-03-20", "Wire B")):
            rid, _ = s.add_report(Report(text=f"Shelling was reported in Kyiv ({key}).", source=source,
                                         published=dt.date.fromisoformat(day), title=f"Kyiv {key}"))
            record = {"id": key, "geo_app_version": "0.1.0", "schema_version": "1.0"}
            s.commit_analyses([AnalysisResult(rid, record, (_place(key, day, "Kyiv", *KYIV, source),), "d")])
        for name, day, square in (("c0301", "2022-03-01", laea_square(*KYIV, 40, east_km=60)),
                                  ("c0315", "2022-03-15", laea_square(*KYIV, 200, east_km=40))):
            path = folder / f"{name}.geojson"
            gpd.GeoDataFrame({"name": [f"control {day}"], "note": [note or None]}, geometry=[square],
                             crs=4326).to_file(path, engine="pyogrio")
            s.add_user_layer(*load_user_layer(path, name="control", date=day))
    return db


@pytest.fixture
def dated_store(tmp_path: Path) -> Path:
    return write_dated_archive(tmp_path)


def test_place_in_layer_changes_with_the_date(dated_store: Path) -> None:
    with Store(dated_store) as s:
        places, layer = s.features_gdf(), s.user_layer_gdf("control")
    results = check_places(places, {"control": layer})
    by_report = results.set_index("report_id")
    assert by_report.loc["rA", "status"] == "outside" and by_report.loc["rA", "layer_date"] == "2022-03-01"
    assert by_report.loc["rB", "status"] == "inside" and by_report.loc["rB", "layer_date"] == "2022-03-15"
    assert by_report.loc["rA", "distance_km"] == pytest.approx(40, abs=1.5)  # the square's west edge, 40 km east
    fc = place_checks_to_geojson(results)
    props = [f["properties"] for f in fc["features"]]
    assert {(p["layer_name"], p["layer_date"], p["day"]) for p in props} == {
        ("control", "2022-03-01", "2022-03-05"), ("control", "2022-03-15", "2022-03-20")}
    assert all(f["geometry"]["coordinates"] == [round(KYIV[0], 6), round(KYIV[1], 6)] for f in fc["features"])
    early = check_places(places.assign(date_start="2022-02-20", date_end="2022-02-20", published=None), layer)
    assert set(early["status"]) == {"no layer on this day"}


def test_check_layer_every_claim_type(dated_store: Path) -> None:
    from geo_app.ui.usecases import check_stored_layer

    with Store(dated_store) as s:
        far = check_stored_layer(s, "Kyiv", "control 2022-03-01", claimed_km=30, bound="at most")
        props = far.to_feature()["properties"]
        assert (props["layer_name"], props["layer_date"], props["layer_on"]) == ("control", "2022-03-01",
                                                                                 "2022-03-01")
        line = far.claim.to_dict()["geometries"]["line"]["coordinates"]
        boundary = np.array(s.user_layer_gdf("control").geometry.iat[0].exterior.coords)
        fine = np.concatenate([np.linspace(a, b, 200) for a, b in zip(boundary[:-1], boundary[1:])])
        brute = GEOD.inv(np.full(len(fine), line[0][0]), np.full(len(fine), line[0][1]), fine[:, 0], fine[:, 1])[2]
        assert far.claim.measured_km == pytest.approx(brute.min() / 1000, abs=0.005)
        assert far.verdict == "understated" and "user layer 'control' as of 2022-03-01" in far.summary()
        assert "Natural Earth" not in far.claim.data_source and "c0301.geojson" in far.claim.data_source
        inside = check_stored_layer(s, "Kyiv", "control", on="2022-03-20", claim_type="containment")
        assert inside.verdict == "consistent"
        outside = check_stored_layer(s, "Kyiv", "control", on="2022-03-05", claim_type="containment")
        assert outside.verdict == "contradicted" and outside.claim.measured_km > 30
        member = check_stored_layer(s, "Kyiv", "control", on="2022-03-16", claim_type="membership")
        assert member.verdict == "consistent" and member.feature_name == "control 2022-03-15"
        assert check_stored_layer(s, "Kyiv", "control", on="2022-03-16", claim_type="coastal").verdict == "consistent"
        region = check_stored_layer(s, "Kyiv", "control", claim_type="region", direction="south")
        assert region.verdict is None and region.claim.region.bounds[3] < s.user_layer_gdf().geometry.iat[1].bounds[3]
        apart = check_stored_layer(s, "Belarus", "control", on="2022-03-05", claim_type="adjacency")
        assert apart.verdict == "contradicted" and "does not border" in apart.claim.reason
        picked = check_stored_layer(s, "Kyiv", "control", feature="control 2022-03-15", on="2022-03-15",
                             claim_type="containment")
        assert picked.verdict == "consistent" and picked.feature_name == "control 2022-03-15"
        # A strip of Ukraine along Belarus's southern border, cut by Belarus's own polygon: they share it.
        from geo_app.places import borders

        strip = shapely.difference(shapely.box(27.0, 51.0, 30.0, 52.2), borders.country_geometry("BY"))
        s.add_user_layer(*load_user_layer(_dated_layer(dated_store.parent, "strip", strip, "border strip"),
                                          name="border strip"))
        touching = check_stored_layer(s, "Belarus", "border strip", claim_type="adjacency")
        assert touching.verdict == "consistent" and touching.claim.shared_border_km > 100  # ~3° of border
        with pytest.raises(NotFoundError, match="nothing on 2022-02-01"):
            check_stored_layer(s, "Kyiv", "control", on="2022-02-01")
        with pytest.raises(NotFoundError, match="no stored layer named 'nope'"):
            check_stored_layer(s, "Kyiv", "nope")


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_layers_add_list_check_remove(tmp_path: Path, dated_store: Path) -> None:
    from typer.testing import CliRunner

    from geo_app.ui.cli import app

    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        res = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return res.exit_code, res.stdout, res.stderr

    for command in (["layers", "add"], ["layers", "list"], ["layers", "remove"], ["layers", "check"]):
        code, out, _ = run(*command, "--help")
        text = " ".join(out.split())
        assert code == 0 and f"Example: geo-app {' '.join(command)}" in text and "Exit codes: 0" in text
    db = str(dated_store)
    zone = _dated_layer(tmp_path, "zone", laea_square(*ZHYTOMYR, 30), "exercise zone")
    code, out, _ = run("layers", "add", zone, "--name", "exercise zone", "--db", db, "--json")
    added = json.loads(out)
    assert code == 0 and added["added"] and added["feature_count"] == 1 and added["date"] == "undated"
    code, out, err = run("layers", "add", tmp_path / "missing.zip", "--name", "x", "--db", db)
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    code, out, _ = run("layers", "list", "--db", db, "--json")
    assert code == 0 and [(u["name"], u["date"]) for u in json.loads(out)["layers"]] == [
        ("control", "2022-03-01"), ("control", "2022-03-15"), ("exercise zone", "undated")]
    code, out, _ = run("check", "Zhytomyr", "--layer", "exercise zone", "--claim", "containment", "--db", db, "--json")
    assert code == 0 and json.loads(out)["verdict"] == "consistent" and json.loads(out)["layer_name"] == "exercise zone"
    code, out, _ = run("check", "Kyiv", "--layer", "control 2022-03-01", "--claim", "containment", "--db", db)
    assert code == 1 and "contradicted" in out
    code, _, err = run("check", "Kyiv", "--layer", "control", "--border", "Belarus", "--db", db)
    assert code == 2 and "exactly one of" in err
    out_file = tmp_path / "checks.geojson"
    code, out, _ = run("layers", "check", "control", "--db", db, "--out", out_file, "--json")
    summary = json.loads(out)
    assert code == 0 and (summary["inside"], summary["outside"]) == (1, 1)
    assert {f["properties"]["layer_date"] for f in json.loads(out_file.read_text())["features"]} == {
        "2022-03-01", "2022-03-15"}
    code, out, _ = run("layers", "remove", "exercise zone", "--db", db, "--json")
    assert code == 0 and json.loads(out)["stored"] == 2
    code, _, err = run("layers", "remove", "exercise zone", "--db", db)
    assert code == 2 and "no stored layer" in err


# --- the app --------------------------------------------------------------------------------------------------


def test_app_store_section_and_dated_layers(dated_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    from streamlit.testing.v1 import AppTest

    from geo_app import settings

    monkeypatch.setattr(settings, "DB_PATH", dated_store)
    at = AppTest.from_file(str(settings.PACKAGE_DIR / "ui" / "app.py"), default_timeout=120)
    for key, value in (("reports", {}), ("uploads_seen", set()), ("messages", []), ("analyzed", []),
                       ("playing", False)):
        at.session_state[key] = value  # no sample reports: the archive alone
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["view"] is None and len(at.session_state["stored_found"]) == 2
    at.text_input(key="st_source").input("wire b").run()
    assert len(at.session_state["stored_found"]) == 1
    at.text_input(key="st_source").input("").run()
    at.button(key="st_load_all").click().run()
    view = at.session_state["view"]
    assert len(view["stored_report_ids"]) == 2 and view["date_range"] == ("2022-03-01", "2022-03-20")

    def on(day: str) -> dict:
        d = dt.date.fromisoformat(day)
        at.slider[0].set_value((d, d)).run()
        assert not at.exception, [e.value for e in at.exception]
        return at.session_state["view"]

    assert on("2022-03-05")["user_layers"]["control"]["as_of"] == "2022-03-01"
    assert on("2022-03-20")["user_layers"]["control"]["as_of"] == "2022-03-15"
    assert on("2022-03-01")["user_layers"]["control"]["n"] == 1
    at.slider[0].set_value((dt.date(2022, 3, 1), dt.date(2022, 3, 20))).run()
    at.multiselect(key="ul_test").set_value(["control"]).run()
    checks = {r["report_id"]: r for r in at.session_state["layer_checks"]}
    assert (checks["rA"]["status"], checks["rA"]["layer_date"]) == ("outside", "2022-03-01")
    assert (checks["rB"]["status"], checks["rB"]["layer_date"]) == ("inside", "2022-03-15")
    assert "Place tests (GeoJSON, with layer name and date)" in [b.label for b in at.get("download_button")]

    # add a layer in the app: a hostile attribute stays text in the map's data
    hostile = tmp_path / "hostile.geojson"
    gpd.GeoDataFrame({"name": ["<img src=x onerror=alert(1)>"], "note": ["<script>alert(2)</script>"]},
                     geometry=[laea_square(*KYIV, 20)], crs=4326).to_file(hostile, engine="pyogrio")
    at.file_uploader(key="ul_upload").upload("../../hostile.geojson", hostile.read_bytes(), "application/geo+json")
    at.text_input(key="ul_name").input("zone <b>")
    at.run()
    at.button(key="ul_add").click().run()
    assert not at.exception and any("added zone" in s.value for s in at.success), [e.value for e in at.error]
    assert "zone <b>" in at.session_state["view"]["user_layers"]
    fg = json.loads([c for c in at.get("component_instance")
                     if c.proto.component_name.endswith("st_folium")][0].proto.json_args)["feature_group"]
    assert "\\u003cimg src=x" in fg and "<img src=x" not in fg and "<script>alert" not in fg
    with Store(dated_store) as s:
        assert [u.source_file for u in s.user_layers("zone <b>")] == ["hostile.geojson"]

    # remove a stored report from the app
    rid = at.session_state["stored_found"][0]
    at.multiselect(key="st_pick").set_value([rid]).run()
    at.checkbox(key="st_confirm").check().run()
    at.button(key="st_remove").click().run()
    assert not at.exception
    with Store(dated_store) as s:
        assert s.counts()["reports"] == 1
    assert rid not in at.session_state["view"]["stored_report_ids"]
