"""Static maps for briefs: a PNG drawn with geopandas/matplotlib, no browser, no tiles.

:func:`render` draws the features the interactive map shows (from
:func:`geo_app.features.features_gdf`) on Natural Earth borders, framed on the focus extent
(:func:`geo_app.features.focus_extent`: where the precise features concentrate; the places
left out are named in a note) in a Lambert azimuthal equal-area projection centred on the
frame. The page is laid out top to bottom at its true print width (16 cm by default, 8 cm for
one column): a wrapped title and subtitle, the map with a locator inset (the frame on a
world map), the legend under the map, a note of what lies outside the frame and a sources
and method line. Fonts are drawn at their true point size for that width, never below
:data:`geo_app.settings.PLOT_MIN_FONT_PT`.

Cartographic honesty: the scale bar is true at the centre and drawn only when the scale
varies by less than :data:`geo_app.settings.PLOT_SCALE_MAX_ERROR` across the frame; the north
arrow sits on the central meridian, the one line where north is straight up (a light
graticule shows north everywhere else). Claims are drawn and labelled in the colour of
their verdict, from the same mapping as the legend (an unverifiable claim is grey).
Labels are placed greedily, near their point first, then further out with a leader line;
a label that fits nowhere is left out and counted, and every placed box is returned so a
test can check that none overlap.

The PNG carries its provenance as text chunks: ``Title``, ``Description`` (the subtitle),
``Source``, ``geo_app:date_window``, ``geo_app:crs`` (PROJ string) and ``geo_app:bbox``
(``[west, south, east, north]`` of the frame, degrees). The output is byte-for-byte
deterministic for the same input.

Why this module is long: the layout, the label placer, the inset and the cartographic
furniture (scale bar, north arrow, graticule) all work on one figure and its renderer, and
the layout measures what they drew; apart they would pass the same dozen objects around.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox
from PIL import Image
from shapely.geometry import box

from geo_app import features as L
from geo_app import settings
from geo_app._errors import InputError
from geo_app._util import iso_day
from geo_app.geo.projection import laea_crs
from geo_app.places import borders
from geo_app.render.names import english_names
from geo_app.render.style import ATTRIBUTION, LAYER_LABELS, LAYER_STYLES, VERDICT_COLOURS

#: Resolutions a brief may ask for.
DPI_CHOICES = (150, 300)
#: Widths (cm) a PNG may be drawn at: a column to a landscape page.
WIDTH_CM_RANGE = (7.0, 30.0)
_OCEAN = "#d4e4ef"
_LAND = "#f2efe9"
_BORDER = "#8c8c8c"
_GRATICULE = "#b8c8d4"
_FRAME_RED = "#d62728"
_POINT_SIZE = {"places": 22, "countries": 30, "regions": 22, "seas": 22, "groups": 30, "demonyms": 14}
_MARGIN_IN = 0.10
_GAP_IN = 0.06
#: Font sizes (points) at the true print width; none is below settings.PLOT_MIN_FONT_PT.
_FONT = {"title": 10.5, "subtitle": 8.0, "label": 7.0, "claim": 7.0, "legend": 7.0, "note": 6.5, "small": 6.5}
#: Label candidates: (dx, dy) offsets in points from the point, near first; the far ring gets a leader line.
_NEAR = ((5, 3), (5, -10), (-5, 3), (-5, -10), (0, 7), (0, -15))
_FAR = ((16, 14), (16, -22), (-16, 14), (-16, -22), (24, -4), (-24, -4), (0, 20), (0, -28))
_RC = {"font.family": "DejaVu Sans", "font.size": 7, "svg.hashsalt": "geo_app", "path.simplify": True,
       "axes.unicode_minus": True}
#: Verdict of a claim with none recorded.
_NO_VERDICT = "unverifiable"


@dataclass
class PlotInfo:
    """What a rendering drew: pixel boxes (x0, y0, x1, y1 from the image's top-left), counts, provenance."""

    width_px: int
    height_px: int
    legend_box: tuple[int, int, int, int] | None
    map_box: tuple[int, int, int, int]
    extent_lonlat: tuple[float, float, float, float]
    scale_km: float | None
    labels_drawn: int
    labels_dropped: int
    legend_colours: list[str] = field(default_factory=list)
    label_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    label_texts: list[str] = field(default_factory=list)
    #: Relation claims in view (borders, lies in...): drawn dashed and listed in the note, not labelled.
    relations: list[str] = field(default_factory=list)
    claim_labels: list[tuple[str, str]] = field(default_factory=list)
    inset_box: tuple[int, int, int, int] | None = None
    north_arrow: bool = False
    bbox_lonlat: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)
    crs: str = ""
    scale_error: float = 0.0
    outliers: list[str] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    subtitle_lines: list[str] = field(default_factory=list)
    min_font_pt: float = 0.0
    metadata: dict[str, str] = field(default_factory=dict)


def _plain(text: object) -> str:
    """Text matplotlib must not read as mathtext ("$5" stays "$5")."""
    return str(text).replace("$", r"\$")


def verdict_colour(verdict: Any) -> str:
    """The colour of a claim's verdict (one mapping for the drawing and the legend; none is grey)."""
    key = str(verdict) if verdict is not None and not (isinstance(verdict, float) and math.isnan(verdict)) else ""
    return VERDICT_COLOURS.get(key, VERDICT_COLOURS[_NO_VERDICT])


def _verdict_name(verdict: Any) -> str:
    key = str(verdict) if verdict is not None and not (isinstance(verdict, float) and math.isnan(verdict)) else ""
    return key if key in VERDICT_COLOURS else _NO_VERDICT


def _nice_length(target_km: float) -> float:
    """The 1-2-5 number of km closest below ``target_km``."""
    if target_km <= 0:
        return 1.0
    exp = math.floor(math.log10(target_km))
    for step in (5, 2, 1):
        value = step * 10 ** exp
        if value <= target_km:
            return float(value)
    return float(10 ** exp)


def _clip_project(gdf: gpd.GeoDataFrame, clip: tuple[float, float, float, float], crs: pyproj.CRS) -> gpd.GeoDataFrame:
    if gdf.empty:
        return gdf.to_crs(crs)
    geoms = shapely.clip_by_rect(gdf.geometry.to_numpy(), *clip)
    out = gdf.copy()
    out["geometry"] = geoms
    arr = out.geometry.to_numpy()
    out = out[~shapely.is_missing(arr) & ~shapely.is_empty(arr)].to_crs(crs)
    # Projecting a clipped outline can pinch a ring into a self-touch; overlays need valid shapes.
    projected = out.geometry.to_numpy()
    invalid = ~shapely.is_valid(projected)
    if invalid.any():
        projected[invalid] = shapely.make_valid(projected[invalid])
        out["geometry"] = projected
    return out


def window_text(window: tuple[Any, Any] | None, gdf: gpd.GeoDataFrame) -> str:
    """The date window as a subtitle phrase (the features' own span when no window was set)."""
    lo, hi = (window or (None, None))
    lo, hi = iso_day(lo), iso_day(hi)
    if not lo and not hi:
        span = L.date_range(gdf) if not gdf.empty else None
        if span is None:
            return "Dates: none resolved"
        return f"Events and reports dated {span[0].isoformat()} to {span[1].isoformat()} (all dates)"
    return f"Date window: {lo or 'start'} to {hi or 'end'}"


def _check_extent(extent: Sequence[float]) -> tuple[float, float, float, float]:
    if len(extent) != 4 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in extent):
        raise InputError(f"extent {tuple(extent)} must be four numbers: west, south, east, north (degrees)")
    w, s, e, n = (float(v) for v in extent)
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"extent {(w, s, e, n)} is not west, south, east, north in degrees (west < east, south < north)")
    return (w, s, e, n)


def frame_extent(gdf: gpd.GeoDataFrame, extent: Sequence[float] | None = None) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """The frame (west, south, east, north) to draw and the names :func:`~geo_app.features.focus_extent` left out.

    A given ``extent`` is checked and used as is (no outliers are named then: the note lists
    what falls outside the drawn view instead).
    """
    if extent is not None:
        return _check_extent(extent), ()
    focus = L.focus_extent(gdf)
    if focus.bounds is None:
        return (-25.0, 30.0, 60.0, 72.0), ()
    return tuple(float(v) for v in focus.bounds), focus.outliers


def _short_name(name: str) -> str:
    """A feature name without its parenthesised explanations ("Minsk (capital of ...)" -> "Minsk")."""
    out = re.sub(r"\s*\([^()]*\)", "", str(name)).strip()
    return out or str(name)


def _bound_sign(row: pd.Series) -> str:
    """The sign of a claim's stated bound ("≈" for "about"), "" for none."""
    return {"at_most": "≤", "at_least": "≥", "about": "≈"}.get(str(row.get("bound")), "")


def _claim_figures(row: pd.Series) -> str:
    bound = _bound_sign(row)

    def km(v: Any) -> str:
        return f"{float(v):,.0f} km"

    claimed, measured = row.get("claimed_km"), row.get("measured_km")
    has_claimed = claimed is not None and pd.notna(claimed)
    has_measured = measured is not None and pd.notna(measured)
    if has_claimed and str(row.get("claim_type")) == "adjacency":
        return f"claimed border {bound}{km(claimed)}"  # a stated length: measured_km is the gap, the reason the length
    if not has_claimed:
        return f"measured {km(measured)}" if has_measured else "not measured"
    return f"claimed {bound}{km(claimed)} · " + (f"measured {km(measured)}" if has_measured else "not measured")


def is_relation_claim(row: pd.Series) -> bool:
    """A claim about a relation (borders, lies in, is coastal), not a stated distance.

    The PNG draws these thin and unlabelled and lists them in its note: their thick lines
    and "measured ?" labels crowded the distance claims a brief is about.
    """
    claimed = row.get("claimed_km")
    return str(row.get("claim_type") or "") != "distance" and (claimed is None or pd.isna(claimed))


def _claim_texts(row: pd.Series) -> list[str]:
    """A claim's label, longest first: ends, figures and verdict; figures and verdict (the line's
    ends are labelled towns: what was claimed against what was measured matters more); the two
    figures on one short line ("claimed ≈90: 58 km (overstated)"); ends and the measured
    distance; the measured distance."""
    figures = _claim_figures(row)
    verdict = _verdict_name(row.get("verdict"))
    measured, claimed = row.get("measured_km"), row.get("claimed_km")
    has_measured = measured is not None and pd.notna(measured)
    short = f"{float(measured):,.0f} km ({verdict})" if has_measured else verdict
    ends = _short_name(str(row.get("name") or "claim"))
    texts = [f"{ends}\n{figures} · {verdict}", f"{figures}\n{verdict}"]
    if has_measured and claimed is not None and pd.notna(claimed) and str(row.get("claim_type")) != "adjacency":
        texts.append(f"claimed {_bound_sign(row)}{float(claimed):,.0f}: {short}")
    return [*texts, f"{ends}\n{short}", short]


def _wrap(renderer: Any, text: str, width_px: float, size: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap of ``text`` to ``width_px`` at ``size`` points (long words are split)."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(_plain(s), prop, ismath=False)[0]

    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for word in para.split():
            while width(word) > width_px and len(word) > 1:  # a word wider than the page: split it
                cut = len(word) - 1
                while cut > 1 and width(word[:cut]) > width_px:
                    cut -= 1
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:cut])
                word = word[cut:]
            trial = f"{line} {word}" if line else word
            if line and width(trial) > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return [ln for ln in lines if ln] or [""]


def _plot(frame: gpd.GeoDataFrame, ax: Any, **style: Any) -> None:
    if not frame.empty:
        frame.plot(ax=ax, **style)


def _covers_view(frame: gpd.GeoDataFrame, view_box: Any) -> np.ndarray:
    """Which areas cover most of the view: they are outlined, not filled (a fill would tint the whole map)."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    share = frame.geometry.intersection(view_box).area.to_numpy() / view_box.area
    return share > float(settings.PLOT_OUTLINE_AREA_SHARE)


@lru_cache(maxsize=1)
def _world_outline() -> gpd.GeoDataFrame:
    """Countries simplified for the locator inset (degrees)."""
    world = borders.countries()[["geometry"]].copy()
    world["geometry"] = world.geometry.simplify(0.4, preserve_topology=True)
    return world


def _scale_error(crs: pyproj.CRS, to_geo: pyproj.Transformer, view: tuple[float, float, float, float]) -> float:
    """Largest departure of the projection's scale from 1 over the view (a fraction; 0 at the centre)."""
    x0, y0, x1, y1 = view
    xs, ys = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 7))
    lons, lats = to_geo.transform(xs.ravel(), ys.ravel())
    ok = np.isfinite(lons) & np.isfinite(lats)
    if not ok.any():
        return 1.0
    factors = pyproj.Proj(crs).get_factors(np.asarray(lons)[ok], np.asarray(lats)[ok])
    k = np.concatenate([np.asarray(factors.meridional_scale), np.asarray(factors.parallel_scale)])
    k = k[np.isfinite(k)]
    return float(np.max(np.abs(k - 1.0))) if k.size else 1.0


def _graticule_step(span_deg: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30):
        if span_deg / step <= 6:
            return float(step)
    return 30.0


def render(gdf: gpd.GeoDataFrame, *, title: str = "geo_app map", window: tuple[Any, Any] | None = None,
           dpi: int = 150, extent: Sequence[float] | None = None,
           layers: Sequence[str] | None = None, subtitle: str | None = None,
           width_cm: float | None = None, sources: Sequence[str] | None = None) -> tuple[bytes, PlotInfo]:
    """Draw the features as a brief-ready PNG.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features (EPSG:4326), usually already filtered to the window.
    title : str
        Title (wrapped to the page).
    window : (start, end), optional
        The date window the features were filtered to (ISO strings or dates), for the default subtitle.
    dpi : int
        150 or 300.
    extent : (west, south, east, north), optional
        Degrees; the focus extent of the features if None.
    layers : sequence of str, optional
        Layers to draw (default: all but demonyms).
    subtitle : str, optional
        Subtitle (wrapped); the date window if None.
    width_cm : float, optional
        Print width in cm (:data:`geo_app.settings.PLOT_WIDTH_CM` if None; 8 for one column).
    sources : sequence of str, optional
        Names of the reports' sources for the sources line (the features' ``source`` values if None).

    Returns
    -------
    (bytes, PlotInfo)
        The PNG and what was drawn where (pixel boxes from the top-left).
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if dpi not in DPI_CHOICES:
        raise InputError(f"dpi must be one of {DPI_CHOICES}, not {dpi!r}")
    width_cm = float(settings.PLOT_WIDTH_CM if width_cm is None else width_cm)
    if not (WIDTH_CM_RANGE[0] <= width_cm <= WIDTH_CM_RANGE[1]):
        raise InputError(f"width must be {WIDTH_CM_RANGE[0]:g} to {WIDTH_CM_RANGE[1]:g} cm, not {width_cm:g}")
    floor_pt = float(settings.PLOT_MIN_FONT_PT)
    font = {k: max(v, floor_pt) for k, v in _FONT.items()}
    wanted = set(layers) if layers is not None else set(L.LAYERS) - set(L.LAYERS_OFF_BY_DEFAULT)
    data = L.mappable(gdf[gdf["layer"].isin(wanted)]) if not gdf.empty else gdf
    if not data.empty:  # the map's and the table's spelling of each place (render.names)
        data = data.assign(name=english_names(data))
    ext, _ = frame_extent(data, extent)
    crs = laea_crs(round((ext[0] + ext[2]) / 2, 4), round((ext[1] + ext[3]) / 2, 4))
    width_in = round(width_cm / 2.54 * dpi) / dpi  # a whole number of pixels
    map_w_in = width_in - 2 * _MARGIN_IN

    # Frame: the extent's projected box; the map's height follows its shape (within limits).
    frame = gpd.GeoSeries([shapely.segmentize(box(*ext), 0.5)], crs="EPSG:4326").to_crs(crs)
    x0, y0, x1, y1 = frame.total_bounds
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    aspect = min(max(h / w, 0.62), 1.15)  # map height / width
    if h / w < aspect:
        h = w * aspect
    else:
        w = h / aspect
    map_h_in = map_w_in * aspect
    view = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    to_geo = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    ring = shapely.segmentize(box(*view), max(w, h) / 60).exterior
    lons, lats = to_geo.transform(*np.asarray(ring.coords).T)
    footprint = (float(np.min(lons)), float(np.min(lats)), float(np.max(lons)), float(np.max(lats)))
    # The drawn view contains the pole when the pole projects inside it.
    to_map = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    for pole in (90.0, -90.0):
        px_, py_ = to_map.transform(0.0, pole)
        if np.isfinite(px_) and view[0] <= px_ <= view[2] and view[1] <= py_ <= view[3]:
            footprint = (-180.0, min(footprint[1], pole), 180.0, max(footprint[3], pole))
    pad = 0.1 * max(footprint[2] - footprint[0], footprint[3] - footprint[1]) + 1.0
    clip = (max(footprint[0] - pad, -180.0), max(footprint[1] - pad, -89.0),
            min(footprint[2] + pad, 180.0), min(footprint[3] + pad, 89.0))
    scale_error = _scale_error(crs, to_geo, view)

    with rc_context(_RC):
        fig = Figure(figsize=(width_in, 30.0), dpi=dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.5))
        ax.set_facecolor(_OCEAN)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#555555")
            spine.set_linewidth(0.6)
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("auto")

        world = borders.countries()[["NAME_EN", "geometry"]]
        world = world[world.intersects(box(*clip))].copy()
        # Border detail to match the scale: ~1/1500 of the map's width.
        world["geometry"] = world.geometry.simplify((footprint[2] - footprint[0]) / 1500, preserve_topology=True)
        _clip_project(world, clip, crs).plot(ax=ax, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.4, zorder=1)
        _draw_graticule(ax, crs, clip, footprint)

        handles: list[Any] = []
        legend_colours: list[str] = []
        view_box = box(*view)

        def in_view(frame_: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return frame_[frame_.intersects(view_box)] if not frame_.empty else frame_

        def add_handle(handle: Any, colour: str) -> None:
            handles.append(handle)
            legend_colours.append(colour)

        outside: list[str] = []
        if not data.empty:
            areas = L.mentioned_areas(data)
            areas = in_view(_clip_project(areas, clip, crs)) if not areas.empty else areas
            if not areas.empty:
                s = LAYER_STYLES["mentioned_areas"]
                wide = _covers_view(areas, view_box)
                _plot(areas[~wide], ax, facecolor=s["fillColor"], edgecolor=s["color"], linewidth=0.5, alpha=0.8,
                                  zorder=2)
                _plot(areas[wide], ax, facecolor="none", edgecolor=s["color"], linewidth=0.9, zorder=2)
                add_handle(Patch(facecolor=s["fillColor"], edgecolor=s["color"], label=LAYER_LABELS["mentioned_areas"]),
                           s["fillColor"])
            for layer in L.AREA_LAYERS:
                part = data[data["layer"] == layer]
                if part.empty:
                    continue
                s = LAYER_STYLES[layer]
                # Each area once: six mentions of "Eastern Europe" are one polygon, not six stacked fills.
                part = part[~part.geometry.to_wkb().duplicated()]
                proj = in_view(_clip_project(part[["geometry"]], clip, crs))
                if proj.empty:
                    continue
                wide = _covers_view(proj, view_box)
                style = {"edgecolor": s["color"], "linestyle": "--" if "dashArray" in s else "-", "zorder": 3}
                _plot(proj[~wide], ax, facecolor=s["fillColor"], alpha=min(0.1 + s["fillOpacity"], 0.5),
                                 linewidth=1.0 if layer == "direction_regions" else 0.5, **style)
                _plot(proj[wide], ax, facecolor="none", linewidth=1.0, **style)
                add_handle(Patch(facecolor=s["fillColor"], edgecolor=s["color"], alpha=0.6, label=LAYER_LABELS[layer]),
                           s["fillColor"])
            # Precise features with no part in the view are named in the note (claims by their ends).
            precise = data[~data["layer"].isin(L.COARSE_LAYERS)]
            for _, row in precise.iterrows():
                geom = row.geometry
                if geom is None or geom.is_empty:
                    continue
                if not _clip_project(gpd.GeoDataFrame([row], geometry="geometry", crs="EPSG:4326"), clip, crs
                                     ).intersects(view_box).any():
                    name = _short_name(str(row["name"]))
                    if row["kind"] == "claim":
                        name = f"{name} ({_claim_figures(row)}, {_verdict_name(row.get('verdict'))})"
                    if name not in outside:
                        outside.append(name)

        labels: list[tuple[float, float, str, int]] = []  # x, y, text, priority (lower first)
        claim_labels: list[tuple[float, float, list[str], str, int]] = []
        occupied: list[tuple[float, float]] = []  # projected points the locator inset should not cover
        relations: list[str] = []  # relation claims in view: listed in the note, not labelled
        claims = data[data["layer"] == "claims"] if not data.empty else data
        if not claims.empty:
            proj = in_view(_clip_project(claims, clip, crs))
            seen: list[str] = []
            for _, row in proj.iterrows():
                verdict = _verdict_name(row.get("verdict"))
                colour = verdict_colour(verdict)
                if is_relation_claim(row):
                    for part in shapely.get_parts(row.geometry):
                        xs, ys = part.xy
                        ax.plot(xs, ys, color=colour, linewidth=0.8, linestyle=(0, (3, 2)), zorder=4.5)
                    relations.append(f"{_short_name(str(row.get('name') or 'claim'))}: {verdict}")
                    if verdict not in seen:
                        seen.append(verdict)
                    continue
                for part in shapely.get_parts(row.geometry):
                    xs, ys = part.xy
                    along = shapely.line_interpolate_point(part, np.linspace(0.0, 1.0, 24), normalized=True)
                    occupied.extend(zip(shapely.get_x(along), shapely.get_y(along)))
                    ax.plot(xs, ys, color="white", linewidth=3.4, solid_capstyle="round", zorder=5)
                    ax.plot(xs, ys, color=colour, linewidth=2.0, solid_capstyle="round", zorder=5)
                    ax.scatter([xs[0], xs[-1]], [ys[0], ys[-1]], s=10, c=colour, edgecolors="white", linewidths=0.6,
                               zorder=5)
                shown = row.geometry.intersection(view_box)
                if shown.is_empty:
                    continue
                mid = shown.interpolate(0.5, normalized=True) if shown.length > 0 else shown.representative_point()
                whole = shown.length >= 0.999 * row.geometry.length
                claim_labels.append((mid.x, mid.y, _claim_texts(row), colour, 0 if whole else 1))
                if verdict not in seen:
                    seen.append(verdict)
            for verdict in [v for v in VERDICT_COLOURS if v in seen]:
                add_handle(Line2D([0], [0], color=verdict_colour(verdict), linewidth=2.0, label=f"Claim: {verdict}"),
                           verdict_colour(verdict))

        point_rows = data[data["layer"].isin(L.POINT_LAYERS)] if not data.empty else data
        if not point_rows.empty:
            proj = in_view(_clip_project(point_rows, clip, crs))
            for layer in L.POINT_LAYERS:
                part = proj[proj["layer"] == layer]
                if part.empty:
                    continue
                s = LAYER_STYLES[layer]
                ax.scatter(part.geometry.x, part.geometry.y, s=_POINT_SIZE[layer], c=s["fillColor"],
                           edgecolors=s["color"], linewidths=0.6, zorder=6)
                add_handle(Line2D([0], [0], marker="o", linestyle="none", markersize=5, markerfacecolor=s["fillColor"],
                                  markeredgecolor=s["color"], label=LAYER_LABELS[layer]), s["fillColor"])
            # One label per place (several mentions of Minsk: one "Minsk"); towns first.
            order = {"places": 0, "regions": 1, "seas": 2, "countries": 3, "groups": 4, "demonyms": 5}
            # A direction-qualified mention is labelled as written ("western Belarus"), not "Belarus".
            directional = proj["kind"].eq("qualified") & proj["qualifier"].isin(sorted(L.DIRECTION_QUALIFIERS))
            label_text = proj["name"].astype(str).where(~directional, proj["text"].astype(str).str.strip())
            firsts = proj.assign(_o=proj["layer"].map(order), _label=label_text)
            firsts = firsts.sort_values(["_o", "_label", "feature_id"], kind="stable")
            firsts = firsts.drop_duplicates(subset=["_label"], keep="first")
            for _, row in firsts.iterrows():
                labels.append((row.geometry.x, row.geometry.y, str(row["_label"]), int(row["_o"])))

        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_xlabel("")
        ax.set_ylabel("")

        scale_km = None
        occupied += [(x, y) for x, y, *_ in labels]  # what the scale bar and the inset should not cover
        corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]  # lower left, upper left, upper right, lower right
        if scale_error <= float(settings.PLOT_SCALE_MAX_ERROR):
            # The scale bar goes to the bottom corner that hides fewer places (lower right if tied).
            bar_km = _nice_length(w / 1000 / 4.5)
            bar_w = 0.07 + bar_km * 1000 / w  # the bar's white box, as drawn
            scale_corner = _emptiest_corner(view, occupied, bar_w, 0.12, [(1.0, 0.0), (0.0, 0.0)])
            scale_km = _draw_scale_bar(ax, bar_km, font["small"], scale_corner)
            corners.remove(scale_corner)
        north = _draw_north_arrow(ax, crs, view, font["small"])

        # ---- layout, bottom up, in inches (dpi_scale_trans), then the figure is cut to height ----
        renderer = canvas.get_renderer()
        text_w_px = map_w_in * dpi
        inch = fig.dpi_scale_trans
        y = _MARGIN_IN
        src = list(sources) if sources is not None else (
            sorted({s for s in data["source"].dropna() if str(s)}) if not data.empty else [])
        lon_c, lat_c = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
        method = (f"Lambert azimuthal equal-area centred on {abs(lat_c):.1f}°{'N' if lat_c >= 0 else 'S'} "
                  f"{abs(lon_c):.1f}°{'E' if lon_c >= 0 else 'W'}; "
                  + ("scale bar true at the centre" if scale_km else
                     f"scale varies by up to {scale_error:.0%} across the map, so no scale bar")
                  + "; distances geodesic on WGS84. Places and claims: geo_app (NER, GeoNames gazetteer).")
        foot = (f"Sources: {'; '.join(src)}. " if src else "") + f"{ATTRIBUTION}. Method: {method}"
        foot_lines = _wrap(renderer, foot, text_w_px, font["small"])
        line_h = lambda size: 1.28 * size / 72  # noqa: E731 - inches per line
        fig.text(_MARGIN_IN, y, _plain("\n".join(foot_lines)), transform=inch, fontsize=font["small"],
                 color="#444444", va="bottom", ha="left", linespacing=1.15)
        y += len(foot_lines) * line_h(font["small"]) + _GAP_IN

        note_parts = []
        if outside:
            shown = outside[:12]
            note_parts.append("Outside the frame: " + ", ".join(shown)
                              + (f" and {len(outside) - 12} more" if len(outside) > 12 else "") + ".")
        if relations:
            uniq = list(dict.fromkeys(relations))
            note_parts.append("Relations checked (dashed): " + "; ".join(uniq[:10])
                              + (f" and {len(uniq) - 10} more" if len(uniq) > 10 else "") + ".")
        if note_parts:
            note_lines = _wrap(renderer, " ".join(note_parts), text_w_px, font["note"])
            fig.text(_MARGIN_IN, y, _plain("\n".join(note_lines)), transform=inch, fontsize=font["note"],
                     color="#222222", va="bottom", ha="left", linespacing=1.15, fontstyle="italic")
            y += len(note_lines) * line_h(font["note"]) + _GAP_IN

        legend = None
        if handles:
            for ncol in (4, 3, 2, 1):
                if legend is not None:
                    legend.remove()
                legend = fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(_MARGIN_IN, y),
                                    bbox_transform=inch, ncol=ncol, fontsize=font["legend"], frameon=False,
                                    borderpad=0.2, borderaxespad=0.0, labelspacing=0.35, columnspacing=1.2,
                                    handlelength=1.6, handletextpad=0.5)
                bb = legend.get_window_extent(renderer)
                if bb.width <= text_w_px or ncol == 1:
                    break
            y += legend.get_window_extent(renderer).height / dpi + _GAP_IN

        map_y0 = y
        y += map_h_in + _GAP_IN
        sub = subtitle if subtitle is not None else window_text(window, gdf)
        sub_lines = _wrap(renderer, sub, text_w_px, font["subtitle"]) if sub else []
        if sub_lines:
            fig.text(_MARGIN_IN, y, _plain("\n".join(sub_lines)), transform=inch, fontsize=font["subtitle"],
                     color="#333333", va="bottom", ha="left", linespacing=1.15)
            y += len(sub_lines) * line_h(font["subtitle"]) + _GAP_IN / 2
        title_lines = _wrap(renderer, title, text_w_px, font["title"], weight="bold")
        fig.text(_MARGIN_IN, y, _plain("\n".join(title_lines)), transform=inch, fontsize=font["title"],
                 fontweight="bold", va="bottom", ha="left", linespacing=1.1)
        y += len(title_lines) * line_h(font["title"]) + _MARGIN_IN
        height_in = math.ceil(y * dpi) / dpi
        fig.set_size_inches(width_in, height_in)
        ax.set_position((_MARGIN_IN / width_in, map_y0 / height_in, map_w_in / width_in, map_h_in / height_in))

        # Locator inset: the frame on a world map, in the map corner that hides fewest features.
        inset_w = max(0.24 * map_w_in, 0.9)
        inset_h = inset_w * 0.5
        fx, fy = _emptiest_corner(view, occupied, (inset_w + 0.08) / map_w_in, (inset_h + 0.08) / map_h_in, corners)
        iax = fig.add_axes(((_MARGIN_IN + 0.04 + fx * (map_w_in - inset_w - 0.08)) / width_in,
                            (map_y0 + 0.04 + fy * (map_h_in - inset_h - 0.08)) / height_in,
                            inset_w / width_in, inset_h / height_in))
        _draw_inset(iax, ring, to_geo, footprint)

        canvas.draw()
        renderer = canvas.get_renderer()
        obstacles = [iax.get_window_extent(renderer)]
        obstacles += [a.get_window_extent(renderer) for a in ax.texts + list(ax.patches)]
        label_bbs: list[Any] = []
        label_texts: list[str] = []
        drawn, dropped, claim_done = _place_labels(ax, renderer, labels, claim_labels, obstacles, label_bbs,
                                                   label_texts, font)

        from matplotlib.text import Text

        texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
        min_font = float(min((t.get_fontsize() for t in texts), default=0.0))
        bbox_ll = tuple(round(v, 4) for v in footprint)
        meta = {
            "Title": " ".join(title_lines),
            "Description": " ".join(sub_lines),
            "Source": "; ".join(src) if src else "geo_app",
            "Copyright": ATTRIBUTION,
            "Software": "geo_app",
            "geo_app:date_window": window_text(window, gdf),
            "geo_app:crs": crs.srs,
            "geo_app:bbox": json.dumps(list(bbox_ll)),
            "geo_app:outside_frame": "; ".join(outside),
        }
        buf = io.BytesIO()
        canvas.draw()
        canvas.print_png(buf, metadata=meta)
        height_px = int(round(height_in * dpi))
        width_px = int(round(width_in * dpi))

        def to_box(bb: Any) -> tuple[int, int, int, int]:
            return (int(math.floor(bb.x0)), int(math.floor(height_px - bb.y1)),
                    int(math.ceil(bb.x1)), int(math.ceil(height_px - bb.y0)))

        info = PlotInfo(
            width_px=width_px, height_px=height_px,
            legend_box=to_box(legend.get_window_extent(renderer)) if legend is not None else None,
            map_box=to_box(ax.get_window_extent(renderer)), extent_lonlat=tuple(ext),  # type: ignore[arg-type]
            scale_km=scale_km, labels_drawn=drawn, labels_dropped=dropped, legend_colours=legend_colours,
            label_boxes=[to_box(bb) for bb in label_bbs], label_texts=label_texts, claim_labels=claim_done,
            inset_box=to_box(iax.get_window_extent(renderer)), north_arrow=north,
            bbox_lonlat=bbox_ll, crs=crs.srs, scale_error=scale_error,  # type: ignore[arg-type]
            relations=list(dict.fromkeys(relations)), outliers=outside, title_lines=title_lines,
            subtitle_lines=sub_lines, min_font_pt=min_font, metadata=meta,
        )
    return buf.getvalue(), info


def _draw_graticule(ax: Any, crs: pyproj.CRS, clip: tuple[float, float, float, float],
                    footprint: tuple[float, float, float, float]) -> None:
    """Light meridians and parallels (they show north wherever the north arrow is not)."""
    step = _graticule_step(max(footprint[2] - footprint[0], footprint[3] - footprint[1]))
    fwd = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lat_lo, lat_hi = max(clip[1], -85.0), min(clip[3], 85.0)
    lats = np.linspace(lat_lo, lat_hi, 80)
    for lon in np.arange(math.ceil(clip[0] / step) * step, clip[2] + 1e-9, step):
        xs, ys = fwd.transform(np.full_like(lats, lon), lats)
        ax.plot(xs, ys, color=_GRATICULE, linewidth=0.35, zorder=1.5)
    lons = np.linspace(clip[0], clip[2], 120)
    for lat in np.arange(math.ceil(lat_lo / step) * step, lat_hi + 1e-9, step):
        xs, ys = fwd.transform(lons, np.full_like(lons, lat))
        ax.plot(xs, ys, color=_GRATICULE, linewidth=0.35, zorder=1.5)


def _emptiest_corner(view: Sequence[float], points: Sequence[tuple[float, float]], frac_w: float, frac_h: float,
                     corners: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The corner of ``corners`` ((0, 0) lower left, (1, 1) upper right) for a box of ``frac_w`` × ``frac_h``
    of the map (locator inset, scale bar) that covers the fewest of ``points`` (projected map
    coordinates: places, claim lines); ties keep the earlier corner, so an empty corner keeps the
    box where readers expect it.
    """
    x0, y0, x1, y1 = view
    xy = np.asarray(points, dtype=float).reshape(-1, 2)
    fx = (xy[:, 0] - x0) / ((x1 - x0) or 1.0)
    fy = (xy[:, 1] - y0) / ((y1 - y0) or 1.0)
    best, fewest = corners[0], None
    for cx, cy in corners:
        inside_x = fx <= frac_w if cx == 0.0 else fx >= 1.0 - frac_w
        inside_y = fy <= frac_h if cy == 0.0 else fy >= 1.0 - frac_h
        covered = int(np.count_nonzero(inside_x & inside_y))
        if fewest is None or covered < fewest:
            best, fewest = (cx, cy), covered
    return best


def _draw_inset(iax: Any, ring: Any, to_geo: pyproj.Transformer, footprint: tuple[float, float, float, float]) -> None:
    """The locator: the world (plate carrée) with the map's frame outlined in red."""
    iax.set_facecolor(_OCEAN)
    iax.set_xticks([])
    iax.set_yticks([])
    for spine in iax.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.5)
    _world_outline().plot(ax=iax, facecolor="#d9d4ca", edgecolor="none", zorder=1)
    lons, lats = to_geo.transform(*np.asarray(ring.coords).T)
    lons, lats = np.asarray(lons), np.asarray(lats)
    if footprint[0] <= -180.0 or np.ptp(lons) > 270:  # a pole inside or the antimeridian crossed: the box
        lons = np.array([footprint[0], footprint[2], footprint[2], footprint[0], footprint[0]])
        lats = np.array([footprint[1], footprint[1], footprint[3], footprint[3], footprint[1]])
    iax.fill(lons, lats, facecolor=_FRAME_RED, alpha=0.25, edgecolor="none", zorder=2)
    iax.plot(lons, lats, color=_FRAME_RED, linewidth=0.9, zorder=3)
    if np.ptp(lons) < 12 and np.ptp(lats) < 8:  # too small to see on the world: mark it too
        iax.scatter([float(np.mean(lons))], [float(np.mean(lats))], s=18, facecolors="none", edgecolors=_FRAME_RED,
                    linewidths=0.9, zorder=3)
    iax.set_xlabel("")
    iax.set_ylabel("")
    iax.set_xlim(-180, 180)
    iax.set_ylim(-60, 85)
    iax.set_aspect("auto")
    iax.set_zorder(30)


def _text_box(t: Any, renderer: Any) -> Any:
    """The pixel box of a label's text with its white pad (not its leader line)."""
    from matplotlib.text import Text

    t.update_positions(renderer)
    bb = Text.get_window_extent(t, renderer)
    pad = t.get_fontsize() * 0.15 * renderer.points_to_pixels(1.0)
    return Bbox.from_extents(bb.x0 - pad, bb.y0 - pad, bb.x1 + pad, bb.y1 + pad)


def _overlaps(bb: Any, others: list[Any]) -> bool:
    return any(bb.overlaps(o) for o in others)


def _place_labels(ax: Any, renderer: Any, labels: list[tuple[float, float, str, int]],
                  claim_labels: list[tuple[float, float, list[str], str, int]], obstacles: list[Any],
                  out_boxes: list[Any], out_texts: list[str],
                  font: dict[str, float]) -> tuple[int, int, list[tuple[str, str]]]:
    """Greedy placement: each label takes the first candidate spot where it overlaps nothing placed.

    Claims come first, then places by layer (towns before regions before countries). Near
    spots come before far ones; a far label gets a thin leader line to its point. Returns the
    counts drawn and dropped and the claim labels drawn (text, colour).
    """
    max_labels = int(settings.PLOT_MAX_LABELS)
    axes_box = ax.get_window_extent(renderer)
    placed: list[Any] = list(obstacles)
    # Point markers are obstacles for labels too (a label must not hide another place's dot).
    marks = []
    for x, y, _, _ in labels:
        px, py = ax.transData.transform((x, y))
        marks.append(Bbox.from_extents(px - 3, py - 3, px + 3, py + 3))
    placed += marks
    drawn = dropped = 0
    claims_done: list[tuple[str, str]] = []
    bbox_style = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
    # Claims wholly in the frame first, then those that leave it; then places.
    items: list[tuple[float, float, list[str], str | None, int]] = [
        (x, y, t, c, -1) for x, y, t, c, _ in sorted(claim_labels, key=lambda r: (r[4], r[2][0], r[0], r[1]))]
    items += [(x, y, [t], None, p) for x, y, t, p in sorted(labels, key=lambda r: (r[3], r[2], r[0], r[1]))]
    for x, y, variants, colour, priority in items:
        if drawn >= max_labels:
            dropped += 1
            continue
        px, py = ax.transData.transform((x, y))
        own = Bbox.from_extents(px - 3, py - 3, px + 3, py + 3) if priority >= 0 else None
        others = [o for o in placed if own is None or not (o.x0 == own.x0 and o.y0 == own.y0)]
        ok = False
        candidates = [(text, dx, dy, False) for text in variants for dx, dy in _NEAR]
        candidates += [(text, dx, dy, True) for text in variants for dx, dy in _FAR]
        for text, dx, dy, leader in candidates:
            ha = "center" if dx == 0 else ("left" if dx > 0 else "right")
            va = "bottom" if dy >= 0 else "top"
            t = ax.annotate(_plain(text), (x, y), xytext=(dx, dy + (0 if dy >= 0 else 7)), textcoords="offset points",
                            ha=ha, va=va, fontsize=font["claim"] if colour else font["label"],
                            color=colour or "#111111", zorder=15, fontweight="bold" if colour else "normal",
                            bbox=bbox_style, annotation_clip=False, linespacing=1.1,
                            arrowprops={"arrowstyle": "-", "color": colour or "#555555", "linewidth": 0.5,
                                        "shrinkA": 0, "shrinkB": 2} if leader else None)
            bb = _text_box(t, renderer)
            inside = (bb.x0 >= axes_box.x0 + 1 and bb.x1 <= axes_box.x1 - 1 and bb.y0 >= axes_box.y0 + 1
                      and bb.y1 <= axes_box.y1 - 1)
            if inside and not _overlaps(bb, others):
                placed.append(bb)
                out_boxes.append(bb)
                out_texts.append(text)
                if colour:
                    claims_done.append((text, colour))
                ok = True
                break
            t.remove()
        if ok:
            drawn += 1
        else:
            dropped += 1
    return drawn, dropped, claims_done


def _draw_scale_bar(ax: Any, length_km: float, size: float, corner: tuple[float, float] = (1.0, 0.0)) -> float:
    """A two-segment scale bar ``length_km`` long in ``corner`` ((1, 0) lower right), true at the
    map's centre; returns its length in km."""
    x_min, x_max = ax.get_xlim()
    y_min, y_max = ax.get_ylim()
    length = length_km * 1000
    if corner[0] == 1.0:
        x1 = x_max - 0.04 * (x_max - x_min)
        x0 = x1 - length
    else:
        x0 = x_min + 0.07 * (x_max - x_min)
        x1 = x0 + length
    y = y_min + 0.04 * (y_max - y_min) if corner[1] == 0.0 else y_max - 0.11 * (y_max - y_min)
    hbar = 0.012 * (y_max - y_min)
    ax.add_patch(Rectangle((x0 - 0.03 * (x_max - x_min), y - 0.025 * (y_max - y_min)),
                           length + 0.06 * (x_max - x_min), 0.10 * (y_max - y_min),
                           facecolor="white", edgecolor="none", alpha=0.85, zorder=18))
    ax.add_patch(Rectangle((x0, y), length / 2, hbar, facecolor="black", edgecolor="black", linewidth=0.5, zorder=19))
    ax.add_patch(Rectangle((x0 + length / 2, y), length / 2, hbar, facecolor="white", edgecolor="black",
                           linewidth=0.5, zorder=19))
    ax.text((x0 + x1) / 2, y + 1.6 * hbar, f"{length_km:,.0f} km", ha="center", va="bottom", fontsize=size, zorder=19)
    return length_km


def _draw_north_arrow(ax: Any, crs: pyproj.CRS, view: tuple[float, float, float, float], size: float) -> bool:
    """A north arrow on the central meridian, near the top: the line where north is straight up.

    Returns False (nothing drawn) when the central meridian is not in the view or a pole is.
    """
    x_min, y_min, x_max, y_max = view
    to_map = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    cm_x = 0.0  # the projection's central meridian is the line x = 0
    margin = 0.06 * (x_max - x_min)
    if not (x_min + margin < cm_x < x_max - margin):
        return False
    for pole in (90.0, -90.0):
        px, py = to_map.transform(0.0, pole)
        if np.isfinite(px) and x_min <= px <= x_max and y_min <= py <= y_max:
            return False
    h = y_max - y_min
    y0, length = y_max - 0.16 * h, 0.08 * h
    ax.annotate("", xy=(cm_x, y0 + length), xytext=(cm_x, y0),
                arrowprops={"arrowstyle": "-|>,head_width=0.3,head_length=0.6", "color": "black", "linewidth": 1.1},
                zorder=19)
    ax.text(cm_x, y0 + length * 1.05, "N", ha="center", va="bottom", fontsize=size + 1, fontweight="bold", zorder=19,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.7})
    ax.add_patch(Rectangle((cm_x - 0.015 * (x_max - x_min), y0), 0.03 * (x_max - x_min), length,
                           facecolor="none", edgecolor="none", zorder=18))  # an obstacle for labels
    return True


def render_png(gdf: gpd.GeoDataFrame, *, title: str = "geo_app map", window: tuple[Any, Any] | None = None,
               dpi: int = 150, extent: Sequence[float] | None = None, layers: Sequence[str] | None = None,
               subtitle: str | None = None, width_cm: float | None = None,
               sources: Sequence[str] | None = None) -> bytes:
    """The PNG of :func:`render` alone."""
    png, _ = render(gdf, title=title, window=window, dpi=dpi, extent=extent, layers=layers, subtitle=subtitle,
                    width_cm=width_cm, sources=sources)
    return png


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG (its provenance: title, sources, date window, CRS, ``geo_app:bbox``)."""
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        return {str(k): str(v) for k, v in getattr(img, "text", {}).items()}


def png_pixels(png: bytes) -> np.ndarray:
    """Decode a PNG to an (height, width, 4) uint8 array (for checks and tests)."""
    from matplotlib import image

    arr = image.imread(io.BytesIO(png), format="png")
    if arr.dtype != np.uint8:
        arr = (arr * 255).round().astype(np.uint8)
    return arr
