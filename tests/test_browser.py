"""End to end in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs on a free localhost port; every request the browser makes to anything else is
blocked and counted, and the count must stay 0. Skipped, with the reason, on a machine
without /usr/bin/chromium (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from geo_app import settings

from tests.servers import free_port, serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = settings.PROJECT_DIR / "artifacts"
HOSTILE = ("Title: Hostile test\nSource: Test Wire\nPublished: 2022-02-12\n\n"
           "Troops moved to Kyiv <img src=x onerror=window.__pwned=1> on Saturday. "
           "<script>window.__pwned=1</script> Officials in Vilnius and Gomel watched.")
COUNT_JS = """() => {
  if (!window.map) { return -1; }
  let n = 0;
  window.map.eachLayer(l => {
    if (l._featureGroup && l.getLayers) { n += l.getLayers().length; }  // a MarkerClusterGroup: all its points
    else if (l.feature && l.getLatLng && !l.__parent) { n += 1; }  // an unclustered point
  });
  return n;
}"""

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium); "
                "`playwright install` cannot download browsers here", allow_module_level=True)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    yield from _serve(tmp_path_factory)


def _serve(tmp_path_factory, env: dict[str, str] | None = None):
    from geo_app.ui.app import streamlit_command

    port = free_port()
    with serving(streamlit_command(port, "localhost"), port, tmp_path_factory.mktemp("app") / "streamlit.log",
                 env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the module (Playwright's sync API runs one instance per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_page(chromium, app_url):
    yield from _browse(chromium, app_url)


def _browse(browser, app_url: str):
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)

    def route(r):
        url = r.request.url
        if url.startswith(("http://localhost:", "http://127.0.0.1:", "data:", "blob:", "about:")):
            return r.continue_()
        blocked.append(url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(app_url)
    yield page, blocked
    context.close()


def _map_frame(page, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate(COUNT_JS) > 0:
                        return frame
                except Exception:  # noqa: BLE001 - frame still loading
                    pass
        page.wait_for_timeout(250)  # not time.sleep: Playwright must keep dispatching the route handler
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_no_map.png"), full_page=True)
    raise AssertionError(f"no map with markers appeared; frames: {[f.url[:90] for f in page.frames]}")


def _wait_any(page, predicate, timeout: float = 60.0):
    """The map frame and its marker count once the count satisfies ``predicate`` (a map may remount)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                n = frame.evaluate(COUNT_JS)
            except Exception:  # noqa: BLE001 - detached or loading
                continue
            if predicate(n):
                return frame, n
        page.wait_for_timeout(200)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_map_not_updated.png"), full_page=True)
    raise AssertionError("the map did not update")


def _wait_count(frame, predicate, timeout: float = 30.0) -> int:
    """The marker count once it satisfies ``predicate`` and holds still (layers are swapped, then
    the ones that start off are put back off: a count read in between is not the map's)."""
    deadline = time.monotonic() + timeout
    n = frame.evaluate(COUNT_JS)
    steady = 0
    while time.monotonic() < deadline:
        previous, n = n, frame.evaluate(COUNT_JS)
        steady = steady + 1 if predicate(n) and n == previous else 0
        if steady >= 3:
            return n
        frame.page.wait_for_timeout(200)
    raise AssertionError(f"marker count stuck at {n}")


CUT_LABELS_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid=stDownloadButton] button, [data-testid=stButton] button')).flatMap(b =>
  Array.from(b.querySelectorAll('*')).concat([b])
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
    .map(() => b.innerText))"""


def test_end_to_end(browser_page, tmp_path):
    page, blocked = browser_page
    frame = _map_frame(page)
    first = _wait_count(frame, lambda n: n > 10)
    assert frame.evaluate("() => typeof L.markerClusterGroup") == "function"
    assert page.evaluate(CUT_LABELS_JS) == []  # no button label is cut ("HTML map (offline, t…")

    # paste a hostile report, add it, analyse
    page.get_by_text("Paste a report").click()
    page.get_by_label("Report text").fill(HOSTILE)
    # as a person does: add the report, see it listed in the sidebar (click again if it is not), then analyse
    listed = page.get_by_test_id("stSidebar").get_by_role("checkbox", name="Hostile test").first
    for _ in range(3):
        _settled(page)
        page.get_by_role("button", name="Add pasted report").click()
        try:
            listed.wait_for(timeout=20_000)
            break
        except PlaywrightError:
            continue
    listed.wait_for(timeout=10_000)
    _settled(page)
    page.get_by_role("button", name="Analyze").click()
    frame, _ = _wait_any(page, lambda n: n > first)
    with_pasted = _wait_count(frame, lambda n: n > first)
    quotes = frame.evaluate("""() => { const q = []; window.map.eachLayer(l => {
        if (l.feature && l.feature.properties.quote) q.push(l.feature.properties.quote); }); return q; }""")
    hostile = [q for q in quotes if "onerror" in q]
    assert hostile, "the pasted report's features are on the map"

    # its popup shows the markup as text and runs nothing
    frame.evaluate("""() => { window.map.eachLayer(l => {
        if (l.feature && l.getLatLng && (l.feature.properties.quote || '').includes('onerror') && !l.__parent
            && !window.__opened) { l.openPopup(); window.__opened = true; } }); }""")
    popup_text = frame.locator(".leaflet-popup-content").first.inner_text(timeout=10_000)
    assert "<img src=x onerror=window.__pwned=1>" in popup_text
    assert frame.locator(".leaflet-popup-content img").count() == 0
    page.get_by_text("Text").first.click()  # the report texts, shown with st.text
    assert page.get_by_text("<script>window.__pwned=1</script>", exact=False).count() >= 1
    assert page.evaluate("() => window.__pwned") is None
    assert frame.evaluate("() => window.__pwned") is None

    # move the slider: the start thumb to the last day
    thumbs = page.get_by_role("slider")
    thumbs.first.focus()
    thumbs.first.press("End")
    narrowed = _wait_count(frame, lambda n: 0 <= n < with_pasted)
    assert narrowed < with_pasted
    assert frame.evaluate("() => window.map.getZoom()") >= 2  # same map instance, still there

    # download the GeoJSON of what is shown
    with page.expect_download(timeout=30_000) as dl:
        page.get_by_role("button", name="GeoJSON").click()
    path = tmp_path / "view.geojson"
    dl.value.save_as(path)
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    points = [f for f in fc["features"] if f["geometry"] and f["geometry"]["type"] == "Point"]
    assert len(points) == narrowed
    for f in fc["features"]:
        lon, lat = (f["geometry"]["coordinates"] if f["geometry"] and f["geometry"]["type"] == "Point" else (0, 0))
        assert -180 <= lon <= 180 and -90 <= lat <= 90

    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_text("features on the map").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "browser_e2e.png"))
    assert blocked == [], blocked


# --- user layers: a dated pair follows the slider ------------------------------------------------------

LAYER_DATES_JS = """() => { const d = []; window.map.eachLayer(l => {
  const p = l.feature && l.feature.properties;
  if (p && p.layer_name === 'control') { d.push(p.date); }
}); return [...new Set(d)]; }"""


def _layer_dates(page, want, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                seen = frame.evaluate(LAYER_DATES_JS)
            except Exception:  # noqa: BLE001 - detached or loading
                continue
            if seen == want:
                return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"layer dates on the map: {seen}, wanted {want}")


@pytest.fixture(scope="module")
def layers_page(chromium, tmp_path_factory):
    from tests.test_user_layers import write_dated_archive

    db = write_dated_archive(tmp_path_factory.mktemp("archive"), note="<img src=x onerror=window.__pwned=1>")
    for url in _serve(tmp_path_factory, {"GEO_APP_DB": str(db)}):
        yield from _browse(chromium, url)


def test_dated_user_layer_follows_the_slider(layers_page):
    page, blocked = layers_page
    _map_frame(page)
    page.get_by_text("Stored reports (the archive)").click()
    page.get_by_role("button", name="Show all found on the map").click()
    _layer_dates(page, ["2022-03-15"])  # the whole archive: the window ends on 2022-03-20
    end = page.get_by_role("slider").nth(1)
    end.focus()
    end.press("End")
    # Back to about 2022-03-07 (a keypress may land while the page reruns: any day from 03-01 to 03-14
    # shows the 2022-03-01 boundary, not yet the 2022-03-15 one).
    for _ in range(13):
        end.press("ArrowLeft")
        page.wait_for_timeout(50)
    page.get_by_text(re.compile(r"to 2022-03-(0[1-9]|1[0-4])$")).first.wait_for(timeout=60_000)
    frame = _layer_dates(page, ["2022-03-01"])
    frame.evaluate("""() => { window.map.eachLayer(l => { if (l.feature && l.feature.properties.layer_name === 'control'
        && !window.__opened) { l.openPopup(); window.__opened = true; } }); }""")
    popup = frame.locator(".leaflet-popup-content").first.inner_text(timeout=10_000)
    assert "control 2022-03-01" in popup and "c0301.geojson" in popup and "2022-03-14" in popup  # holds until
    assert "<img src=x onerror=window.__pwned=1>" in popup and frame.locator(".leaflet-popup-content img").count() == 0
    end.press("End")
    _layer_dates(page, ["2022-03-15"])
    assert frame.evaluate("() => window.__pwned") is None and page.evaluate("() => window.__pwned") is None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_user_layers.png"))
    assert blocked == [], blocked


# --- issue 14: the analyst's own reports stay on the map through every interaction ---------------------

PASTED = ("Title: Convoys seen on the road to the Ukrainian border\nSource: Polesie Monitor\nPublished: 2022-02-16\n\n"
          "A column of about forty trucks moved through Mozyr towards the Ukrainian border on Saturday, residents "
          "said. On Monday, helicopters were seen flying low over Chernihiv, and officials in Kyiv said they were "
          "watching the area closely. Chernihiv lies about 60 km from the border of Belarus.")
UPLOADED = ("Published: 2022-02-18\n\nRail cars carrying armoured vehicles arrived at the station in Yelsk on "
            "Wednesday, according to local witnesses. Two days earlier, field kitchens were set up near Rechitsa. "
            "Soldiers were also seen in Gomel on Thursday.")
UPLOAD_NAME = "yelsk_witnesses.txt"
RUSSIAN = ("Опубликовано: 2022-02-18\n\nВ четверг колонна военной техники прошла через Гомель в сторону "
           "украинской границы, сообщили местные жители. Власти Беларуси комментариев не дали.")
RUSSIAN_NAME = "gomel_ru.txt"
_SHOWN = re.compile(r"(\d+) of (\d+) features shown on the map")
_WINDOW = re.compile(r"features on the map \(\d+ points\) · (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")


def _expected(reports, window, kinds=None) -> dict[str, int]:
    """What the window holds of each report, computed here from the core (not read from the page)."""
    from geo_app.ui import app as page
    from geo_app import features as L

    out = {}
    for label, report in reports.items():
        gdf = L.features_gdf([page.analyze_report(*page.analysis_key(report))])
        shown = L.apply_filters(gdf, start=window[0], end=window[1], kinds=kinds,
                                layers=[x for x in L.LAYERS if x not in L.LAYERS_OFF_BY_DEFAULT])
        out[label] = int(len(L.mappable(shown)))
    return out


IDLE_JS = """() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'
  && document.querySelectorAll('[data-stale=true]').length === 0"""


def _idle(page) -> bool:
    """The script has finished its run and every element on the page comes from that run."""
    if not page.evaluate(IDLE_JS):
        return False
    page.wait_for_timeout(300)  # a click's rerun may not have started yet: idle twice, 0.3 s apart
    return bool(page.evaluate(IDLE_JS))


def _shown(page, labels, window=None, timeout: float = 60.0) -> tuple[dict[str, int], tuple[str, str]]:
    """Each report's "N of M features shown" (its sidebar card) and the window, once the page is idle."""
    deadline = time.monotonic() + timeout
    got: dict[str, int] = {}
    seen = None
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        if not _idle(page):
            continue
        caption = page.get_by_text(_WINDOW).first
        if not caption.count():
            continue
        seen = _WINDOW.search(caption.inner_text()).groups()
        if window is not None and seen != window:
            continue
        sidebar = page.get_by_test_id("stSidebar")
        got = {}
        for label in labels:  # the report's card: the innermost block with its checkbox and its count
            card = sidebar.get_by_test_id("stVerticalBlock").filter(
                has=page.get_by_test_id("stCheckbox").filter(has_text=label)).filter(has_text=_SHOWN)
            if not card.count():
                continue
            m = _SHOWN.search(card.last.inner_text())
            if m:
                got[label] = int(m.group(1))
        if len(got) == len(labels):
            return got, seen
    raise AssertionError(f"no feature counts for {labels} (window {seen}, got {got})")


def _settled(page, timeout: float = 30.0) -> None:
    """Wait, as a person does, until the page is no longer running (Streamlit's status widget gone)."""
    page.wait_for_timeout(300)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and page.get_by_test_id("stStatusWidget").count() > 0:
        page.wait_for_timeout(200)


def _untick(page, title: str) -> None:
    """Untick a report's sidebar checkbox as a person does: one click on its label (the box itself
    is drawn by the label; the input underneath is hidden)."""
    card = page.get_by_test_id("stSidebar").get_by_test_id("stCheckbox").filter(has_text=title).first
    card.locator("label").click(timeout=10_000)
    box = card.get_by_role("checkbox")
    deadline = time.monotonic() + 10
    while box.is_checked() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert not box.is_checked(), f"one click on {title!r} did not untick it"


def test_own_reports_survive_every_interaction(chromium, app_url, tmp_path):
    """Paste + upload + untick the samples + Analyze, then slider, table row, filter: the reports stay."""
    from geo_app.ui import app as page_module
    from geo_app.text.reports import parse_report, sample_reports

    started = time.monotonic()
    for page, blocked in _browse(chromium, app_url):
        _map_frame(page)  # the samples, analysed on first load
        page.get_by_text("Paste a report").click()
        page.get_by_label("Report text").fill(PASTED)
        _settled(page)
        page.get_by_role("button", name="Add pasted report").click()
        page.get_by_test_id("stSidebar").get_by_role("checkbox", name="Convoys seen on the road").first.wait_for(
            timeout=30_000)
        _settled(page)
        upload_dir = tmp_path / "up"
        upload_dir.mkdir()
        (upload_dir / UPLOAD_NAME).write_text(UPLOADED, encoding="utf-8")
        (upload_dir / RUSSIAN_NAME).write_text(RUSSIAN, encoding="utf-8")
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload reports")
        uploader.locator("input[type=file]").set_input_files([upload_dir / UPLOAD_NAME, upload_dir / RUSSIAN_NAME])
        # straight on, as a quick person does: clicks right after choosing files used to make
        # Streamlit drop the upload's URLs (geo_app.ui._streamlit_fixes), and the files never came
        for sample in sample_reports():  # untick the samples
            _untick(page, sample.title)
        for name in (UPLOAD_NAME, RUSSIAN_NAME):  # the uploads are listed as reports of their own
            page.get_by_test_id("stSidebar").get_by_test_id("stCheckbox").filter(has_text=name).first.wait_for(
                timeout=30_000)
        _settled(page)
        page.get_by_role("button", name="Analyze").click()

        mine = {"Convoys seen on the road": parse_report(PASTED, name=page_module.PASTED_NAME),
                UPLOAD_NAME: page_module.read_upload(UPLOAD_NAME, UPLOADED.encode())}
        counts, full_window = _shown(page, list(mine))
        full = _expected(mine, full_window)
        assert all(n > 0 for n in full.values()), full  # the reports are chosen to have mapped features
        assert counts == full, (counts, full)
        # the Russian report is flagged, by its file name, as not English
        warning = page.get_by_text(re.compile(rf"{re.escape(RUSSIAN_NAME)}: this report looks .*not English"))
        assert warning.count() >= 1 and "Only English reports are supported" in warning.first.inner_text()
        # the Sources filter offers the analysed reports' sources only (the upload by its file name)
        sources = page.get_by_test_id("stMultiSelect").filter(has_text="Sources").inner_text()
        assert UPLOAD_NAME in sources and "Polesie Monitor" in sources and "(sample)" not in sources
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser_own_reports_analysed.png"))

        # 1. the slider: the start thumb two days on
        start = page.get_by_role("slider").first
        start.focus()
        start.press("ArrowRight")
        page.wait_for_timeout(150)
        start.press("ArrowRight")
        counts, window = _shown(page, list(mine), timeout=30)
        deadline = time.monotonic() + 30
        while window == full_window and time.monotonic() < deadline:
            counts, window = _shown(page, list(mine), timeout=30)
        assert window[0] > full_window[0] and window[1] == full_window[1], (full_window, window)
        in_window = _expected(mine, window)
        assert all(n > 0 for n in in_window.values()), (window, in_window)
        assert counts == in_window, (window, counts, in_window)

        # 2. a table row: the map zooms to it; nothing is hidden
        table = page.get_by_test_id("stDataFrame").first
        table.scroll_into_view_if_needed()  # below the full-width map
        page.wait_for_timeout(300)
        box = table.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection marker
        frame, _ = _wait_any(page, lambda n: n > 0)
        deadline = time.monotonic() + 30
        while frame.evaluate("() => window.map.getZoom()") < 6 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert frame.evaluate("() => window.map.getZoom()") >= 6  # the row click reached the page
        counts, _ = _shown(page, list(mine), window)
        assert counts == in_window, (counts, in_window)

        # 3. a filter: drop one kind; each report keeps what the window holds of the other kinds
        kinds_box = page.get_by_test_id("stMultiSelect").filter(has_text="Kinds")
        kinds_box.get_by_role("button", name=re.compile("qualified")).first.click()
        from geo_app import features as L

        kinds = [k for k in L.KINDS if k != "qualified"]
        want = _expected(mine, window, kinds=kinds)
        assert want != in_window  # the window holds qualified mentions: the filter change shows
        deadline = time.monotonic() + 30
        while True:
            counts, _ = _shown(page, list(mine), window)
            if counts == want or time.monotonic() > deadline:
                break
        assert counts == want, (counts, want)
        assert all(n > 0 for n in counts.values())
        page.screenshot(path=str(ARTIFACTS / "browser_own_reports_filtered.png"))
        assert blocked == [], blocked
    print(f"\nown-reports browser flow: {time.monotonic() - started:.1f} s")


# --- issue 14: the theatre fills the map, with names on the basemap -------------------------------------

SEED_DIR = Path(os.environ.get("GEO_APP_SEEDS_DIR") or settings.EVAL_BENCH_DIR.parent / "seeds")  # beside the bench
BOUNDS_JS = "() => { const b = window.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
OVERLAP_JS = """() => {
  const els = Array.from(document.querySelectorAll('.geo-app-name span, .geo-app-claim-label, .geo-app-place-label'))
    .filter(e => getComputedStyle(e.closest('.leaflet-marker-icon, .leaflet-tooltip') || e).visibility !== 'hidden')
    .map(e => { const r = e.getBoundingClientRect();
                return [String(e.textContent), r.left, r.right, r.top, r.bottom]; }).filter(x => x[2] > x[1]);
  const out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    const a = els[i], b = els[j];
    if (a[1] < b[2] && a[2] > b[1] && a[3] < b[4] && a[4] > b[3]) out.push([a[0], b[0]]);
  }
  return out;
}"""
CUT_NAMES_JS = """() => { const c = window.map.getContainer().getBoundingClientRect();
  return Array.from(document.querySelectorAll('.geo-app-name span'))
    .filter(e => getComputedStyle(e.closest('.leaflet-marker-icon')).visibility !== 'hidden')
    .filter(e => { const r = e.getBoundingClientRect();
                   return r.width > 0 && (r.left < c.left || r.right > c.right || r.top < c.top || r.bottom > c.bottom); })
    .map(e => e.textContent); }"""
PLACE_LABELS_JS = """() => Array.from(document.querySelectorAll('.geo-app-place-label'))
  .filter(e => e.style.visibility !== 'hidden' && e.getBoundingClientRect().width > 0)
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, Math.round(r.left / 20), Math.round(r.top / 20)]; })"""
HIDDEN_CLAIMS_JS = """() => Array.from(document.querySelectorAll('.geo-app-claim-label'))
  .filter(e => e.style.visibility === 'hidden').map(e => e.textContent)"""
NAMES_JS = """() => Array.from(document.querySelectorAll('.geo-app-name')).map(e =>
  [e.className.replace('geo-app-name', '').replace('leaflet-marker-icon', '').replace('leaflet-zoom-animated', '')
     .replace('leaflet-interactive', '').trim(), e.textContent])"""


def _merc_y(lat: float) -> float:
    import math

    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _framed(page, generation: int, timeout: float = 60.0):
    """The map frame once it has framed the reports of the ``generation``-th Analyze."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                key = frame.evaluate("() => window.geoAppFitted || ''")
            except Exception:  # noqa: BLE001 - detached or loading
                continue
            if key.startswith(f"{generation}:") and _idle(page):
                page.wait_for_timeout(400)
                return frame
        page.wait_for_timeout(250)
    raise AssertionError("the map never framed the analysed reports")


@pytest.mark.skipif(len(list(SEED_DIR.glob("*.txt"))) < 2, reason="needs the two seed reports in ../shared/seeds")
def test_seeds_open_on_belarus_and_ukraine_with_names(chromium, app_url):
    """The two seed reports: the map opens on Belarus and Ukraine (not the North Atlantic), named."""
    from geo_app.places import borders
    from geo_app.text.reports import sample_reports

    started = time.monotonic()
    seeds = sorted(SEED_DIR.glob("*.txt"))[:2]
    for page, blocked in _browse(chromium, app_url):
        _map_frame(page)
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload reports")
        uploader.locator("input[type=file]").set_input_files(seeds)
        for seed in seeds:
            page.get_by_text(seed.name).first.wait_for(timeout=30_000)
        for sample in sample_reports():
            page.get_by_test_id("stSidebar").get_by_role("checkbox", name=sample.title).uncheck(force=True)
            page.wait_for_timeout(300)
        page.get_by_role("button", name="Analyze").click()
        frame = _framed(page, 1)
        west, south, east, north = frame.evaluate(BOUNDS_JS)
        theatre = borders.countries().set_index("iso2").loc[["BY", "UA"]].total_bounds  # from the data, not the page
        t_w, t_s, t_e, t_n = (float(v) for v in theatre)
        # nearly all the theatre is in view (the frame is where the reports' places are: all of
        # Ukraine, Belarus but perhaps its far north) ...
        seen_w = max(0.0, min(east, t_e) - max(west, t_w)) / (t_e - t_w)
        seen_h = max(0.0, _merc_y(min(north, t_n)) - _merc_y(max(south, t_s))) / (_merc_y(t_n) - _merc_y(t_s))
        assert seen_w * seen_h >= 0.9, ((west, south, east, north), theatre, seen_w, seen_h)
        # ... and fills most of the map: its height (the map is wider than tall) and a good share of the area
        height_share = (_merc_y(t_n) - _merc_y(t_s)) / (_merc_y(north) - _merc_y(south))
        width_share = (t_e - t_w) / (east - west)
        assert max(height_share, width_share) >= 0.75, (height_share, width_share)
        assert height_share * width_share >= 0.3, (height_share, width_share)
        assert east - west < 60  # not the North Atlantic
        # names on the basemap: the countries and their capitals
        names = frame.evaluate(NAMES_JS)
        by_kind: dict[str, set[str]] = {}
        for kind, name in names:
            by_kind.setdefault(kind, set()).add(name)
        assert {"Belarus", "Ukraine"} <= by_kind.get("country", set()), by_kind.get("country")
        assert {"Minsk", "Kyiv"} <= by_kind.get("capital", set()), by_kind.get("capital")
        assert "Black Sea" in by_kind.get("sea", set()), by_kind.get("sea")
        # no name or claim label written over another ("Minsk" over "BELARUS", "Vienna" under "Bratislava")
        frame.evaluate("() => { window.geoAppDeclutter(); return 1; }")  # the last layer swap's pass, now
        assert frame.evaluate(OVERLAP_JS) == []
        assert frame.evaluate(CUT_NAMES_JS) == []  # nor a name cut by the map's edge
        # the reports' own places are named on the map, not only on hover; a place mentioned again once
        labelled = [tuple(x) for x in frame.evaluate(PLACE_LABELS_JS)]
        assert len({x[0] for x in labelled}) >= 5 and len(labelled) == len(set(labelled)), labelled
        # a claim label that would cover another moves a line rather than vanish
        assert frame.evaluate(HIDDEN_CLAIMS_JS) == []
        # the places left out of the opening view are named under the map
        assert page.get_by_text(re.compile("left out of this view: .*London")).count() >= 1
        # each area once: Eastern Europe, mentioned five times in one seed, is one polygon
        n_ee = frame.evaluate("""() => { let n = 0; window.map.eachLayer(l => {
            if (l.feature && l.feature.properties.name === 'Eastern Europe' && l.feature.properties.layer === 'group_areas'
                && l.getLatLngs) { n += 1; } }); return n; }""")
        assert n_ee <= 1  # on the map once at most (off by default when it covers the view)
        # an in-map layer control and a collapsed legend
        assert frame.locator(".leaflet-control-layers-overlays label").count() >= 3
        assert frame.evaluate("() => document.querySelector('details.geo-app-legend').open") is False
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser_seeds_default_view.png"))

        # a layer toggled in the map: instant (no server run), and it stays on through a slider move
        before = _wait_count(frame, lambda n: n > 0)
        centre = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        frame.locator(".leaflet-control-layers").hover()
        frame.locator(".leaflet-control-layers-overlays label").filter(has_text="Demonym-only places").click()
        with_demonyms = _wait_count(frame, lambda n: n > before, timeout=5)
        assert page.evaluate(IDLE_JS)  # the page did not rerun
        end = page.get_by_role("slider").nth(1)
        end.focus()
        end.press("ArrowLeft")
        page.wait_for_timeout(300)
        end.press("End")
        page.wait_for_timeout(500)
        deadline = time.monotonic() + 30
        while not _idle(page) and time.monotonic() < deadline:  # the slider's reruns are done
            page.wait_for_timeout(200)
        assert frame.evaluate("() => window.geoAppOff['Demonym-only places']") is False  # remembered as on
        assert _wait_count(frame, lambda n: n == with_demonyms) == with_demonyms
        after = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        assert after == centre  # the slider keeps the view

        # "export this view": before any pan, the PNG is framed where the reports' places are ...
        from geo_app.render import plot

        with page.expect_download(timeout=90_000) as dl:
            page.get_by_role("button", name="PNG for briefs").click()
        w, s, e, n = json.loads(plot.png_text(dl.value.path().read_bytes())["geo_app:bbox"])
        assert 15 <= w < e <= 45 and 40 <= s < n <= 60, (w, s, e, n)
        # ... after a pan and zoom to Kyiv's surroundings, on that view
        frame.evaluate("() => { window.map.fitBounds([[49.5, 29.5], [51.5, 32.5]], {animate: false}); return 1; }")
        page.wait_for_timeout(800)  # st_folium sends the bounds 250 ms after the move ends
        deadline = time.monotonic() + 30
        while not _idle(page) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        view = frame.evaluate(BOUNDS_JS)
        with page.expect_download(timeout=90_000) as dl:
            page.get_by_role("button", name="PNG for briefs").click()
        png = dl.value.path().read_bytes()
        w, s, e, n = json.loads(plot.png_text(png)["geo_app:bbox"])
        # the PNG's footprint holds the view and is not the whole theatre (a few % margin from the projection)
        assert w <= view[0] + 0.3 and e >= view[2] - 0.3 and s <= view[1] + 0.3 and n >= view[3] - 0.3, (w, s, e, n, view)
        assert e - w < 2 * (view[2] - view[0]) and n - s < 2 * (view[3] - view[1]), (w, s, e, n, view)

        # cross-report agreement: the two seeds side by side, one column each (by file name)
        heading = page.get_by_text("Places named by more than one report")
        heading.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "browser_seeds_agreement.png"))
        assert page.get_by_text("Source B").count() == 0
        assert blocked == [], blocked
    print(f"\nseeds browser flow: {time.monotonic() - started:.1f} s")


def test_exported_html_opens_on_all_dates(chromium, tmp_path):
    """The offline HTML opens showing every feature; the slider then shows one day; the box brings all back."""
    from geo_app import features as L
    from geo_app.pipeline import analyze
    from geo_app.render import maps
    from geo_app.text.reports import sample_reports

    gdf = L.features_gdf([analyze(r.text, r.published, report_id=r.report_id, source=r.source)
                          for r in sample_reports()])
    path = tmp_path / "map.html"
    long_title = "Samples: " + "; ".join(r.title for r in sample_reports()) * 2  # many reports' titles
    path.write_text(maps.export_html(gdf, title=long_title), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    shown = """() => { let n = 0; const seen = new Set();
      window.map.eachLayer(l => { if (l.geoAppFeatures && !seen.has(l)) { seen.add(l); n += l.getLayers().length; } });
      return n; }"""
    total = """() => { let n = 0; const seen = new Set();
      window.map.eachLayer(l => { if (l.geoAppFeatures && !seen.has(l)) { seen.add(l); n += l.geoAppFeatures.length; } });
      return n; }"""
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => !!document.querySelector('.geo-app-all-dates input')", timeout=20_000)
        page.evaluate("() => { window.map = Object.values(window).find(v => v instanceof L.Map); }")
        everything = page.evaluate(total)
        assert everything > 20 and page.evaluate(shown) == everything
        assert page.locator(".geo-app-all-dates input").is_checked()
        assert page.locator("output.time-text").inner_text() == "All dates"
        # a long title wraps clear of the zoom buttons (it once ran over them, hiding "−")
        title, zoom = (page.locator(sel).first.bounding_box() for sel in (".geo-app-title-box", ".leaflet-control-zoom"))
        assert title["x"] >= zoom["x"] + zoom["width"] or title["y"] >= zoom["y"] + zoom["height"], (title, zoom)
        page.locator("input.time-slider").fill(page.locator("input.time-slider").get_attribute("min"))
        page.wait_for_timeout(300)
        assert not page.locator(".geo-app-all-dates input").is_checked()
        assert page.evaluate(shown) < everything
        page.locator(".geo-app-all-dates input").check()
        page.wait_for_timeout(300)
        assert page.evaluate(shown) == everything
        assert errors == []
    finally:
        page.close()
