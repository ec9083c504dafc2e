"""Dated layers: which features of a layer hold on a day, and a layer as it was then.

A feature with a single date is a *snapshot*: it holds from its date until the series'
next snapshot date (the last one holds on). A feature with a date range holds on the
days of the range. Undated features hold always. :func:`layer_on` picks the features
that hold on a day: "the front line as it was on 2022-03-05" is the latest snapshot on
or before that day. Everything here takes and returns GeoDataFrames (EPSG:4326); where
a layer is stored is the shells' business.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo_app._errors import NotFoundError
from geo_app._util import iso_day
from geo_app.layers.load import POLYGONAL_TYPE_IDS, as_object_columns

__all__ = [
    "LayerTarget",
    "holds_on",
    "latest_day",
    "layer_on",
    "layer_target",
    "resolve_layer_name",
    "select_feature",
    "snapshot_of",
    "with_validity",
]

_TRAILING_DAY = re.compile(r"^(?P<name>.*\S)\s+(?P<day>\d{4}-\d{2}-\d{2})$")



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


def with_validity(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with ``valid_from`` and ``valid_to`` (ISO, inclusive; None: open) for each feature.

    Features are grouped by ``layer_name`` (a series). A feature with only ``date_start``
    is a snapshot, holding until the day before the series' next snapshot date; one with
    both dates holds over that range; an undated feature always.
    """
    out = as_object_columns(gdf.copy(), ("date_start", "date_end"))
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


def latest_day(gdf: gpd.GeoDataFrame) -> str | None:
    """The last day a dated layer's features start on (ISO), or None if undated."""
    days = [d for d in gdf["date_start"] if d]
    return max(days) if days else None


def holds_on(gdf: gpd.GeoDataFrame, day: str) -> npt.NDArray[np.bool_]:
    """Which features of a layer hold on ``day`` (ISO)."""
    if "valid_from" not in gdf.columns:
        gdf = with_validity(gdf)
    frm = gdf["valid_from"].to_numpy(dtype=object)
    to = gdf["valid_to"].to_numpy(dtype=object)
    return np.array([(a is None or a <= day) and (b is None or day <= b) for a, b in zip(frm, to)], dtype=bool)


def layer_on(gdf: gpd.GeoDataFrame, day: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """The features of a layer that hold on a day: the boundary as it was then.

    Parameters
    ----------
    gdf
        A layer GeoDataFrame (one or several series).
    day
        ISO date; None: the latest state (what holds on the last day any feature starts on).

    Returns
    -------
    geopandas.GeoDataFrame
        The features (EPSG:4326) with ``valid_from``/``valid_to``; empty before a dated
        layer's first date.
    """
    gdf = gdf if "valid_from" in gdf.columns else with_validity(gdf)
    when = iso_day(day, "day") or latest_day(gdf)
    if when is None:
        return gdf
    return gdf[holds_on(gdf, when)]


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
        return folded[m.group("name").casefold()], iso_day(m.group("day"))
    raise NotFoundError(f"no stored layer named {text!r} (layers: {', '.join(names) or 'none'})")


def select_feature(gdf: gpd.GeoDataFrame, feature: str) -> gpd.GeoDataFrame:
    """Features matching a feature key ("3"), id ("zone:3") or name (case-insensitive)."""
    wanted = str(feature).strip()
    hit = gdf[(gdf["feature_key"].astype(str) == wanted) | (gdf["feature_id"].astype(str) == wanted)]
    if hit.empty:
        hit = gdf[gdf["name"].astype(str).str.casefold() == wanted.casefold()]
    return hit


def _union(geoms: Sequence[BaseGeometry]) -> tuple[BaseGeometry, bool]:
    polys = [g for g in geoms if shapely.get_type_id(g) in POLYGONAL_TYPE_IDS]
    if polys:
        return shapely.union_all(polys), True
    return shapely.union_all(list(geoms)), False


def layer_target(gdf: gpd.GeoDataFrame, name: str, *, feature: str | None = None,
                 on: dt.date | str | None = None) -> LayerTarget:
    """A layer, or one of its features, as it was on a day: the target of a claim check.

    Parameters
    ----------
    gdf
        The layer's features (every date of its series).
    name
        The layer's name.
    feature
        One feature: its key (row number in the file), id or name.
    on
        The day (ISO); default the latest state.

    Raises
    ------
    NotFoundError
        No such feature, or nothing of the layer holds on that day.
    """
    day = iso_day(on, "day")
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
