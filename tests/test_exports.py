"""Export fidelity: the store and every export open in GDAL 3.6 (Debian 12, QGIS) without a warning.

Real GDAL (``ogrinfo``, skipped with a reason when absent), GDAL 3.6's own ``validate_gpkg.py``
(vendored in ``tests/vendor``), real SQLite and the real pipeline on the sample reports; no mocks.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from geo_app import features as L
from geo_app.io import export as export_mod
from geo_app.io import gpkg
from geo_app.io import store as store_mod
from geo_app._errors import InputError
from geo_app.text.reports import sample_reports
from geo_app.io.export import CSV_MAX_CELL_CHARS, export_bytes
from geo_app.io.gpkg import to_gpkg_blob
from geo_app.io.ingest import ingest_paths
from geo_app.io.store import AnalysisResult, Store, StoredFeature
from geo_app.io import geojson

pyogrio = pytest.importorskip("pyogrio")
jsonschema = pytest.importorskip("jsonschema")

VALIDATOR = Path(__file__).parent / "vendor" / "validate_gpkg.py"
OGRINFO = shutil.which("ogrinfo")
needs_ogrinfo = pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is absent (apt-get install gdal-bin)")

# A report that names an area the samples name too: the export must write that polygon once.
REPEAT = ("Title: Drills go on\nSource: Test Wire\nPublished: 2022-02-16\n\n"
          "More troops arrived in southern Belarus on February 16, officials said.\n")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the sample reports and one more report repeating an area, analysed, closed."""
    from geo_app.batch.distributed import run_analysis

    folder = tmp_path_factory.mktemp("archive")
    reports = folder / "reports"
    reports.mkdir()
    samples = sorted((Path(__file__).parents[1] / "data" / "samples").glob("*.txt"))
    for src in samples:
        shutil.copy(src, reports / src.name)
    (reports / "99_repeat.txt").write_text(REPEAT, encoding="utf-8")
    path = folder / "store.gpkg"
    with Store(path) as store:
        assert len(ingest_paths(store, [reports]).added) == len(samples) + 1
        assert run_analysis(store).analysed == len(samples) + 1
    return path


@pytest.fixture(scope="module")
def exports(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    files = {}
    with Store(archive) as store:
        for name, fmt, excel in (("geojson", "geojson", False), ("gpkg", "gpkg", False), ("csv", "csv", False),
                                 ("excel.csv", "csv", True)):
            files[name] = export_mod.write_atomic(out / f"export.{name}", export_bytes(store, fmt, excel=excel)[0])
    return files


def _polygons(geom: shapely.Geometry) -> list[shapely.Polygon]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in _polygons(part)]


def _wound_as_rfc7946(geom: shapely.Geometry) -> bool:
    return all(shapely.is_ccw(p.exterior) and not any(shapely.is_ccw(r) for r in p.interiors)
               for p in _polygons(geom))


# --- GDAL 3.6 opens everything without a warning ----------------------------------------------------------


@needs_ogrinfo
@pytest.mark.parametrize("name", ["store", "geojson", "gpkg", "csv", "excel.csv"])
def test_ogrinfo_opens_store_and_exports_without_warning(name: str, archive: Path, exports: dict[str, Path]) -> None:
    path = archive if name == "store" else exports[name]
    run = subprocess.run([OGRINFO, "-ro", "-al", "-so", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "ERROR" not in run.stderr, run.stderr
    assert "Feature Count" in run.stdout


@pytest.mark.parametrize("name", ["store", "gpkg"])
def test_gdal_36_validate_gpkg_passes(name: str, archive: Path, exports: dict[str, Path]) -> None:
    path = archive if name == "store" else exports[name]
    run = subprocess.run([sys.executable, str(VALIDATOR), "-k", "--warning-as-error", str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(path, "rb") as fh:
        header = fh.read(100)
    assert int.from_bytes(header[60:64], "big") == gpkg.GPKG_USER_VERSION == 10200  # GeoPackage 1.2


def test_validator_catches_a_14_rtree_trigger_set(exports: dict[str, Path], tmp_path: Path) -> None:
    """The vendored check can fail: what pyogrio's newer GDAL writes by default (1.4) does."""
    import geopandas as gpd

    path = tmp_path / "gdal_default.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs=4326).to_file(path, engine="pyogrio")
    run = subprocess.run([sys.executable, str(VALIDATOR), "-k", str(path)], capture_output=True, text=True,
                         timeout=120)
    if int.from_bytes(path.read_bytes()[60:64], "big") < 10400:
        pytest.skip("this pyogrio's GDAL writes GeoPackage < 1.4 by default")
    assert run.returncode == 1 and "Req 75" in run.stdout


# --- GeoPackage export: dates, types, winding ----------------------------------------------------------


def test_gpkg_export_has_date_columns_single_polygons_and_a_spatial_index(exports: dict[str, Path],
                                                                           archive: Path) -> None:
    con = sqlite3.connect(exports["gpkg"])
    tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    assert tables == ["features_areas", "features_lines", "features_points"]
    for table in tables:
        types = {r[1]: r[2] for r in con.execute(f"PRAGMA table_info({table})")}
        assert (types["published"], types["date_start"], types["date_end"]) == ("DATE", "DATE", "DATE")
        assert (types["measured_km"], types["geonameid"]) == ("DOUBLE", "INTEGER")
        n_geoms = con.execute(f"SELECT count(*) FROM {table} WHERE geom IS NOT NULL").fetchone()[0]
        assert con.execute(f"SELECT count(*) FROM rtree_{table}_geom").fetchone()[0] == n_geoms
    con.close()
    areas = pyogrio.read_dataframe(exports["gpkg"], layer="features_areas")
    with Store(archive, readonly=True) as store:
        stored = store.features_gdf()
    stored_areas = stored[stored["layer"].isin(L.AREA_LAYERS)]
    # A single Polygon stays a Polygon (not promoted to MultiPolygon), and the reverse.
    assert set(areas.geometry.geom_type) == set(stored_areas.geometry.geom_type)
    assert "Polygon" in set(areas.geometry.geom_type)
    assert all(_wound_as_rfc7946(g) for g in areas.geometry)
    dates = pyogrio.read_dataframe(exports["gpkg"], layer="features_points", read_geometry=False)
    assert str(dates["published"].dtype).startswith("datetime64") or all(
        hasattr(d, "year") for d in dates["published"].dropna())  # GDAL read a Date, not text


def test_winding_is_rfc7946_in_every_format_and_the_store(exports: dict[str, Path], archive: Path) -> None:
    fc = json.loads(exports["geojson"].read_text(encoding="utf-8"))
    polys = [shapely.geometry.shape(f["geometry"]) for f in fc["features"]
             if f["geometry"] and "Polygon" in f["geometry"]["type"]]
    assert polys and all(_wound_as_rfc7946(g) for g in polys)
    rows = list(csv.DictReader(io.StringIO(exports["csv"].read_text(encoding="utf-8"))))
    wkts = [shapely.from_wkt(r["wkt"]) for r in rows if r["wkt"].startswith(("POLYGON", "MULTIPOLYGON"))]
    assert len(wkts) == len(polys) and all(_wound_as_rfc7946(g) for g in wkts)
    with Store(archive, readonly=True) as store:
        blobs = [gpkg.from_gpkg_blob(f.geometry) for _, f in store.features() if f.geometry is not None]
    assert all(_wound_as_rfc7946(g) for g in blobs)
    clockwise = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    assert not shapely.is_ccw(clockwise.exterior)
    assert _wound_as_rfc7946(gpkg.from_gpkg_blob(to_gpkg_blob(clockwise)))


# --- repeated areas once, with their mentions -----------------------------------------------------------


def test_repeated_areas_are_written_once_with_their_mentions(exports: dict[str, Path], archive: Path) -> None:
    with Store(archive, readonly=True) as store:
        stored = store.features_gdf()
        full = json.loads(geojson.to_geojson_text(stored))
        data, counts = export_bytes(store, "geojson")
    fc = json.loads(data)
    assert list(jsonschema.Draft202012Validator(json.loads(
        (Path(__file__).parents[1] / "schema" / "feature.schema.json").read_text())).iter_errors(fc)) == []
    areas = [f for f in fc["features"] if f["properties"]["layer"] in L.AREA_LAYERS]
    keys = [(f["properties"]["layer"], f["properties"]["place_key"], json.dumps(f["geometry"])) for f in areas]
    assert len(keys) == len(set(keys))  # each area once
    stored_areas = stored[stored["layer"].isin(L.AREA_LAYERS)]
    mentions = [m for f in areas for m in f["properties"]["mentions"]]
    assert sorted(m["feature_id"] for m in mentions) == sorted(stored_areas["feature_id"])  # none lost
    assert counts["areas_merged"] == len(stored_areas) - len(areas) > 0
    assert len(fc["features"]) == len(full["features"]) - counts["areas_merged"]
    repeated = [f for f in areas if len(f["properties"]["mentions"]) > 1]
    south = next(f for f in repeated if f["properties"]["layer"] == "direction_regions")
    reports = {m["report_id"] for m in south["properties"]["mentions"]}
    assert len(reports) == 2  # the sample's and the repeat's
    p = south["properties"]
    assert p["date_start"] == min(m["date_start"] for m in p["mentions"])
    assert p["date_end"] == max(m["date_end"] for m in p["mentions"])
    assert len(data) < len(geojson.to_geojson_text(stored).encode())
    assert all("mentions" not in f["properties"] for f in fc["features"] if f not in areas)


# --- the store: columns, index, journal, read-only media -------------------------------------------------


def test_store_features_have_claim_columns_equal_to_their_json(archive: Path) -> None:
    con = sqlite3.connect(f"{archive.as_uri()}?mode=ro", uri=True)
    cols = {r[1]: r[2] for r in con.execute("PRAGMA table_info(features)")}
    for column, _, sql_type in store_mod.FEATURE_PROPERTY_COLUMNS:
        assert cols[column] == sql_type
    assert (cols["date_start"], cols["date_end"], cols["published"]) == ("DATE", "DATE", "DATE")
    rows = con.execute("SELECT verdict, measured_km, claim_type, layer, geonameid, properties FROM features").fetchall()
    claims = [r for r in rows if r[3] == "claims"]
    assert claims and any(r[0] for r in claims) and any(r[1] is not None for r in claims)
    for verdict, km, ctype, layer, gid, props in rows:
        p = json.loads(props)
        assert (verdict, ctype, layer, gid) == (p.get("verdict"), p.get("claim_type"), p.get("layer"),
                                                p.get("geonameid"))
        assert km == pytest.approx(p.get("measured_km")) if km is not None else p.get("measured_km") is None
    n = con.execute("SELECT count(*) FROM features WHERE geom IS NOT NULL").fetchone()[0]
    assert con.execute("SELECT count(*) FROM rtree_features_geom").fetchone()[0] == n
    con.close()
    gdf = pyogrio.read_dataframe(archive, layer="features", where="verdict IS NOT NULL")  # what QGIS filters on
    assert len(gdf) == sum(1 for r in claims if r[0])


def test_spatial_index_follows_writes_and_removals(tmp_path: Path) -> None:
    with Store(tmp_path / "s.gpkg") as store:
        rid, _ = store.add_report(sample_reports()[0])
        feats = (StoredFeature(to_gpkg_blob(shapely.Point(30.98, 52.43)), {"feature_id": "a", "layer": "places"}),
                 StoredFeature(to_gpkg_blob(shapely.box(23, 51, 32, 52.5)), {"feature_id": "b", "layer": "x"}),
                 StoredFeature(None, {"feature_id": "c", "layer": "claims", "verdict": "supported",
                                      "measured_km": 87.3}))
        record = {"id": "k", "geo_app_version": "t", "schema_version": "1.0"}
        store.commit_analyses([AnalysisResult(rid, record, feats, "d")])
        con = sqlite3.connect(store.path)
        hits = con.execute("SELECT id FROM rtree_features_geom WHERE maxx >= 30 AND minx <= 31 AND maxy >= 52.4 "
                           "AND miny <= 52.5 ORDER BY id").fetchall()
        assert len(hits) == 2
        assert con.execute("SELECT verdict, measured_km FROM features WHERE feature_id = 'c'").fetchone() == (
            "supported", 87.3)
        con.close()
        store.remove([rid])
        con = sqlite3.connect(store.path)
        assert con.execute("SELECT count(*) FROM rtree_features_geom").fetchone()[0] == 0
        con.close()


def test_closed_store_is_not_in_wal_mode_until_the_last_close(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    first = Store(path)
    second = Store(path)
    first.add_report(sample_reports()[0])
    first.close()
    assert path.read_bytes()[18:20] == b"\x02\x02"  # another connection is open: still WAL
    assert second.counts()["reports"] == 1
    second.close()
    assert path.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: readers need not write
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def test_readonly_store_reads_and_refuses_writes(archive: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.gpkg"
    shutil.copy(archive, copy)
    before = copy.read_bytes()
    with Store(copy, readonly=True) as store:
        assert store.readonly and store.counts()["features"] > 0 and len(store.features_gdf()) > 0
        with pytest.raises(InputError, match="read-only"):
            store.add_report(sample_reports()[0])
    assert copy.read_bytes() == before


def _readonly_mount_script(folder: Path, code: str) -> list[str] | None:
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    if unshare is None or mount is None:
        return None
    probe = subprocess.run([unshare, "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return [unshare, "-rm", "sh", "-c",
            f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && '
            f'"{sys.executable}" -c "$0"', code]


def test_store_on_read_only_media_opens_in_sqlite_gdal_and_geo_app(archive: Path, tmp_path: Path) -> None:
    """A real read-only file system (a bind mount remounted read-only in a user namespace)."""
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(archive, media / "store.gpkg")
    code = (
        "import sqlite3, sys, pathlib\n"
        f"p = pathlib.Path({str(media / 'store.gpkg')!r})\n"
        "con = sqlite3.connect(p.as_uri() + '?mode=ro', uri=True)\n"
        "print('sqlite', con.execute('SELECT count(*) FROM features').fetchone()[0])\n"
        "con.close()\n"
        "from geo_app.io.store import Store\nfrom geo_app.io.export import export_bytes\n"
        "with Store(p) as s:\n"
        "    print('geo_app', s.readonly, export_bytes(s, 'geojson')[1]['features'])\n"
    )
    cmd = _readonly_mount_script(media, code)
    if cmd is None:
        pytest.skip("cannot mount a read-only file system here (no unprivileged user namespaces)")
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1]),
                              "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert int(lines["sqlite"]) > 0 and lines["geo_app"].startswith("True ")
    if OGRINFO:
        ro = subprocess.run([*cmd[:4], f'mount --bind "{media}" "{media}" && mount -o remount,ro,bind "{media}" && '
                             f'{OGRINFO} -ro -al -so "{media / "store.gpkg"}"'], capture_output=True, text=True,
                            timeout=120)
        assert ro.returncode == 0 and "Warning" not in ro.stderr, ro.stderr


# --- CSV: Excel ----------------------------------------------------------------------------------------


def test_excel_csv_has_a_bom_and_crlf(exports: dict[str, Path]) -> None:
    raw = exports["excel.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert not exports["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    plain = list(csv.reader(io.StringIO(exports["csv"].read_text(encoding="utf-8"))))
    excel = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert excel == plain


def test_no_csv_cell_over_excels_limit(tmp_path: Path) -> None:
    """A polygon whose WKT is over three times Excel's cell limit is simplified, and says so."""
    import math

    ring = [(27 + 3 * math.cos(t / 4000 * 2 * math.pi) + 0.01 * math.sin(t), 53 + 2 * math.sin(t / 4000 * 2 * math.pi))
            for t in range(12_000)]
    big = shapely.Polygon(ring).buffer(0)
    assert len(shapely.to_wkt(big, rounding_precision=6)) > 3 * CSV_MAX_CELL_CHARS
    with Store(tmp_path / "s.gpkg") as store:
        rid, _ = store.add_report(sample_reports()[0])
        props = {"feature_id": "k:m0:area", "layer": "direction_regions", "kind": "qualified", "name": "big",
                 "report_id": "k", "quote": "x" * 40_000, "place_key": "k1"}
        store.commit_analyses([AnalysisResult(rid, {"id": "k", "geo_app_version": "t", "schema_version": "1.0"},
                                              (StoredFeature(to_gpkg_blob(big), props),), "d")])
        data, _ = export_bytes(store, "csv", excel=True)
        gj = json.loads(export_bytes(store, "geojson")[0])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert max(len(v.encode("utf-16-le")) // 2 for row in rows for v in row.values() if v) <= CSV_MAX_CELL_CHARS
    (row,) = rows
    assert float(row["wkt_simplified_deg"]) > 0
    simplified = shapely.from_wkt(row["wkt"])
    assert simplified.is_valid and simplified.area == pytest.approx(big.area, rel=0.02)
    assert "cut at 32,767 characters of 40,000" in row["quote"]
    assert len(gj["features"][0]["geometry"]["coordinates"][0]) > 5_000  # GeoJSON keeps the full polygon


def test_cli_export_excel(archive: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from geo_app.ui.cli import app

    db = tmp_path / "s.gpkg"
    shutil.copy(archive, db)
    out = tmp_path / "x.csv"
    res = CliRunner().invoke(app, ["export", "--format", "csv", "--excel", str(out), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and json.loads(res.stdout)["areas_merged"] > 0
    bad = CliRunner().invoke(app, ["export", "--format", "gpkg", "--excel", str(tmp_path / "x.gpkg"), "--db", str(db)])
    assert bad.exit_code == 2 and not (tmp_path / "x.gpkg").exists()


# --- region polygons carry their own identity ------------------------------------------------------------


def test_region_polygons_carry_their_own_geonames_id_and_adm1(archive: Path) -> None:
    from geo_app.places import borders

    with Store(archive, readonly=True) as store:
        gdf = store.features_gdf()
    regions = gdf[gdf["layer"] == "direction_admin1"]
    assert not regions.empty
    countries = set(gdf.loc[gdf["layer"] == "countries", "geonameid"].dropna().astype(int))
    for _, row in regions.iterrows():
        assert (row["feature_class"], row["feature_code"]) == ("A", "ADM1")
        assert int(row["geonameid"]) == int(borders.region(row["place_key"])["gn_id"])
        assert int(row["geonameid"]) not in countries
    derived = gdf[gdf["layer"] == "direction_regions"]  # "southern Belarus" is still the country's part
    assert set(derived["feature_code"]) == {"PCLI"}


# --- HTML -------------------------------------------------------------------------------------------------


def test_standalone_html_has_an_escaped_title(archive: Path) -> None:
    from geo_app.render import maps

    with Store(archive, readonly=True) as store:
        gdf = store.features_gdf()
    page = maps.export_html(gdf, title='Belarus <script>alert(1)</script> & "drills"')
    head = page[:page.index("<body")] if "<body" in page else page
    assert "<title>Belarus &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;drills&quot;</title>" in head
    assert "<script>alert(1)" not in page


def test_reading_the_store_leaves_the_file_untouched(archive: Path, tmp_path: Path) -> None:
    """The app keys its cache on the file's modification time and size: a reader must not change them."""
    copy = tmp_path / "copy.gpkg"
    shutil.copy(archive, copy)
    with Store(copy):
        pass  # any migration happens here, once
    before = (copy.stat().st_mtime_ns, copy.stat().st_size, copy.read_bytes())
    for _ in range(3):
        with Store(copy) as store:
            assert store.counts()["features"] > 0 and len(store.features_gdf()) > 0
    assert (copy.stat().st_mtime_ns, copy.stat().st_size, copy.read_bytes()) == before
    assert not Path(f"{copy}-wal").exists()
