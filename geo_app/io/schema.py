"""The store's schema: its migrations (each a SQL script, run in order on a new or older file) and the
feature properties that are real columns (for QGIS to style and filter on).

The store file is a GeoPackage 1.2 (:mod:`geo_app.io.gpkg` holds the GeoPackage core tables and
R-tree triggers the migrations use).
"""

from __future__ import annotations

from typing import Any

from geo_app._util import date_or_none
from geo_app.io.gpkg import GPKG_CORE, GPKG_EXTENSIONS_TABLE, rtree_sql


#: Schema version written by this geo_app (see ``MIGRATIONS``).
SCHEMA_VERSION = 4

# Schema 1: the first layout (kept verbatim: a new store is built by running every migration).
_SCHEMA_V1 = GPKG_CORE + """
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
""" + GPKG_EXTENSIONS_TABLE + rtree_sql("features", "geom") + rtree_sql("user_layer_features", "geom")

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
MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4)


def column_value(value: Any, sql_type: str) -> Any:
    """A property as its column's type (None if it is not one: the JSON keeps what was given);
    a DATE holds ISO dates only."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if sql_type == "DATE":
        day = date_or_none(str(value))
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
