"""Static maps for briefs: a PNG drawn with geopandas/matplotlib, no browser, no tiles.

:func:`render_png` draws the same features the interactive map shows (from
:func:`geo_app.layers.features_gdf`) on Natural Earth borders, in a Lambert azimuthal
equal-area projection centred on the map (so the scale bar holds across the map to
within a fraction of a percent at regional scale). The page carries a title, the date
window, a legend, a scale bar, a north arrow and the data attribution; labels are placed
so they do not overlap (a label that fits nowhere is left out and counted). The output is
byte-for-byte deterministic for the same input.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from shapely.geometry import box

from geo_app import features as L
from geo_app import settings
from geo_app._errors import InputError
from geo_app.geo.projection import laea_crs
from geo_app.render.style import ATTRIBUTION, LAYER_LABELS, LAYER_STYLES, VERDICT_COLOURS
from geo_app.places import borders

#: Resolutions a brief may ask for.
DPI_CHOICES = (150, 300)
_OCEAN = "#d4e4ef"
_LAND = "#f2efe9"
_BORDER = "#8c8c8c"
_POINT_SIZE = {"places": 34, "countries": 46, "regions": 34, "seas": 34, "groups": 46, "demonyms": 22}
_LABEL_OFFSETS = ((6, 4), (6, -12), (-6, 4), (-6, -12), (0, 9), (0, -17), (10, -4), (-10, -4))
_MAP_AXES = (0.02, 0.07, 0.72, 0.80)  # left, bottom, width, height; the legend sits to the right
_LEGEND_X = _MAP_AXES[0] + _MAP_AXES[2] + 0.012
_RC = {"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "geo_app", "path.simplify": True,
       "axes.unicode_minus": True}


@dataclass
class PlotInfo:
    """What a rendering drew: pixel boxes (x0, y0, x1, y1 from the image's top-left) and counts."""

    width_px: int
    height_px: int
    legend_box: tuple[int, int, int, int] | None
    map_box: tuple[int, int, int, int]
    extent_lonlat: tuple[float, float, float, float]
    scale_km: float
    labels_drawn: int
    labels_dropped: int
    legend_colours: list[str] = field(default_factory=list)
    label_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)



def _plain(text: object) -> str:
    """Text matplotlib must not read as mathtext ("$5" stays "$5")."""
    return str(text).replace("$", r"\$")


def _crs_for(extent: tuple[float, float, float, float]) -> pyproj.CRS:
    return laea_crs((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)


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
    out = out[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
    return out.to_crs(crs)


def _window_text(window: tuple[Any, Any] | None, gdf: gpd.GeoDataFrame) -> str:
    lo, hi = (window or (None, None))
    lo, hi = L.iso_day(lo), L.iso_day(hi)
    if not lo and not hi:
        span = L.date_range(gdf) if not gdf.empty else None
        if span is None:
            return "Dates: none resolved"
        return f"Events and reports dated {span[0].isoformat()} to {span[1].isoformat()} (all dates)"
    return f"Date window: {lo or 'start'} to {hi or 'end'}"


def _frame_extent(gdf: gpd.GeoDataFrame, extent: tuple[float, float, float, float] | None) -> tuple[float, ...]:
    if extent is not None:
        if not (-180 <= extent[0] < extent[2] <= 180 and -90 <= extent[1] < extent[3] <= 90):
            raise InputError(f"extent {extent} is not (min_lon, min_lat, max_lon, max_lat) in degrees")
        return tuple(float(v) for v in extent)
    # Groups, seas and country centroids do not frame the map when anything more precise is there:
    # "the Far East" or Russia's centroid would pull a map of Belarus out to the Pacific.
    precise = gdf[~gdf["layer"].isin(L.COARSE_LAYERS)]
    target = precise if not precise.empty else gdf
    if target.empty:
        return (-25.0, 30.0, 60.0, 72.0)
    minx, miny, maxx, maxy = (float(v) for v in target.total_bounds)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max((maxx - minx) * 0.62, 1.5)
    half_h = max((maxy - miny) * 0.62, 1.0)
    return (max(cx - half_w, -180.0), max(cy - half_h, -85.0), min(cx + half_w, 180.0), min(cy + half_h, 85.0))


def render(gdf: gpd.GeoDataFrame, *, title: str = "geo_app map", window: tuple[Any, Any] | None = None,
           dpi: int = 150, extent: tuple[float, float, float, float] | None = None,
           layers: Sequence[str] | None = None, subtitle: str | None = None) -> tuple[bytes, PlotInfo]:
    """Draw the features as a PNG.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features (EPSG:4326), usually already filtered to the window.
    title : str
        Title line.
    window : (start, end), optional
        The date window the features were filtered to (ISO strings or dates), for the subtitle.
    dpi : int
        150 or 300 (the page is :data:`geo_app.settings.PLOT_SIZE_IN` inches).
    extent : (min_lon, min_lat, max_lon, max_lat), optional
        Degrees; framed from the points and lines if None.
    layers : sequence of str, optional
        Layers to draw (default: all but demonyms).

    Returns
    -------
    (bytes, PlotInfo)
        The PNG and what was drawn where (pixel boxes from the top-left).
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if dpi not in DPI_CHOICES:
        raise InputError(f"dpi must be one of {DPI_CHOICES}, not {dpi!r}")
    wanted = set(layers) if layers is not None else set(L.LAYERS) - set(L.LAYERS_OFF_BY_DEFAULT)
    data = L.mappable(gdf[gdf["layer"].isin(wanted)]) if not gdf.empty else gdf
    ext = _frame_extent(data, extent)
    crs = _crs_for(ext)
    width_in, height_in = settings.PLOT_SIZE_IN

    with rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes(_MAP_AXES)
        ax.set_facecolor(_OCEAN)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#555555")
            spine.set_linewidth(0.8)

        # Frame: the extent's projected box, widened to the axes' aspect ratio.
        frame = gpd.GeoSeries([shapely.segmentize(box(*ext), 0.5)], crs="EPSG:4326").to_crs(crs)
        x0, y0, x1, y1 = frame.total_bounds
        ax_w, ax_h = _MAP_AXES[2] * width_in, _MAP_AXES[3] * height_in
        cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
        if w / h < ax_w / ax_h:
            w = h * ax_w / ax_h
        else:
            h = w * ax_h / ax_w
        ax.set_xlim(cx - w / 2, cx + w / 2)
        ax.set_ylim(cy - h / 2, cy + h / 2)
        ax.set_aspect("equal")
        # Geometry is clipped in degrees, before projecting, to the frame's footprint plus a margin.
        to_geo = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        ring = shapely.segmentize(box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), max(w, h) / 40).exterior
        lons, lats = to_geo.transform(*np.asarray(ring.coords).T)
        pad = 0.1 * max(float(np.ptp(lons)), float(np.ptp(lats))) + 1.0
        clip = (max(float(np.min(lons)) - pad, -180.0), max(float(np.min(lats)) - pad, -89.0),
                min(float(np.max(lons)) + pad, 180.0), min(float(np.max(lats)) + pad, 89.0))


        world = borders.countries()[["NAME_EN", "geometry"]]
        world = world[world.intersects(box(*clip))].copy()
        # Border detail to match the scale: ~1/1500 of the map's width (1:10m data is finer than print).
        world["geometry"] = world.geometry.simplify((ext[2] - ext[0]) / 1500, preserve_topology=True)
        _clip_project(world, clip, crs).plot(ax=ax, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.5, zorder=1)

        handles: list[Any] = []
        legend_colours: list[str] = []
        view = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

        def in_view(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            # Only what shows gets a legend entry and a label.
            return frame[frame.intersects(view)] if not frame.empty else frame

        def add_handle(handle: Any, colour: str) -> None:
            handles.append(handle)
            legend_colours.append(colour)

        if not data.empty:
            areas = L.mentioned_areas(data)
            areas = in_view(_clip_project(areas, clip, crs)) if not areas.empty else areas
            if not areas.empty:
                s = LAYER_STYLES["mentioned_areas"]
                areas.plot(ax=ax, facecolor=s["fillColor"], edgecolor=s["color"],
                                                     linewidth=0.6, alpha=0.8, zorder=2)
                add_handle(Patch(facecolor=s["fillColor"], edgecolor=s["color"], label=LAYER_LABELS["mentioned_areas"]),
                           s["fillColor"])
            for layer in L.AREA_LAYERS:
                part = data[data["layer"] == layer]
                if part.empty:
                    continue
                s = LAYER_STYLES[layer]
                proj = in_view(_clip_project(part[["geometry"]], clip, crs))
                if proj.empty:
                    continue
                proj.plot(ax=ax, facecolor=s["fillColor"], edgecolor=s["color"], alpha=min(0.25 + s["fillOpacity"], 0.6),
                          linewidth=1.2 if layer == "direction_regions" else 0.7,
                          linestyle="--" if "dashArray" in s else "-", zorder=3)
                add_handle(Patch(facecolor=s["fillColor"], edgecolor=s["color"], alpha=0.6, label=LAYER_LABELS[layer]),
                           s["fillColor"])

        labels: list[tuple[float, float, str, int]] = []  # x, y, text, priority (lower first)
        claim_labels: list[tuple[float, float, str, str]] = []
        claims = data[data["layer"] == "claims"] if not data.empty else data
        if not claims.empty:
            proj = in_view(_clip_project(claims, clip, crs))
            seen_verdicts: list[str] = []
            for _, row in proj.iterrows():
                colour = VERDICT_COLOURS.get(str(row["verdict"]), VERDICT_COLOURS["unverifiable"])
                for part in shapely.get_parts(row.geometry):
                    xs, ys = part.xy
                    ax.plot(xs, ys, color=colour, linewidth=2.2, solid_capstyle="round", zorder=5)
                mid = row.geometry.interpolate(0.5, normalized=True)
                claim_labels.append((mid.x, mid.y, _claim_text(row), colour))
                verdict = str(row["verdict"]) if pd.notna(row["verdict"]) else "unverifiable"
                if verdict not in seen_verdicts:
                    seen_verdicts.append(verdict)
            for verdict in sorted(seen_verdicts):
                colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["unverifiable"])
                add_handle(Line2D([0], [0], color=colour, linewidth=2.2, label=f"Claim: {verdict}"), colour)

        point_rows = data[data["layer"].isin(L.POINT_LAYERS)] if not data.empty else data
        if not point_rows.empty:
            proj = in_view(_clip_project(point_rows, clip, crs))
            for layer in L.POINT_LAYERS:
                part = proj[proj["layer"] == layer]
                if part.empty:
                    continue
                s = LAYER_STYLES[layer]
                ax.scatter(part.geometry.x, part.geometry.y, s=_POINT_SIZE[layer], c=s["fillColor"],
                           edgecolors=s["color"], linewidths=0.8, zorder=6)
                add_handle(Line2D([0], [0], marker="o", linestyle="none", markersize=7, markerfacecolor=s["fillColor"],
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

        ax.set_xlim(cx - w / 2, cx + w / 2)
        ax.set_ylim(cy - h / 2, cy + h / 2)
        ax.set_xlabel("")
        ax.set_ylabel("")

        # Title block.
        fig.text(0.02, 0.955, _plain(title), fontsize=15, fontweight="bold", va="center", ha="left")
        sub = subtitle if subtitle is not None else _window_text(window, gdf)
        n_reports = data["report_id"].nunique() if not data.empty else 0
        sources = sorted({s for s in data["source"].dropna() if s}) if not data.empty else []
        sub += f"  ·  {n_reports} report{'s' if n_reports != 1 else ''}"
        if sources:
            shown = ", ".join(sources[:4]) + (f" and {len(sources) - 4} more" if len(sources) > 4 else "")
            sub += f": {shown}"
        fig.text(0.02, 0.905, _plain(sub), fontsize=9.5, color="#333333", va="center", ha="left")
        fig.text(0.02, 0.035, _plain(ATTRIBUTION), fontsize=8, color="#444444", va="center", ha="left")
        fig.text(_MAP_AXES[0] + _MAP_AXES[2], 0.035, "Map: geo_app · Lambert azimuthal equal-area", fontsize=8, color="#444444",
                 va="center", ha="right")

        legend = None
        if handles:
            # The legend sits right of the map; the font shrinks until it fits the page.
            for size in (8.0, 7.5, 7.0, 6.5, 6.0):
                if legend is not None:
                    legend.remove()
                legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(_LEGEND_X, 0.87),
                                    fontsize=size, frameon=True, framealpha=1.0, facecolor="white",
                                    edgecolor="#555555", borderpad=0.6, labelspacing=0.5, title="Legend",
                                    title_fontsize=size + 1, alignment="left")
                bb = legend.get_window_extent(canvas.get_renderer())
                if bb.x1 <= fig.bbox.x1 - 4 and bb.y0 >= fig.bbox.y0:
                    break
            legend.set_zorder(20)

        scale_km = _draw_scale_bar(ax, w)
        _draw_north_arrow(ax, cx, cy, w, h)

        canvas.draw()
        renderer = canvas.get_renderer()
        obstacles = [legend.get_window_extent(renderer)] if legend is not None else []
        obstacles += [a.get_window_extent(renderer) for a in ax.texts + [p for p in ax.patches]]
        label_bbs: list[Any] = []
        drawn, dropped = _place_labels(ax, renderer, labels, claim_labels, obstacles, label_bbs)

        buf = io.BytesIO()
        canvas.draw()
        canvas.print_png(buf, metadata={"Software": "geo_app"})
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
            label_boxes=[to_box(bb) for bb in label_bbs],
        )
    return buf.getvalue(), info


def _claim_text(row: pd.Series) -> str:
    bound = {"at_most": "≤", "at_least": "≥", "about": "≈"}.get(str(row.get("bound")), "")

    def km(v: Any) -> str:
        return f"{float(v):,.0f} km" if v is not None and pd.notna(v) else "?"

    claimed = row.get("claimed_km")
    if claimed is None or pd.isna(claimed):
        return f"measured {km(row.get('measured_km'))}"
    return f"claimed {bound}{km(claimed)} · measured {km(row.get('measured_km'))}"


def _overlaps(bb: Any, others: list[Any]) -> bool:
    return any(bb.overlaps(o) for o in others)


def _place_labels(ax: Any, renderer: Any, labels: list[tuple[float, float, str, int]],
                  claim_labels: list[tuple[float, float, str, str]], obstacles: list[Any],
                  out_boxes: list[Any]) -> tuple[int, int]:
    """Greedy placement: each label takes the first offset where it overlaps nothing drawn so far."""
    max_labels = int(settings.PLOT_MAX_LABELS)
    axes_box = ax.get_window_extent(renderer)
    placed: list[Any] = list(obstacles)
    # Point markers are obstacles for labels too (a label must not hide another place's dot).
    for x, y, _, _ in labels:
        px, py = ax.transData.transform((x, y))
        from matplotlib.transforms import Bbox

        placed.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
    drawn = dropped = 0
    bbox_style = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
    items: list[tuple[float, float, str, str | None, int]] = [(x, y, t, c, -1) for x, y, t, c in claim_labels]
    items += [(x, y, t, None, p) for x, y, t, p in sorted(labels, key=lambda r: (r[3], r[2], r[0], r[1]))]
    for x, y, text, colour, priority in items:
        if drawn >= max_labels:
            dropped += 1
            continue
        px, py = ax.transData.transform((x, y))
        own = None
        if priority >= 0:  # a place's own marker is not an obstacle for its label
            from matplotlib.transforms import Bbox

            own = Bbox.from_extents(px - 4, py - 4, px + 4, py + 4)
        ok = False
        for dx, dy in ((0, 0),) if colour else _LABEL_OFFSETS:
            ha = "center" if dx == 0 else ("left" if dx > 0 else "right")
            t = ax.annotate(_plain(text), (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va="bottom",
                            fontsize=8 if colour else 8.5, color=colour or "#111111", zorder=15,
                            fontweight="bold" if colour else "normal", bbox=bbox_style, annotation_clip=True)
            bb = t.get_window_extent(renderer)
            inside = (bb.x0 >= axes_box.x0 and bb.x1 <= axes_box.x1 and bb.y0 >= axes_box.y0 and bb.y1 <= axes_box.y1)
            others = [o for o in placed if own is None or not (o.x0 == own.x0 and o.y0 == own.y0)]
            if inside and not _overlaps(bb, others):
                placed.append(bb)
                out_boxes.append(bb)
                ok = True
                break
            t.remove()
        if ok:
            drawn += 1
        else:
            dropped += 1
    return drawn, dropped


def _draw_scale_bar(ax: Any, width_m: float) -> float:
    """A two-segment scale bar, lower right; returns its length in km."""
    length_km = _nice_length(width_m / 1000 / 5)
    x_min, x_max = ax.get_xlim()
    y_min, y_max = ax.get_ylim()
    length = length_km * 1000
    x1 = x_max - 0.03 * (x_max - x_min)
    x0 = x1 - length
    y = y_min + 0.05 * (y_max - y_min)
    hbar = 0.008 * (y_max - y_min)
    ax.add_patch(Rectangle((x0 - 0.012 * (x_max - x_min), y - 0.025 * (y_max - y_min)),
                           length + 0.024 * (x_max - x_min), 0.085 * (y_max - y_min),
                           facecolor="white", edgecolor="none", alpha=0.8, zorder=18))
    ax.add_patch(Rectangle((x0, y), length / 2, hbar, facecolor="black", edgecolor="black", linewidth=0.6, zorder=19))
    ax.add_patch(Rectangle((x0 + length / 2, y), length / 2, hbar, facecolor="white", edgecolor="black",
                           linewidth=0.6, zorder=19))
    ax.text(x0, y + 2.2 * hbar, "0", ha="center", va="bottom", fontsize=7.5, zorder=19)
    ax.text(x1, y + 2.2 * hbar, f"{length_km:,.0f} km", ha="center", va="bottom", fontsize=7.5, zorder=19)
    return length_km


def _draw_north_arrow(ax: Any, cx: float, cy: float, w: float, h: float) -> None:
    """An arrow to north, upper right (true north at the map's centre: the projection is centred there)."""
    x = cx + 0.44 * w
    y = cy + 0.30 * h
    size = 0.08 * h
    ax.annotate("", xy=(x, y + size), xytext=(x, y),
                arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.9", "color": "black", "linewidth": 1.6},
                zorder=19)
    ax.text(x, y + size * 1.15, "N", ha="center", va="bottom", fontsize=11, fontweight="bold", zorder=19)


def render_png(gdf: gpd.GeoDataFrame, *, title: str = "geo_app map", window: tuple[Any, Any] | None = None,
               dpi: int = 150, extent: tuple[float, float, float, float] | None = None,
               layers: Sequence[str] | None = None) -> bytes:
    """The PNG of :func:`render` alone."""
    png, _ = render(gdf, title=title, window=window, dpi=dpi, extent=extent, layers=layers)
    return png


def png_pixels(png: bytes) -> np.ndarray:
    """Decode a PNG to an (height, width, 4) uint8 array (for checks and tests)."""
    from matplotlib import image

    arr = image.imread(io.BytesIO(png), format="png")
    if arr.dtype != np.uint8:
        arr = (arr * 255).round().astype(np.uint8)
    return arr
