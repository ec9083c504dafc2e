"""The report store: every report and its analysis in one SQLite file that is also a GeoPackage.

One file (``settings.DB_PATH``, or ``--db PATH``) holds

* ``reports``: text, source, URL, publication date, language, content hash (unique: the
  same report twice is stored once), where it came from and when it was added;
* ``analyses``: one committed analysis per report (the :meth:`Analysis.to_record` JSON)
  with the geo_app, data and schema versions that produced it;
* ``features``: the map features of each analysis (WGS84, EPSG:4326) as GeoPackage
  geometry blobs, with their properties as JSON and, so QGIS can style and filter on them,
  as real columns too (``verdict``, ``measured_km``, ``layer``, ``geonameid``, ... see
  :data:`FEATURE_PROPERTY_COLUMNS`); dates are ``DATE`` columns.

Why the store *is* a GeoPackage rather than exported to one: QGIS (or any GDAL client)
opens the archive itself, with no export step to forget. The GeoPackage core tables
(``gpkg_spatial_ref_sys``, ``gpkg_contents``, ``gpkg_geometry_columns``) are written here
with the standard library; ``reports`` and ``analyses`` are registered as attribute
tables, ``features`` and ``user_layer_features`` as feature tables with an R-tree spatial
index (``gpkg_rtree_index``). The file declares GeoPackage 1.2 (``user_version`` 10200): it
uses nothing of 1.3/1.4, and GDAL 3.6 (Debian 12, and the QGIS built on it) warns on 1.4
files and checks them against the 1.4 R-tree trigger set. The R-tree triggers call the
GeoPackage SQL functions ``ST_IsEmpty``/``ST_MinX``/...; every connection of this module
registers them (GDAL registers its own).

Every write runs in one ``BEGIN IMMEDIATE`` transaction in WAL mode (switched on by the first
write of a connection: reading never modifies the file) with ``synchronous=FULL``: a crash or
``kill -9`` mid-write leaves the previous state. Closing the last connection checkpoints the
WAL and switches the file back to the rollback journal (``journal_mode=DELETE``), so a copy on read-only media (a DVD, a read-only share) opens in
any SQLite or GDAL reader; ``Store(path, readonly=True)`` (chosen by itself when the file
cannot be written) reads such a copy without writing to it. The schema version lives in
``geo_app_meta`` (``PRAGMA user_version`` belongs to GeoPackage); opening an older file
migrates it, each step in its own transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
import numpy as np

import pandas as pd

from geo_app import settings
from geo_app._errors import DataError, InputError, LimitExceededError, NotFoundError
from geo_app.text.reports import REPORT_SUFFIXES, Report, iter_jsonl_reports, read_report_file
from geo_app import features as layers
from geo_app.layers.load import UserLayer, empty_layer_gdf, layer_frame

#: Schema version written by this geo_app (see ``_MIGRATIONS``).
SCHEMA_VERSION = 4
#: GeoPackage ``application_id`` ("GPKG") and ``user_version`` (1.2.0: the newest version
#: GDAL 3.6 reads without a warning; nothing of 1.3/1.4 is used).
GPKG_APPLICATION_ID = 0x47504B47
GPKG_USER_VERSION = 10200
#: Spatial reference of every stored geometry.
SRS_ID = 4326
#: File types ``ingest`` reads from a folder (report files and JSONL batches).
INGEST_SUFFIXES = (*REPORT_SUFFIXES, ".jsonl")

# Private defaults (candidates for geo_app.settings).

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
    'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_GPKG_CORE = f"""
CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
INSERT INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
    ('WGS 84 geodetic', {SRS_ID}, 'EPSG', 4326, '{_WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees');
"""

# Schema 1: the first layout (kept verbatim: a new store is built by running every migration).
_SCHEMA_V1 = _GPKG_CORE + """
CREATE TABLE geo_app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT, report_key TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL, source TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '', published DATE,
    content_hash TEXT NOT NULL UNIQUE, origin TEXT NOT NULL DEFAULT '', added_at DATETIME NOT NULL);
CREATE TABLE analyses (
    id INTEGER PRIMARY KEY AUTOINCREMENT, report_id INTEGER NOT NULL UNIQUE REFERENCES reports(id),
    geo_app_version TEXT NOT NULL, schema_version TEXT NOT NULL, record TEXT NOT NULL,
    committed_at DATETIME NOT NULL);
CREATE TABLE features (
    fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, report_id INTEGER NOT NULL REFERENCES reports(id),
    analysis_id INTEGER NOT NULL REFERENCES analyses(id), kind TEXT, name TEXT, date_start DATE, date_end DATE,
    published DATE, properties TEXT NOT NULL);
CREATE INDEX features_report ON features(report_id);
CREATE INDEX features_dates ON features(date_start, date_end);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
    ('features', 'features', 'geo_app features', 'Places, regions and claims found in stored reports', 4326),
    ('reports', 'attributes', 'geo_app reports', 'Stored news reports', NULL),
    ('analyses', 'attributes', 'geo_app analyses', 'Analysis record (JSON) of each report', NULL);
INSERT INTO gpkg_geometry_columns VALUES ('features', 'geom', 'GEOMETRY', 4326, 0, 0);
"""

# Schema 2: analyses record the data version (gazetteer, borders, model) next to the code
# version, so a data update can be told from a code update; reports keep their language.
_SCHEMA_V2 = """
ALTER TABLE analyses ADD COLUMN data_version TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE reports ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
CREATE INDEX reports_published ON reports(published);
"""

# Schema 3: boundary layers users add (geo_app.layers): one row per added file in
# ``user_layers`` (files added under one name form a dated series), their features (WGS84)
# in the feature table ``user_layer_features`` so QGIS shows them beside the reports'.
_SCHEMA_V3 = """
CREATE TABLE user_layers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, source_file TEXT NOT NULL, source_layer TEXT,
    source_crs TEXT NOT NULL, geometry_type TEXT NOT NULL, feature_count INTEGER NOT NULL, date_start DATE,
    date_end DATE, date_field TEXT, notes TEXT NOT NULL DEFAULT '[]', repairs TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL, added_at DATETIME NOT NULL);
CREATE INDEX user_layers_name ON user_layers(name);
CREATE TABLE user_layer_features (
    fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, layer_id INTEGER NOT NULL REFERENCES user_layers(id),
    layer_name TEXT NOT NULL, feature_key TEXT NOT NULL, name TEXT, date_start DATE, date_end DATE,
    properties TEXT NOT NULL);
CREATE INDEX user_layer_features_layer ON user_layer_features(layer_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
    ('user_layer_features', 'features', 'geo_app user layers', 'Boundary layers added by users (WGS84)', 4326),
    ('user_layers', 'attributes', 'geo_app user layer files', 'Files added as user layers, with CRS and dates', NULL);
INSERT INTO gpkg_geometry_columns VALUES ('user_layer_features', 'geom', 'GEOMETRY', 4326, 0, 0);
"""



def _rtree_sql(table: str, column: str, fid: str = "fid") -> str:
    """The GeoPackage 1.2 R-tree spatial index of a feature table (table, triggers, extension row).

    The trigger set is the one of GeoPackage 1.2 (``_insert``, ``_update1`` to ``_update4``,
    ``_delete``), which GDAL 3.6's ``validate_gpkg.py`` checks (requirement 75).
    """
    t, c, i = table, column, fid
    r = f"rtree_{t}_{c}"
    box = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    return f"""
CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy);
CREATE TRIGGER {r}_insert AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES ({box}); END;
CREATE TRIGGER {r}_update1 AFTER UPDATE OF {c} ON {t}
WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES ({box}); END;
CREATE TRIGGER {r}_update2 AFTER UPDATE OF {c} ON {t}
WHEN OLD.{i} = NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
CREATE TRIGGER {r}_update3 AFTER UPDATE ON {t}
WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{i}; INSERT OR REPLACE INTO {r} VALUES ({box}); END;
CREATE TRIGGER {r}_update4 AFTER UPDATE ON {t}
WHEN OLD.{i} != NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;
CREATE TRIGGER {r}_delete AFTER DELETE ON {t} WHEN old.{c} NOT NULL
BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;
INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES
    ('{t}', '{c}', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
INSERT INTO {r} SELECT {i}, ST_MinX({c}), ST_MaxX({c}), ST_MinY({c}), ST_MaxY({c}) FROM {t}
    WHERE {c} NOT NULL AND NOT ST_IsEmpty({c});
"""


_GPKG_EXTENSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS gpkg_extensions (
    table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
    CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""

# Schema 4: the feature properties QGIS styles and filters on (a claim's verdict and measured
# distance, the layer, the GeoNames id, ...) as real columns of ``features`` (the JSON stays
# the full record); R-tree spatial indexes on both feature tables; GeoPackage 1.2 (user_version
# is set by the migration code). Existing rows get their columns from their JSON.
_SCHEMA_V4 = """
ALTER TABLE features ADD COLUMN feature_id TEXT;
ALTER TABLE features ADD COLUMN layer TEXT;
ALTER TABLE features ADD COLUMN report_key TEXT;
ALTER TABLE features ADD COLUMN source TEXT;
ALTER TABLE features ADD COLUMN text TEXT;
ALTER TABLE features ADD COLUMN quote TEXT;
ALTER TABLE features ADD COLUMN mark_start INTEGER;
ALTER TABLE features ADD COLUMN mark_end INTEGER;
ALTER TABLE features ADD COLUMN date_source TEXT;
ALTER TABLE features ADD COLUMN geonameid INTEGER;
ALTER TABLE features ADD COLUMN feature_class TEXT;
ALTER TABLE features ADD COLUMN feature_code TEXT;
ALTER TABLE features ADD COLUMN country_code TEXT;
ALTER TABLE features ADD COLUMN confidence DOUBLE;
ALTER TABLE features ADD COLUMN qualifier TEXT;
ALTER TABLE features ADD COLUMN place_key TEXT;
ALTER TABLE features ADD COLUMN reason TEXT;
ALTER TABLE features ADD COLUMN claim_type TEXT;
ALTER TABLE features ADD COLUMN claimed_km DOUBLE;
ALTER TABLE features ADD COLUMN bound TEXT;
ALTER TABLE features ADD COLUMN measured_km DOUBLE;
ALTER TABLE features ADD COLUMN verdict TEXT;
ALTER TABLE features ADD COLUMN method TEXT;
ALTER TABLE features ADD COLUMN data_source TEXT;
UPDATE features SET
    feature_id = json_extract(properties, '$.feature_id'), layer = json_extract(properties, '$.layer'),
    report_key = json_extract(properties, '$.report_id'), source = json_extract(properties, '$.source'),
    text = json_extract(properties, '$.text'), quote = json_extract(properties, '$.quote'),
    mark_start = json_extract(properties, '$.mark_start'), mark_end = json_extract(properties, '$.mark_end'),
    date_source = json_extract(properties, '$.date_source'), geonameid = json_extract(properties, '$.geonameid'),
    feature_class = json_extract(properties, '$.feature_class'),
    feature_code = json_extract(properties, '$.feature_code'),
    country_code = json_extract(properties, '$.country_code'), confidence = json_extract(properties, '$.confidence'),
    qualifier = json_extract(properties, '$.qualifier'), place_key = json_extract(properties, '$.place_key'),
    reason = json_extract(properties, '$.reason'), claim_type = json_extract(properties, '$.claim_type'),
    claimed_km = json_extract(properties, '$.claimed_km'), bound = json_extract(properties, '$.bound'),
    measured_km = json_extract(properties, '$.measured_km'), verdict = json_extract(properties, '$.verdict'),
    method = json_extract(properties, '$.method'), data_source = json_extract(properties, '$.data_source')
    WHERE json_valid(properties);
CREATE INDEX features_layer ON features(layer);
CREATE INDEX features_verdict ON features(verdict);
""" + _GPKG_EXTENSIONS_TABLE + _rtree_sql("features", "geom") + _rtree_sql("user_layer_features", "geom")

#: Columns of ``features`` (schema 4) that repeat a property of the JSON: (column, property, SQL type).
FEATURE_PROPERTY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("feature_id", "feature_id", "TEXT"), ("layer", "layer", "TEXT"), ("report_key", "report_id", "TEXT"),
    ("source", "source", "TEXT"), ("text", "text", "TEXT"), ("quote", "quote", "TEXT"),
    ("mark_start", "mark_start", "INTEGER"), ("mark_end", "mark_end", "INTEGER"),
    ("date_source", "date_source", "TEXT"), ("geonameid", "geonameid", "INTEGER"),
    ("feature_class", "feature_class", "TEXT"), ("feature_code", "feature_code", "TEXT"),
    ("country_code", "country_code", "TEXT"), ("confidence", "confidence", "DOUBLE"),
    ("qualifier", "qualifier", "TEXT"), ("place_key", "place_key", "TEXT"), ("reason", "reason", "TEXT"),
    ("claim_type", "claim_type", "TEXT"), ("claimed_km", "claimed_km", "DOUBLE"), ("bound", "bound", "TEXT"),
    ("measured_km", "measured_km", "DOUBLE"), ("verdict", "verdict", "TEXT"), ("method", "method", "TEXT"),
    ("data_source", "data_source", "TEXT"),
)

#: Migration to version ``n`` (index ``n - 1``); a new store runs them all, in order.
_MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4)

_REPORT_COLUMNS = ("id", "report_key", "title", "source", "url", "published", "language", "content_hash",
                   "origin", "added_at")


# --- plain data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    """A report as stored, with its store id (``text`` is empty in listings)."""

    id: int
    report_key: str
    title: str
    source: str
    url: str
    published: dt.date | None
    language: str
    content_hash: str
    origin: str
    added_at: str
    analysed: bool = False
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates)."""
        return {
            "id": self.id, "report_key": self.report_key, "title": self.title, "source": self.source,
            "url": self.url, "published": self.published.isoformat() if self.published else None,
            "language": self.language, "content_hash": self.content_hash, "origin": self.origin,
            "added_at": self.added_at, "analysed": self.analysed,
        }


@dataclass(frozen=True)
class PendingReport:
    """What an analysis needs of a stored report."""

    id: int
    report_key: str
    text: str
    published: str | None  # ISO date
    source: str


@dataclass(frozen=True)
class StoredFeature:
    """One map feature of an analysis: a GeoPackage geometry blob (None: no geometry) and
    JSON-ready properties."""

    geometry: bytes | None
    properties: dict[str, Any]


@dataclass(frozen=True)
class AnalysisResult:
    """The analysis of one stored report, ready to commit (``error`` set if it failed)."""

    report_id: int
    record: dict[str, Any] | None
    features: tuple[StoredFeature, ...] = ()
    data_version: str = "unknown"
    error: str | None = None


@dataclass(frozen=True)
class CommitCounts:
    """What :meth:`Store.commit_analyses` did."""

    committed: int = 0
    replaced: int = 0  # an older analysis was replaced
    unchanged: int = 0  # the same versions were already committed (nothing done twice)
    gone: int = 0  # the report was removed meanwhile


@dataclass(frozen=True)
class Rejected:
    """An input that was not stored, and why."""

    origin: str
    reason: str


@dataclass(frozen=True)
class IngestSummary:
    """Counts and ids of one :func:`ingest_paths` run."""

    added: tuple[int, ...] = ()
    duplicates: tuple[tuple[str, int], ...] = ()  # (origin, id of the stored copy)
    rejected: tuple[Rejected, ...] = ()
    skipped: tuple[str, ...] = ()  # files of other types found in folders

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: counts, ids and reasons."""
        return {
            "added": len(self.added), "duplicates": len(self.duplicates), "rejected": len(self.rejected),
            "skipped": len(self.skipped), "added_ids": list(self.added),
            "duplicate_of": [{"origin": o, "id": i} for o, i in self.duplicates],
            "rejections": [{"origin": r.origin, "reason": r.reason} for r in self.rejected],
            "skipped_files": list(self.skipped),
        }


# --- GeoPackage geometry blobs --------------------------------------------------------------------


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def orient_rfc7946(geom: Any) -> Any:
    """A polygonal geometry with exterior rings counter-clockwise and holes clockwise (RFC 7946
    3.1.6); other geometries (and None) unchanged. Every store and export format uses this winding."""

    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return geom
    return shapely.orient_polygons(geom, exterior_cw=False)


def to_gpkg_blob(geom: Any, srs_id: int = SRS_ID) -> bytes:
    """A shapely geometry as a GeoPackage geometry blob (little-endian, XY envelope, ISO WKB;
    polygon rings wound as in RFC 7946, see :func:`orient_rfc7946`)."""

    geom = orient_rfc7946(shapely.force_2d(geom))
    wkb = shapely.to_wkb(geom, flavor="iso", byte_order=1)
    if geom.is_empty:
        return b"GP" + bytes([0, 0b10001]) + struct.pack("<i", srs_id) + wkb
    if geom.geom_type == "Point":  # a point is its own envelope (GDAL omits it too)
        return b"GP" + bytes([0, 0b00001]) + struct.pack("<i", srs_id) + wkb
    minx, miny, maxx, maxy = geom.bounds
    return b"GP" + bytes([0, 0b00011]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def from_gpkg_blob(blob: bytes) -> Any:
    """The shapely geometry of a GeoPackage geometry blob."""

    if len(blob) < 8 or blob[:2] != b"GP":
        raise DataError("not a GeoPackage geometry blob (bad magic)")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise DataError(f"GeoPackage geometry blob with invalid envelope code {envelope}")
    return shapely.from_wkb(blob[8 + _ENVELOPE_BYTES[envelope]:])


def _st_is_empty(blob: bytes | None) -> int | None:
    """GeoPackage SQL function ``ST_IsEmpty`` (1 if the geometry is empty; NULL for NULL)."""
    if blob is None:
        return None
    return 1 if len(blob) < 8 or blob[3] & 0b10000 else 0


def _st_bound(index: int) -> Callable[[bytes | None], float | None]:
    def bound(blob: bytes | None) -> float | None:
        if blob is None or len(blob) < 8 or blob[3] & 0b10000:
            return None
        try:
            value = _blob_bounds(blob)[index]
        except Exception:  # noqa: BLE001 - a broken blob (shapely raises its own errors) has no bounds
            return None
        return None if value != value else value

    return bound


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """Register ``ST_IsEmpty``, ``ST_MinX``, ``ST_MaxX``, ``ST_MinY``, ``ST_MaxY`` (GeoPackage
    1.2, Annex F) on a connection: the R-tree triggers of a GeoPackage call them on every write."""
    con.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, _st_bound(i), deterministic=True)


# --- the store ---------------------------------------------------------------------------------------


def _now() -> str:
    """UTC now in the GeoPackage DATETIME form (``2024-05-01T12:00:00.000Z``)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _fold(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()


def _iso(value: dt.date | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError as exc:
        raise InputError(f"date {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


class Store:
    """The report store in one SQLite/GeoPackage file; create or migrate it on open.

    Parameters
    ----------
    path
        The store file (default ``settings.DB_PATH``); created with its folder if absent.

    readonly
        Open without writing anything (no migration, no journal change): for a copy on
        read-only media. Chosen by itself when the file exists and cannot be written.
        Writing methods then raise :class:`InputError`; reading works on every schema
        version this geo_app knows.

    Use as a context manager or call :meth:`close`. One ``Store`` per thread (SQLite
    connections are not shared); several processes may use one file at once (WAL; one
    writer at a time, readers never blocked). Keep the file on a local disk: WAL does not
    work over network file systems. The last connection to close switches the file back
    to the rollback journal, so the closed file is one self-contained file.
    """

    def __init__(self, path: Path | str | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else Path(settings.DB_PATH)
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder; give a store file (e.g. {self.path / 'reports.gpkg'})")
        if not readonly and self.path.is_file() and not os.access(self.path, os.W_OK):
            readonly = True  # read-only media or permissions: read it as it is
        self.readonly = readonly
        if readonly:
            if not self.path.is_file():
                raise InputError(f"{self.path}: no such store file (a read-only store must exist)")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the folder of the store {self.path}: {exc.strerror or exc}") from exc
        self._con = self._connect()
        try:
            if readonly:
                self._check_readable()
            else:
                self._migrate()
        except BaseException:
            self._con.close()
            raise

    # -- connection and schema --------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                      timeout=settings.STORE_BUSY_TIMEOUT_S)
                con.execute("PRAGMA query_only = 1")
            else:
                con = sqlite3.connect(self.path, isolation_level=None, timeout=settings.STORE_BUSY_TIMEOUT_S)
            con.execute(f"PRAGMA busy_timeout = {int(settings.STORE_BUSY_TIMEOUT_S * 1000)}")
            if not self.readonly:
                # FULL: a committed report survives a power cut, not just a killed process.
                con.execute("PRAGMA synchronous = FULL")
            # WAL is switched on by the first write (_tx), not here: a reader leaves the file untouched
            # (its modification time is the app's cache key), and a closed file is in rollback mode.
            self._wal = False
        except sqlite3.OperationalError as exc:
            raise InputError(f"cannot open the store {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path} is not a geo_app store (SQLite says: {exc})") from exc
        con.create_function("geo_app_fold", 1, _fold, deterministic=True)
        register_gpkg_functions(con)
        return con

    def _check_readable(self) -> None:
        """A read-only open: the file must be a store of a schema this geo_app reads."""
        version = _read_version(self._con)
        if version == 0:
            raise InputError(f"{self.path} is not a geo_app store (or an empty file), and it is read-only")
        if version > SCHEMA_VERSION:
            raise DataError(f"{self.path} has store schema {version}, newer than this geo_app "
                            f"understands ({SCHEMA_VERSION}); upgrade geo_app")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole or (on any exception, or a kill) not at all."""
        if self.readonly:
            raise InputError(f"the store {self.path} is open read-only (read-only media or file); "
                             "copy it to a writable disk to change it")
        if not self._wal:  # writers run in WAL mode: readers in other processes are never blocked
            self._con.execute("PRAGMA journal_mode = WAL")
            self._wal = True
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield self._con
        except BaseException:
            if self._con.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """Schema version of the open file."""
        return _read_version(self._con)

    def _migrate(self) -> None:
        version = _read_version(self._con)
        if version > SCHEMA_VERSION:
            raise DataError(f"{self.path} has store schema {version}, newer than this geo_app "
                            f"understands ({SCHEMA_VERSION}); upgrade geo_app")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx() as con:
                if _read_version(con) >= target:  # another process migrated meanwhile
                    continue
                if target == 1:
                    _check_empty(con, self.path)
                    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
                if target in (1, 4):  # schema 4: GeoPackage 1.4 -> 1.2 (what GDAL 3.6 reads without a warning)
                    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
                _executescript_in_tx(con, _MIGRATIONS[target - 1])
                con.execute("INSERT OR REPLACE INTO geo_app_meta (key, value) VALUES ('schema_version', ?)",
                            (str(target),))
                con.execute("INSERT OR REPLACE INTO geo_app_meta (key, value) VALUES (?, ?)",
                            (f"migrated_to_{target}_at", _now()))
        if version < SCHEMA_VERSION:
            # GDAL reads application_id from the file header, not through the WAL.
            self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the file (committed data is already on disk).

        Writes switch the file to WAL; the last connection to close checkpoints the WAL into
        the file and switches it back to the rollback journal (``journal_mode=DELETE``): the
        closed file is then one self-contained file that readers on read-only media open (in
        WAL mode they cannot: "unable to open database file"). While another connection is
        open, that one does it later. A file already in rollback mode is left untouched.
        """
        try:
            if not self.readonly and not self._con.in_transaction and \
                    str(self._con.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                self._con.execute("PRAGMA busy_timeout = 0")  # never wait for others here
                self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._con.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error:
            pass  # another connection has the file open (it switches when it closes), or it is gone
        finally:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reports ----------------------------------------------------------------------------------

    def add_reports(self, reports: Iterable[tuple[Report, str]]) -> list[tuple[int, bool]]:
        """Store ``(report, origin)`` pairs in one transaction; ``(id, added)`` for each.

        A report whose content hash is already stored is not added again: its pair is
        ``(id of the stored copy, False)``.
        """
        out: list[tuple[int, bool]] = []
        with self._tx() as con:
            for report, origin in reports:
                h = report.content_hash
                # Look first: a refused INSERT would still use up an id.
                row = con.execute("SELECT id FROM reports WHERE content_hash = ?", (h,)).fetchone()
                if row is not None:
                    out.append((row[0], False))
                    continue
                cur = con.execute(
                    "INSERT INTO reports (report_key, title, text, source, url, published, language, content_hash, "
                    "origin, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (report.report_id, report.title, report.text, report.source, report.url, _iso(report.published),
                     report.language or "en", h, origin, _now()),
                )
                out.append((int(cur.lastrowid), True))
        return out

    def add_report(self, report: Report, origin: str = "") -> tuple[int, bool]:
        """Store one report; ``(id, added)`` (``added`` False for a duplicate)."""
        return self.add_reports([(report, origin)])[0]

    def get(self, report_id: int) -> StoredReport:
        """One stored report with its text; :class:`NotFoundError` if there is none."""
        row = self._con.execute(f"SELECT {self._select_cols('r')}, r.text FROM reports r "
                                "LEFT JOIN analyses a ON a.report_id = r.id WHERE r.id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no stored report with id {report_id} in {self.path}")
        return self._report(row[:-1], text=row[-1])

    @staticmethod
    def _select_cols(alias: str) -> str:
        return ", ".join(f"{alias}.{c}" for c in _REPORT_COLUMNS) + ", a.id IS NOT NULL"

    @staticmethod
    def _report(row: Sequence[Any], text: str = "") -> StoredReport:
        values = dict(zip(_REPORT_COLUMNS, row))
        values["published"] = _date(values["published"])
        return StoredReport(**values, analysed=bool(row[len(_REPORT_COLUMNS)]), text=text)

    def search(self, text: str | None = None, *, source: str | None = None, date_from: dt.date | str | None = None,
               date_to: dt.date | str | None = None, limit: int | None = None, offset: int = 0,
               with_text: bool = False) -> list[StoredReport]:
        """Stored reports matching every given filter, oldest publication first.

        Parameters
        ----------
        text
            Words that must all occur in the title or text (case- and accent-width-insensitive).
        source
            Text that must occur in the source name (case-insensitive).
        date_from, date_to
            Inclusive publication-date bounds; reports without a date never match a bound.
        limit, offset
            Paging (``limit=None``: all).
        """
        where, args = [], []
        for word in (text or "").split():
            where.append("instr(geo_app_fold(r.title || ' ' || r.text), ?) > 0")
            args.append(_fold(word))
        if source:
            where.append("instr(geo_app_fold(r.source), ?) > 0")
            args.append(_fold(source))
        if date_from is not None:
            where.append("r.published >= ?")
            args.append(_iso(date_from))
        if date_to is not None:
            where.append("r.published <= ?")
            args.append(_iso(date_to))
        sql = (f"SELECT {self._select_cols('r')}{', r.text' if with_text else ''} FROM reports r "
               "LEFT JOIN analyses a ON a.report_id = r.id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY r.published IS NULL, r.published, r.id LIMIT ? OFFSET ?")
        rows = self._con.execute(sql, (*args, -1 if limit is None else limit, offset)).fetchall()
        if with_text:
            return [self._report(row[:-1], text=row[-1]) for row in rows]
        return [self._report(row) for row in rows]

    def list(self, limit: int | None = None, offset: int = 0) -> list[StoredReport]:
        """All stored reports (no text), oldest publication first."""
        return self.search(limit=limit, offset=offset)

    def remove(self, report_ids: Iterable[int]) -> list[int]:
        """Remove reports with their analyses and features, in one transaction; the ids removed.

        Raises :class:`NotFoundError` (and removes nothing) if an id is not stored.
        """
        ids = list(dict.fromkeys(int(i) for i in report_ids))
        with self._tx() as con:
            missing = [i for i in ids if con.execute("SELECT 1 FROM reports WHERE id = ?", (i,)).fetchone() is None]
            if missing:
                raise NotFoundError(f"no stored report with id {', '.join(map(str, missing))} in {self.path}")
            for i in ids:
                con.execute("DELETE FROM features WHERE report_id = ?", (i,))
                con.execute("DELETE FROM analyses WHERE report_id = ?", (i,))
                con.execute("DELETE FROM reports WHERE id = ?", (i,))
        return ids

    def counts(self) -> dict[str, int]:
        """Numbers of reports, analysed reports, pending reports and features."""
        reports = self._con.execute("SELECT count(*) FROM reports").fetchone()[0]
        analysed = self._con.execute("SELECT count(*) FROM analyses").fetchone()[0]
        features = self._con.execute("SELECT count(*) FROM features").fetchone()[0]
        return {"reports": reports, "analysed": analysed, "pending": reports - analysed, "features": features}

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest date in the archive (publication dates and feature dates)."""
        lo, hi = self._con.execute(
            "SELECT min(d), max(d) FROM (SELECT published AS d FROM reports UNION ALL "
            "SELECT date_start FROM features UNION ALL SELECT date_end FROM features)").fetchone()
        return _date(lo), _date(hi)

    # -- analyses ---------------------------------------------------------------------------------

    def pending_ids(self, *, since: dt.date | str | None = None,
                    current: tuple[str, str, str] | None = None) -> list[int]:
        """Ids of reports not yet analysed, in store order.

        Parameters
        ----------
        since
            Only reports published on or after this date.
        current
            ``(geo_app_version, data_version, schema_version)``: also reports whose analysis
            was made by other versions (their old analysis stays until the new one commits).
        """
        cond = "a.id IS NULL"
        args: list[Any] = []
        if current is not None:
            cond = "(a.id IS NULL OR a.geo_app_version != ? OR a.data_version != ? OR a.schema_version != ?)"
            args.extend(current)
        if since is not None:
            cond += " AND r.published >= ?"
            args.append(_iso(since))
        sql = f"SELECT r.id FROM reports r LEFT JOIN analyses a ON a.report_id = r.id WHERE {cond} ORDER BY r.id"
        return [row[0] for row in self._con.execute(sql, args)]

    def load_pending(self, report_ids: Sequence[int]) -> list[PendingReport]:
        """Text and metadata of these reports (in the given order; removed ones left out)."""
        found: dict[int, PendingReport] = {}
        for start in range(0, len(report_ids), 500):
            chunk = list(report_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._con.execute(
                    f"SELECT id, report_key, text, published, source FROM reports WHERE id IN ({marks})", chunk):
                found[row[0]] = PendingReport(*row)
        return [found[i] for i in report_ids if i in found]

    def commit_analyses(self, results: Sequence[AnalysisResult]) -> CommitCounts:
        """Commit analyses (failed ones are skipped) in one transaction.

        A report's previous analysis and features are replaced in the same transaction,
        so until it commits the old result stays. An analysis already committed with the
        same versions is kept as it is (an analysis is never stored twice).
        """
        committed = replaced = unchanged = gone = 0
        now = _now()
        bounds: list[tuple[float, float, float, float]] = []
        with self._tx() as con:
            for res in results:
                if res.error is not None or res.record is None:
                    continue
                report = con.execute("SELECT published FROM reports WHERE id = ?", (res.report_id,)).fetchone()
                if report is None:
                    gone += 1
                    continue
                versions = (str(res.record.get("geo_app_version", "")), res.data_version,
                            str(res.record.get("schema_version", "")))
                old = con.execute("SELECT id, geo_app_version, data_version, schema_version FROM analyses "
                                  "WHERE report_id = ?", (res.report_id,)).fetchone()
                if old is not None and tuple(old[1:]) == versions:
                    unchanged += 1
                    continue
                if old is not None:
                    con.execute("DELETE FROM features WHERE analysis_id = ?", (old[0],))
                    con.execute("DELETE FROM analyses WHERE id = ?", (old[0],))
                    replaced += 1
                cur = con.execute(
                    "INSERT INTO analyses (report_id, geo_app_version, data_version, schema_version, record, "
                    "committed_at) VALUES (?,?,?,?,?,?)",
                    (res.report_id, *versions, json.dumps(res.record, ensure_ascii=False, sort_keys=True), now),
                )
                analysis_id = cur.lastrowid
                for feat in res.features:
                    props = feat.properties
                    start, end = _feature_dates(props, report[0])
                    con.execute(
                        "INSERT INTO features (geom, report_id, analysis_id, kind, name, date_start, date_end, "
                        f"published, properties, {_PROPERTY_COLUMN_NAMES}) "
                        f"VALUES (?,?,?,?,?,?,?,?,?{',?' * len(FEATURE_PROPERTY_COLUMNS)})",
                        (feat.geometry, res.report_id, analysis_id, _str_or_none(props.get("kind")),
                         _str_or_none(props.get("name")), start, end, report[0],
                         json.dumps(props, ensure_ascii=False, sort_keys=True), *_property_values(props)),
                    )
                    if feat.geometry is not None:
                        bounds.append(_blob_bounds(feat.geometry))
                committed += 1
            if committed:
                self._touch_contents(con, now, bounds)
        return CommitCounts(committed, replaced, unchanged, gone)

    @staticmethod
    def _touch_contents(con: sqlite3.Connection, now: str, bounds: list[tuple[float, float, float, float]]) -> None:
        con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN ('features', 'analyses')", (now,))
        bounds = [b for b in bounds if b[0] == b[0]]  # NaN: empty geometry
        if bounds:
            con.execute(
                "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2), "
                "max_x = max(coalesce(max_x, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4) "
                "WHERE table_name = 'features'",
                (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
                 max(b[3] for b in bounds)),
            )

    def analysis(self, report_id: int) -> dict[str, Any]:
        """The committed analysis of a report: versions, commit time and record."""
        row = self._con.execute("SELECT id, geo_app_version, data_version, schema_version, committed_at, record "
                                "FROM analyses WHERE report_id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"report {report_id} has no committed analysis in {self.path}")
        return {"analysis_id": row[0], "geo_app_version": row[1], "data_version": row[2], "schema_version": row[3],
                "committed_at": row[4], "record": json.loads(row[5])}

    def analyses(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(report id, record)`` of every committed analysis, in report order."""
        for report_id, record in self._con.execute("SELECT report_id, record FROM analyses ORDER BY report_id"):
            yield report_id, json.loads(record)

    def features(self, *, date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                 report_ids: Iterable[int] | None = None) -> Iterator[tuple[int, StoredFeature]]:
        """``(report id, feature)`` of committed analyses, in report and feature order.

        With a date bound, only features whose date range (their own, else the report's
        publication date) overlaps ``[date_from, date_to]``; undated features are left out.
        With ``report_ids``, only the features of these stored reports.
        """
        where, args = [], []
        if date_from is not None:
            where.append("coalesce(date_end, date_start, published) >= ?")
            args.append(_iso(date_from))
        if date_to is not None:
            where.append("coalesce(date_start, published) <= ?")
            args.append(_iso(date_to))
        if report_ids is not None:
            ids = sorted({int(i) for i in report_ids})
            where.append("report_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(ids))
        sql = ("SELECT report_id, geom, properties FROM features"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY report_id, fid")
        for report_id, geom, props in self._con.execute(sql, args):
            yield report_id, StoredFeature(geom, json.loads(props))

    def features_gdf(self, *, date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                     report_ids: Iterable[int] | None = None) -> Any:
        """Stored features as the GeoDataFrame of :func:`geo_app.layers.features_gdf` (EPSG:4326).

        Date bounds and ``report_ids`` as in :meth:`features`.
        """


        collection = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": feat.properties,
             "geometry": mapping(from_gpkg_blob(feat.geometry)) if feat.geometry is not None else None}
            for _, feat in self.features(date_from=date_from, date_to=date_to, report_ids=report_ids)
        ]}
        return layers.from_geojson(collection)

    # -- user layers (schema 3; geo_app.layers) ----------------------------------------------

    def add_user_layer(self, layer: Any, gdf: Any, repairs: Sequence[Any] = ()) -> tuple[Any, bool]:
        """Store one loaded layer file (:func:`geo_app.user_layers.load_user_layer`) in one transaction.

        Files added under one name form a series: either one undated file, or dated files
        (a file dated as a whole may not share its date with another such file).

        Returns
        -------
        (UserLayer, bool)
            The stored layer (with ``layer_id`` and ``added_at``), and whether it was added:
            the same name, dates and content already stored give that copy and False.

        Raises
        ------
        InputError
            The name is taken in a way that conflicts (see above); the message says how to go on.
        """

        now = _now()
        with self._tx() as con:
            rows = con.execute("SELECT id, source_file, date_start, date_end, date_field, content_hash "
                               "FROM user_layers WHERE name = ?", (layer.name,)).fetchall()
            for lid, src, start, end, field, digest in rows:
                if digest == layer.content_hash and (start, end, field) == (layer.date_start, layer.date_end,
                                                                           layer.date_field):
                    return self._user_layer_row(con, lid), False
            for lid, src, start, end, field, _ in rows:
                if start is None or not layer.dated:
                    raise InputError(f"a layer named {layer.name!r} is already stored (id {lid}, from {src}) and one "
                                     "of the two is undated; remove it first (geo-app layers remove "
                                     f"{json.dumps(layer.name)}) or choose another --name")
                if field is None and layer.date_field is None and start == layer.date_start:
                    raise InputError(f"layer {layer.name!r} already has a file dated {start} (id {lid}, from {src}); "
                                     f"remove it first (geo-app layers remove {json.dumps(layer.name)} --id {lid})")
            cur = con.execute(
                "INSERT INTO user_layers (name, source_file, source_layer, source_crs, geometry_type, feature_count, "
                "date_start, date_end, date_field, notes, repairs, content_hash, added_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (layer.name, layer.source_file, layer.source_layer, layer.crs, layer.geometry_type,
                 int(len(gdf)), layer.date_start, layer.date_end, layer.date_field,
                 json.dumps(list(layer.notes), ensure_ascii=False),
                 json.dumps([dataclasses.asdict(r) for r in repairs], ensure_ascii=False), layer.content_hash, now),
            )
            layer_id = int(cur.lastrowid)
            geoms = shapely.force_2d(gdf.geometry.to_numpy())
            wkbs = shapely.to_wkb(geoms, flavor="iso", byte_order=1)
            bounds = shapely.bounds(geoms)
            head = b"GP\x00\x03" + struct.pack("<i", SRS_ID)
            con.executemany(
                "INSERT INTO user_layer_features (geom, layer_id, layer_name, feature_key, name, date_start, date_end, "
                "properties) VALUES (?,?,?,?,?,?,?,?)",
                ((head + struct.pack("<4d", b[0], b[2], b[1], b[3]) + w, layer_id, layer.name, str(k), _str_or_none(n),
                  a, e, json.dumps(p, ensure_ascii=False, sort_keys=True))
                 for w, b, k, n, a, e, p in zip(wkbs, bounds, gdf["feature_key"], gdf["name"], gdf["date_start"],
                                                gdf["date_end"], gdf["properties"])),
            )
            con.execute(
                "UPDATE gpkg_contents SET last_change = ?1, min_x = min(coalesce(min_x, ?2), ?2), "
                "min_y = min(coalesce(min_y, ?3), ?3), max_x = max(coalesce(max_x, ?4), ?4), "
                "max_y = max(coalesce(max_y, ?5), ?5) WHERE table_name = 'user_layer_features'",
                (now, *(float(v) for v in (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(),
                                           bounds[:, 3].max()))),
            )
            return self._user_layer_row(con, layer_id), True

    _USER_LAYER_COLUMNS = ("id, name, source_file, source_layer, source_crs, geometry_type, feature_count, date_start, "
                           "date_end, date_field, notes, repairs, content_hash, added_at")

    @staticmethod
    def _user_layer(row: Sequence[Any]) -> Any:

        (lid, name, src, src_layer, crs, gtype, count, start, end, field, notes, repairs, digest, added) = row
        return UserLayer(name=name, source_file=src, feature_count=int(count), crs=crs, geometry_type=gtype,
                         date_start=start, date_end=end, date_field=field, source_layer=src_layer,
                         notes=tuple(json.loads(notes)), n_repaired=len(json.loads(repairs)), content_hash=digest,
                         layer_id=int(lid), added_at=added)

    def _user_layer_row(self, con: sqlite3.Connection, layer_id: int) -> Any:
        row = con.execute(f"SELECT {self._USER_LAYER_COLUMNS} FROM user_layers WHERE id = ?", (layer_id,)).fetchone()
        return self._user_layer(row)

    def user_layers(self, name: str | None = None) -> list[Any]:
        """Stored layer files (:class:`geo_app.user_layers.UserLayer`), by name then date then id."""
        sql = f"SELECT {self._USER_LAYER_COLUMNS} FROM user_layers"
        args: tuple[Any, ...] = ()
        if name is not None:
            sql += " WHERE name = ?"
            args = (name,)
        sql += " ORDER BY name, date_start IS NOT NULL, date_start, id"
        return [self._user_layer(r) for r in self._con.execute(sql, args)]

    def user_layer_names(self) -> list[str]:
        """Names of the stored layers (a dated series counts once), sorted."""
        return [r[0] for r in self._con.execute("SELECT DISTINCT name FROM user_layers ORDER BY name")]

    def user_layer_repairs(self, layer_id: int) -> list[dict[str, Any]]:
        """The repairs made when a layer file was loaded (``feature_key``, ``name``, ``reason``, ``result``)."""
        row = self._con.execute("SELECT repairs FROM user_layers WHERE id = ?", (layer_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no stored layer with id {layer_id} in {self.path}")
        return list(json.loads(row[0]))

    def user_layer_gdf(self, name: str | None = None, *, layer_ids: Iterable[int] | None = None) -> Any:
        """Features of stored layers (all, one name's series, or some files) as a layer GeoDataFrame.

        Columns :data:`geo_app.user_layers.LAYER_COLUMNS` plus ``geometry`` (EPSG:4326);
        ``feature_id`` is ``"<layer id>:<feature key>"``, unique in the store.
        """


        where, args = [], []
        if name is not None:
            where.append("f.layer_name = ?")
            args.append(name)
        if layer_ids is not None:
            where.append("f.layer_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(sorted({int(i) for i in layer_ids})))
        rows = self._con.execute(
            "SELECT f.geom, f.layer_id, f.layer_name, l.source_file, f.feature_key, f.name, f.date_start, f.date_end, "
            "f.properties FROM user_layer_features f JOIN user_layers l ON l.id = f.layer_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY f.layer_name, l.date_start, f.fid",
            args).fetchall()
        if not rows:
            return empty_layer_gdf()
        blobs = [r[0] for r in rows]
        wkbs = np.array([b[8 + _ENVELOPE_BYTES[(b[3] >> 1) & 0b111]:] for b in blobs], dtype=object)
        geoms = shapely.from_wkb(wkbs)
        data = {
            "feature_id": [f"{r[1]}:{r[4]}" for r in rows], "layer_id": [int(r[1]) for r in rows],
            "layer_name": [r[2] for r in rows], "source_file": [r[3] for r in rows],
            "feature_key": [r[4] for r in rows], "name": [r[5] for r in rows], "date_start": [r[6] for r in rows],
            "date_end": [r[7] for r in rows], "properties": [json.loads(r[8]) for r in rows],
        }
        return layer_frame(data, geoms)

    def user_layer_span(self) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest date of the stored layers' features."""
        lo, hi = self._con.execute(
            "SELECT min(d), max(d) FROM (SELECT date_start AS d FROM user_layer_features UNION ALL "
            "SELECT date_end FROM user_layer_features)").fetchone()
        return _date(lo), _date(hi)

    def remove_user_layers(self, name: str, *, date: dt.date | str | None = None,
                           layer_id: int | None = None) -> list[int]:
        """Remove a layer (every file of its series), or one file by ``layer_id`` or by its ``date``.

        Returns the ids removed; :class:`NotFoundError` (nothing removed) if nothing matches.
        """
        where, args = ["name = ?"], [name]
        if layer_id is not None:
            where.append("id = ?")
            args.append(int(layer_id))
        if date is not None:
            where.append("date_start = ?")
            args.append(_iso(date))
        with self._tx() as con:
            ids = [r[0] for r in con.execute(f"SELECT id FROM user_layers WHERE {' AND '.join(where)}", args)]
            if not ids:
                what = f"layer {name!r}" + (f" with id {layer_id}" if layer_id is not None else "") + (
                    f" dated {_iso(date)}" if date is not None else "")
                names = [r[0] for r in con.execute("SELECT DISTINCT name FROM user_layers ORDER BY name")]
                raise NotFoundError(f"no stored {what} in {self.path} (layers: {', '.join(names) or 'none'})")
            for i in ids:
                con.execute("DELETE FROM user_layer_features WHERE layer_id = ?", (i,))
                con.execute("DELETE FROM user_layers WHERE id = ?", (i,))
        return ids


def _read_version(con: sqlite3.Connection) -> int:
    try:
        row = con.execute("SELECT value FROM geo_app_meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return 0
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a geo_app store (SQLite says: {exc})") from exc
    return int(row[0]) if row else 0


def _check_empty(con: sqlite3.Connection, path: Path) -> None:
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if tables:
        raise InputError(f"{path} is a database but not a geo_app store (it has tables {', '.join(tables[:5])}); "
                         "give another --db path")


def _executescript_in_tx(con: sqlite3.Connection, script: str) -> None:
    # sqlite3.executescript would COMMIT first; run statement by statement inside our transaction.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            con.execute(statement)
            statement = ""
    if statement.strip():
        raise DataError(f"incomplete migration statement: {statement[:80]!r}")


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


_PROPERTY_COLUMN_NAMES = ", ".join(c for c, _, _ in FEATURE_PROPERTY_COLUMNS)


def _column_value(value: Any, sql_type: str) -> Any:
    """A property as its column's type (None if it is not one: the JSON keeps what was given);
    a DATE holds ISO dates only."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if sql_type == "DATE":
        day = _date(str(value))
        return day.isoformat() if day is not None else None
    if sql_type == "TEXT":
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if sql_type == "INTEGER":
        return int(number) if number.is_integer() and abs(number) < 2**63 else None
    return number


def _property_values(props: dict[str, Any]) -> list[Any]:
    return [_column_value(props.get(key), sql_type) for _, key, sql_type in FEATURE_PROPERTY_COLUMNS]


def _feature_dates(props: dict[str, Any], published: str | None) -> tuple[str | None, str | None]:
    start = _date(_str_or_none(props.get("date_start")))
    end = _date(_str_or_none(props.get("date_end")))
    if start is None and end is None:
        return published, published
    return (start or end).isoformat(), (end or start).isoformat()  # type: ignore[union-attr]


def _blob_bounds(blob: bytes) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) from a blob's envelope or point; NaNs if empty."""
    nan = float("nan")
    if blob[3] & 0b10000:
        return nan, nan, nan, nan
    if (blob[3] >> 1) & 0b111:
        minx, maxx, miny, maxy = struct.unpack("<4d" if blob[3] & 1 else ">4d", blob[8:40])
        return minx, miny, maxx, maxy
    geom = from_gpkg_blob(blob)
    minx, miny, maxx, maxy = geom.bounds
    return minx, miny, maxx, maxy


# --- ingest -----------------------------------------------------------------------------------------


def collect_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """Files to ingest from files and folders (recursive, hidden entries left out), and the
    files of other types found in folders. A missing path raises :class:`InputError`."""
    files: list[Path] = []
    skipped: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if not path.is_dir():
            files.append(path)
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                file = Path(folder) / name
                if file.suffix.lower() in INGEST_SUFFIXES:
                    files.append(file)
                else:
                    skipped.append(str(file))
    return files, skipped


def _read_one(path: Path, source: str) -> Report:
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"unsupported file type {path.suffix or '(none)'!r} (use {', '.join(INGEST_SUFFIXES)})")
    size = path.stat().st_size
    if size > settings.MAX_REPORT_CHARS * 4:  # checked before reading: never load a huge file
        raise LimitExceededError(f"{size:,} bytes, over the limit for one report "
                                 f"(raise geo_app.settings.MAX_REPORT_CHARS, now {settings.MAX_REPORT_CHARS:,} characters)")
    report = read_report_file(path)
    return dataclasses.replace(report, source=source) if source and not report.source else report


def ingest_paths(store: Store, paths: Iterable[Path | str], *, source: str = "",
                 progress: Callable[[str], None] | None = None,
                 on_start: Callable[[int], None] | None = None) -> IngestSummary:
    """Add every report in these files and folders (``.txt``, ``.md``, ``.html``, ``.jsonl``).

    Bad inputs are rejected with a reason and the rest go on; duplicates (same content
    hash) are counted, not stored again. Reports are committed in batches of
    ``settings.INGEST_BATCH_SIZE``: after a crash, rerunning adds what is missing.

    Parameters
    ----------
    source
        Source name for reports that do not state one.
    progress
        Called with each file's name after it is read (for a progress bar).
    on_start
        Called with the number of files found, before any is read.
    """
    files, skipped = collect_paths(paths)
    if on_start is not None:
        on_start(len(files))
    added: list[int] = []
    dups: list[tuple[str, int]] = []
    rejected: list[Rejected] = []
    batch: list[tuple[Report, str]] = []

    def flush() -> None:
        for (_, origin), (rid, is_new) in zip(batch, store.add_reports(batch)):
            (added.append(rid) if is_new else dups.append((origin, rid)))
        batch.clear()

    for path in files:
        try:
            if path.suffix.lower() == ".jsonl":
                for item in iter_jsonl_reports(path):
                    if isinstance(item, Report):
                        if not item.source and source:
                            item = dataclasses.replace(item, source=source)
                        batch.append((item, f"{path}:{item.meta.get('line', '')}"))
                    else:
                        rejected.append(Rejected(str(path), str(item)))
                    if len(batch) >= settings.INGEST_BATCH_SIZE:
                        flush()
            else:
                batch.append((_read_one(path, source), str(path)))
        except (InputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, InputError) else f"cannot read: {exc.strerror or exc}"
            rejected.append(Rejected(str(path), reason.removeprefix(f"{path.name}: ")))
        if len(batch) >= settings.INGEST_BATCH_SIZE:
            flush()
        if progress is not None:
            progress(path.name)
    if batch:
        flush()
    return IngestSummary(tuple(added), tuple(dups), tuple(rejected), tuple(skipped))


# --- export -------------------------------------------------------------------------------------------

#: Formats of :func:`export_bytes`.
EXPORT_FORMATS = ("geojson", "gpkg", "csv")
#: Longest text cell an export writes to CSV (Excel's limit, in UTF-16 code units).
CSV_MAX_CELL_CHARS = 32_767
#: Properties each entry of an area's ``mentions`` list keeps (what differs between mentions).
MENTION_FIELDS = ("feature_id", "report_id", "source", "published", "date_start", "date_end", "date_source",
                  "name", "text", "quote", "mark_start", "mark_end", "confidence", "qualifier", "reason")
#: Tables of a GeoPackage export: (table, geometry types it holds, description).
GPKG_EXPORT_TABLES = (
    ("features_points", ("Point", "MultiPoint"), "Places, regions, seas, groups and demonyms mentioned (points)"),
    ("features_lines", ("LineString", "MultiLineString", None),
     "Checked claims: the measured line (no geometry for adjacency and membership claims)"),
    ("features_areas", ("Polygon", "MultiPolygon", "GeometryCollection"),
     "Derived areas, each once, with every mention of it in 'mentions' (JSON)"),
)

_CSV_TRUNCATED = "\u2026 [cut at {limit} characters of {total}: see the GeoJSON or GeoPackage export]"
_CSV_SIMPLIFY_START_DEG = 0.001  # first tolerance tried when a WKT cell is too long (doubled until it fits)
_DATE_COLUMNS = ("published", "date_start", "date_end")


def neutralise_formulas(gdf: Any) -> Any:
    """See :func:`geo_app.layers.neutralise_formulas` (the one place CSV injection is handled)."""

    return layers.neutralise_formulas(gdf)


def _plain(value: Any) -> Any:
    """A cell as a JSON/SQLite value (None for NA/NaN, Python int/float for numpy numbers)."""

    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if v == v and v not in (float("inf"), float("-inf")) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def merge_repeated_areas(gdf: Any) -> tuple[Any, int]:
    """Each area once: area rows with the same layer, place and geometry become one row.

    A polygon mentioned in many reports is written once (23 reports naming "southern Belarus":
    the GeoJSON export falls from 368 KB to 80 KB, the CSV from 300 KB to 30 KB). The merged row keeps the first mention's properties,
    its ``date_start``/``date_end`` span every mention, and its ``mentions`` column lists
    every mention (:data:`MENTION_FIELDS`, the first too, in feature order). Every area row
    gets a ``mentions`` list (of one when not repeated); other rows get None.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Feature rows (:func:`geo_app.layers.features_gdf` columns).

    Returns
    -------
    (GeoDataFrame, int)
        The rows (a fresh 0..n-1 index, a ``mentions`` column added) and how many rows were folded.
    """


    frame = gdf.reset_index(drop=True).copy()
    frame["mentions"] = None
    if frame.empty:
        return frame, 0
    geoms = frame.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    is_area = frame["layer"].isin(layers.AREA_LAYERS).to_numpy() & present
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i in (int(i) for i in is_area.nonzero()[0]):
        key = (frame.at[i, "layer"], frame.at[i, "place_key"],
               shapely.to_wkb(shapely.normalize(orient_rfc7946(geoms[i])), byte_order=1))
        groups.setdefault(key, []).append(i)
    records = frame[list(MENTION_FIELDS)].to_dict("records")
    drop: list[int] = []
    mentions_col = frame["mentions"].to_list()
    for rows in groups.values():
        first = rows[0]
        mentions_col[first] = [{k: _plain(v) for k, v in records[i].items()} for i in rows]
        if len(rows) > 1:
            starts = [m["date_start"] for m in mentions_col[first] if m["date_start"]]
            ends = [m["date_end"] or m["date_start"] for m in mentions_col[first] if m["date_end"] or m["date_start"]]
            if starts:
                frame.at[first, "date_start"] = min(starts)
            if ends:
                frame.at[first, "date_end"] = max(ends)
            drop.extend(rows[1:])
    frame["mentions"] = mentions_col
    if drop:
        frame = frame.drop(index=drop).reset_index(drop=True)
    return frame, len(drop)


def geojson_export_text(frame: Any) -> str:
    """RFC 7946 GeoJSON of :func:`merge_repeated_areas` rows: the feature schema, plus each
    area's ``mentions`` list (exterior rings counter-clockwise, holes clockwise)."""

    collection = layers.to_geojson(frame)
    for feat, mentions in zip(collection["features"], frame["mentions"].to_list()):
        if mentions is not None:
            feat["properties"]["mentions"] = mentions
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit_cell(text: str, limit: int) -> str:
    """Text cut to ``limit`` UTF-16 units, saying where and how long it was."""
    total = _utf16_len(text)
    if total <= limit:
        return text
    note = _CSV_TRUNCATED.format(limit=f"{limit:,}", total=f"{total:,}")
    keep = limit - _utf16_len(note)
    cut = text[:keep]
    while _utf16_len(cut) > keep:  # astral characters count twice
        cut = cut[:-1]
    return cut + note


def _csv_wkt(geom: Any, limit: int) -> tuple[str | None, float]:
    """WKT (6 decimals) no longer than ``limit``: simplified (tolerance doubled from 0.001°) until it
    fits; the tolerance used (0.0: exact). A geometry that never fits gives its bounding box."""

    if geom is None or geom.is_empty:
        return None, 0.0
    geom = orient_rfc7946(geom)
    text = shapely.to_wkt(geom, rounding_precision=6)
    if len(text) <= limit:
        return text, 0.0
    tolerance = _CSV_SIMPLIFY_START_DEG
    while tolerance < 10.0:
        simpler = orient_rfc7946(geom.simplify(tolerance, preserve_topology=True))
        text = shapely.to_wkt(simpler, rounding_precision=6)
        if len(text) <= limit and not simpler.is_empty:
            return text, tolerance
        tolerance *= 2
    return shapely.to_wkt(orient_rfc7946(shapely.box(*geom.bounds)), rounding_precision=6), float("inf")


def csv_export_text(frame: Any, *, excel: bool = False, max_cell_chars: int = CSV_MAX_CELL_CHARS) -> str:
    """CSV of :func:`merge_repeated_areas` rows that Excel and LibreOffice open as they are.

    Columns: every feature property, ``n_mentions`` and ``mention_ids`` (areas: the mentions'
    feature ids), ``lon``/``lat`` of a representative point, ``wkt`` and ``wkt_simplified_deg``.
    No cell is longer than ``max_cell_chars`` (Excel's 32,767): a polygon's WKT that would be is
    simplified until it fits, and ``wkt_simplified_deg`` gives the tolerance used (empty when the
    WKT is exact; the GeoJSON and GeoPackage exports keep the full polygon); a longer text cell
    is cut with a note saying so. Text cells starting with ``= + - @`` get a leading ``'``.

    Parameters
    ----------
    excel
        Start with a UTF-8 byte order mark and end lines with CRLF, so Excel reads UTF-8
        (without the mark it assumes the Windows code page and mangles Cyrillic).
    """


    table = pd.DataFrame(frame[list(layers.COLUMNS)]).reset_index(drop=True)
    mentions = frame["mentions"].to_list()
    table["n_mentions"] = pd.array([len(m) if m is not None else None for m in mentions], dtype="Int64")
    table["mention_ids"] = [" ".join(str(x["feature_id"]) for x in m) if m is not None else None for m in mentions]
    geoms = [orient_rfc7946(g) for g in frame.geometry.to_numpy()]
    reps = [g.representative_point() if g is not None and not g.is_empty else None for g in geoms]
    table["lon"] = [round(pt.x, 6) if pt is not None else None for pt in reps]
    table["lat"] = [round(pt.y, 6) if pt is not None else None for pt in reps]
    wkts = [_csv_wkt(g, max_cell_chars) for g in geoms]
    table["wkt"] = [w for w, _ in wkts]
    table["wkt_simplified_deg"] = [tol if tol else None for _, tol in wkts]
    table = neutralise_formulas(table)
    for col in table.columns:
        table[col] = table[col].map(lambda v: _fit_cell(v, max_cell_chars) if isinstance(v, str) else v)
    text = table.to_csv(index=False, lineterminator="\r\n" if excel else "\n")
    return "\ufeff" + text if excel else text


def _gpkg_column_type(column: str) -> str:
    """SQL type of an exported property column (dates are DATE, so GDAL and QGIS read dates)."""
    if column in _DATE_COLUMNS:
        return "DATE"
    if column in ("mark_start", "mark_end", "geonameid", "n_mentions"):
        return "INTEGER"
    if column in ("confidence", "claimed_km", "measured_km"):
        return "DOUBLE"
    return "TEXT"


def _declared_type(types: set[str], allowed: tuple[str | None, ...]) -> str:
    """The GeoPackage geometry type name of a table holding these geometry types: the one type
    if there is one (a single Polygon stays a Polygon), else GEOMETRY."""
    kinds = {t for t in types if t is not None}
    if len(kinds) == 1:
        return kinds.pop().upper()
    if not kinds:
        return next(t for t in allowed if t is not None).upper()
    return "GEOMETRY"


def gpkg_export_bytes(frame: Any) -> bytes:
    """A GeoPackage 1.2 of :func:`merge_repeated_areas` rows, written with the standard library.

    Tables :data:`GPKG_EXPORT_TABLES` (always all three, possibly empty), each with an R-tree
    spatial index; ``published``, ``date_start`` and ``date_end`` are ``DATE`` columns;
    geometry types are kept as they are (a single Polygon is not made a MultiPolygon; a
    table holding both declares ``GEOMETRY``); polygon rings wound as in RFC 7946. GeoPackage
    1.2 because GDAL 3.6 (Debian 12, QGIS) warns on 1.4 and nothing newer is used.
    """
    import tempfile



    columns = [*layers.COLUMNS, "n_mentions", "mentions"]
    geoms = frame.geometry.to_numpy()
    gtypes = [None if g is None or g.is_empty else g.geom_type for g in geoms]
    records = frame[list(layers.COLUMNS)].to_dict("records")
    mentions = frame["mentions"].to_list()
    fd, name = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    try:
        con = sqlite3.connect(name, isolation_level=None)
        try:
            register_gpkg_functions(con)
            con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
            con.execute("BEGIN")
            _executescript_in_tx(con, _GPKG_CORE + _GPKG_EXTENSIONS_TABLE)
            taken: set[int] = set()
            for table, allowed, description in GPKG_EXPORT_TABLES:
                rows = [i for i, t in enumerate(gtypes) if t in allowed and i not in taken]
                taken.update(rows)
                declared = _declared_type({gtypes[i] for i in rows}, allowed)
                defs = ", ".join(f'"{c}" {_gpkg_column_type(c)}' for c in columns)
                con.execute(f"CREATE TABLE {table} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {declared}, {defs})")
                marks = ",".join("?" * (len(columns) + 1))
                quoted = ", ".join(f'"{c}"' for c in columns)
                for i in rows:
                    rec = {k: _plain(v) for k, v in records[i].items()}
                    values = [_column_value(rec[c], _gpkg_column_type(c)) for c in layers.COLUMNS]
                    m = mentions[i]
                    values += [len(m) if m is not None else None,
                               json.dumps(m, ensure_ascii=False) if m is not None else None]
                    blob = to_gpkg_blob(geoms[i]) if gtypes[i] is not None else None
                    con.execute(f"INSERT INTO {table} (geom, {quoted}) VALUES ({marks})", (blob, *values))
                present = [geoms[i] for i in rows if gtypes[i] is not None]
                box = [float(v) for v in shapely.total_bounds(present)] if present else [None] * 4
                con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, "
                            "max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
                            (table, table, description, *box, SRS_ID))
                con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
                            (table, declared, SRS_ID))
                _executescript_in_tx(con, _rtree_sql(table, "geom"))
            con.execute("COMMIT")
        finally:
            con.close()
        with open(name, "rb") as fh:
            return fh.read()
    finally:
        if os.path.exists(name):
            os.unlink(name)


def export_bytes(store: Store, fmt: str, *, date_from: dt.date | str | None = None,
                 date_to: dt.date | str | None = None, excel: bool = False) -> tuple[bytes, dict[str, int]]:
    """Stored features in one format, and counts (``features`` written, ``reports``,
    ``areas_merged``: repeated area rows written once).

    Parameters
    ----------
    fmt
        ``geojson`` (RFC 7946 FeatureCollection, :func:`geojson_export_text`), ``gpkg``
        (GeoPackage 1.2, :func:`gpkg_export_bytes`) or ``csv`` (:func:`csv_export_text`).
        Every format writes a repeated area once with its ``mentions``
        (:func:`merge_repeated_areas`) and winds polygon rings as RFC 7946 does.
    date_from, date_to
        Inclusive window on each feature's dates (event dates, else the publication date);
        with a bound, undated features are left out.
    excel
        CSV only: a UTF-8 byte order mark and CRLF line ends, for Excel.
    """
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})")
    if excel and fmt != "csv":
        raise InputError(f"--excel applies to CSV only, not {fmt}")
    lo, hi = _iso(date_from), _iso(date_to)
    if lo and hi and lo > hi:
        raise InputError(f"the date window starts ({lo}) after it ends ({hi})")
    gdf = store.features_gdf(date_from=lo, date_to=hi)
    reports = int(gdf["report_id"].nunique()) if len(gdf) else 0
    frame, merged = merge_repeated_areas(gdf)
    counts = {"features": int(len(frame)), "reports": reports, "areas_merged": merged}
    if fmt == "geojson":
        return geojson_export_text(frame).encode("utf-8"), counts
    if fmt == "csv":
        return csv_export_text(frame, excel=excel).encode("utf-8"), counts
    return gpkg_export_bytes(frame), counts


def write_atomic(path: Path | str, data: bytes) -> Path:
    """Write a file whole or not at all (a temporary file in the same folder, then rename)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name")
    if not path.parent.exists():
        raise InputError(f"{path.parent}: no such folder")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
