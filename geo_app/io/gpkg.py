"""GeoPackage geometry blobs (GeoPackage 1.2, WGS84) and the SQL functions its R-tree triggers need.

One codec for the store and the GeoPackage export; polygon rings are wound as RFC 7946 does.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable
from typing import Any

import shapely


from geo_app._errors import DataError
from geo_app.geo.geojson import orient_rfc7946


#: GeoPackage ``application_id`` ("GPKG") and ``user_version`` (1.2.0: the newest version
#: GDAL 3.6 reads without a warning; nothing of 1.3/1.4 is used).
GPKG_APPLICATION_ID = 0x47504B47
GPKG_USER_VERSION = 10200
#: Spatial reference of every stored geometry.
SRS_ID = 4326

WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
    'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

GPKG_CORE = f"""
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
    ('WGS 84 geodetic', {SRS_ID}, 'EPSG', 4326, '{WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees');
"""

GPKG_EXTENSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS gpkg_extensions (
    table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
    CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""


def rtree_sql(table: str, column: str, fid: str = "fid") -> str:
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


def executescript_in_tx(con: sqlite3.Connection, script: str) -> None:
    # sqlite3.executescript would COMMIT first; run statement by statement inside our transaction.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            con.execute(statement)
            statement = ""
    if statement.strip():
        raise DataError(f"incomplete migration statement: {statement[:80]!r}")


#: Bytes of the envelope after the 8-byte header, by the envelope code of the flags byte.
ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


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
    if envelope not in ENVELOPE_BYTES:
        raise DataError(f"GeoPackage geometry blob with invalid envelope code {envelope}")
    return shapely.from_wkb(blob[8 + ENVELOPE_BYTES[envelope]:])


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
            value = blob_bounds(blob)[index]
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


def blob_bounds(blob: bytes) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) from a blob's envelope or point; NaNs if empty."""
    nan = float("nan")
    if blob[3] & 0b10000:
        return nan, nan, nan, nan
    if (blob[3] >> 1) & 0b111:
        minx, maxx, miny, maxy = struct.unpack("<4d" if blob[3] & 1 else ">4d", blob[8:40])
        return minx, miny, maxx, maxy
    if len(blob) == 29 and blob[8] in (0, 1):
        # A 2D point without an envelope (how to_gpkg_blob writes points): its ISO WKB read in
        # place (the R-tree triggers ask for its bounds four times per written row).
        order = "<" if blob[8] else ">"
        if struct.unpack(order + "I", blob[9:13])[0] == 1:
            x, y = struct.unpack(order + "2d", blob[13:29])
            return x, y, x, y
    geom = from_gpkg_blob(blob)
    minx, miny, maxx, maxy = geom.bounds
    return minx, miny, maxx, maxy
