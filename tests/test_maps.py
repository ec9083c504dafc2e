"""Folium maps offline: vendored assets only, no CDN, data never parsed as HTML, working exports."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import jsonschema
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo_app import features as L
from geo_app import settings
from geo_app.render import maps
from geo_app.ui import usecases
from geo_app._errors import InputError

XSS_REPORT = (
    "Title: Hostile <b>test</b>\nSource: Evil <script>window.__pwned=1</script> Wire\nPublished: 2022-02-12\n\n"
    "Troops moved to Kyiv <img src=x onerror=window.__pwned=1> on Saturday. "
    "<script>window.__pwned=1</script> Minsk said the drills in southern Belarus go on."
)


@pytest.fixture(scope="module")
def sample_gdf() -> gpd.GeoDataFrame:
    from geo_app.pipeline import analyze
    from geo_app.text.reports import parse_report, sample_reports

    reports = sample_reports() + [parse_report(XSS_REPORT)]
    return L.features_gdf([analyze(r.text, r.published, report_id=r.report_id, source=r.source) for r in reports])


def _links(html: str) -> tuple[list[str], list[str]]:
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    styles = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", html)
    return scripts, styles


def test_vendored_files_match_the_manifest():
    manifest = json.loads((maps.VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert {p["name"] for p in manifest["packages"]} >= {"leaflet", "leaflet.markercluster", "leaflet.timeline"}
    for package in manifest["packages"]:
        assert (maps.VENDOR_DIR / package["folder"] / package["license_file"]).is_file()
        for rel, digest in package["files"].items():
            path = maps.VENDOR_DIR / package["folder"] / rel
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, rel
    for role, rel in maps.ASSETS.items():
        assert (maps.STATIC_DIR / rel).exists(), role
    readme = (maps.VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for package in manifest["packages"]:
        assert package["version"] in readme and package["license"] in readme


def test_vendored_css_loads_nothing_remote():
    for css in maps.VENDOR_DIR.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), css
        assert "@import" not in text, css


def test_css_patcher_cuts_cdn_fonts():
    spec = importlib.util.spec_from_file_location("vendor_assets", settings.PROJECT_DIR / "scripts" / "vendor_assets.py")
    mod = importlib.util.module_from_spec(spec)
    import sys

    sys.modules["vendor_assets"] = mod  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop("vendor_assets", None)
    css = ("@import url('https://fonts.googleapis.com/css?family=X');\n"
           "@font-face { font-family: 'Glyphicons'; src: url('//netdna.bootstrapcdn.com/g.eot'); }\n"
           ".icon { background: url(images/local.png); }\n"
           ".ok { background: url(\"https://cdn.example/x.png\") }")
    out, removed = mod.patch_css(css)
    assert removed == 3
    assert "googleapis" not in out and "bootstrapcdn" not in out and "cdn.example" not in out
    assert "url(images/local.png)" in out


def test_map_links_are_local_and_no_cdn_host(sample_gdf):
    m = maps.build_map(sample_gdf, title="t")
    html = m.get_root().render()
    scripts, styles = _links(html)
    assert scripts and styles
    for url in scripts + styles:
        assert not url.startswith(("http:", "https:", "//")), url
        assert url.startswith(maps.DEFAULT_STATIC_URL + "/vendor/"), url
        assert (maps.STATIC_DIR / url[len(maps.DEFAULT_STATIC_URL) + 1:]).is_file(), url
    assert maps.external_urls(html) == []
    assert maps.cdn_hosts_in(html) == []
    assert "L.Icon.Default.imagePath" in html
    assert '"maxZoom": 12' in html  # tiles=None would drop it: MarkerCluster needs one
    assert "tile.openstreetmap" not in html and "L.tileLayer" not in html


def test_every_asset_the_component_would_load_is_local(sample_gdf):
    """What streamlit-folium hands its iframe: default_js/css of every element of map and groups."""
    base = maps.base_map(L.bounds(sample_gdf), legend=maps.legend_items(sample_gdf))
    groups = maps.feature_groups(sample_gdf, cluster_threshold=1)
    for fg in groups:
        fg.add_to(base)

    def walk(el):
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    links = [url for el in walk(base) for _, url in getattr(el, "default_js", []) + getattr(el, "default_css", [])]
    assert any("markercluster" in u for u in links)
    assert links and all(u.startswith("/app/static/vendor/") for u in links), links


def test_markercluster_assets_come_with_the_base_map():
    """streamlit-folium loads scripts once, at mount: a cluster layer added later must find them."""
    html = maps.base_map().get_root().render()
    assert maps.asset_url("markercluster_js") in _links(html)[0]


def test_feature_groups_draw_every_mappable_feature(sample_gdf):
    groups = maps.feature_groups(sample_gdf, layers=L.LAYERS, shade_mentioned=False)
    layers_drawn = []
    total = 0
    for fg in groups:
        for child in fg._children.values():
            inner = [child] + list(getattr(child, "_children", {}).values())
            for el in inner:
                if isinstance(el, maps._GeoJsonLayer):
                    feats = json.loads(el.data_js)["features"]
                    # an area mentioned n times is drawn once, its n mentions in its popup
                    total += sum(len(f["properties"].get("mentions") or [1]) for f in feats)
                    layers_drawn.append(feats[0]["properties"]["layer"])
    assert total == len(L.mappable(sample_gdf))
    assert layers_drawn == [x for x in L.LAYERS if x in set(L.mappable(sample_gdf)["layer"])]  # drawing order


def test_default_layers_leave_demonyms_off(sample_gdf):
    assert "demonyms" in set(sample_gdf["layer"])
    names = [fg.layer_name for fg in maps.feature_groups(sample_gdf)]
    assert maps.LAYER_LABELS["demonyms"] not in names
    assert maps.LAYER_LABELS["places"] in names


def test_many_points_are_clustered():
    rng = np.random.default_rng(7)
    n = 5000
    base = dict.fromkeys(L.COLUMNS)
    rows = [base | {"feature_id": f"r:m{i}", "kind": "place", "layer": "places", "name": f"P{i}", "quote": "q",
                    "report_id": "r", "source": "s", "geometry": Point(lon, lat)}
            for i, (lon, lat) in enumerate(zip(rng.uniform(20, 40, n), rng.uniform(44, 56, n)))]
    gdf = L.typed(gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326"))
    gdf.index = gdf["feature_id"].to_numpy()
    groups = maps.feature_groups(gdf, shade_mentioned=False)
    clusters = [c for fg in groups for c in fg._children.values() if isinstance(c, folium.plugins.MarkerCluster)]
    assert len(clusters) == 1
    layer = next(iter(clusters[0]._children.values()))
    assert layer.cluster and layer.n_features == n
    few = maps.feature_groups(gdf.iloc[:10], shade_mentioned=False)
    assert not any(isinstance(c, folium.plugins.MarkerCluster) for fg in few for c in fg._children.values())


def test_report_text_is_never_markup(sample_gdf):
    """Hostile report text reaches the page only as escaped JSON, and popups use textContent."""
    hostile = sample_gdf[sample_gdf["quote"].str.contains("onerror", na=False)]
    assert not hostile.empty
    html = maps.build_map(sample_gdf).get_root().render()
    assert "<img src=x" not in html and "<script>window.__pwned" not in html
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in html
    helpers = maps._HELPERS_JS
    assert "innerHTML" not in helpers and "textContent" in helpers and "bindPopup(function" in helpers


def test_exported_html_is_standalone(sample_gdf):
    html = maps.export_html(sample_gdf, title="Samples <b>bold</b>")
    scripts, styles = _links(html)
    assert scripts == [] and styles == []  # everything inlined
    assert maps.external_urls(html) == [] and maps.cdn_hosts_in(html) == []
    assert "L.timeline(" in html and "L.timelineSliderControl(" in html and "L.markerClusterGroup" in html
    assert "moment" in html
    assert maps.ATTRIBUTION in html
    assert "<img src=x" not in html and "<script>window.__pwned" not in html and "<b>bold</b>" not in html
    assert "url(images/" not in html  # Leaflet's control images became data URIs
    assert html.count("<script>") >= 4


def test_inline_refuses_non_vendored_urls():
    with pytest.raises(InputError):
        maps.inline_assets('<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>')
    with pytest.raises(Exception):
        maps.inline_assets('<script src="/app/static/../../etc/passwd"></script>')


def test_optional_tile_url_setting(monkeypatch):
    monkeypatch.setattr(settings, "MAP_TILE_URL", "/tiles/{z}/{x}/{y}.png", raising=False)
    html = maps.base_map().get_root().render()
    assert "L.tileLayer" in html and "/tiles/{z}/{x}/{y}.png" in html


def test_run_map_command(tmp_path: Path):
    from geo_app.render.plot import png_pixels

    samples = sorted((settings.SAMPLES_DIR).glob("*.txt"))
    out = usecases.run_map_command(samples, png=tmp_path / "m.png", html=tmp_path / "m.html",
                               geojson=tmp_path / "m.geojson", date_from="2022-02-10", date_to="2022-02-12")
    assert set(out["written"]) == {"png", "html", "geojson"} and out["window"] == ["2022-02-10", "2022-02-12"]
    fc = json.loads((tmp_path / "m.geojson").read_text(encoding="utf-8"))
    assert len(fc["features"]) == out["features"] > 0
    schema = json.loads((settings.PROJECT_DIR / "schema" / "feature.schema.json").read_text(encoding="utf-8"))
    assert jsonschema.Draft202012Validator(schema).is_valid(fc)
    for f in fc["features"]:
        p = f["properties"]
        first = p["date_start"] or p["published"]
        last = p["date_end"] or first
        assert first is None or (first <= "2022-02-12" and last >= "2022-02-10")
    assert png_pixels((tmp_path / "m.png").read_bytes()).shape[1] == round(settings.PLOT_WIDTH_CM / 2.54 * 150)
    assert maps.external_urls((tmp_path / "m.html").read_text(encoding="utf-8")) == []
    with pytest.raises(InputError):
        usecases.run_map_command(samples, png=tmp_path / "x.png", date_from="2022-03-01", date_to="2022-02-01")
    with pytest.raises(InputError):
        usecases.run_map_command(samples)


def test_map_cli(tmp_path: Path):
    from typer.testing import CliRunner

    from geo_app.ui.cli import app

    sample = str(sorted(settings.SAMPLES_DIR.glob("*.txt"))[0])
    result = CliRunner().invoke(app, ["map", sample, "--geojson", str(tmp_path / "o.geojson"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["written"] == {"geojson": str(tmp_path / "o.geojson")}
    bad = CliRunner().invoke(app, ["map", sample, "--png", str(tmp_path / "o.png"), "--from", "soon"])
    assert bad.exit_code == 2


# --- issue 14: names on the basemap, each area once, panes, collapsible legend -------------------------


def test_basemap_names_cover_countries_capitals_cities_and_seas():
    from geo_app.render.basemap_labels import LABEL_KINDS, basemap_labels, build_labels

    labels = basemap_labels()
    by_kind = {k: {d["name"]: d for d in labels if d["kind"] == k} for k in LABEL_KINDS}
    assert {"Belarus", "Ukraine", "Poland"} <= set(by_kind["country"])
    assert {"Kyiv", "Minsk", "Warsaw"} <= set(by_kind["capital"])
    assert {"Black Sea", "Baltic Sea"} <= set(by_kind["sea"])
    assert "Kharkiv" in by_kind["city"]
    # capitals show before ordinary cities; every label has a zoom within the map's range
    assert by_kind["capital"]["Kyiv"]["zoom"] <= by_kind["city"]["Kharkiv"]["zoom"]
    assert all(settings.MAP_MIN_ZOOM <= d["zoom"] <= 99 for d in labels)
    # a capital's districts are not labelled over it (spacing, geodesic)
    from geo_app.geo.geodesy import geodesic_km

    kyiv = by_kind["capital"]["Kyiv"]
    near = [d["name"] for d in by_kind["city"].values()
            if geodesic_km(kyiv["lon"], kyiv["lat"], d["lon"], d["lat"]) < settings.MAP_LABEL_CITY_SPACING_KM]
    assert near == []
    # the shipped file is what the builder makes now (rebuild it when the settings change)
    assert len(build_labels()) == len(labels)


def test_base_map_draws_names_as_text_never_html():
    html = maps.base_map().get_root().render()
    assert '"Kyiv"' in html and "geo-app-name" in html
    assert 'geoApp.el("span", null, d.name)' in html  # textContent, not innerHTML
    assert "createPane" in html  # points over claims over areas, whatever the order they arrive in


def test_each_area_drawn_once_with_all_its_mentions(sample_gdf):
    areas = sample_gdf[sample_gdf["layer"].isin(L.AREA_LAYERS)]
    twice = pd.concat([areas, areas.rename(index=lambda i: f"{i}:again")])
    groups = L.area_groups(twice)
    assert len(groups) == len(L.area_groups(areas)) and all(len(g) == 2 * len(h) for g, h in
                                                             zip(groups, L.area_groups(areas)))
    prepared = maps.prepare_features(twice)
    drawn = [json.loads(f) for f in maps._grouped_area_features(twice, prepared)]
    assert len(drawn) == len(groups)
    assert all(len(f["properties"]["mentions"]) >= 2 for f in drawn)
    # southern and northern parts of one country stay apart (same key, other name)
    south = areas.iloc[[0]].assign(name="southern X", place_key="country:X")
    north = areas.iloc[[0]].assign(name="northern X", place_key="country:X").rename(index=lambda i: f"{i}:n")
    assert len(L.area_groups(pd.concat([south, north]))) == 2


def test_group_areas_covering_the_view_start_off(sample_gdf):
    from shapely.geometry import box

    big = box(10, 40, 50, 60)
    assert L.covers_view(big, (20.0, 45.0, 35.0, 55.0))
    assert not L.covers_view(box(20, 45, 22, 47), (20.0, 45.0, 35.0, 55.0))
    gdf = sample_gdf[sample_gdf["layer"].isin(["places"])].copy()
    group = gdf.iloc[[0]].assign(layer="group_areas", kind="group", name="Eastern Europe",
                                 place_key="composite:test", geometry=[big])
    both = gpd.GeoDataFrame(pd.concat([gdf, group.rename(index=lambda i: f"{i}:g")]), crs="EPSG:4326")
    fgs = {fg.layer_name: fg for fg in maps.feature_groups(both, layers=L.LAYERS, focus=(20.0, 45.0, 35.0, 55.0))}
    off = [n for n in fgs if n.startswith(maps.LAYER_LABELS["group_areas"])]
    assert off and not fgs[off[0]].show and "off" in off[0]
    assert fgs[maps.LAYER_LABELS["places"]].show
    fgs = {fg.layer_name: fg for fg in maps.feature_groups(both, layers=L.LAYERS, focus=(0.0, 0.0, 2.0, 2.0))}
    assert fgs[maps.LAYER_LABELS["group_areas"]].show


def test_legend_is_collapsible_and_clustering_only_for_true_overlaps(sample_gdf):
    html = maps.base_map(legend=maps.legend_items(None)).get_root().render()
    assert 'geoApp.el("details", "geo-app-legend")' in html and '"summary", null, "Legend"' in html
    many = pd.concat([sample_gdf[sample_gdf["layer"] == "places"]] * 3)
    many.index = [f"p{i}" for i in range(len(many))]
    fgs = maps.feature_groups(many, cluster_threshold=1)
    clusters = [c for fg in fgs for c in fg._children.values() if isinstance(c, folium.plugins.MarkerCluster)]
    assert clusters and all((c.options.get("maxClusterRadius") or c.options.get("max_cluster_radius")) <= 20
                            for c in clusters)


def test_fit_view_group_frames_once_per_key():
    fg = maps.fit_view_group((20.0, 44.0, 41.0, 56.0), "1:abc")
    m = maps.base_map()
    fg.add_to(m)
    html = m.get_root().render()
    assert "fitBounds" in html and '"1:abc"' in html and "geoAppFitted === key" in html


def test_app_map_fetches_the_basemap_from_served_files_that_match_the_data():
    for role, rel in maps.STATIC_DATA.items():  # rebuild with `python -m geo_app.render.maps`
        shipped = (maps.STATIC_DIR / rel).read_text(encoding="utf-8")
        built = maps._basemap_js(float(settings.MAP_BASEMAP_SIMPLIFY_DEG)) if role == "basemap" else maps._names_js()
        assert shipped == built, f"{rel} is stale"
    app_html = maps.base_map(fetch_basemap=True).get_root().render()
    inline_html = maps.base_map().get_root().render()
    assert len(app_html) < len(inline_html) - 1_000_000  # the app's map no longer carries 1.4 MB per rerun
    assert 'fetch("/app/static/data/basemap.json")' in app_html and "basemap_names.json" in app_html
    assert "fetch(" not in inline_html  # exports stay whole, offline from disk


def test_area_spells_follow_the_mentions():
    """Country shading on the HTML slider: the days of its mentions, merged, undated throughout."""
    from shapely.geometry import Point

    rows = [
        {"layer": "countries", "place_key": "BY", "feature_code": "PCLI", "name": "Belarus",
         "date_start": "2022-02-10", "date_end": "2022-02-12", "published": "2022-02-09"},
        {"layer": "countries", "place_key": "BY", "feature_code": "PCLI", "name": "Belarus",
         "date_start": "2022-02-12", "date_end": "2022-02-13", "published": "2022-02-09"},
        {"layer": "countries", "place_key": "BY", "feature_code": "PCLI", "name": "Belarus",
         "date_start": None, "date_end": None, "published": "2022-02-20"},
        {"layer": "countries", "place_key": "UA", "feature_code": "PCLI", "name": "Ukraine",
         "date_start": None, "date_end": None, "published": None},
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[Point(27, 53)] * 3 + [Point(31, 49)], crs="EPSG:4326")
    lo, hi = maps._day_ms("2022-02-01"), maps._day_ms("2022-02-28") + 86_399_999
    spells = maps.area_spells(gdf, lo, hi)
    day = 86_400_000
    assert spells["BY"] == [(maps._day_ms("2022-02-10"), maps._day_ms("2022-02-13") + day - 1),
                            (maps._day_ms("2022-02-20"), maps._day_ms("2022-02-20") + day - 1)]
    assert spells["UA"] == [(lo, hi)]
    feats = maps._area_spell_features([{"type": "Feature", "properties": {"place_key": "BY"}, "geometry": None}],
                                      spells)
    assert [f["properties"]["repeat_spell"] for f in feats] == [False, True]


def test_exported_html_opens_on_all_dates(sample_gdf):
    html = maps.export_html(sample_gdf, title="Samples")
    assert "geoApp.allDates(" in html and "All dates (" in html
    # the shading is a timeline too (it follows the slider), not a static layer
    assert html.count("L.timeline(") >= 2 and '"shown_from"' in html


def test_one_english_spelling_per_place():
    """A transliteration with marks gives way to the report's plain spelling of the same place; a
    plain gazetteer name stays; a spelling that is not a name of the resolved place is never shown."""
    from shapely.geometry import Point

    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.render.names import english_names, is_plain

    gomel = next(m.place for m in get_gazetteer().lookup("Gomel") if m.place.feature_class == "P")
    kyiv = next(m.place for m in get_gazetteer().lookup("Kyiv") if m.place.feature_class == "P")
    assert not is_plain(gomel.name) and is_plain(kyiv.name)
    rows = [
        {"layer": "places", "kind": "place", "text": "Gomel", "name": gomel.name, "place_key": gomel.key},
        {"layer": "places", "kind": "place", "text": "GOMEL", "name": gomel.name, "place_key": gomel.key},
        {"layer": "places", "kind": "place", "text": "Kiev", "name": kyiv.name, "place_key": kyiv.key},
        {"layer": "places", "kind": "place", "text": "Minsk", "name": gomel.name, "place_key": gomel.key},
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[Point(31, 52.4)] * 4, crs="EPSG:4326")
    shown = list(english_names(gdf))
    assert shown[0] == shown[1] == shown[3] == "Gomel"  # one spelling for the place, "Minsk" is not its name
    assert shown[2] == kyiv.name
    only_wrong = english_names(gdf.iloc[[3]])
    assert list(only_wrong) == [gomel.name]


def test_claims_regions_and_countries_take_the_report_spelling():
    """A claim's ends read as the report wrote them (from a town on the map, else from its own
    sentence, when that spelling is a name of the very place); a claim keeps its "A → B" name
    even when its key is a renamed town's; a country's formal name gives way to the report's."""
    from shapely.geometry import LineString, Point

    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.render.names import english_names

    gaz = get_gazetteer()
    gomel = next(m.place for m in gaz.lookup("Gomel") if m.place.feature_class == "P")
    kyiv = next(m.place for m in gaz.lookup("Kyiv") if m.place.feature_class == "P")
    china = gaz.get("country:CHN")
    assert china is not None and china.name != "China"  # Natural Earth's NAME_EN: the formal name
    arrow = " → "
    rows = [
        {"layer": "places", "kind": "place", "text": "Gomel", "name": gomel.name, "place_key": gomel.key,
         "quote": "Troops were seen in Gomel."},
        {"layer": "claims", "kind": "claim", "text": "about 250 km", "name": gomel.name + arrow + kyiv.name,
         "place_key": gomel.key, "quote": "Gomel lies about 250 km north of Kyiv."},
        {"layer": "countries", "kind": "place", "text": "China", "name": china.name, "place_key": china.key,
         "quote": "China said so."},
        {"layer": "claims", "kind": "claim", "text": "30 km", "name": f"Kyiv (the part of {china.name} holding it)"
         + arrow + "Kyiv", "place_key": None, "quote": "It is 30 km away."},
    ]
    geoms = [Point(31, 52.4), LineString([(31, 52.4), (30.5, 50.4)]), Point(104, 35), LineString([(30, 50), (31, 50)])]
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    shown = list(english_names(gdf))
    assert shown[0] == "Gomel" and shown[1] == f"Gomel{arrow}{kyiv.name}" and shown[2] == "China", shown
    assert shown[3] == f"Kyiv (the part of China holding it){arrow}Kyiv", shown[3]
    # no town of it on the map: the spelling comes from the claim's own sentence ...
    alone = english_names(gdf.iloc[[1]])
    assert list(alone) == [f"Gomel{arrow}{kyiv.name}"]
    # ... and only when it is a name of that place ("Minsk" is not Gomel's)
    wrong = gdf.iloc[[1]].assign(quote="Minsk lies about 250 km north of Kyiv.")
    assert list(english_names(wrong)) == [gomel.name + arrow + kyiv.name]
    unnamed = gdf.iloc[[1]].assign(name="?" + arrow + kyiv.name, place_key=None)
    assert list(english_names(unnamed)) == [f"unnamed place{arrow}{kyiv.name}"]
