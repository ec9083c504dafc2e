"""Exports of stored features: GeoJSON (RFC 7946), GeoPackage 1.2 and CSV (Excel-safe).

Every format writes a repeated area once with its mentions and winds polygon rings as RFC 7946 does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import shapely
import numpy as np

import pandas as pd

from geo_app._errors import InputError
from geo_app.io import geojson
from geo_app import features as layers
from geo_app.io.gpkg import (
    executescript_in_tx,
    GPKG_APPLICATION_ID,
    GPKG_CORE,
    GPKG_EXTENSIONS_TABLE,
    GPKG_USER_VERSION,
    orient_rfc7946,
    register_gpkg_functions,
    rtree_sql,
    SRS_ID,
    to_gpkg_blob,
)
from geo_app.io.schema import column_value
from geo_app.io.store import Store
from geo_app._util import iso_day


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


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: Any) -> Any:
    """A copy where every text cell starting with ``= + - @`` (or tab, CR) gets a leading ``'``.

    Numeric columns are left alone: a number (such as a negative longitude) is not a formula.
    The one place CSV injection is handled.
    """
    out = frame.copy()
    for col in out.columns:  # the geometry column has its own dtype: never touched
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v)
    return out


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

    collection = geojson.to_geojson(frame)
    for feat, mentions in zip(collection["features"], frame["mentions"].to_list()):
        if mentions is not None:
            feat["properties"]["mentions"] = mentions
    return geojson.dumps(collection)


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
            executescript_in_tx(con, GPKG_CORE + GPKG_EXTENSIONS_TABLE)
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
                    values = [column_value(rec[c], _gpkg_column_type(c)) for c in layers.COLUMNS]
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
                executescript_in_tx(con, rtree_sql(table, "geom"))
            con.execute("COMMIT")
        finally:
            con.close()
        with open(name, "rb") as fh:
            return fh.read()
    finally:
        if os.path.exists(name):
            os.unlink(name)


def features_export(gdf: Any, fmt: str, *, excel: bool = False) -> tuple[bytes, int]:
    """Features in one export format (repeated areas written once), and how many rows were merged.

    The one path from features to a file, for the store's ``export`` and the app's downloads.
    """
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})")
    if excel and fmt != "csv":
        raise InputError(f"--excel applies to CSV only, not {fmt}")
    frame, merged = merge_repeated_areas(gdf)
    if fmt == "geojson":
        return geojson_export_text(frame).encode("utf-8"), merged
    if fmt == "csv":
        return csv_export_text(frame, excel=excel).encode("utf-8"), merged
    return gpkg_export_bytes(frame), merged


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
    lo, hi = iso_day(date_from), iso_day(date_to)
    if lo and hi and lo > hi:
        raise InputError(f"the date window starts ({lo}) after it ends ({hi})")
    gdf = store.features_gdf(date_from=lo, date_to=hi)
    reports = int(gdf["report_id"].nunique()) if len(gdf) else 0
    data, merged = features_export(gdf, fmt, excel=excel)
    counts = {"features": int(len(gdf)) - merged, "reports": reports, "areas_merged": merged}
    return data, counts


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
