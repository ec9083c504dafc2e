"""The Streamlit page, driven by AppTest: add reports, analyse, slide, filter, download."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo_app import features as L
from geo_app import settings
from geo_app.render import maps
from geo_app.io.export import merge_repeated_areas
from geo_app.ui.app import streamlit_command

APP_FILE = str(settings.PACKAGE_DIR / "ui" / "app.py")
HOSTILE = ("Title: Hostile test\nSource: Test Wire\nPublished: 2022-02-12\n\n"
           "Troops moved to Kyiv <img src=x onerror=window.__pwned=1> on Saturday. "
           "<script>window.__pwned=1</script> Officials in Vilnius watched.")
HTML_UPLOAD = (b"<html><head><title>x</title><script>window.__pwned=1</script></head><body>"
               b"<p>Published: 2022-02-13</p><p>Convoys were seen near Gomel and Mozyr on Sunday.</p></body></html>")


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(APP_FILE, default_timeout=240)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _view(app: AppTest) -> dict:
    return app.session_state["view"]


def _component_args(app: AppTest) -> dict:
    comps = [c for c in app.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert len(comps) == 1
    return json.loads(comps[0].proto.json_args)


def _gdf_of_view(app: AppTest):
    from geo_app.ui import app as page

    reports = app.session_state["reports"]
    view = _view(app)
    analyses = [page.analyze_report(*page.analysis_key(reports[rid])) for rid in view["report_ids"]]
    gdf = page.features_of(analyses)
    return gdf.loc[view["feature_ids"]]


def test_samples_are_preloaded_and_mapped(at):
    from geo_app.text.reports import sample_reports

    view = _view(at)
    assert view["report_ids"] == [r.report_id for r in sample_reports()]
    assert view["n_features"] > 40 and view["n_points"] > 20
    assert view["window"] == view["date_range"]
    assert "Borders: Natural Earth" in " ".join(c.value for c in at.caption)
    assert "GeoNames (CC BY 4.0" in " ".join(c.value for c in at.caption)


def test_map_component_loads_only_local_assets(at):
    args = _component_args(at)
    links = args["js_links"] + args["css_links"]
    assert links and not any(u.startswith(("http:", "https:", "//")) for u in links)
    assert all(u.startswith("/app/static/vendor/") for u in links)
    assert any("markercluster" in u for u in args["js_links"])
    assert maps.cdn_hosts_in(args["script"] + args["header"] + (args["feature_group"] or "")) == []
    # only the analyst's pan and zoom come back ("export this view"); clicks stay in the browser,
    # and the views the page makes itself are marked as sent (no rerun of their own)
    assert args["returned_objects"] == ["bounds"]
    assert "geoApp.quietView(" in args["script"]
    assert "L.Icon.Default.imagePath" in args["script"]


def test_slider_filters_without_remounting_the_map(at):
    before = _view(at)
    key_before = _component_args(at)["key"]
    script_before = _component_args(at)["script"]
    at.slider[0].set_value((dt.date(2022, 2, 12), dt.date(2022, 2, 13))).run()
    after = _view(at)
    assert after["window"] == ("2022-02-12", "2022-02-13")
    assert 0 < after["n_features"] < before["n_features"]
    gdf = _gdf_of_view(at)
    first, last = L.feature_days(gdf)
    assert ((first <= "2022-02-13") & (last >= "2022-02-12")).all()
    args = _component_args(at)
    assert args["key"] == key_before and args["script"] == script_before  # same map, new feature groups
    assert args["feature_group"]
    at.slider[0].set_value((dt.date.fromisoformat(before["date_range"][0]),
                            dt.date.fromisoformat(before["date_range"][1]))).run()
    assert _view(at)["n_features"] == before["n_features"]


def test_source_kind_and_verdict_filters(at):
    everything = _view(at)["n_features"]
    at.multiselect(key="f_sources").set_value(["Field Notes (sample)"]).run()
    gdf = _gdf_of_view(at)
    assert set(gdf["source"]) == {"Field Notes (sample)"} and len(gdf) < everything
    at.multiselect(key="f_sources").set_value(sorted(at.multiselect(key="f_sources").options)).run()
    at.multiselect(key="f_kinds").set_value(["claim"]).run()
    gdf = _gdf_of_view(at)
    assert set(gdf["kind"]) == {"claim"}
    verdicts = at.multiselect(key="f_verdicts").options
    assert "consistent" in verdicts
    at.multiselect(key="f_verdicts").set_value(["consistent"]).run()
    assert set(_gdf_of_view(at)["verdict"]) == {"consistent"}
    at.multiselect(key="f_kinds").set_value(at.multiselect(key="f_kinds").options).run()
    at.multiselect(key="f_verdicts").set_value(verdicts).run()
    assert _view(at)["n_features"] == everything


def test_cross_report_agreement(at):
    counts = at.session_state["agreement"]
    assert counts["shared_places"] >= 3  # Kyiv, Minsk, Belarus, ... named by two outlets
    assert counts["agreements"] >= 1  # Kyiv-Belarus border: "as close as 100" and "about 90" both hold


def test_cross_report_agreement_one_row_per_place_sources_side_by_side():
    from geo_app.text.reports import sample_reports
    from geo_app.ui import app as page

    reports = sample_reports()
    analyses = [page.analyze_report(*page.analysis_key(r)) for r in reports]
    labels = {r.report_id: page.report_label(r) for r in reports}
    tables = page.agreement(analyses, page.features_of(analyses), labels)
    places, agree = tables["shared_places"], tables["agreements"]
    assert not places["Place"].duplicated().any()  # one row per place
    assert not agree[["Claim", "Between"]].duplicated().any()  # one row per claim
    fixed = {"Place", "Reports", "Claim", "Between", "Agree", "Difference km"}
    for table in (places, agree):  # each report is a column of its own, by its title (never its id)
        sources = set(table.columns) - fixed
        assert sources <= set(labels.values()) and len(sources) >= 2, table.columns
        assert not any(r.report_id in c for c in table.columns for r in reports)
        assert not table.isna().any().drop(["Difference km"], errors="ignore").any()  # no "None" cells
    kyiv = agree[agree["Between"].str.contains("Kyiv")]
    assert len(kyiv) == 1 and sum(bool(kyiv.iloc[0][c]) for c in set(agree.columns) - fixed) >= 2  # side by side


def test_agreement_cells_are_escaped_for_st_table():
    from geo_app.ui import app as page

    frame = pd.DataFrame({"Place": ["Kyiv"], "Evil *Wire* [x](javascript:1)": ["<b>bold</b> **x** `y`"]})
    out = page.md_table(frame)
    assert out.columns[1] == page.md_escape("Evil *Wire* [x](javascript:1)")
    assert out.iloc[0, 1] == page.md_escape("<b>bold</b> **x** `y`") and "\\*\\*x" in out.iloc[0, 1]


def test_outliers_note_names_the_places_left_out():
    from geo_app.ui import app as page

    note = page.outliers_note(["Austin", "London", "Austin"] + [f"P{i}" for i in range(10)], limit=4)
    assert note.count("Austin") == 1 and "London" in note and "and 8 more" in note


def test_map_gets_an_in_map_layer_control_and_frames_the_focus(at):
    args = _component_args(at)
    assert "L.control.layers" in args["layer_control"]
    assert "GeoAppFitView" in args["feature_group"] or "fitBounds" in args["feature_group"]
    assert _view(at)["opening_bounds"] is not None
    assert "f_layers" not in at.session_state  # layers are toggled in the map, not by a server filter


def test_downloads(at):
    from geo_app.ui import app as page

    labels = [b.label for b in at.get("download_button")]
    assert labels == ["GeoJSON", "GeoPackage", "CSV", "HTML map", "PNG for briefs", "Brief"]
    view = _view(at)
    gdf = _gdf_of_view(at)
    built = page.exports_for(gdf, title="t", window=view["window"])
    fc = json.loads(built["geojson"]())
    schema = json.loads((settings.PROJECT_DIR / "schema" / "feature.schema.json").read_text(encoding="utf-8"))
    assert jsonschema.Draft202012Validator(schema).is_valid(fc)
    merged = merge_repeated_areas(gdf)[1]  # a repeated area is exported once, with its mentions
    ids = [f["id"] for f in fc["features"]]
    assert set(ids) <= set(view["feature_ids"]) and len(ids) == len(view["feature_ids"]) - merged
    assert built["csv"]().count("\n") >= len(gdf) - merged + 1
    assert built["gpkg"]()[:15] == b"SQLite format 3"
    assert maps.external_urls(built["html"]()) == []
    assert built["png"]()[:4] == b"\x89PNG"


def test_paste_a_hostile_report_then_analyze(at):
    key_before = _component_args(at)["key"]
    at.text_area(key="paste_text").input(HOSTILE)
    at.text_input(key="paste_source").input("")
    at.button(key="add_paste").click().run()
    reports = at.session_state["reports"]
    pasted = [r for r in reports.values() if r.source == "Test Wire"]
    assert len(pasted) == 1 and pasted[0].published == dt.date(2022, 2, 12)
    at.button(key="analyze").click().run()
    assert not at.exception
    view = _view(at)
    assert pasted[0].report_id in view["report_ids"]
    gdf = _gdf_of_view(at)
    mine = gdf[gdf["report_id"] == pasted[0].report_id]
    assert {"Kyiv", "Vilnius"} <= set(mine["name"])
    assert mine["quote"].str.contains("<img src=x onerror", regex=False).any()  # kept as text
    # shown as text, never as markup
    assert any("<script>window.__pwned=1</script>" in t.value for t in at.text)
    for el in list(at.markdown) + list(at.caption):
        assert "<img" not in el.value and "<script" not in el.value
    args = _component_args(at)
    fg = args["feature_group"]
    assert "<img src=x" not in fg and "\\u003cimg src=x" in fg
    assert args["key"] == key_before  # new reports: same map, new data (no remount)
    # the browser frames the new reports (it knows the map's size): a fit, not a server-side centre
    assert "fitBounds" in fg and args["center"] is None and args["zoom"] is None


def test_upload_html_and_text(at):
    up = at.file_uploader(key="uploads")
    up.upload("convoys.html", HTML_UPLOAD, "text/html").upload("notes.md", "Brest and Pinsk.".encode(), "text/markdown")
    up.run()
    reports = at.session_state["reports"].values()
    html_report = [r for r in reports if r.meta.get("file") == "convoys.html"]
    assert len(html_report) == 1
    assert "window.__pwned" not in html_report[0].text and "Gomel" in html_report[0].text
    assert html_report[0].published == dt.date(2022, 2, 13)
    md = [r for r in reports if r.meta.get("file") == "notes.md"]
    assert len(md) == 1 and md[0].published is None
    assert any("no publication date" in w.value for w in at.warning)


def test_bad_upload_is_reported(at):
    at.file_uploader(key="uploads").upload("bin.txt", b"\x00\x01\x02binary", "text/plain").run()
    assert any("binary" in e.value for e in at.error)
    assert not at.exception


def test_table_row_click_focuses_the_map():
    from geo_app.ui import app as page
    from geo_app.pipeline import analyze

    a = analyze("Troops gathered in Gomel.", "2022-02-10", report_id="z")
    gdf = L.features_gdf([a])
    centre, zoom = page.focus_of(gdf, "z:m0")
    assert centre == pytest.approx([gdf.loc["z:m0"].geometry.y, gdf.loc["z:m0"].geometry.x]) and zoom == 8
    assert page.focus_of(gdf, "nope") is None


def test_md_escape():
    from geo_app.ui.app import md_escape

    assert md_escape("[x](javascript:alert(1)) <b>") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>"


def test_play_steps_through_days(at, monkeypatch):
    monkeypatch.setattr(settings, "APP_PLAY_STEP_SECONDS", 0.0, raising=False)
    lo, hi = (dt.date.fromisoformat(d) for d in _view(at)["date_range"])
    start = hi - dt.timedelta(days=2)
    at.slider[0].set_value((start, start)).run()
    assert _view(at)["window"] == (start.isoformat(), start.isoformat())
    at.button(key="play").click().run()  # one day per step until the window reaches the last day
    assert _view(at)["window"] == (hi.isoformat(), hi.isoformat())
    assert at.session_state["playing"] is False
    assert not at.exception


def test_manual_claim_by_hand(at):
    """Issue 4: a claim typed by hand (from A, to B's border, claimed N km) is checked in the app."""
    inputs = {w.label: w for w in at.text_input}
    inputs["From"].set_value("Kyiv")
    inputs["Target"].set_value("Belarus")
    boxes = {w.label: w for w in at.number_input}
    boxes["Claimed distance"].set_value(100.0)
    selects = {w.label: w for w in at.selectbox}
    selects["Measured to"].set_value("the border of")
    selects["Bound"].set_value("at-most")
    at.button(key="FormSubmitter:manual_claim-Check").click().run()
    assert not at.exception
    claims = at.session_state["manual_claims"]
    assert claims[-1]["verdict"] == "consistent"
    assert 85.0 < claims[-1]["measured_km"] < 89.0
    assert any(t.value.startswith("Kyiv → ") and "consistent" in t.value for t in at.text)


# --- issue 14: filters follow the analysed reports; names, not ids; plain messages ------------------------

MINE = ("Title: Convoys near Mozyr\nSource: Polesie Monitor\nPublished: 2022-02-16\n\n"
        "On Monday, helicopters were seen flying low over Chernihiv, and officials in Kyiv said they were "
        "watching the area closely.")


def test_follow_options():
    from geo_app.ui.app import follow_options

    assert follow_options(None, None, ["a", "b", "c"], ["a", "b"]) == ["a", "b"]  # afresh: the default
    # the user dropped "b"; "d" is new: kept off "b", "d" selected, "c" gone (no stale chip)
    assert follow_options(["a"], ["a", "b", "c"], ["d", "a", "b"], ["d", "a", "b"]) == ["d", "a"]
    assert follow_options(["a"], ["a"], ["x"], ["x"]) == ["x"]  # new reports never hidden by an old choice
    assert follow_options(["a"], ["a"], [], []) == []
    assert follow_options(["a"], ["a", "b"], ["a", "b", "z"], ["a", "b"]) == ["a"]  # "z" off by default stays off


def test_user_message_drops_developer_advice():
    from geo_app.ui.app import user_message

    assert user_message("x.txt is 9 bytes, over the limit for one report "
                        "(raise geo_app.settings.MAX_REPORT_CHARS, now 1,000 characters)") == (
        "x.txt is 9 bytes, over the limit for one report (the limit is 1,000 characters)")
    assert user_message("500 mentions found, the first 100 drawn (raise geo_app.settings.MAX_MENTIONS_DRAWN)") == (
        "500 mentions found, the first 100 drawn")
    assert user_message("nothing to change") == "nothing to change"


def test_report_label_never_the_internal_id():
    from geo_app.ui.app import PASTED_NAME, read_upload, report_label
    from geo_app.text.reports import parse_report

    titled = parse_report(MINE, name=PASTED_NAME)
    assert report_label(titled) == "Convoys near Mozyr"
    untitled = parse_report("Troops gathered in Gomel on Monday.", name=PASTED_NAME)
    assert report_label(untitled) == "Troops gathered in Gomel on Monday."
    assert untitled.report_id not in report_label(untitled)
    uploaded = read_upload("witness_notes.txt", b"Troops gathered in Gomel on Monday.")
    assert report_label(uploaded) == "witness_notes.txt"
    assert uploaded.source == "witness_notes.txt"  # the file name is offered as its source
    assert read_upload("a.txt", b"Source: Polesie Monitor\n\nGomel.").source == "Polesie Monitor"
    # A short first line standing alone is the headline: the label, not the headline run into the dateline.
    headlined = parse_report("Rebels seize Sake\n\nGOMA, June 9 - M23 rebels seized the town of Sake.", name=PASTED_NAME)
    assert report_label(headlined) == "Rebels seize Sake"


def test_limit_messages_in_the_page_give_no_developer_advice(at, monkeypatch):
    monkeypatch.setattr(settings, "MAX_REPORT_CHARS", 20)
    at.file_uploader(key="uploads").upload("long.txt", b"Troops gathered in Gomel on Monday.", "text/plain").run()
    errors = [e.value for e in at.error]
    assert any("long" in e and "limit" in e for e in errors), errors
    assert not any("settings" in e for e in errors)


def test_filters_follow_the_reports_now_analysed():
    """Untick the samples, analyse one pasted report: every filter offers and selects what it has."""
    from geo_app.text.reports import sample_reports

    app = AppTest.from_file(APP_FILE, default_timeout=240)
    app.run()
    app.multiselect(key="f_sources").set_value(["Field Notes (sample)"]).run()  # an old choice
    app.text_area(key="paste_text").input(MINE)
    app.button(key="add_paste").click().run()
    for r in sample_reports():
        app.checkbox(key=f"use_{r.report_id}").uncheck()
    app.button(key="analyze").click().run()
    assert not app.exception
    sources = app.multiselect(key="f_sources")
    assert sources.options == ["Polesie Monitor"] and sources.value == ["Polesie Monitor"]
    kinds = app.multiselect(key="f_kinds")
    assert kinds.value == kinds.options and "place" in kinds.value
    verdicts = app.multiselect(key="f_verdicts")  # no claims in this report: greyed out, no stale chips
    assert verdicts.options == [] and verdicts.value == [] and verdicts.disabled
    view = app.session_state["view"]
    assert view["n_features"] > 0 and view["window"] == view["date_range"]
    # the per-report count the browser test reads
    mine = [rid for rid, r in app.session_state["reports"].items() if r.source == "Polesie Monitor"][0]
    assert f"{view['n_on_map']} of {view['n_on_map']} features shown on the map" in [c.value for c in app.caption]
    assert mine in view["report_ids"]
    # a slider move keeps them
    app.slider[0].set_value(tuple(dt.date.fromisoformat(d) for d in view["date_range"])).run()
    assert app.session_state["view"]["n_features"] == view["n_features"]


def test_non_english_report_is_flagged_in_the_page():
    app = AppTest.from_file(APP_FILE, default_timeout=240)
    app.run()
    app.file_uploader(key="uploads").upload(
        "gomel_ru.txt", "В четверг колонна военной техники прошла через Гомель в сторону украинской границы, "
                        "сообщили местные жители.".encode(), "text/plain").run()
    warnings = [w.value.replace("\\", "") for w in app.warning]  # unescape the markdown
    assert any(w.startswith("Looks Russian, not English") and "Only English reports are supported" in w
               for w in warnings)
    app.button(key="analyze").click().run()
    warnings = [w.value.replace("\\", "") for w in app.warning]
    assert any(w.startswith("gomel_ru.txt: this report looks Russian") for w in warnings), warnings
    # the English samples raise no such warning
    assert sum("not English" in w for w in warnings) == 2  # the card and the note above the map


def test_stored_popups_name_reports_by_title(tmp_path):
    from geo_app.ui import app as page
    from geo_app.io.store import Store
    from tests.test_user_layers import write_dated_archive

    db = write_dated_archive(tmp_path)
    with Store(db) as store:
        stored = {r.id: r for r in store.list()}
    gdf, prepared = page.stored_features(str(db), tuple(stored), (0,))
    assert len(gdf) == len(prepared) > 0
    shown = {json.loads(text)["properties"]["report_id"] for text in prepared}
    assert shown == {r.title for r in stored.values()}
    assert set(gdf["report_id"]).isdisjoint(shown)  # the data keeps its ids; only the popups change


def test_checkout_streamlit_config_mirrors_the_flags_the_app_is_started_with():
    """`.streamlit/config.toml` (read only when Streamlit runs from the checkout) says what the flags say."""
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text("utf-8"))
    flat = {f"{section}.{key}": str(value).lower() for section, table in config.items() for key, value in table.items()}
    cmd = streamlit_command(8765, "localhost")
    flags = dict(zip(cmd[5::2], cmd[6::2]))
    assert {k.removeprefix("--"): v for k, v in flags.items()} == {**flat, "server.port": "8765"}
    assert set(settings.APP_STREAMLIT_OPTIONS) <= set(flat)


def test_server_warms_the_models_before_the_first_visit():
    """`geo-app app` starts Streamlit through ui.serve, whose warm-up loads the NER model once."""
    import threading

    from geo_app.text.extract import get_nlp
    from geo_app.ui import warm as serve

    cmd = streamlit_command(8765, "localhost")
    assert cmd[1:4] == ["-m", "geo_app.ui.serve", "run"]
    serve.warm_up()
    assert get_nlp.cache_info().currsize == 1
    # the page's wait is re-entrant for the warm-up thread and blocks another thread while it runs
    got = []
    with serve.WARM_LOCK:
        t = threading.Thread(target=lambda: got.append(serve.WARM_LOCK.acquire(timeout=0.2)))
        t.start()
        t.join()
        with serve.WARM_LOCK:  # re-entrant
            pass
    assert got == [False]


def test_upload_answers_survive_a_new_run_of_the_page():
    """Streamlit clears its outgoing queue when a run starts; the answer to an upload request must stay."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    from geo_app.ui._streamlit_fixes import keep_upload_answers

    assert keep_upload_answers() and keep_upload_answers()  # idempotent
    queue = ForwardMsgQueue()
    answer = ForwardMsg()
    answer.file_urls_response.response_id = "upload-1"
    delta = ForwardMsg()
    delta.delta.new_element.markdown.body = "old run"
    delta.metadata.delta_path[:] = [0, 0]
    for msg in (answer, delta):
        queue.enqueue(msg)
    queue.clear(retain_lifecycle_msgs=True)  # what a new run does
    kept = queue.flush()
    assert [m.WhichOneof("type") for m in kept] == ["file_urls_response"]
    assert kept[0].file_urls_response.response_id == "upload-1"
    assert queue.is_empty()  # a flush sends everything and keeps nothing back


def test_png_for_briefs_credits_publishers_not_titles(at):
    """The page's PNG names the reports' sources under the map, as the CLI's does, not their titles."""
    from geo_app.text.reports import sample_reports

    samples = {r.report_id for r in sample_reports()}
    reports = at.session_state["reports"]
    shown = [reports[rid] for rid in _view(at)["report_ids"]]
    assert samples & {r.report_id for r in shown} and all(r.source and r.source != r.title for r in shown)
    credited = _view(at)["credited_sources"]
    assert credited == list(dict.fromkeys(r.source for r in shown)), credited
    assert not {r.title for r in shown} & set(credited)


def test_outliers_note_spells_places_as_the_map_does():
    """The places left out of the opening view are named with the map's spelling ("Gomel", as the
    report wrote it, not the gazetteer's "Homyel'")."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.ui import app as page

    gomel = next(m.place for m in get_gazetteer().lookup("Gomel") if m.place.feature_class == "P")
    assert gomel.name != "Gomel"
    rows = [{"kind": "place", "layer": "places", "name": f"Town {i}", "text": f"Town {i}", "place_key": None,
             "report_id": "r"} for i in range(6)]
    rows.append({"kind": "place", "layer": "places", "name": gomel.name, "text": "Gomel", "place_key": gomel.key,
                 "report_id": "r"})
    geoms = [Point(-97.7 + 0.1 * i, 30.3 + 0.05 * i) for i in range(6)] + [Point(gomel.lon, gomel.lat)]
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326").assign(claim_type=None, verdict=None)
    out = page.focus_extent_of(gdf).outliers
    assert "Gomel" in out and gomel.name not in out, out


def test_table_shows_blank_not_none_for_missing_text():
    """A place has no verdict: its table cell is blank, never the word "None"."""
    from geo_app.pipeline import analyze
    from geo_app.ui import app as page

    gdf, _ = L.features_table([analyze("Troops moved to Kyiv on Saturday. Kyiv lies about 90 km from the border "
                                       "of Belarus.", report_id="r1")])
    table = page.table_of(gdf)
    assert (gdf["kind"] == "place").any() and (gdf["kind"] == "claim").any()
    for col in page.TABLE_TEXT_COLUMNS:
        assert all(isinstance(v, str) and v != "None" for v in table[col]), (col, list(table[col]))
    assert set(table.loc[(gdf["kind"] == "place").to_numpy(), "Verdict"]) == {""}
    assert (table.loc[(gdf["kind"] == "claim").to_numpy(), "Verdict"] != "").all()


def test_table_columns_wide_enough_for_claims_and_verdicts(at):
    """The table's Name column shows a claim's "A → B" and its Verdict column "contradicted" whole."""
    from PIL import ImageFont
    from matplotlib import get_data_path

    table = next(d for d in at.dataframe if "Verdict" in d.proto.columns)
    columns = json.loads(table.proto.columns)
    font = ImageFont.truetype(str(Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 14)
    verdict = columns["Verdict"]["width"]
    assert isinstance(verdict, int) and verdict >= font.getlength("contradicted") + 16, columns["Verdict"]
    assert columns["Name"]["width"] in ("medium", "large") or columns["Name"]["width"] >= 200, columns["Name"]


def test_keep_the_ticked_reports_in_the_archive(tmp_path, monkeypatch):
    """The archive starts from the page: the ticked reports are stored and analysed, once."""
    from geo_app.io.store import Store
    from geo_app.text.reports import sample_reports

    db = tmp_path / "archive.gpkg"
    monkeypatch.setattr(settings, "DB_PATH", db)
    app = AppTest.from_file(APP_FILE, default_timeout=240)
    app.run()
    assert not db.exists()
    assert any("No archive at" in c.value for c in app.caption)
    samples = sample_reports()
    app.checkbox(key=f"use_{samples[0].report_id}").uncheck().run()
    keep = app.button(key="st_keep")
    assert keep.label.startswith(f"Keep the {len(samples) - 1} ticked")
    keep.click().run()
    assert not app.exception, [e.value for e in app.exception]
    with Store(db) as store:
        assert store.counts()["reports"] == store.counts()["analysed"] == len(samples) - 1
        assert {r.title for r in store.list()} == {r.title for r in samples[1:]}
    assert any("added to the archive" in s.value for s in app.success)
    app.button(key="st_keep").click().run()  # again: nothing stored twice
    with Store(db) as store:
        assert store.counts()["reports"] == len(samples) - 1


def test_layer_check_table_names_reports_and_leaves_missing_blank():
    """The place tests name each report as the sidebar does, never by its internal id; an
    undated layer's date is blank, not "None"."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geo_app.ui import app as page

    row = {"place": "Menaka", "report_id": "2cbc8ae25d127ba6", "source": "Sahel Monitor", "day": "2026-03-10",
           "layer_name": "zone", "layer_date": None, "status": "inside", "feature_name": "zone",
           "distance_km": 96.0}
    results = gpd.GeoDataFrame([row], geometry=[Point(2.4, 15.9)], crs="EPSG:4326")
    table = page.layer_check_table(results, {"2cbc8ae25d127ba6": "Militants attack army post"})
    assert table.loc[0, "Report"] == "Militants attack army post"
    assert table.loc[0, "Layer date"] == "" and "2cbc8ae25d127ba6" not in table.to_string()
    assert table.loc[0, "km to boundary"] == 96.0


def test_a_layer_file_the_page_cannot_read_says_what_to_do():
    """A damaged layer file: the message names the file (once), no temporary path, no command-line
    option or programmer's advice, and says what the page expects."""
    from geo_app._errors import GeoAppError
    from geo_app.ui import app as page

    with pytest.raises(GeoAppError) as caught:
        page.read_layer_upload("zone.geojson", b"not json", name="zone", date=None, date_field=None, layer=None,
                               crs=None)
    text = page.user_message(caught.value)
    assert "zone.geojson" in text and "GeoJSON, GeoPackage, KML or zipped shapefile" in text, text
    assert "/tmp" not in text and "geo_app_upload" not in text and "CSV:path" not in text, text
    assert page.user_message("zone.geojson: a layer needs a name (--name)") == "zone.geojson: a layer needs a name"


def test_play_from_a_window_that_ends_on_the_last_day_rewinds():
    """Play with the window's end on the last day plays from the first day (before, a window whose
    start had moved on stopped at once: the button seemed to do nothing)."""
    from geo_app.ui import app as page

    lo, hi = dt.date(2026, 3, 3), dt.date(2026, 5, 22)
    assert page.play_start((lo, hi), lo, hi) == (lo, lo)  # the whole span: day by day
    assert page.play_start((dt.date(2026, 3, 5), hi), lo, hi) == (lo, lo + (hi - dt.date(2026, 3, 5)))
    assert page.play_start((lo, dt.date(2026, 4, 1)), lo, hi) is None  # plays on from where it is
