"""Reading a user boundary layer: the analyst's own shapefile, GeoPackage, GeoJSON or KML.

:func:`load_user_layer` reads one file through pyogrio/GDAL: a zipped ESRI shapefile
(.shp, .shx, .dbf and .prj; any coordinate system the .prj names), a GeoPackage (one
of its layers), GeoJSON or KML/KMZ. It reprojects to WGS84 (EPSG:4326, lon/lat),
repairs invalid geometries with :func:`shapely.make_valid` and says what it repaired,
and rejects what cannot be a boundary with the reason (no geometry, only points, no
features, a zip without a .shp, a member name that leaves the archive).

A layer carries dates in one of three ways: ``date=`` for the whole file; ``date_field=``
naming a field per feature (a date, or an ISO interval ``2022-03-01/2022-03-15``), or two
fields ``"begin,end"`` (KML's TimeSpan); several files added under one name, each with
its own ``date=``, form one series (see :mod:`geo_app.layers.timeline`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError, LimitExceededError
from geo_app.geo.geojson import json_value

__all__ = [
    "LAYER_COLUMNS",
    "LAYER_SUFFIXES",
    "POLYGONAL_TYPE_IDS",
    "Repair",
    "UserLayer",
    "as_object_columns",
    "empty_layer_gdf",
    "layer_digest",
    "layer_frame",
    "load_user_layer",
    "parse_day",
]

#: File types :func:`load_user_layer` reads.
LAYER_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz")

#: Columns of a layer GeoDataFrame (the geometry column comes last; EPSG:4326).
LAYER_COLUMNS = ("feature_id", "layer_id", "layer_name", "source_file", "feature_key", "name", "date_start",
                 "date_end", "properties")

#: shapely type ids of polygons and multipolygons.
POLYGONAL_TYPE_IDS = frozenset({3, 6})

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_NAME_FIELDS = ("name", "Name", "NAME", "label", "Label", "LABEL", "title", "Title", "id", "ID")

# LIBKML adds these display fields to every placemark; they say nothing about the area.
_KML_NOISE = frozenset({"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet"})

_ISO_DAY = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$")
_ISO_INTERVAL = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*/\s*(\d{4}-\d{1,2}-\d{1,2})\s*$")
_MAX_NAME_CHARS = 100
_LINEAR = frozenset({1, 2, 5})  # LineString, LinearRing, MultiLineString
_PUNCTUAL = frozenset({0, 4})  # Point, MultiPoint


@dataclass(frozen=True)
class Repair:
    """One invalid geometry repaired with ``shapely.make_valid``.

    ``reason`` is GEOS's ``is_valid_reason`` ("Self-intersection[30.1 50.2]"), with the
    location in lon/lat degrees; ``result`` the geometry type kept after the repair.
    """

    feature_key: str
    name: str
    reason: str
    result: str

    def __str__(self) -> str:
        return f"feature {self.feature_key} ({self.name}): {self.reason}; repaired as {self.result}"


@dataclass(frozen=True)
class UserLayer:
    """One added file of a user layer: what it is, where it came from, when it holds.

    ``crs`` is the file's own coordinate system ("EPSG:32635"); the features are kept in
    WGS84 (EPSG:4326). ``date_start``/``date_end`` (ISO) span the features' dates, None for
    an undated layer. ``notes`` say what was changed on loading other than repairs
    (points dropped, an explicit CRS, features without a date).
    """

    name: str
    source_file: str
    feature_count: int
    crs: str
    geometry_type: str
    date_start: str | None = None
    date_end: str | None = None
    date_field: str | None = None
    source_layer: str | None = None
    notes: tuple[str, ...] = ()
    n_repaired: int = 0
    content_hash: str = ""
    layer_id: int | None = None
    added_at: str | None = None

    @property
    def dated(self) -> bool:
        """Whether the layer carries dates."""
        return self.date_start is not None

    @property
    def date_text(self) -> str:
        """"2022-03-01", "2022-03-01 – 2022-03-15" or "undated"."""
        if self.date_start is None:
            return "undated"
        if self.date_end is None or self.date_end == self.date_start:
            return self.date_start
        return f"{self.date_start} \u2013 {self.date_end}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``date`` is :attr:`date_text`)."""
        out = asdict(self)
        out["notes"] = list(self.notes)
        out["date"] = self.date_text
        out["id"] = out.pop("layer_id")
        return out


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError("a layer needs a name (--name)")
    name = " ".join(name.split())
    if len(name) > _MAX_NAME_CHARS:
        raise InputError(f"a layer name has at most {_MAX_NAME_CHARS} characters")
    if any(ord(ch) < 32 for ch in name):
        raise InputError("a layer name cannot hold control characters")
    return name


def _day(value: Any) -> dt.date | None:
    """A date from a field value (date, datetime, Timestamp, ISO text); None if empty; ValueError if not a date."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    text = str(value).strip()
    if not text:
        return None
    m = _ISO_DAY.match(text)
    if not m:
        raise ValueError(text)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def parse_day(value: dt.date | str | None, what: str = "date") -> dt.date | None:
    """A day typed or stored (ISO text, a date); None if empty.

    Raises
    ------
    InputError
        Not a date; the message names ``what`` was given.
    """
    if value is None or value == "":
        return None
    try:
        return _day(value)
    except ValueError as exc:
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from exc


def _unsafe_member(name: str) -> bool:
    """An archive member name that would land outside the folder it is extracted to."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return True
    return any(part == ".." for part in PurePosixPath(norm).parts)


def _max_bytes() -> int:
    return int(settings.USER_LAYER_MAX_BYTES)


def _zip_members(path: Path) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path.name} is not a readable zip archive ({exc})") from exc
    for info in infos:
        if _unsafe_member(info.filename):
            raise InputError(f"{path.name}: refusing the archive member {info.filename!r}: its name points outside "
                             "the archive (zip-slip); nothing was extracted")
    total = sum(i.file_size for i in infos)
    if total > _max_bytes():
        raise LimitExceededError(f"{path.name} unpacks to {total:,} bytes, over the limit for a layer "
                                 f"(raise geo_app.settings.USER_LAYER_MAX_BYTES, now {_max_bytes():,})")
    return [i for i in infos if not i.is_dir() and "__MACOSX" not in i.filename.split("/")
            and not PurePosixPath(i.filename).name.startswith("._")]


def _extract(path: Path, members: Sequence[zipfile.ZipInfo], dest: Path, stem: str) -> None:
    """Write members into ``dest`` as ``stem`` + their suffix: names never come from the archive."""
    with zipfile.ZipFile(path) as zf:
        for info in members:
            suffix = PurePosixPath(info.filename.replace("\\", "/")).suffix.lower()
            target = dest / f"{stem}{suffix}"
            with zf.open(info) as src, open(target, "wb") as out:
                out.write(src.read(info.file_size + 1))


def _shapefile_parts(names: Iterable[str], shp: str) -> dict[str, str]:
    """The sidecar files of a .shp among ``names``, by lower-case suffix."""
    stem = shp[:-4].replace("\\", "/").lower()
    found = {}
    for n in names:
        low = n.replace("\\", "/").lower()
        for suffix in _SHAPEFILE_PARTS:
            if low == stem + suffix:
                found[suffix] = n
    return found


def _require_parts(file_name: str, shp: str, parts: Mapping[str, str], crs: Any) -> None:
    missing = [s for s in (".shx", ".dbf") if s not in parts]
    if missing:
        raise InputError(f"{file_name}: the shapefile {PurePosixPath(shp).name} has no {' or '.join(missing)} "
                         "(a shapefile needs .shp, .shx and .dbf, and a .prj for its coordinate system)")
    if ".prj" not in parts and crs is None:
        raise InputError(f"{file_name}: the shapefile {PurePosixPath(shp).name} has no .prj, so its coordinate "
                         "system is unknown; add the .prj or give the CRS (--crs EPSG:32635, crs=)")


@contextmanager
def _gdal_source(path: Path, layer: str | None, crs: Any) -> Iterator[tuple[str, str | None, str]]:
    """(path GDAL opens, layer to read or None, kind) of a layer file; archives go to a temp folder."""
    suffix = path.suffix.lower()
    with tempfile.TemporaryDirectory(prefix="geo_app_layer_") as tmp:
        if suffix == ".zip":
            members = _zip_members(path)
            names = [m.filename for m in members]
            shps = [n for n in names if n.lower().endswith(".shp")]
            if not shps:
                listed = ", ".join(PurePosixPath(n).name for n in names[:8]) or "nothing"
                raise InputError(f"{path.name} holds no .shp file (it has: {listed}); a zipped shapefile needs "
                                 ".shp, .shx and .dbf (and .prj)")
            if len(shps) > 1:
                stems = [PurePosixPath(s).stem for s in shps]
                if layer is None or layer not in stems:
                    raise InputError(f"{path.name} holds {len(shps)} shapefiles ({', '.join(stems)}); choose one "
                                     "with --layer (layer=)")
                shps = [shps[stems.index(layer)]]
            parts = _shapefile_parts(names, shps[0])
            _require_parts(path.name, shps[0], parts, crs)
            by_name = {m.filename: m for m in members}
            _extract(path, [by_name[n] for n in parts.values()], Path(tmp), "layer")
            yield str(Path(tmp) / "layer.shp"), None, "shapefile"
        elif suffix == ".shp":
            siblings = [p.name for p in path.parent.iterdir()]
            parts = _shapefile_parts(siblings, path.name)
            _require_parts(path.name, path.name, parts, crs)
            yield str(path), None, "shapefile"
        elif suffix == ".kmz":
            members = _zip_members(path)
            kmls = [m for m in members if m.filename.lower().endswith(".kml")]
            if not kmls:
                raise InputError(f"{path.name} holds no .kml document")
            doc = next((m for m in kmls if m.filename.lower() == "doc.kml"), kmls[0])
            _extract(path, [doc], Path(tmp), "doc")
            yield str(Path(tmp) / "doc.kml"), layer, "kml"
        else:
            yield str(path), layer, "kml" if suffix == ".kml" else suffix.lstrip(".")


def _choose_layer(src: str, file_name: str, layer: str | None) -> str | None:
    try:
        listed = [(str(n), g) for n, g in pyogrio.list_layers(src)]
    except Exception as exc:  # noqa: BLE001 - any GDAL failure: say the file cannot be read
        raise InputError(f"{file_name}: GDAL cannot read it ({exc})") from exc
    names = [n for n, _ in listed]
    spatial = [n for n, g in listed if g is not None]
    if layer is not None:
        if layer not in names:
            raise InputError(f"{file_name} has no layer {layer!r} (layers: {', '.join(names) or 'none'})")
        if layer not in spatial:
            raise InputError(f"{file_name}: layer {layer!r} has no geometry (an attribute table)")
        return layer
    if not spatial:
        raise InputError(f"{file_name} has no geometry (no layer with a geometry column; layers: "
                         f"{', '.join(names) or 'none'})")
    if len(spatial) > 1:
        raise InputError(f"{file_name} has {len(spatial)} layers ({', '.join(spatial)}); choose one with "
                         "--layer (layer=)")
    return spatial[0] if len(listed) > 1 else None


def _read(src: str, file_name: str, layer: str | None) -> gpd.GeoDataFrame:
    info_layer = layer if layer is not None else 0
    try:
        info = pyogrio.read_info(src, layer=info_layer)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{file_name}: GDAL cannot read it ({exc})") from exc
    limit = int(settings.USER_LAYER_MAX_FEATURES)
    if info.get("features", 0) > limit:
        raise LimitExceededError(f"{file_name} has {info['features']:,} features, over the limit for a layer "
                                 f"(raise geo_app.settings.USER_LAYER_MAX_FEATURES, now {limit:,})")
    if not info.get("geometry_type"):
        raise InputError(f"{file_name} has no geometry (an attribute table)")
    try:
        gdf = pyogrio.read_dataframe(src, layer=layer, use_arrow=True)
    except Exception:  # noqa: BLE001 - the Arrow path refuses some field types; the classic reader does not
        try:
            gdf = pyogrio.read_dataframe(src, layer=layer)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{file_name}: GDAL cannot read it ({exc})") from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{file_name} has no geometry (an attribute table)")
    gdf.attrs["driver"] = info.get("driver")
    return gdf


def _crs_label(crs: Any) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def _set_crs(gdf: gpd.GeoDataFrame, file_name: str, kind: str, crs: Any, notes: list[str]) -> gpd.GeoDataFrame:
    if crs is not None:
        try:
            given = CRS.from_user_input(int(crs) if isinstance(crs, str) and crs.strip().isdigit() else crs)
        except (CRSError, TypeError, ValueError) as exc:
            raise InputError(f"{crs!r} is not a coordinate system pyproj knows (use e.g. EPSG:32635)") from exc
        if gdf.crs is not None and not gdf.crs.equals(given):
            notes.append(f"coordinate system {_crs_label(given)} given explicitly, instead of the file's "
                         f"{_crs_label(gdf.crs)}")
        return gdf.set_crs(given, allow_override=True)
    if gdf.crs is None:
        what = "its shapefile has no .prj" if kind == "shapefile" else "it names no coordinate system"
        raise InputError(f"{file_name}: {what}, so its coordinates cannot be placed; give the CRS "
                         "(--crs EPSG:32635, crs=)")
    return gdf


def _keep_dims(geom: BaseGeometry, want: frozenset[int]) -> BaseGeometry | None:
    """The parts of ``geom`` of the wanted kinds (polygons, or lines), as one geometry; None if none."""
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    flat: list[BaseGeometry] = []
    for p in parts:
        if shapely.get_type_id(p) == 7:
            flat.extend(q for q in shapely.get_parts(p) if not q.is_empty)
        else:
            flat.append(p)
    polys = [q for q in flat if shapely.get_type_id(q) in POLYGONAL_TYPE_IDS]
    lines = [q for q in flat if shapely.get_type_id(q) in _LINEAR]
    if want == POLYGONAL_TYPE_IDS:
        return shapely.union_all(polys) if polys else None
    if want == _LINEAR:
        return shapely.line_merge(shapely.union_all(lines)) if lines else None
    return None


def _feature_dates(gdf: gpd.GeoDataFrame, file_name: str, date: dt.date | None, date_field: str | None,
                   notes: list[str]) -> tuple[list[str | None], list[str | None]]:
    n = len(gdf)
    if date is not None:
        return [date.isoformat()] * n, [None] * n
    if date_field is None:
        return [None] * n, [None] * n
    fields = [f.strip() for f in date_field.split(",")]
    if len(fields) > 2 or not all(fields):
        raise InputError(f"--date-field takes one field or two (begin,end), got {date_field!r}")
    available = [c for c in gdf.columns if c != gdf.geometry.name]
    for f in fields:
        if f not in gdf.columns:
            raise InputError(f"{file_name} has no field {f!r} (fields: {', '.join(map(str, available)) or 'none'})")
    starts: list[str | None] = []
    ends: list[str | None] = []
    undated = 0
    first_values = gdf[fields[0]].to_numpy(dtype=object)
    last_values = gdf[fields[-1]].to_numpy(dtype=object)
    for i in range(n):
        try:
            if len(fields) == 2:
                a, b = _day(first_values[i]), _day(last_values[i])
                if a is None and b is not None:
                    a = b
            else:
                raw = first_values[i]
                interval = _ISO_INTERVAL.match(raw) if isinstance(raw, str) else None
                a, b = (_day(interval.group(1)), _day(interval.group(2))) if interval else (_day(raw), None)
        except ValueError as exc:
            raise InputError(f"{file_name}: feature {i + 1} has {str(exc)!r} in field {date_field!r}, not a date "
                             "(YYYY-MM-DD, or an interval YYYY-MM-DD/YYYY-MM-DD)") from exc
        if a is not None and b is not None and b < a:
            raise InputError(f"{file_name}: feature {i + 1} ends ({b}) before it starts ({a})")
        if a is None:
            undated += 1
        starts.append(a.isoformat() if a else None)
        ends.append(b.isoformat() if b else None)
    if undated == n:
        raise InputError(f"{file_name}: no feature has a date in {date_field!r}")
    if undated:
        notes.append(f"{undated} feature(s) have no date in {date_field!r}: they show on every day")
    return starts, ends


def _feature_names(gdf: gpd.GeoDataFrame, name: str, keys: Sequence[str]) -> list[str]:
    """Each feature's name: its name-like attribute, else "<layer> #<row in the file>"."""
    column = next((c for c in _NAME_FIELDS if c in gdf.columns), None)
    values = gdf[column].to_numpy(dtype=object) if column is not None else [None] * len(gdf)
    out = []
    for key, value in zip(keys, values):
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
        out.append(text or f"{name} #{key}")
    return out


def _geometry_summary(geoms: npt.NDArray[np.object_]) -> str:
    types = sorted(set(shapely.get_type_id(geoms).tolist()))
    names = {1: "LineString", 2: "LineString", 3: "Polygon", 5: "MultiLineString", 6: "MultiPolygon"}
    return "/".join(dict.fromkeys(names.get(t, "Geometry") for t in types))


def layer_digest(gdf: gpd.GeoDataFrame) -> str:
    """SHA-256 of a layer's content (geometries, dates, names and attributes), for duplicate detection."""
    h = hashlib.sha256()
    for wkb in shapely.to_wkb(gdf.geometry.to_numpy(), flavor="iso", byte_order=1):
        h.update(wkb)
    for key, name, a, b, props in zip(gdf["feature_key"], gdf["name"], gdf["date_start"], gdf["date_end"],
                                      gdf["properties"]):
        h.update(json.dumps([key, name, a, b, props], sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def load_user_layer(path: str | Path, *, name: str, date: dt.date | str | None = None,
                    date_field: str | None = None, layer: str | None = None,
                    crs: Any = None) -> tuple[UserLayer, gpd.GeoDataFrame, tuple[Repair, ...]]:
    """Read, check, reproject and repair one boundary file.

    Parameters
    ----------
    path
        A zipped ESRI shapefile (.zip), a .shp with its sidecar files, a GeoPackage
        (.gpkg), GeoJSON (.geojson, .json) or KML (.kml, .kmz).
    name
        The layer's name (files added under one name with different dates form a series).
    date
        The day the whole file shows (ISO date); not with ``date_field``.
    date_field
        Field with each feature's date or ISO interval, or two fields ``"begin,end"``.
    layer
        Which layer of a GeoPackage or KML (or which shapefile of a zip) to read; needed
        when there are several.
    crs
        The file's coordinate system (``"EPSG:32635"``), for a shapefile without .prj;
        overrides the file's own (a note says so).

    Returns
    -------
    layer : UserLayer
    features : geopandas.GeoDataFrame
        :data:`LAYER_COLUMNS` plus ``geometry`` (EPSG:4326, lon/lat, 2-D), polygons or lines.
    repairs : tuple of Repair
        Invalid geometries repaired with ``shapely.make_valid``.

    Raises
    ------
    InputError
        The file cannot be used; the message says why.
    LimitExceededError
        The file is larger than ``USER_LAYER_MAX_BYTES`` or has more than
        ``USER_LAYER_MAX_FEATURES`` features.
    """
    name = _check_name(name)
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a layer file ({', '.join(LAYER_SUFFIXES)})")
    suffix = path.suffix.lower()
    if suffix not in LAYER_SUFFIXES:
        raise InputError(f"{path.name}: unsupported layer file type {suffix or '(none)'!r} "
                         f"(use {', '.join(LAYER_SUFFIXES)})")
    if path.stat().st_size > _max_bytes():
        raise LimitExceededError(f"{path.name} is {path.stat().st_size:,} bytes, over the limit for a layer "
                                 f"(raise geo_app.settings.USER_LAYER_MAX_BYTES, now {_max_bytes():,})")
    if date is not None and date_field:
        raise InputError("give a date for the whole file (--date) or a date field (--date-field), not both")
    day = parse_day(date, "--date")
    notes: list[str] = []
    with _gdal_source(path, layer, crs) as (src, src_layer, kind):
        chosen = src_layer if kind == "shapefile" else _choose_layer(src, path.name, src_layer)
        gdf = _read(src, path.name, chosen)
    driver = gdf.attrs.get("driver")
    if gdf.empty:
        raise InputError(f"{path.name} has no features (an empty layer)")
    gdf = _set_crs(gdf, path.name, kind, crs, notes)
    source_crs = _crs_label(gdf.crs)
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.all():
        raise InputError(f"{path.name}: none of its {len(gdf):,} features has a geometry")
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, list(POLYGONAL_TYPE_IDS))
    linear = np.isin(types, list(_LINEAR))
    collection = types == 7
    if not (polygonal | linear | collection).any():
        n_points = int(np.isin(types, list(_PUNCTUAL)).sum())
        raise InputError(f"{path.name} has only points ({n_points:,}); a boundary layer needs polygons (areas) "
                         "or lines (a front line)")
    if missing.any():
        notes.append(f"{int(missing.sum())} feature(s) without a geometry left out")
    points = np.isin(types, list(_PUNCTUAL)) & ~missing
    if points.any():
        notes.append(f"{int(points.sum())} point feature(s) left out: a boundary layer holds polygons and lines")
    keep = ~missing & ~points
    gdf = gdf[keep]
    if shapely.has_z(gdf.geometry.to_numpy()).any():
        notes.append("heights (Z) dropped: boundaries are compared in 2-D")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    geoms = shapely.force_2d(gdf.geometry.to_numpy())
    xy = shapely.get_coordinates(geoms)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180 + 1e-9).any() or (np.abs(xy[:, 1]) > 90 + 1e-9).any():
        raise InputError(f"{path.name}: coordinates fall outside longitude -180..180 / latitude -90..90 in WGS84; "
                         f"is {source_crs} really the file's coordinate system? (give another with --crs)")
    keys = [str(i + 1) for i in np.flatnonzero(keep)]
    names_all = _feature_names(gdf, name, keys)
    repairs: list[Repair] = []
    valid = shapely.is_valid(geoms)
    type_ids = shapely.get_type_id(geoms)
    out_geoms = list(geoms)
    for i in np.flatnonzero(~valid | (type_ids == 7)):
        geom, tid = geoms[i], int(type_ids[i])
        reason = "" if valid[i] else str(shapely.is_valid_reason(geom))
        fixed = geom if valid[i] else shapely.make_valid(geom)
        if tid in POLYGONAL_TYPE_IDS or tid in _LINEAR:
            want = POLYGONAL_TYPE_IDS if tid in POLYGONAL_TYPE_IDS else _LINEAR
        else:  # a collection: keep its areas, else its lines
            want = POLYGONAL_TYPE_IDS if _keep_dims(fixed, POLYGONAL_TYPE_IDS) is not None else _LINEAR
        kept = _keep_dims(fixed, want)
        if kept is None or kept.is_empty:
            out_geoms[i] = None
            notes.append(f"feature {keys[i]} ({names_all[i]}) left out: nothing usable after repair ({reason})")
            continue
        out_geoms[i] = kept
        if reason:
            repairs.append(Repair(keys[i], names_all[i], reason, kept.geom_type))
    usable = np.array([g is not None for g in out_geoms])
    if not usable.any():
        raise InputError(f"{path.name}: no usable geometry left after repair")
    gdf = gdf[usable]
    geom_arr = np.array([g for g in out_geoms if g is not None], dtype=object)
    keys = [k for k, u in zip(keys, usable) if u]
    names_all = [nm for nm, u in zip(names_all, usable) if u]
    starts, ends = _feature_dates(gdf, path.name, day, date_field, notes)
    drop = {gdf.geometry.name}
    if driver in ("KML", "LIBKML"):
        drop |= _KML_NOISE
    attr_cols = [c for c in gdf.columns if c not in drop]
    records = pd.DataFrame(gdf[attr_cols]).to_dict("records") if attr_cols else [{} for _ in range(len(gdf))]
    props = [{str(k): json_value(v) for k, v in rec.items()} for rec in records]
    out = layer_frame({
        "feature_id": [f"{name}:{k}" for k in keys], "layer_name": [name] * len(keys),
        "source_file": [path.name] * len(keys), "feature_key": keys, "name": names_all, "date_start": starts,
        "date_end": ends, "properties": props,
    }, geom_arr)
    dated = [d for d in (*starts, *ends) if d]
    info = UserLayer(
        name=name, source_file=path.name, feature_count=len(out), crs=source_crs,
        geometry_type=_geometry_summary(geom_arr), date_start=min(dated) if dated else None,
        date_end=max(dated) if dated else None, date_field=date_field or None, source_layer=chosen,
        notes=tuple(notes), n_repaired=len(repairs), content_hash=layer_digest(out),
    )
    return info, out, tuple(repairs)


def as_object_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with the named columns as objects holding str or None (changed in place, and returned)."""
    # pandas may infer a string dtype, whose missing value is NaN (truthy); these columns hold str or None.
    for c in columns:
        if c in frame.columns:
            frame[c] = pd.Series(frame[c].astype(object).where(frame[c].notna(), None).to_numpy(dtype=object),
                                 index=frame.index, dtype=object)
    return frame


def layer_frame(columns: Mapping[str, Sequence[Any]], geometries: Sequence[BaseGeometry]) -> gpd.GeoDataFrame:
    """A layer GeoDataFrame: :data:`LAYER_COLUMNS` (text columns hold str or None) and ``geometry`` (EPSG:4326)."""
    n = len(geometries)
    data = {c: pd.Series(list(columns.get(c, [None] * n)), dtype=object) for c in LAYER_COLUMNS}
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(geometries, dtype=object), crs="EPSG:4326"),
                           crs="EPSG:4326")
    return as_object_columns(gdf, [c for c in LAYER_COLUMNS if c != "properties"])


def empty_layer_gdf() -> gpd.GeoDataFrame:
    """A layer GeoDataFrame with no rows (and every column)."""
    return layer_frame({}, [])
