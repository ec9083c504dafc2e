"""The report store: GeoPackage validity, duplicates, search, removal, versions, migration, crashes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import shapely

from geo_app.io import export as export_mod
from geo_app.io import gpkg
from geo_app.io import store as store_mod
from geo_app._errors import DataError, InputError, NotFoundError
from geo_app.text.reports import Report
from geo_app.io.export import export_bytes, neutralise_formulas
from geo_app.io.gpkg import from_gpkg_blob, to_gpkg_blob
from geo_app.io.store import AnalysisResult, Store, StoredFeature

pyogrio = pytest.importorskip("pyogrio")


def _report(text: str, *, source: str = "Wire", published: str | None = "2022-02-10", title: str = "") -> Report:
    return Report(text=text, source=source, published=dt.date.fromisoformat(published) if published else None,
                  title=title)


def _feature(lon: float, lat: float, *, name: str, report_key: str, **props: object) -> StoredFeature:
    return StoredFeature(to_gpkg_blob(shapely.Point(lon, lat)),
                         {"feature_id": f"{report_key}:{name}", "kind": "place", "layer": "places", "name": name,
                          "report_id": report_key, **props})


def _result(report_id: int, report_key: str, *, version: str = "0.1.0", data: str = "d1",
            features: tuple[StoredFeature, ...] = ()) -> AnalysisResult:
    record = {"id": report_key, "mentions": [], "geo_app_version": version, "schema_version": "1.0"}
    return AnalysisResult(report_id, record, features, data)


@pytest.fixture
def db(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.gpkg") as s:
        yield s


# --- GeoPackage -----------------------------------------------------------------------------------


@pytest.mark.parametrize("geom", [
    shapely.Point(27.56, 53.9),
    shapely.LineString([(30.5, 50.45), (27.56, 53.9)]),
    shapely.Polygon([(23, 51), (32, 51), (32, 52.5), (23, 52.5)]),
    shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 7)]),
])
def test_gpkg_blob_round_trip_and_envelope(geom: shapely.Geometry) -> None:
    blob = to_gpkg_blob(geom)
    assert blob[:2] == b"GP" and int.from_bytes(blob[4:8], "little") == 4326
    assert from_gpkg_blob(blob).equals_exact(geom, 0)
    assert gpkg.blob_bounds(blob) == pytest.approx(geom.bounds)


def test_gpkg_blob_empty_and_garbage() -> None:
    blob = to_gpkg_blob(shapely.Point())
    assert blob[3] & 0b10000  # empty flag
    assert from_gpkg_blob(blob).is_empty
    with pytest.raises(DataError):
        from_gpkg_blob(b"XX\x00\x01\x00\x00\x00\x00")


def test_store_is_a_geopackage_gdal_reads(db: Store) -> None:
    rid, _ = db.add_report(_report("Troops gathered near Gomel."))
    poly = shapely.Polygon([(23, 51), (32, 51), (32, 52.5), (23, 52.5)])
    feats = (_feature(30.98, 52.43, name="Gomel", report_key="k1"),
             StoredFeature(to_gpkg_blob(poly), {"feature_id": "k1:a", "kind": "qualified", "name": "south Belarus"}),
             StoredFeature(None, {"feature_id": "k1:c", "kind": "claim", "name": "unmeasured"}))
    assert db.commit_analyses([_result(rid, "k1", features=feats)]).committed == 1
    con = sqlite3.connect(db.path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == gpkg.GPKG_APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == gpkg.GPKG_USER_VERSION
    extent = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name='features'").fetchone()
    assert extent == pytest.approx((23, 51, 32, 52.5))
    con.close()
    layers = dict(pyogrio.list_layers(db.path))
    assert {"features", "reports", "analyses"} <= set(layers)
    gdf = pyogrio.read_dataframe(db.path, layer="features")
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == 3 and gdf.geometry.isna().sum() == 1
    assert gdf.geometry.iloc[0].equals_exact(shapely.Point(30.98, 52.43), 0)
    assert gdf.geometry.iloc[1].equals_exact(poly, 0)
    reports = pyogrio.read_dataframe(db.path, layer="reports", read_geometry=False)
    assert list(reports["text"]) == ["Troops gathered near Gomel."]


# --- reports: duplicates, search, removal -----------------------------------------------------


def test_duplicate_report_is_stored_once(db: Store) -> None:
    first = db.add_report(_report("Convoys crossed at Mazyr."), "a.txt")
    # Same content after normalisation (line ends, trailing space), other metadata: a duplicate.
    again = db.add_reports([(_report("Convoys crossed at Mazyr.\r\n  ", source="Other"), "b.txt"),
                            (_report("A different report."), "c.txt")])
    assert first == (1, True)
    assert again == [(1, False), (2, True)]
    assert db.counts()["reports"] == 2
    assert db.get(1).source == "Wire" and db.get(1).origin == "a.txt"


def test_search_by_text_source_and_dates(db: Store) -> None:
    db.add_reports([
        (_report("Drills in southern Belarus near GOMEL.", source="Harbour Wire", published="2022-02-03"), ""),
        (_report("Warships in the Black Sea.", source="Meridian Daily", published="2022-02-11"), ""),
        (_report("Convoys near Gomel and Mazyr.", source="Field Notes", published="2022-02-14"), ""),
        (_report("Gomel, undated.", source="Field Notes", published=None), ""),
    ])
    assert [r.id for r in db.search("gomel")] == [1, 3, 4]
    assert [r.id for r in db.search("Gomel mazyr")] == [3]
    assert [r.id for r in db.search(source="field")] == [3, 4]
    assert [r.id for r in db.search(date_from="2022-02-05")] == [2, 3]
    assert [r.id for r in db.search("gomel", date_to=dt.date(2022, 2, 13))] == [1]
    assert db.search("nowhere") == []
    assert db.search("sea", with_text=True)[0].text.startswith("Warships")
    assert [r.id for r in db.list(limit=2)] == [1, 2]
    assert db.date_span() == (dt.date(2022, 2, 3), dt.date(2022, 2, 14))
    with pytest.raises(InputError):
        db.search(date_from="10/02/2022")


def test_remove_takes_analyses_and_features_and_is_all_or_nothing(db: Store) -> None:
    ids = [rid for rid, _ in db.add_reports([(_report(f"Report {i} on Minsk."), "") for i in range(3)])]
    db.commit_analyses([_result(i, f"k{i}", features=(_feature(27.5, 53.9, name="Minsk", report_key=f"k{i}"),))
                        for i in ids])
    with pytest.raises(NotFoundError, match="99"):
        db.remove([ids[0], 99])
    assert db.counts() == {"reports": 3, "analysed": 3, "pending": 0, "features": 3}
    assert db.remove([ids[0], ids[0]]) == [ids[0]]
    assert db.counts() == {"reports": 2, "analysed": 2, "pending": 0, "features": 2}
    with pytest.raises(NotFoundError):
        db.get(ids[0])
    new_id, added = db.add_report(_report("Report 0 on Minsk."))  # ids are never reused
    assert added and new_id > max(ids)


# --- analyses: versions, pending, exactly once --------------------------------------------------


def test_reanalysis_replaces_only_when_committed(db: Store) -> None:
    rid, _ = db.add_report(_report("Troops near Brest."))
    old = _feature(23.7, 52.1, name="Brest", report_key="k")
    assert db.commit_analyses([_result(rid, "k", features=(old,))]).committed == 1
    before = db.analysis(rid)
    # The same versions again: nothing done twice.
    assert db.commit_analyses([_result(rid, "k", features=(old,))]).unchanged == 1
    assert db.analysis(rid) == before
    # A newer version that fails half-way through its commit leaves the old result whole.
    bad = StoredFeature(old.geometry, {"name": "bad", "value": object()})  # not JSON: fails after the delete
    with pytest.raises(TypeError):
        db.commit_analyses([_result(rid, "k", version="0.2.0", features=(old, bad))])
    assert db.analysis(rid) == before and db.counts()["features"] == 1
    assert db.pending_ids(current=("0.2.0", "d1", "1.0")) == [rid]
    assert db.pending_ids(current=("0.1.0", "d1", "1.0")) == []
    counts = db.commit_analyses([_result(rid, "k", version="0.2.0", features=(old, old))])
    assert (counts.committed, counts.replaced) == (1, 1)
    assert db.analysis(rid)["geo_app_version"] == "0.2.0" and db.counts()["features"] == 2


def test_pending_since_and_failed_results(db: Store) -> None:
    db.add_reports([(_report("A", published="2022-01-01"), ""), (_report("B", published="2022-03-01"), ""),
                    (_report("C", published=None), "")])
    assert db.pending_ids() == [1, 2, 3]
    assert db.pending_ids(since="2022-02-01") == [2]
    counts = db.commit_analyses([AnalysisResult(1, None, error="boom"), _result(2, "b"), _result(77, "gone")])
    assert (counts.committed, counts.gone) == (1, 1)
    assert db.pending_ids() == [1, 3]
    assert [p.text for p in db.load_pending([3, 1, 99])] == ["C", "A"]


def test_features_date_window(db: Store) -> None:
    rid, _ = db.add_report(_report("x", published="2022-02-10"))
    feats = (_feature(1, 1, name="dated", report_key="k", date_start="2022-02-01", date_end="2022-02-05"),
             _feature(2, 2, name="published", report_key="k"))
    db.commit_analyses([_result(rid, "k", features=feats)])

    def names(**kw: object) -> list[str]:
        return [f.properties["name"] for _, f in db.features(**kw)]

    assert names() == ["dated", "published"]
    assert names(date_from="2022-02-05", date_to="2022-02-05") == ["dated"]
    assert names(date_from="2022-02-06") == ["published"]
    assert names(date_to="2022-01-31") == []
    assert db.date_span() == (dt.date(2022, 2, 1), dt.date(2022, 2, 10))


# --- export -------------------------------------------------------------------------------------------


def test_export_formats_and_csv_formula_neutralised(db: Store, tmp_path: Path) -> None:
    rid, _ = db.add_report(_report("x"))
    feats = (_feature(-92.4451, 31.3113, name="=HYPERLINK(\"http://x\",\"y\")", report_key="k"),
             _feature(10.0, 50.0, name="+49 Berlin", report_key="k", quote="@SUM(A1)", reason="-1+2"),
             _feature(11.0, 51.0, name="Plain", report_key="k"))
    db.commit_analyses([_result(rid, "k", features=feats)])

    text, counts = export_bytes(db, "csv")
    assert counts == {"features": 3, "reports": 1, "areas_merged": 0}
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert rows[0]["name"].startswith("'=HYPERLINK") and rows[1]["name"] == "'+49 Berlin"
    assert rows[1]["quote"] == "'@SUM(A1)" and rows[1]["reason"] == "'-1+2"
    assert rows[2]["name"] == "Plain"
    assert float(rows[0]["lon"]) == pytest.approx(-92.4451)  # numbers are not formulas: left alone
    assert not any(v.startswith(("=", "+", "@")) for row in rows for v in row.values())

    gj, _ = export_bytes(db, "geojson")
    collection = json.loads(gj)
    assert [f["properties"]["name"] for f in collection["features"]][2] == "Plain"
    assert collection["features"][0]["geometry"]["coordinates"] == pytest.approx([-92.4451, 31.3113])

    out = tmp_path / "out.gpkg"
    export_mod.write_atomic(out, export_bytes(db, "gpkg")[0])
    layer = pyogrio.list_layers(out)[0][0]
    gdf = pyogrio.read_dataframe(out, layer=layer)
    assert len(gdf) == 3 and gdf.crs.to_epsg() == 4326
    with pytest.raises(InputError, match="format"):
        export_bytes(db, "shp")
    with pytest.raises(InputError, match="after it ends"):
        export_bytes(db, "csv", date_from="2022-03-01", date_to="2022-02-01")


def test_neutralise_formulas_leaves_numbers_and_safe_text() -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": ["=1+1", "ok", None, "\tx"], "n": [-1.5, 2.0, 3.0, -4.0]})
    out = neutralise_formulas(frame)
    assert [v if isinstance(v, str) else None for v in out["a"]] == ["'=1+1", "ok", None, "'\tx"]
    assert list(out["n"]) == [-1.5, 2.0, 3.0, -4.0]
    assert list(frame["a"])[0] == "=1+1"  # a copy


# --- schema: versions and migration -----------------------------------------------------------------


def _write_v1_store(path: Path) -> None:
    """A store as geo_app schema 1 wrote it (no data_version, no language)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.execute(f"PRAGMA application_id = {gpkg.GPKG_APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {gpkg.GPKG_USER_VERSION}")
    gpkg.executescript_in_tx(con, store_mod.MIGRATIONS[0])
    con.execute("INSERT INTO geo_app_meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO reports (report_key, title, text, source, url, published, content_hash, origin, added_at) "
                "VALUES ('r1', 'T', 'Troops near Gomel.', 'Wire', '', '2022-02-10', 'h1', 'a.txt', "
                "'2022-02-11T00:00:00.000Z')")
    con.execute("INSERT INTO analyses (report_id, geo_app_version, schema_version, record, committed_at) "
                "VALUES (1, '0.0.9', '1.0', '{\"id\": \"r1\"}', '2022-02-11T00:00:01.000Z')")
    con.execute("INSERT INTO features (geom, report_id, analysis_id, kind, name, date_start, date_end, published, "
                "properties) VALUES (?, 1, 1, 'place', 'Gomel', '2022-02-10', '2022-02-10', '2022-02-10', ?)",
                (to_gpkg_blob(shapely.Point(30.98, 52.43)),
                 json.dumps({"name": "Gomel", "layer": "places", "geonameid": 627907, "confidence": 0.9})))
    con.execute("COMMIT")
    con.close()


def test_migrates_a_v1_store_keeping_everything(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    _write_v1_store(path)
    with Store(path) as s:
        assert s.schema_version == store_mod.SCHEMA_VERSION == 4
        report = s.get(1)
        assert (report.text, report.language, report.origin, report.published) == (
            "Troops near Gomel.", "en", "a.txt", dt.date(2022, 2, 10))
        old = s.analysis(1)
        assert old["data_version"] == "unknown" and old["record"] == {"id": "r1"}
        # The old analysis is kept, and counts as outdated against the current versions.
        assert s.pending_ids() == [] and s.pending_ids(current=("0.1.0", "d", "1.0")) == [1]
        assert [f.properties["name"] for _, f in s.features()] == ["Gomel"]
        new_id, added = s.add_report(_report("After the migration."))
        assert added and s.get(new_id).language == "en"
    with Store(path) as s:  # reopening does not migrate again
        assert s.schema_version == 4 and s.counts()["reports"] == 2
    con = sqlite3.connect(path)  # schema 4: properties became columns, and the R-tree holds the old row
    assert con.execute("SELECT layer, geonameid, confidence FROM features").fetchall() == [("places", 627907, 0.9)]
    assert con.execute("SELECT minx, miny FROM rtree_features_geom").fetchall() == [
        pytest.approx((30.98, 52.43), abs=1e-4)]
    assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
    con.close()
    assert len(pyogrio.read_dataframe(path, layer="features")) == 1


def test_a_crash_during_migration_leaves_v1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.gpkg"
    _write_v1_store(path)
    broken = store_mod.MIGRATIONS[1] + "\nCREATE TABLE reports (x);\n"  # fails after the first statements
    monkeypatch.setattr(store_mod, "MIGRATIONS", (store_mod.MIGRATIONS[0], broken))
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM geo_app_meta WHERE key='schema_version'").fetchone() == ("1",)
    assert "data_version" not in [r[1] for r in con.execute("PRAGMA table_info(analyses)")]
    con.close()


def test_refuses_newer_schema_and_foreign_files(tmp_path: Path) -> None:
    newer = tmp_path / "newer.gpkg"
    Store(newer).close()
    con = sqlite3.connect(newer)
    con.execute("UPDATE geo_app_meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(DataError, match="newer"):
        Store(newer)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="not a geo_app store"):
        Store(other)
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="not a geo_app store"):
        Store(junk)
    with pytest.raises(InputError, match="folder"):
        Store(tmp_path)


# --- crash safety: a real kill -9 in the middle of a write transaction --------------------------------


def test_kill_9_mid_transaction_keeps_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "crash.gpkg"
    with Store(path) as s:
        s.add_reports([(_report(f"Committed report {i}."), "") for i in range(5)])
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import datetime as dt, pathlib, time
        from geo_app.text.reports import Report
        from geo_app.io.store import Store
        def reports():
            for i in range(1000):
                yield Report(text=f"Uncommitted report {{i}}."), ""
                if i == 500:
                    pathlib.Path({str(ready)!r}).write_text("x")
                    time.sleep(60)
        Store({str(path)!r}).add_reports(reports())
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, "the writer ended early"
            assert time.monotonic() < deadline, "the writer never got mid-transaction"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    with Store(path) as s:
        assert s.counts()["reports"] == 5
        assert s.search("uncommitted") == []
        assert s._con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert s.add_report(_report("After the crash."))[1]


def test_point_bounds_read_in_place_equal_the_parsed_geometry() -> None:
    import struct

    import shapely

    from geo_app.io.gpkg import blob_bounds, from_gpkg_blob, to_gpkg_blob

    for point in (shapely.Point(27.56, 53.9), shapely.Point(-0.5, -33.25), shapely.Point(1, 2, 3)):
        blob = to_gpkg_blob(point)
        assert blob_bounds(blob) == from_gpkg_blob(blob).bounds
    big_endian = b"GP" + bytes([0, 0]) + struct.pack("<i", 4326) + shapely.to_wkb(
        shapely.Point(3.5, -4.0), flavor="iso", byte_order=0)
    assert blob_bounds(big_endian) == (3.5, -4.0, 3.5, -4.0)
    line = to_gpkg_blob(shapely.LineString([(0, 0), (2, 5)]))
    assert blob_bounds(line) == (0.0, 0.0, 2.0, 5.0)
