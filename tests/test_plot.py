"""The static PNG for briefs: size, content, legend, labels, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import numpy as np
import pytest
from shapely.geometry import Point

from geo_app import features as L
from geo_app import settings
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


def test_size_follows_the_print_width(window_gdf, rendered):
    png, info = rendered
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = round(settings.PLOT_WIDTH_CM / 2.54 * 150)
    assert plot.png_pixels(png).shape == (info.height_px, info.width_px, 4)
    assert info.width_px == width
    big, info300 = plot.render(window_gdf, title="Drills in Belarus", dpi=300)
    assert plot.png_pixels(big).shape[1] == 2 * width
    assert info300.legend_box[1] == pytest.approx(2 * info.legend_box[1], abs=6)
    with pytest.raises(InputError):
        plot.render(window_gdf, dpi=72)
    with pytest.raises(InputError):
        plot.render(window_gdf, width_cm=2)


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
    assert ly0 >= info.map_box[3] - 1  # under the map, never over data
    legend = px[ly0:ly1, lx0:lx1]
    for colour in info.legend_colours:
        assert _has_colour(legend, colour, tol=40), colour
    assert LAYER_STYLES["places"]["fillColor"] in info.legend_colours
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
    w, s_, e, n = info.bbox_lonlat  # the drawn frame holds the asked extent
    assert w <= min_lon and e >= max_lon and s_ <= min_lat and n >= max_lat


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
    assert plot.png_text(png)["Title"] == "Costs $5 and $6 <script>"
    assert plot.png_pixels(png)[..., :3].std() > 10  # the basemap is still drawn


def _no_overlaps(boxes):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) - max(a[0], b[0]) <= 1 or min(a[3], b[3]) - max(a[1], b[1]) <= 1, (a, b)


def test_provenance_metadata(window_gdf, rendered):
    png, info = rendered
    meta = plot.png_text(png)
    assert meta["Title"] == "Drills in Belarus"
    assert meta["geo_app:date_window"] == "Date window: 2022-02-01 to 2022-02-20"
    assert "+proj=laea" in meta["geo_app:crs"]
    bbox = json.loads(meta["geo_app:bbox"])
    assert bbox == pytest.approx(list(info.bbox_lonlat))
    assert bbox[0] < bbox[2] and bbox[1] < bbox[3]
    assert "GeoNames" in meta["Copyright"] and "Natural Earth" in meta["Copyright"]


def test_user_bbox_frames_the_map(window_gdf):
    png, info = plot.render(window_gdf, title="t", extent=(23.0, 51.0, 33.0, 56.0))
    w, s, e, n = json.loads(plot.png_text(png)["geo_app:bbox"])
    assert w <= 23.0 < 24.5 and e >= 33.0 and e < 35 and s <= 51.0 and n >= 56.0 and n < 58
    with pytest.raises(InputError):
        plot.render(window_gdf, extent=(40.0, 50.0, 30.0, 60.0))


def test_title_and_subtitle_wrap(window_gdf):
    long_title = "A very long title about the joint exercises of two armies near a long border " * 3
    _, info = plot.render(window_gdf, title=long_title, subtitle="sub " * 60, width_cm=8)
    assert len(info.title_lines) >= 3 and len(info.subtitle_lines) >= 2
    assert " ".join(info.title_lines).split() == long_title.split()  # wrapped, nothing cut


def test_one_column_is_legible(window_gdf):
    """8 cm wide at 300 dpi: every text at least PLOT_MIN_FONT_PT points, labels placed without overlap."""
    png, info = plot.render(window_gdf, title="Drills in Belarus", dpi=300, width_cm=8)
    assert info.width_px == round(8 / 2.54 * 300)
    assert info.min_font_pt >= settings.PLOT_MIN_FONT_PT
    min_px = settings.PLOT_MIN_FONT_PT / 72 * 300
    assert info.labels_drawn >= 3
    assert all(b[3] - b[1] >= min_px for b in info.label_boxes)
    _no_overlaps(info.label_boxes)


def test_claim_colours_match_the_legend():
    assert plot.verdict_colour("unverifiable") == plot.verdict_colour(None) == plot.verdict_colour("nonsense")
    assert plot.verdict_colour("consistent") != plot.verdict_colour("unverifiable")


def test_scale_bar_and_north_arrow_only_where_true():
    """A hemisphere-wide frame varies in scale by far more than the limit: no scale bar then."""
    gdf = L.empty_gdf()
    _, wide = plot.render(gdf, title="wide", extent=(-170.0, -50.0, 170.0, 80.0))
    assert wide.scale_km is None and wide.scale_error > settings.PLOT_SCALE_MAX_ERROR
    _, narrow = plot.render(gdf, title="narrow", extent=(24.0, 50.0, 32.0, 54.0))
    assert narrow.scale_km is not None and narrow.scale_error < 0.01
    assert narrow.north_arrow
    _, polar = plot.render(gdf, title="pole", extent=(-180.0, 60.0, 180.0, 90.0))
    assert not polar.north_arrow  # north is no single direction around a pole


SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))


@pytest.mark.skipif(not SEEDS, reason="the seed reports are not on this machine")
def test_seed_reports_open_on_belarus_and_ukraine(tmp_path):
    from geo_app.ui.usecases import run_map_command

    out = tmp_path / "seeds.png"
    result = run_map_command(SEEDS, png=out)
    png = out.read_bytes()
    w, s, e, n = json.loads(plot.png_text(png)["geo_app:bbox"])
    assert 15 <= w < e <= 45 and 40 <= s < n <= 60, (w, s, e, n)
    assert result["png"]["bbox"] == pytest.approx([w, s, e, n])
    assert {"Moscow", "London"} <= set(result["png"]["outside_frame"])
    from geo_app.pipeline import analyze
    from geo_app.text.reports import read_report_file

    analyses = [analyze(r.text, r.published, report_id=r.report_id, source=r.source)
                for r in map(read_report_file, SEEDS)]
    _, info = plot.render(L.features_gdf(analyses), title="seeds")
    assert any("Kyiv" in text and "87 km" in text for text, _ in info.claim_labels), info.claim_labels
    assert info.inset_box is not None
    ix0, iy0, ix1, iy1 = info.inset_box
    mx0, my0, mx1, my1 = info.map_box
    assert mx0 <= ix0 < ix1 <= mx1 and my0 <= iy0 < iy1 <= my1
    _no_overlaps(info.label_boxes + [info.inset_box])


def test_locator_inset_moves_off_the_features_in_the_lower_left():
    base = dict.fromkeys(L.COLUMNS)
    # Towns crowd the lower-left corner of the frame; a chain of two leads to its upper right.
    spots = {"A": (20.0, 10.0), "B": (20.4, 10.3), "C": (20.8, 10.1), "D": (20.2, 10.6), "E": (23.0, 12.0),
             "F": (26.0, 14.0)}
    rows = [base | {"feature_id": f"r1:m{i}", "kind": "place", "layer": "places", "name": n, "text": n,
                    "geometry": Point(*xy)} for i, (n, xy) in enumerate(spots.items())]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    frame.index = frame["feature_id"].to_numpy()
    _, info = plot.render(L.typed(frame), title="Corner", dpi=150)
    mx0, my0, mx1, my1 = info.map_box
    ix0, iy0, ix1, iy1 = info.inset_box
    assert iy1 < (my0 + my1) / 2 and ix0 < (mx0 + mx1) / 2  # upper left: the lower left is crowded


def test_relation_claims_are_listed_not_labelled():
    """Borders/lies-in claims are dashed and listed in the note; a label never says "measured ?"."""
    from geo_app.pipeline import analyze
    from geo_app.text.reports import read_report_file

    analyses = [analyze(r.text, r.published, report_id=r.report_id, source=r.source)
                for r in map(read_report_file, SEEDS)]
    gdf = L.features_gdf(analyses)
    relations = gdf[(gdf["layer"] == "claims") & gdf.apply(plot.is_relation_claim, axis=1)]
    assert not relations.empty
    _, info = plot.render(gdf, title="seeds")
    assert info.relations and all(":" in r for r in info.relations)
    labelled = " ".join(text for text, _ in info.claim_labels) + " ".join(info.label_texts)
    assert "?" not in labelled, labelled
    for name in relations["name"]:
        assert plot._short_name(name) not in labelled
    assert any("Kyiv" in text for text, _ in info.claim_labels)  # the distance claim keeps its label


def test_unmeasured_distance_says_not_measured():
    row = pd.Series({"claim_type": "distance", "claimed_km": 95.0, "measured_km": None, "bound": "about"})
    assert plot._claim_figures(row) == "claimed ≈95 km · not measured"
    assert not plot.is_relation_claim(row)
    rel = pd.Series({"claim_type": "adjacency", "claimed_km": None, "measured_km": 0.0})
    assert plot.is_relation_claim(rel)


def test_a_short_claim_label_keeps_the_claimed_figure_beside_the_measured_one():
    row = pd.Series({"claim_type": "distance", "claimed_km": 90.0, "measured_km": 57.8, "bound": "about",
                     "verdict": "overstated", "name": "Tal Abyad → Kobani"})
    texts = plot._claim_texts(row)
    # Before the label falls back to the measured figure alone, it says what was claimed.
    compact = next(t for t in texts if "\n" not in t and "claimed" in t)
    assert "90" in compact and "58 km" in compact and "overstated" in compact
    assert texts.index(compact) < texts.index(texts[-1]) and "claimed" not in texts[-1]


def _towns(towns: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    base = dict.fromkeys(L.COLUMNS)
    rows = [base | {"feature_id": f"r1:m{i}", "report_id": "r1", "kind": "place", "layer": "places", "name": name,
                    "text": name, "feature_code": "PPL", "geometry": Point(*xy)} for i, (name, xy) in enumerate(towns.items())]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    frame.index = frame["feature_id"].to_numpy()
    return L.typed(frame)


def test_scale_bar_and_inset_leave_the_towns_in_the_corners_readable():
    # Invented towns: one in the lower right corner (where the scale bar goes by default), one
    # just above the lower left corner (where the locator inset goes by default), one at the top.
    towns = _towns({"Cornerton": (45.03, 12.78), "Leftport": (42.74, 13.01), "Hilltown": (44.2, 15.35)})
    _, info = plot.render(towns, title="Corners", extent=(42.5, 12.57, 45.24, 15.56))
    assert info.scale_km is not None
    assert info.labels_drawn == 3 and info.labels_dropped == 0
