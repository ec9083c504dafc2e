"""The static PNG for briefs: size, content, legend, labels, determinism."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pytest

from geo_app import features as L
from geo_app.render import plot
from geo_app._errors import InputError
from geo_app.render.maps import LAYER_STYLES


@pytest.fixture(scope="module")
def window_gdf() -> gpd.GeoDataFrame:
    from geo_app.pipeline import analyze
    from geo_app.text.reports import sample_reports

    analyses = [analyze(r.text, r.published, report_id=r.report_id, source=r.source) for r in sample_reports()]
    return L.filter_window(L.features_gdf(analyses), "2022-02-01", "2022-02-20")


@pytest.fixture(scope="module")
def rendered(window_gdf):
    return plot.render(window_gdf, title="Drills in Belarus", window=("2022-02-01", "2022-02-20"), dpi=150)


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


def _has_colour(region: np.ndarray, colour: str, tol: int = 12) -> bool:
    diff = np.abs(region[..., :3].astype(int) - _hex_rgb(colour)).max(axis=-1)
    return bool((diff <= tol).sum() >= 6)


def test_size_at_150_and_300_dpi(window_gdf, rendered):
    png, info = rendered
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot.png_pixels(png).shape == (1050, 1500, 4)
    assert (info.width_px, info.height_px) == (1500, 1050)
    big, info300 = plot.render(window_gdf, title="Drills in Belarus", dpi=300)
    assert plot.png_pixels(big).shape[:2] == (2100, 3000)
    assert info300.legend_box[0] == pytest.approx(2 * info.legend_box[0], abs=4)
    with pytest.raises(InputError):
        plot.render(window_gdf, dpi=72)


def test_not_blank(rendered):
    png, info = rendered
    px = plot.png_pixels(png)
    x0, y0, x1, y1 = info.map_box
    inner = px[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
    assert inner[..., :3].std() > 20
    assert _has_colour(inner, plot._OCEAN) and _has_colour(inner, plot._LAND)
    # point markers of towns and the direction-qualified region are drawn
    assert _has_colour(inner, LAYER_STYLES["places"]["fillColor"], tol=8)


def test_legend_present_and_complete(rendered):
    png, info = rendered
    px = plot.png_pixels(png)
    assert info.legend_box is not None
    lx0, ly0, lx1, ly1 = info.legend_box
    assert 0 <= lx0 < lx1 <= info.width_px and 0 <= ly0 < ly1 <= info.height_px
    map_x1 = info.map_box[2]
    assert lx0 >= map_x1  # beside the map, never over data
    legend = px[ly0 + 2:ly1 - 2, lx0 + 2:lx1 - 2]
    white = (legend[..., :3] > 245).all(axis=-1).mean()
    assert white > 0.5  # a white box with text and swatches
    for colour in info.legend_colours:
        assert _has_colour(legend, colour, tol=40), colour
    assert LAYER_STYLES["places"]["fillColor"] in info.legend_colours
    # and the legend area is not mostly white anywhere else on the map's right
    assert len(info.legend_colours) >= 5


def test_labels_do_not_overlap(rendered):
    _, info = rendered
    boxes = info.label_boxes
    assert info.labels_drawn == len(boxes) >= 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_w = min(a[2], b[2]) - max(a[0], b[0])
            overlap_h = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_w <= 1 or overlap_h <= 1, (a, b)
        mx0, my0, mx1, my1 = info.map_box
        assert mx0 - 1 <= a[0] and a[2] <= mx1 + 1 and my0 - 1 <= a[1] and a[3] <= my1 + 1


def test_extent_frames_the_precise_features(window_gdf, rendered):
    _, info = rendered
    min_lon, min_lat, max_lon, max_lat = info.extent_lonlat
    kyiv = window_gdf[(window_gdf["text"] == "Kyiv")].geometry.iloc[0]
    assert min_lon < kyiv.x < max_lon and min_lat < kyiv.y < max_lat
    assert info.scale_km in {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000}


def test_small_window_zooms_in(window_gdf):
    narrow = L.filter_window(window_gdf, "2022-02-12", "2022-02-13")
    _, info = plot.render(narrow, title="Weekend")
    assert info.extent_lonlat[2] - info.extent_lonlat[0] < 20
    assert info.scale_km <= 200


def test_deterministic(window_gdf, rendered):
    png, _ = rendered
    again, _ = plot.render(window_gdf, title="Drills in Belarus", window=("2022-02-01", "2022-02-20"), dpi=150)
    assert hashlib.sha256(png).hexdigest() == hashlib.sha256(again).hexdigest()


def test_empty_and_hostile_titles():
    png, info = plot.render(L.empty_gdf(), title="Costs $5 and $6 <script>")
    assert info.legend_box is None and info.labels_drawn == 0
    assert plot.png_pixels(png)[..., :3].std() > 10  # the basemap is still drawn
