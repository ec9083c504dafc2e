"""User boundary layers: the analyst's own shapefiles, checked, dated and tested against places.

:func:`load_user_layer` reads one file through pyogrio/GDAL: a zipped ESRI shapefile
(.shp, .shx, .dbf and .prj; any coordinate system the .prj names), a GeoPackage (one
of its layers), GeoJSON or KML/KMZ. It reprojects to WGS84 (EPSG:4326, lon/lat),
repairs invalid geometries with :func:`shapely.make_valid` and says what it repaired,
and rejects what cannot be a boundary with the reason (no geometry, only points, no
features, a zip without a .shp, a member name that leaves the archive).

Dated layers
------------
A layer carries dates in one of three ways: ``date=`` for the whole file; ``date_field=``
naming a field per feature (a date, or an ISO interval ``2022-03-01/2022-03-15``), or two
fields ``"begin,end"`` (KML's TimeSpan); several files added under one name, each with
its own ``date=``, form one series. A feature with a single date is a *snapshot*: it
holds from its date until the series' next snapshot date (the last one holds on). A
feature with a date range holds on the days of the range. Undated features hold always.
:func:`layer_on` picks the features that hold on a day: "the front line as it was on
2022-03-05" is the latest snapshot on or before that day.

Places in a layer
-----------------
:func:`places_in_layer` tests many points at once: point in polygon through a shapely
``STRtree`` over the features (planar in lon/lat, the data's own model, as
:mod:`geo_app.check.claims`), and the geodesic distance (WGS84, km) to the boundary of the
containing feature, or of the nearest feature from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError, LimitExceededError, NotFoundError

__all__ = [
    "LAYER_COLUMNS",
    "LAYER_SUFFIXES",
    "PLACE_CHECK_COLUMNS",
    "LayerTarget",
    "Repair",
    "UserLayer",
    "check_places",
    "empty_layer_gdf",
    "latest_day",
    "layer_digest",
    "layer_frame",
    "layer_on",
    "layer_target",
    "load_user_layer",
    "place_checks_to_geojson",
    "places_in_layer",
    "resolve_layer_name",
    "select_feature",
    "snapshot_of",
    "with_validity",
]

#: File types :func:`load_user_layer` reads.
LAYER_SUFFIXES = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz")
#: Columns of a layer GeoDataFrame (the geometry column comes last; EPSG:4326).
LAYER_COLUMNS = ("feature_id", "layer_id", "layer_name", "source_file", "feature_key", "name", "date_start",
                 "date_end", "properties")
#: Columns of :func:`check_places` results (the geometry, the place's point, comes last).
PLACE_CHECK_COLUMNS = ("place_feature_id", "place", "report_id", "source", "day", "layer_name", "layer_date",
                       "status", "inside", "feature_id", "feature_name", "distance_km")

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_NAME_FIELDS = ("name", "Name", "NAME", "label", "Label", "LABEL", "title", "Title", "id", "ID")
# LIBKML adds these display fields to every placemark; they say nothing about the area.
_KML_NOISE = frozenset({"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet"})
_ISO_DAY = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$")
_ISO_INTERVAL = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*/\s*(\d{4}-\d{1,2}-\d{1,2})\s*$")
_TRAILING_DAY = re.compile(r"^(?P<name>.*\S)\s+(?P<day>\d{4}-\d{2}-\d{2})$")
_MAX_NAME_CHARS = 100
_POLYGONAL = frozenset({3, 6})  # Polygon, MultiPolygon
_LINEAR = frozenset({1, 2, 5})  # LineString, LinearRing, MultiLineString
_PUNCTUAL = frozenset({0, 4})  # Point, MultiPoint



# --- plain data -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class LayerTarget:
    """A user layer (or one of its features) as it was on a day: one geometry to measure against.

    ``geometry`` is the union of the features that hold on ``on`` (EPSG:4326);
    ``polygonal`` is False for a layer of lines (a frontline trace). ``key`` identifies the
    geometry for caches.
    """

    name: str
    label: str
    geometry: BaseGeometry = field(repr=False, compare=False)
    key: str
    polygonal: bool
    on: str | None
    layer_date: str | None
    source: str
    feature_id: str | None = None
    feature_name: str | None = None
    feature_count: int = 0


# --- reading ----------------------------------------------------------------------------------


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


def _parse_day(value: dt.date | str | None, what: str = "date") -> dt.date | None:
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
    import pyogrio

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
    import pyogrio

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
    from pyproj import CRS
    from pyproj.exceptions import CRSError

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
    polys = [q for q in flat if shapely.get_type_id(q) in _POLYGONAL]
    lines = [q for q in flat if shapely.get_type_id(q) in _LINEAR]
    if want == _POLYGONAL:
        return shapely.union_all(polys) if polys else None
    if want == _LINEAR:
        return shapely.line_merge(shapely.union_all(lines)) if lines else None
    return None


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(pd.Timestamp(value).isoformat())
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


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
    day = _parse_day(date, "--date")
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
    polygonal = np.isin(types, list(_POLYGONAL))
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
        if tid in _POLYGONAL or tid in _LINEAR:
            want = _POLYGONAL if tid in _POLYGONAL else _LINEAR
        else:  # a collection: keep its areas, else its lines
            want = _POLYGONAL if _keep_dims(fixed, _POLYGONAL) is not None else _LINEAR
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
    props = [{str(k): _json_value(v) for k, v in rec.items()} for rec in records]
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


def _as_objects(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
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
    return _as_objects(gdf, [c for c in LAYER_COLUMNS if c != "properties"])


def empty_layer_gdf() -> gpd.GeoDataFrame:
    """A layer GeoDataFrame with no rows (and every column)."""
    return layer_frame({}, [])


# --- dates: which features hold on a day ------------------------------------------------------


def with_validity(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with ``valid_from`` and ``valid_to`` (ISO, inclusive; None: open) for each feature.

    Features are grouped by ``layer_name`` (a series). A feature with only ``date_start``
    is a snapshot, holding until the day before the series' next snapshot date; one with
    both dates holds over that range; an undated feature always.
    """
    out = _as_objects(gdf.copy(), ("date_start", "date_end"))
    starts = out["date_start"].to_numpy(dtype=object)
    ends = out["date_end"].to_numpy(dtype=object)
    valid_to = np.array([None] * len(out), dtype=object)
    for _, idx in out.groupby("layer_name", sort=False).indices.items():
        snaps = sorted({starts[i] for i in idx if starts[i] and not ends[i]})
        nxt = {d: (dt.date.fromisoformat(snaps[k + 1]) - dt.timedelta(days=1)).isoformat()
               for k, d in enumerate(snaps[:-1])}
        for i in idx:
            if ends[i]:
                valid_to[i] = ends[i]
            elif starts[i]:
                valid_to[i] = nxt.get(starts[i])
    out["valid_from"] = pd.Series(list(starts), index=out.index, dtype=object)
    out["valid_to"] = pd.Series(list(valid_to), index=out.index, dtype=object)
    return out


def _iso_day(day: dt.date | str | None) -> str | None:
    parsed = _parse_day(day, "day")
    return parsed.isoformat() if parsed else None


def latest_day(gdf: gpd.GeoDataFrame) -> str | None:
    """The last day a dated layer's features start on (ISO), or None if undated."""
    days = [d for d in gdf["date_start"] if d]
    return max(days) if days else None


def _holds(gdf: gpd.GeoDataFrame, day: str) -> npt.NDArray[np.bool_]:
    if "valid_from" not in gdf.columns:
        gdf = with_validity(gdf)
    frm = gdf["valid_from"].to_numpy(dtype=object)
    to = gdf["valid_to"].to_numpy(dtype=object)
    return np.array([(a is None or a <= day) and (b is None or day <= b) for a, b in zip(frm, to)], dtype=bool)


def layer_on(layer: str | gpd.GeoDataFrame, day: dt.date | str | None = None, *, store: Any = None
             ) -> gpd.GeoDataFrame:
    """The features of a layer that hold on a day: the boundary as it was then.

    Parameters
    ----------
    layer
        A layer GeoDataFrame (one or several series), or the name of a stored layer.
    day
        ISO date; None: the latest state (what holds on the last day any feature starts on).
    store
        The :class:`geo_app.store.Store` to read a named layer from (default: the one at
        ``settings.DB_PATH``).

    Returns
    -------
    geopandas.GeoDataFrame
        The features (EPSG:4326) with ``valid_from``/``valid_to``; empty before a dated
        layer's first date.
    """
    gdf = _named_layer(layer, store) if isinstance(layer, str) else layer
    gdf = gdf if "valid_from" in gdf.columns else with_validity(gdf)
    when = _iso_day(day) or latest_day(gdf)
    if when is None:
        return gdf
    return gdf[_holds(gdf, when)]


def snapshot_of(gdf: gpd.GeoDataFrame) -> str | None:
    """What date the features shown stand for: "2022-03-01", "2022-03-01/2022-03-15", or None (undated)."""
    labels = []
    for a, b in zip(gdf["date_start"], gdf["date_end"]):
        if a:
            labels.append(a if not b or b == a else f"{a}/{b}")
    labels = list(dict.fromkeys(labels))
    if not labels:
        return None
    return labels[0] if len(labels) == 1 else ", ".join(sorted(labels))


@contextmanager
def _store_for(store: Any) -> Iterator[Any]:
    if store is not None:
        yield store
        return
    from geo_app import settings
    from geo_app.io.store import Store

    path = Path(settings.DB_PATH)
    if not path.exists():
        raise NotFoundError(f"no store at {path} yet, so no stored layers (add one: geo-app layers add)")
    with Store(path) as s:
        yield s


def _named_layer(name: str, store: Any) -> gpd.GeoDataFrame:
    with _store_for(store) as s:
        gdf = s.user_layer_gdf(name)
        if gdf.empty:
            names = s.user_layer_names()
            raise NotFoundError(f"no stored layer named {name!r} (layers: {', '.join(names) or 'none'})")
    return gdf


def resolve_layer_name(names: Sequence[str], text: str) -> tuple[str, str | None]:
    """(layer name, day or None) of a typed target: "exercise zone", or "control 2022-03-01".

    A name stored as typed wins; else a trailing ISO date is read as the day.
    """
    text = " ".join(str(text).split())
    if text in names:
        return text, None
    folded = {n.casefold(): n for n in names}
    if text.casefold() in folded:
        return folded[text.casefold()], None
    m = _TRAILING_DAY.match(text)
    if m and m.group("name").casefold() in folded:
        return folded[m.group("name").casefold()], _iso_day(m.group("day"))
    raise NotFoundError(f"no stored layer named {text!r} (layers: {', '.join(names) or 'none'})")


def select_feature(gdf: gpd.GeoDataFrame, feature: str) -> gpd.GeoDataFrame:
    """Features matching a feature key ("3"), id ("zone:3") or name (case-insensitive)."""
    wanted = str(feature).strip()
    hit = gdf[(gdf["feature_key"].astype(str) == wanted) | (gdf["feature_id"].astype(str) == wanted)]
    if hit.empty:
        hit = gdf[gdf["name"].astype(str).str.casefold() == wanted.casefold()]
    return hit


def _union(geoms: Sequence[BaseGeometry]) -> tuple[BaseGeometry, bool]:
    polys = [g for g in geoms if shapely.get_type_id(g) in _POLYGONAL]
    if polys:
        return shapely.union_all(polys), True
    return shapely.union_all(list(geoms)), False


def layer_target(layer: str, *, feature: str | None = None, on: dt.date | str | None = None,
                 store: Any = None) -> LayerTarget:
    """A stored layer, or one of its features, as it was on a day: the target of a claim check.

    Parameters
    ----------
    layer
        A stored layer's name, or a name and a day ("control 2022-03-01").
    feature
        One feature: its key (row number in the file), id or name.
    on
        The day (ISO); default the day in ``layer``, else the latest state.

    Raises
    ------
    NotFoundError
        No such layer or feature, or nothing of the layer holds on that day.
    """
    with _store_for(store) as s:
        name, named_day = resolve_layer_name(s.user_layer_names(), layer)
        gdf = s.user_layer_gdf(name)
    day = _iso_day(on) or named_day
    shown = layer_on(gdf, day)
    when = day or latest_day(gdf)
    if shown.empty:
        first = min((d for d in gdf["date_start"] if d), default=None)
        since = f" (its first date is {first})" if first else ""
        raise NotFoundError(f"layer {name!r} has nothing on {when}{since}")
    feature_id = feature_name = None
    if feature is not None:
        picked = select_feature(shown, feature)
        if picked.empty:
            if not select_feature(gdf, feature).empty:
                raise NotFoundError(f"feature {feature!r} of layer {name!r} does not hold on {when}")
            raise NotFoundError(f"layer {name!r} has no feature {feature!r} (by key, id or name)")
        shown = picked
        feature_id = str(picked["feature_id"].iat[0]) if len(picked) == 1 else None
        feature_name = str(picked["name"].iat[0])
    geometry, polygonal = _union(list(shown.geometry.to_numpy()))
    layer_date = snapshot_of(shown)
    files = ", ".join(dict.fromkeys(shown["source_file"].astype(str)))
    what = f"layer '{name}'" + (f" feature '{feature_name}'" if feature_name else "")
    label = what + (f" ({layer_date})" if layer_date else "")
    source = f"user layer '{name}' ({files}" + (f", as of {layer_date}" if layer_date else ", undated") + ")"
    ids = ",".join(map(str, shown["feature_id"]))
    key = "user|" + hashlib.sha256(ids.encode() + shapely.to_wkb(geometry)).hexdigest()[:24]
    return LayerTarget(name=name, label=label, geometry=geometry, key=key, polygonal=polygonal, on=when,
                       layer_date=layer_date, source=source, feature_id=feature_id, feature_name=feature_name,
                       feature_count=len(shown))


# --- places in a layer ------------------------------------------------------------------------


class _LayerIndex:
    """A layer prepared for many point queries: a tree over its features and their boundary pieces."""

    def __init__(self, geoms: npt.NDArray[np.object_]) -> None:
        self.geoms = geoms
        shapely.prepare(geoms)
        self.polygonal = np.isin(shapely.get_type_id(geoms), list(_POLYGONAL))
        self.tree = shapely.STRtree(geoms)
        # Boundary pieces (segments between consecutive vertices of each ring or line), by feature.
        bounds = np.array(geoms, dtype=object)
        bounds[self.polygonal] = shapely.boundary(geoms[self.polygonal])
        lines, owner = shapely.get_parts(bounds, return_index=True)
        coords, ring = shapely.get_coordinates(lines, return_index=True)
        same = ring[1:] == ring[:-1]
        self.x0, self.y0 = coords[:-1][same, 0], coords[:-1][same, 1]
        self.x1, self.y1 = coords[1:][same, 0], coords[1:][same, 1]
        self.seg_owner = owner[ring[:-1][same]]
        order = np.argsort(self.seg_owner, kind="stable")
        for name in ("x0", "y0", "x1", "y1", "seg_owner"):
            setattr(self, name, getattr(self, name)[order])
        mid = np.radians((self.y0 + self.y1) / 2)
        self.seg_km = np.hypot((self.x1 - self.x0) * np.cos(mid), self.y1 - self.y0) * 111.32
        self.seg_start = np.searchsorted(self.seg_owner, np.arange(len(geoms)), side="left")
        self.seg_count = np.searchsorted(self.seg_owner, np.arange(len(geoms)), side="right") - self.seg_start
        self._exact: dict[int, Any] = {}

    def exact_index(self, feature: int) -> Any:
        from geo_app.geo.geodesy import BoundaryIndex

        if feature not in self._exact:
            self._exact[feature] = BoundaryIndex(self.geoms[feature])
        return self._exact[feature]


_INDEXES: OrderedDict[str, _LayerIndex] = OrderedDict()


def _layer_index(geoms: npt.NDArray[np.object_]) -> _LayerIndex:
    """A cached :class:`_LayerIndex` by the geometries' content."""
    key = hashlib.sha256(b"".join(shapely.to_wkb(geoms, byte_order=1))).hexdigest()
    hit = _INDEXES.get(key)
    if hit is not None:
        _INDEXES.move_to_end(key)
        return hit
    index = _LayerIndex(geoms)
    _INDEXES[key] = index
    while len(_INDEXES) > int(settings.USER_LAYER_INDEX_CACHE_SIZE):
        _INDEXES.popitem(last=False)
    return index


def _as_points(points: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], pd.Index]:
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if series.crs is not None and series.crs.to_epsg() != 4326:
            series = series.to_crs(4326)
        geoms, index = series.to_numpy(), series.index
    else:
        geoms = np.asarray(list(points), dtype=object)
        index = pd.RangeIndex(len(geoms))
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0), index
    if shapely.is_missing(geoms).any() or not (shapely.get_type_id(geoms) == 0).all():
        raise InputError("places must be points (lon/lat, EPSG:4326)")
    return shapely.get_x(geoms), shapely.get_y(geoms), index


def _edge_candidates(px: npt.NDArray[np.float64], py: npt.NDArray[np.float64], ix: _LayerIndex,
                     pair_pt: npt.NDArray[np.intp], pair_ft: npt.NDArray[np.intp]
                     ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64],
                                npt.NDArray[np.bool_]]:
    """(pair, edge, ``t`` on the edge, refine?) of the edges that may hold each pair's nearest boundary point.

    Each edge is a straight segment in lon/lat. In a frame centred on the point (metres along
    the meridian and the parallel there) it stays straight, so the point found on it lies on
    the edge exactly. The frame's distances are off by its distortion (which grows with
    the distance and the latitude), so every edge within that margin of the nearest is kept
    and measured geodesically by the caller.
    """
    from geo_app.geo.geodesy import _geod

    geod = _geod()
    e2 = geod.f * (2 - geod.f)
    counts = ix.seg_count[pair_ft]
    rep = np.repeat(np.arange(len(pair_pt)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    seg = ix.seg_start[pair_ft][rep] + offsets
    phi = np.radians(py[pair_pt])
    w = 1.0 - e2 * np.sin(phi) ** 2
    kx = (np.radians(1.0) * geod.a / np.sqrt(w) * np.cos(phi))[rep]  # metres per degree of longitude
    ky = (np.radians(1.0) * geod.a * (1 - e2) / w ** 1.5)[rep]  # metres per degree of latitude
    p_x, p_y = px[pair_pt][rep], py[pair_pt][rep]
    ax = ((ix.x0[seg] - p_x + 180.0) % 360.0 - 180.0) * kx
    ay = (ix.y0[seg] - p_y) * ky
    dx = (ix.x1[seg] - ix.x0[seg]) * kx
    dy = (ix.y1[seg] - ix.y0[seg]) * ky
    dd = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(dd > 0, -(ax * dx + ay * dy) / dd, 0.0), 0.0, 1.0)
    dist = np.hypot(ax + t * dx, ay + t * dy)
    best = np.full(len(pair_pt), np.inf)
    np.minimum.at(best, rep, dist)
    reach_deg = best / ky[np.searchsorted(rep, np.arange(len(pair_pt)))] if rep.size else best
    lat_far = np.radians(np.minimum(np.abs(py[pair_pt]) + reach_deg, 89.0))
    margin = 0.002 + 1.5 * np.tan(lat_far) * np.radians(reach_deg) + np.radians(reach_deg) ** 2
    keep = dist <= best[rep] * (1 + margin[rep]) + 1.0
    # Where the frame may put the point along the edge, km: its azimuths are off by about the
    # meridians' convergence (d² tan φ / R over a distance d), plus a residual; the distance is
    # then off by about e² / 2d. Edges where that could exceed a centimetre are refined.
    d_km = dist[keep] / 1000.0
    seg_km = ix.seg_km[seg[keep]]
    e_km = np.minimum(seg_km, d_km ** 2 * np.tan(np.minimum(np.abs(phi[rep[keep]]), np.radians(89.0))) / 6371.0
                      + 0.003 * seg_km)
    refine = e_km ** 2 / (2 * np.maximum(d_km, 1e-3)) > 1e-5
    return rep[keep], seg[keep], t[keep], refine


def _refine_on_edges(plon: npt.NDArray[np.float64], plat: npt.NDArray[np.float64], ix: _LayerIndex,
                     seg: npt.NDArray[np.intp], t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``t`` where the geodesic distance from each point to its edge is least (Illinois on its derivative).

    Moving the far end of a geodesic by ``dE`` east and ``dN`` north changes its length by
    ``dE sin(A2) + dN cos(A2)`` (A2: azimuth at that end); its root along the edge is the
    nearest point, found to 0.1 mm.
    """
    from geo_app.geo.geodesy import _geod

    geod = _geod()
    a, f = geod.a, geod.f
    e2 = f * (2 - f)
    x0, y0 = ix.x0[seg], ix.y0[seg]
    dlon, dlat = ix.x1[seg] - x0, ix.y1[seg] - y0
    length_m = ix.seg_km[seg] * 1000.0

    def slope(tt: npt.NDArray[np.float64], i: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """Derivative of the geodesic length along the edge (m per unit t) at ``tt``, for pairs ``i``."""
        lon, lat = x0[i] + tt * dlon[i], y0[i] + tt * dlat[i]
        _, back, _ = geod.inv(plon[i], plat[i], lon, lat)  # back azimuth: the far end's forward one + 180°
        phi = np.radians(lat)
        w = 1.0 - e2 * np.sin(phi) ** 2
        east = np.radians(dlon[i]) * a / np.sqrt(w) * np.cos(phi)
        north = np.radians(dlat[i]) * a * (1 - e2) / w ** 1.5
        az = np.radians(back)
        return -(east * np.sin(az) + north * np.cos(az))

    every = np.arange(len(t))
    lo, hi = np.zeros_like(t), np.ones_like(t)
    g_lo, g_hi = slope(lo, every), slope(hi, every)
    out = np.where(g_lo >= 0, 0.0, np.where(g_hi <= 0, 1.0, t))
    todo = (g_lo < 0) & (g_hi > 0)
    side = np.zeros(len(t), dtype=int)
    for _ in range(60):
        i = np.flatnonzero(todo)
        if i.size == 0:
            break
        tt = np.clip(lo[i] - g_lo[i] * (hi[i] - lo[i]) / (g_hi[i] - g_lo[i]), lo[i], hi[i])
        g = slope(tt, i)
        left = g < 0
        lo[i[left]], g_lo[i[left]] = tt[left], g[left]
        hi[i[~left]], g_hi[i[~left]] = tt[~left], g[~left]
        # Illinois: when the same end moves twice, halve the other end's value.
        g_hi[i[left & (side[i] == -1)]] *= 0.5
        g_lo[i[~left & (side[i] == 1)]] *= 0.5
        side[i] = np.where(left, -1, 1)
        out[i] = tt
        todo[i] = (np.abs(g) > 1e-9 * length_m[i]) & ((hi[i] - lo[i]) * length_m[i] > 1e-4)
    return out


def _pair_distances(px: npt.NDArray[np.float64], py: npt.NDArray[np.float64], ix: _LayerIndex,
                    pair_pt: npt.NDArray[np.intp], pair_ft: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Geodesic km from each pair's point to its feature's boundary."""
    from geo_app.geo.geodesy import geodesic_km

    out = np.full(len(pair_pt), np.nan)
    if len(pair_pt) == 0:
        return out
    limit = int(settings.USER_LAYER_EXACT_SEGMENTS)
    big = ix.seg_count[pair_ft] > limit
    small = np.flatnonzero(~big)
    if small.size:
        cand, seg, t, refine = _edge_candidates(px, py, ix, pair_pt[small], pair_ft[small])
        plon, plat = px[pair_pt[small]][cand], py[pair_pt[small]][cand]
        if refine.any():
            k = np.flatnonzero(refine)
            t[k] = _refine_on_edges(plon[k], plat[k], ix, seg[k], t[k])
        q_lon = ix.x0[seg] + t * (ix.x1[seg] - ix.x0[seg])
        q_lat = ix.y0[seg] + t * (ix.y1[seg] - ix.y0[seg])
        km = np.asarray(geodesic_km(plon, plat, q_lon, q_lat), dtype=float)
        best = np.full(small.size, np.inf)
        np.minimum.at(best, cand, km)
        out[small] = best
    for feature in np.unique(pair_ft[big]):
        sel = np.flatnonzero(big & (pair_ft == feature))
        km, _, _ = ix.exact_index(int(feature)).nearest_many(px[pair_pt[sel]], py[pair_pt[sel]])
        out[sel] = km
    return out


def places_in_layer(points: Any, layer_gdf: gpd.GeoDataFrame, *, distances: bool = True) -> pd.DataFrame:
    """Whether each place lies inside the layer, in which feature, and how far from its boundary.

    Parameters
    ----------
    points
        Points (lon/lat, EPSG:4326): a GeoSeries/GeoDataFrame (its index is kept) or a
        sequence of shapely Points.
    layer_gdf
        The layer's features (:func:`layer_on` of a day, for a dated layer).
    distances
        Also measure ``distance_km`` (skip for a bare point-in-polygon test).

    Returns
    -------
    pandas.DataFrame
        One row per place: ``inside`` (in a polygon, planar in lon/lat as the data's own
        model; on the boundary counts as outside), ``n_inside`` (how many features hold it),
        ``feature_id``/``feature_name`` (the containing feature, else the nearest one),
        ``distance_km`` (geodesic on WGS84 to that feature's boundary: from inside, how deep;
        NaN without ``distances`` or features).
    """
    px, py, index = _as_points(points)
    n = len(px)
    out = pd.DataFrame({"inside": np.zeros(n, dtype=bool), "n_inside": np.zeros(n, dtype=int),
                        "feature_id": [None] * n, "feature_name": [None] * n,
                        "distance_km": np.full(n, np.nan)}, index=index)
    if n == 0 or layer_gdf.empty:
        return out
    geoms = layer_gdf.geometry.to_numpy()
    ix = _layer_index(geoms)
    pts = shapely.points(px, py)
    cand_pt, cand_ft = ix.tree.query(pts)
    poly = ix.polygonal[cand_ft]
    cand_pt, cand_ft = cand_pt[poly], cand_ft[poly]
    hit = shapely.contains_xy(geoms[cand_ft], px[cand_pt], py[cand_pt]) if cand_pt.size else np.zeros(0, bool)
    in_pt, in_ft = cand_pt[hit], cand_ft[hit]
    n_inside = np.bincount(in_pt, minlength=n)
    chosen = np.full(n, -1)
    # The first feature (in layer order) holding a place names it.
    for p, f in zip(in_pt[::-1], in_ft[::-1]):
        chosen[p] = f
    inside = n_inside > 0
    outside = np.flatnonzero(~inside)
    km = np.full(n, np.nan)
    if outside.size and not distances:
        near_pt, near_ft = ix.tree.query_nearest(pts[outside], all_matches=False)
        chosen[outside[near_pt]] = near_ft
    elif outside.size:
        # The planar nearest (degrees) need not be the geodesic nearest: every feature within
        # that planar distance widened by 1/cos(latitude) is measured exactly, the nearest kept.
        pairs, planar = ix.tree.query_nearest(pts[outside], return_distance=True, all_matches=False)
        planar_of = np.full(outside.size, np.inf)
        planar_of[pairs[0]] = planar
        lat_max = np.minimum(np.abs(py[outside]) + planar_of, 89.0)
        radius = planar_of / np.cos(np.radians(lat_max)) * 1.01 + 1e-9
        near_pt, near_ft = ix.tree.query(pts[outside], predicate="dwithin", distance=radius)
        near_pt = outside[near_pt]
        pair_km = _pair_distances(px, py, ix, near_pt, near_ft)
        order = np.lexsort((pair_km, near_pt))
        first = np.ones(order.size, dtype=bool)
        first[1:] = near_pt[order][1:] != near_pt[order][:-1]
        best = order[first]
        chosen[near_pt[best]] = near_ft[best]
        km[near_pt[best]] = pair_km[best]
    if distances and inside.any():
        in_idx = np.flatnonzero(inside)
        km[in_idx] = _pair_distances(px, py, ix, in_idx, chosen[in_idx])
    has = chosen >= 0
    ids = layer_gdf["feature_id"].to_numpy(dtype=object) if "feature_id" in layer_gdf else np.arange(len(geoms))
    names = layer_gdf["name"].to_numpy(dtype=object) if "name" in layer_gdf else ids
    out["inside"] = inside
    out["n_inside"] = n_inside
    out["feature_id"] = [ids[c] if ok else None for c, ok in zip(chosen, has)]
    out["feature_name"] = [names[c] if ok else None for c, ok in zip(chosen, has)]
    out["distance_km"] = km
    return out


def _place_days(places: gpd.GeoDataFrame, default_day: str | None) -> list[str | None]:
    """The day each place is tested on: its event date's last day, else its publication date."""
    days = []
    for a, b, pub in zip(places.get("date_start", [None] * len(places)), places.get("date_end", [None] * len(places)),
                         places.get("published", [None] * len(places))):
        day = next((d for d in (b, a, pub) if isinstance(d, str) and d), None)
        days.append(day[:10] if day else default_day)
    return days


def check_places(places: gpd.GeoDataFrame, layers: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame], *,
                 default_day: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """Test report places against user layers, each place on its own day.

    Parameters
    ----------
    places
        Map features (:func:`geo_app.layers.features_gdf` or ``Store.features_gdf``); only
        points are tested (one row per point mention).
    layers
        Layer features (one or several series, by ``layer_name``), or a mapping name -> features.
    default_day
        The day for places with no date (the app passes the slider's last day); without it
        an undated place is tested against undated layers only.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`PLACE_CHECK_COLUMNS` plus the place's point (EPSG:4326), one row per place
        and layer. ``day`` is the place's event date (last day of a range), else the
        publication date; ``layer_date`` the snapshot (or range) of the layer on that day;
        ``status`` "inside", "outside", or "no layer on this day".
    """
    if isinstance(layers, Mapping):
        frames = [g for g in layers.values() if g is not None and not g.empty]
        layers = pd.concat(frames, ignore_index=True) if frames else empty_layer_gdf()
    geoms = places.geometry.to_numpy() if len(places) else np.array([], dtype=object)
    is_point = ~shapely.is_missing(geoms) & (shapely.get_type_id(geoms) == 0) if len(geoms) else np.zeros(0, bool)
    pts = places[is_point]
    default = _iso_day(default_day)
    days = _place_days(pts, default)
    rows: list[dict[str, Any]] = []
    point_geoms: list[BaseGeometry] = []
    if not pts.empty and not layers.empty:
        valid = with_validity(gpd.GeoDataFrame(layers, geometry="geometry", crs="EPSG:4326"))
        for name, series in valid.groupby("layer_name", sort=True):
            series = gpd.GeoDataFrame(series, geometry="geometry", crs="EPSG:4326")
            undated_layer = not any(series["date_start"])
            for day in sorted(set(days), key=lambda d: d or ""):
                sel = np.flatnonzero([d == day for d in days])
                sub = pts.iloc[sel]
                if day is None and not undated_layer:
                    shown = series.iloc[0:0]
                else:
                    shown = series if day is None else series[_holds(series, day)]
                layer_date = snapshot_of(shown) if not shown.empty else None
                if shown.empty:
                    res = pd.DataFrame({"inside": [None] * len(sub), "feature_id": None, "feature_name": None,
                                        "distance_km": np.nan}, index=sub.index)
                else:
                    res = places_in_layer(sub.geometry, shown)
                for (_, place), (_, r) in zip(sub.iterrows(), res.iterrows()):
                    status = "no layer on this day" if shown.empty else ("inside" if r["inside"] else "outside")
                    rows.append({
                        "place_feature_id": place.get("feature_id"), "place": place.get("name"),
                        "report_id": place.get("report_id"), "source": place.get("source"), "day": day,
                        "layer_name": str(name), "layer_date": layer_date, "status": status,
                        "inside": None if shown.empty else bool(r["inside"]), "feature_id": r["feature_id"],
                        "feature_name": r["feature_name"],
                        "distance_km": None if pd.isna(r["distance_km"]) else round(float(r["distance_km"]), 3),
                    })
                    point_geoms.append(place.geometry)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in PLACE_CHECK_COLUMNS})
    frame["distance_km"] = pd.to_numeric(frame["distance_km"], errors="coerce").astype("float64")
    frame = _as_objects(frame, [c for c in PLACE_CHECK_COLUMNS if c != "distance_km"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(np.asarray(point_geoms, dtype=object), crs="EPSG:4326"),
                            crs="EPSG:4326")


def place_checks_to_geojson(results: gpd.GeoDataFrame) -> dict[str, Any]:
    """:func:`check_places` results as an RFC 7946 FeatureCollection.

    One Point feature per place and layer; properties are :data:`PLACE_CHECK_COLUMNS`, so
    each carries the layer's name (``layer_name``) and the date it was tested against
    (``layer_date``, with the place's ``day``).
    """
    features = []
    for props, geom in zip(pd.DataFrame(results[list(PLACE_CHECK_COLUMNS)]).to_dict("records"),
                           results.geometry.to_numpy()):
        clean = {k: _json_value(v) for k, v in props.items()}
        geometry = None if geom is None or geom.is_empty else {
            "type": "Point", "coordinates": [round(geom.x, 6), round(geom.y, 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": clean})
    return {"type": "FeatureCollection", "features": features}
