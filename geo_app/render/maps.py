"""Interactive maps with folium, offline: vendored Leaflet, our own borders, no tiles.

Every script and stylesheet a map loads is a vendored copy (``geo_app/static/vendor``,
see its README): :func:`use_local_assets` points folium's ``default_js``/``default_css``
(and its plugins') at them. In the Streamlit app they are served by Streamlit's static
serving at ``/app/static/``; :func:`export_html` inlines them, so the exported file works
offline from disk. The basemap is Natural Earth country polygons drawn as vectors
(``tiles=None``); an optional tile URL is a setting.

Feature popups and tooltips are built in the browser with ``textContent`` from the
feature properties, so report text is never parsed as HTML.

Why this module is long: a third of it is Leaflet JavaScript and CSS held in folium templates beside
the Python that fills them; each element's template and its Python class belong together.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import mimetypes
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from geo_app import features as L
from geo_app import settings
from geo_app._errors import DataError, InputError
from geo_app.places import borders
from geo_app.geo.geojson import geometry_dict, json_value
from geo_app.io import geojson
from geo_app.render.basemap_labels import basemap_labels
from geo_app.render.names import english_names
from geo_app.render.style import (
    ATTRIBUTION,
    LAYER_LABELS,
    LAYER_STYLES,
    USER_LAYER_COLOURS,
    VERDICT_COLOURS,
    legend_items,
)

#: Folder of the vendored web assets (served by Streamlit at ``/app/static/vendor``).
STATIC_DIR = settings.STATIC_DIR
VENDOR_DIR = STATIC_DIR / "vendor"
#: URL path at which Streamlit serves :data:`STATIC_DIR` (``server.enableStaticServing``).
DEFAULT_STATIC_URL = "/app/static"

#: The vendored files, by role (paths relative to :data:`STATIC_DIR`).
ASSETS: dict[str, str] = {
    "leaflet_js": "vendor/leaflet-1.9.4/leaflet.js",
    "leaflet_css": "vendor/leaflet-1.9.4/leaflet.css",
    "leaflet_images": "vendor/leaflet-1.9.4/images/",
    "markercluster_js": "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
    "markercluster_css": "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "markercluster_default_css": "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
    "timeline_js": "vendor/leaflet.timeline-1.6.0/leaflet.timeline.js",
    "moment_js": "vendor/moment-2.30.1/moment.min.js",
    "fullscreen_js": "vendor/leaflet.fullscreen-3.0.2/Control.FullScreen.js",
    "fullscreen_css": "vendor/leaflet.fullscreen-3.0.2/Control.FullScreen.css",
}


_BASEMAP_DECIMALS = 3

_CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com",
              "unpkg.com", "fonts.googleapis.com", "fonts.gstatic.com", "d3js.org", "tile.openstreetmap.org",
              "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com", "use.fontawesome.com")



# --- assets -------------------------------------------------------------------------------


def asset_path(role: str) -> Path:
    """Local file of a vendored asset (DataError if the vendored copy is missing)."""
    path = STATIC_DIR / ASSETS[role]
    if not path.exists():
        raise DataError(f"vendored asset {path} is missing; run `python scripts/vendor_assets.py`")
    return path


def asset_url(role: str, static_url: str = DEFAULT_STATIC_URL) -> str:
    """URL of a vendored asset under the static URL prefix."""
    return f"{static_url.rstrip('/')}/{ASSETS[role]}"


def use_local_assets(static_url: str = DEFAULT_STATIC_URL) -> None:
    """Point folium's (and the used plugins') JS/CSS links at the vendored copies.

    Parameters
    ----------
    static_url : str
        URL prefix at which :data:`STATIC_DIR` is served ("/app/static" under Streamlit).

    Notes
    -----
    Folium's defaults also load jQuery, Bootstrap, Font Awesome and awesome-markers from
    CDNs; the maps use none of them (circle markers, DOM-built popups), so they are dropped.
    """
    u = lambda role: asset_url(role, static_url)  # noqa: E731
    folium.Map.default_js = [("leaflet", u("leaflet_js"))]
    folium.Map.default_css = [("leaflet_css", u("leaflet_css"))]
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", u("markercluster_js"))]
    folium.plugins.MarkerCluster.default_css = [("markerclustercss", u("markercluster_css")),
                                                ("markerclusterdefaultcss", u("markercluster_default_css"))]
    timeline_js = [("timeline", u("timeline_js")), ("moment", u("moment_js"))]
    folium.plugins.Timeline.default_js = list(timeline_js)
    folium.plugins.TimelineSlider.default_js = list(timeline_js)
    folium.plugins.TimelineSlider.default_css = []
    folium.plugins.Fullscreen.default_js = [("Control.Fullscreen.js", u("fullscreen_js"))]
    folium.plugins.Fullscreen.default_css = [("Control.FullScreen.css", u("fullscreen_css"))]
    _PluginAssets.default_js = list(folium.plugins.MarkerCluster.default_js)
    _PluginAssets.default_css = list(folium.plugins.MarkerCluster.default_css)


def _js_json(obj: Any) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_BASEMAP_STYLE = {"color": "#8c8c8c", "weight": 0.7, "fillColor": "#f2efe9", "fillOpacity": 1.0}
_OCEAN = "#d4e4ef"

_CSS = f"""
<style>
  .leaflet-container {{ background: {_OCEAN}; }}
  .geo-app-popup {{ font: 13px/1.35 system-ui, sans-serif; max-width: 340px; }}
  .geo-app-popup .geo-app-title {{ font-weight: 600; font-size: 14px; margin-bottom: 4px; }}
  .geo-app-popup blockquote {{ margin: 4px 0 6px; padding: 4px 6px; border-left: 3px solid #bbb;
                               background: #fafafa; white-space: pre-wrap; }}
  .geo-app-popup mark {{ background: #ffe066; padding: 0 1px; }}
  .geo-app-popup table {{ border-collapse: collapse; }}
  .geo-app-popup td {{ padding: 1px 6px 1px 0; vertical-align: top; }}
  .geo-app-popup td:first-child {{ color: #555; white-space: nowrap; }}
  .geo-app-verdict {{ font-weight: 600; margin-bottom: 4px; }}
  .geo-app-claim-label {{ font: 11px system-ui, sans-serif; padding: 1px 4px; }}
  .leaflet-tooltip.geo-app-place-label {{ font: 600 12px system-ui, sans-serif; color: #1d3557; padding: 0 3px;
                                          background: rgba(255,255,255,.78); border: none; box-shadow: none; }}
  .leaflet-tooltip.geo-app-place-label::before {{ display: none; }}
  .geo-app-legend {{ background: rgba(255,255,255,.92); padding: 6px 8px; font: 12px system-ui, sans-serif;
                     border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 230px; }}
  .geo-app-legend summary {{ cursor: pointer; font-weight: 600; }}
  .geo-app-mentions {{ margin: 4px 0 6px 18px; padding: 0; max-height: 260px; overflow-y: auto; }}
  .geo-app-mentions blockquote {{ margin: 2px 0 4px; }}
  .geo-app-name {{ background: none; border: none; box-shadow: none; white-space: nowrap; pointer-events: none;
                   font: 12px system-ui, sans-serif; color: #333; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }}
  .geo-app-name span {{ display: inline-block; transform: translate(-50%, -50%); }}
  .geo-app-name.city span, .geo-app-name.capital span {{ transform: translate(-4px, -50%); }}
  .geo-app-name.country span {{ font: 600 13px system-ui, sans-serif; letter-spacing: .06em;
                                text-transform: uppercase; color: #555; }}
  .geo-app-name.sea span {{ font: italic 12px Georgia, serif; color: #2a6f97; text-shadow: none; }}
  .geo-app-name.capital span {{ font-weight: 600; color: #111; }}
  .geo-app-name.capital span::before, .geo-app-name.city span::before {{ content: ""; display: inline-block;
      width: 5px; height: 5px; margin-right: 3px; border: 1px solid #333; background: #fff; vertical-align: middle; }}
  .geo-app-name.capital span::before {{ background: #333; }}
  .geo-app-legend div {{ display: flex; align-items: center; gap: 6px; margin: 1px 0; }}
  .geo-app-legend span.sw {{ display: inline-block; width: 12px; height: 12px; border-radius: 6px;
                             border: 1px solid #333; flex: none; }}
  .geo-app-legend span.ln {{ display: inline-block; width: 16px; height: 0; border-top: 3px solid; flex: none; }}
  .geo-app-all-dates {{ display: block; font: 13px system-ui, sans-serif; margin: 2px 0 4px; cursor: pointer; }}
  .geo-app-title-box {{ background: rgba(255,255,255,.92); padding: 4px 8px; font: 600 14px system-ui, sans-serif;
                        border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
                        max-width: calc(100vw - 120px); }}  /* a long title wraps clear of the zoom buttons */
</style>
"""

# The browser side: styles, circle markers, popups built with textContent (never innerHTML).
_HELPERS_JS = """
window.geoApp = (function () {
  var S = %(spec)s;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  // Drawing order by pane, whatever order the layers arrive in: the basemap, then areas
  // (semi-transparent), basemap names, claim lines, points on top; popups and tooltips above all.
  var PANES = {geoAppBase: 250, geoAppAreas: 380, geoAppNames: 390, geoAppClaims: 430, geoAppPoints: 450};
  function panes(map) {
    Object.keys(PANES).forEach(function (name) {
      if (!map.getPane(name)) {
        var pane = map.createPane(name);
        pane.style.zIndex = PANES[name];
        if (name === "geoAppBase" || name === "geoAppNames") { pane.style.pointerEvents = "none"; }
      }
    });
  }
  function paneOf(p) {
    if (p.kind === "claim") { return "geoAppClaims"; }
    if (S.areaLayers.indexOf(p.layer) >= 0) { return "geoAppAreas"; }
    return "geoAppPoints";
  }
  function styleOf(p) {
    var s = Object.assign({}, S.layers[p.layer] || S.layers.places);
    if (p.kind === "claim") { s.color = S.verdicts[p.verdict] || S.verdicts.unverifiable; }
    s.pane = paneOf(p);
    return s;
  }
  function km(v) {
    if (v === null || v === undefined || isNaN(v)) { return "?"; }
    return (Math.round(v * 10) / 10).toLocaleString("en") + " km";
  }
  var BOUND = {at_most: "\\u2264 ", at_least: "\\u2265 ", about: "\\u2248 ", exact: ""};
  function claimLabel(p) {
    var none = p.measured_km === null || p.measured_km === undefined || isNaN(p.measured_km);
    var measured = none ? "not measured" : "measured " + km(p.measured_km);
    if (p.claimed_km === null || p.claimed_km === undefined) {
      // A relation (borders, lies in): its verdict says it all, no "measured ?".
      return none ? (p.verdict || "unchecked") : measured;
    }
    if (p.claim_type === "adjacency") {
      // a stated border length: measured_km is the gap (0), the measured length is in the reason
      return "claimed border " + (BOUND[p.bound] || "") + km(p.claimed_km) + " \\u00b7 " + (p.verdict || "unchecked");
    }
    return "claimed " + (BOUND[p.bound] || "") + km(p.claimed_km) + " \\u00b7 " + measured;
  }
  function days(p) {
    var a = p.date_start, b = p.date_end;
    if (!a) { return "unresolved"; }
    return (b && b !== a) ? a + " \\u2013 " + b : a;
  }
  function popup(p) {
    var box = el("div", "geo-app-popup");
    box.appendChild(el("div", "geo-app-title", p.name || p.text || ""));
    if (p.kind === "claim") {
      box.appendChild(el("div", "geo-app-verdict", (p.verdict || "unchecked") + ": " + claimLabel(p)));
    }
    if (p.quote) {
      var q = el("blockquote"), a = p.mark_start, b = p.mark_end;
      if (a !== null && b !== null && a !== undefined && b !== undefined && 0 <= a && a <= b && b <= p.quote.length) {
        q.appendChild(document.createTextNode(p.quote.slice(0, a)));
        q.appendChild(el("mark", null, p.quote.slice(a, b)));
        q.appendChild(document.createTextNode(p.quote.slice(b)));
      } else { q.textContent = p.quote; }
      box.appendChild(q);
    }
    var rows = [["Source", p.source || "(none)"], ["Published", p.published || "unknown"],
                ["Event date", days(p) + (p.date_source ? " (" + p.date_source + ")" : "")]];
    if (p.kind === "claim") {
      rows.push(["Claim", p.claim_type], ["Method", p.method], ["Measured on", p.data_source], ["Why", p.reason]);
    } else {
      rows.push(["Mention", p.text], ["Kind", p.kind + (p.qualifier ? " (" + p.qualifier + ")" : "")],
                ["Confidence", p.confidence === null || p.confidence === undefined ? "" : p.confidence.toFixed(2)],
                ["GeoNames id", p.geonameid === null || p.geonameid === undefined ? "\\u2014" : p.geonameid],
                ["Resolved", p.reason]);
    }
    if (p.mentions && p.mentions.length > 1) {
      // One area, several mentions: each mention's words, source and date, in one popup.
      box.appendChild(el("div", "geo-app-verdict", p.mentions.length + " mentions"));
      var list = el("ol", "geo-app-mentions");
      p.mentions.forEach(function (m) {
        var li = el("li");
        li.appendChild(el("div", null, "\u201c" + (m.text || "") + "\u201d \u00b7 " + (m.source || "(no source)")
                                       + " \u00b7 " + days(m) + (m.report ? " \u00b7 " + m.report : "")));
        if (m.quote) { li.appendChild(el("blockquote", null, m.quote)); }
        list.appendChild(li);
      });
      box.appendChild(list);
      rows = [["Kind", p.kind], ["Resolved", p.reason]];
    } else {
      rows.push(["Report", p.report_id]);
    }
    var t = el("table");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") { return; }
      var tr = el("tr"); tr.appendChild(el("td", null, r[0])); tr.appendChild(el("td", null, r[1]));
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }
  function point(f, latlng) { return L.circleMarker(latlng, styleOf(f.properties)); }
  function style(f) { return styleOf(f.properties); }
  function each(f, layer) {
    var p = f.properties;
    layer.bindPopup(function () { return popup(p); }, {maxWidth: 360});
    if (p.kind === "claim" && (p.claimed_km === null || p.claimed_km === undefined) && p.claim_type !== "distance") {
      // A relation (borders, lies in, coastal): named on hover only; permanent "consistent"
      // labels on every border crowded out the distances an analyst checks.
      layer.bindTooltip(el("span", null, (p.name || "") + ": " + claimLabel(p)), {sticky: true});
    } else if (p.kind === "claim") {
      // Above the line, not on it: the label never hides the claim it names.
      layer.bindTooltip(el("span", null, claimLabel(p)),
                        {permanent: true, direction: "top", offset: [0, -10], opacity: 0.85,
                         className: "geo-app-claim-label", interactive: false});
    } else if (S.areaLayers.indexOf(p.layer) < 0 && f.geometry && f.geometry.type === "Point" && p.name) {
      // The report's own places are named on the map, not only on hover: an analyst reads the map
      // by them (overlaps are hidden by the basemap names' declutter, these before basemap names).
      // a direction-qualified region by its own words ("southern Belarus"), not its country's name;
      // "west of Khartoum" and "the border with Chad" are drawn at the place they name, by its name
      var region = p.kind === "qualified" && p.text && /^(north|south|east|west|central)+$/.test(p.qualifier || "");
      layer.bindTooltip(el("span", null, region ? p.text : p.name),
                        {permanent: true, direction: "right", offset: [5, 0], opacity: 1,
                         className: "geo-app-place-label", interactive: false});
    } else if (p.layer !== "mentioned_areas" || p.name) {
      var label = p.name || "";
      if (p.text && p.text !== p.name) { label += " (\\u201c" + p.text + "\\u201d)"; }
      layer.bindTooltip(el("span", null, label), {sticky: true});
    }
  }
  function interval(f, lo, hi) {
    var p = f.properties, a = p.date_start || p.published, b = p.date_end || a;
    if (p.shown_from !== undefined) { return {start: p.shown_from, end: p.shown_to}; }
    if (!a) { return {start: lo, end: hi}; }
    return {start: Date.parse(a), end: Date.parse(b) + 86399999};
  }
  // "All dates": a timeline shows every feature it holds (once each: an area shown on several
  // separate spells is one feature per spell, only its first is drawn then), whatever the time.
  if (L.Timeline && !L.Timeline.prototype.geoAppPatched) {
    var process = L.Timeline.prototype._process, update = L.Timeline.prototype.updateDisplayedLayers;
    L.Timeline.prototype.geoAppPatched = true;
    L.Timeline.prototype._process = function (data) {
      this.geoAppFeatures = (data.features || []).filter(function (f) { return !f.properties.repeat_spell; });
      return process.call(this, data);
    };
    L.Timeline.prototype.updateDisplayedLayers = function () {
      if (!this.geoAppAll) { return update.call(this); }
      var want = this.geoAppFeatures.slice(), drop = [];
      this.getLayers().forEach(function (l) {
        var i = want.indexOf(l.feature);
        if (i >= 0) { want.splice(i, 1); } else { drop.push(l); }
      });
      drop.forEach(function (l) { this.removeLayer(l); }, this);
      want.forEach(function (f) { this.addData(f); }, this);
    };
  }
  function allDates(slider, label) {
    // A box in the slider's panel, ticked on opening: the page opens on everything; moving the
    // slider (drag, keys, play, prev/next) unticks it and shows that day only.
    var box = L.DomUtil.create("label", "geo-app-all-dates", slider.container);
    var tick = L.DomUtil.create("input", "", box);
    tick.type = "checkbox"; tick.checked = true;
    box.appendChild(document.createTextNode(" " + label));
    L.DomEvent.disableClickPropagation(box);
    var setTime = slider._setTime;
    function show(all) {
      tick.checked = all;
      slider.timelines.forEach(function (t) { t.geoAppAll = all; t.updateDisplayedLayers(); });
      if (all && slider._output) { slider._output.textContent = "All dates"; }
    }
    slider._setTime = function (t, kind) {
      if (tick.checked) { tick.checked = false; slider.timelines.forEach(function (x) { x.geoAppAll = false; }); }
      return setTime.call(this, t, kind);
    };
    tick.addEventListener("change", function () {
      if (tick.checked) { show(true); } else { slider._setTime(slider.time, "change"); }
    });
    show(true);
    return tick;
  }
  function count(root) {
    var n = 0;
    (function walk(layer) {
      if (layer.feature && layer.getLatLng) { n += 1; }
      if (layer._featureGroup && layer.getLayers) { n += layer.getLayers().length; return; }
      if (layer.eachLayer) { layer.eachLayer(walk); }
    })(root);
    return n;
  }
  // streamlit-folium sends the map's view to the server (a page rerun) whenever it differs
  // from the last one it sent. Views the page itself makes (mounting, resizing, framing new
  // reports) are marked as sent: only the analyst's own pan and zoom go back ("export this
  // view"), and no rerun the page starts by itself can race an upload made at that moment.
  function markSent(map) {
    var g = window.__GLOBAL_DATA__;
    if (!g) { return; }
    try {
      var v = map.getBounds();
      g.previous_data = {bounds: g.wrap_longitude ? map.wrapLatLngBounds(v) : v};
    } catch (e) { /* no view yet */ }
  }
  function quietView(map) {
    markSent(map);
    map.on("resize", function () { markSent(map); });
  }
  return {el: el, popup: popup, markSent: markSent, quietView: quietView, point: point, style: style, each: each, interval: interval, allDates: allDates,
          claimLabel: claimLabel, count: count, panes: panes, S: S};
})();
"""


class _RawText(Element):
    """Already-rendered text: branca would otherwise compile it as a Jinja template (slow for MBs of data)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _DataElement(MacroElement):
    """A MacroElement whose script carries data: rendered without re-parsing it as a template."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise DataError("a map element was rendered outside a folium Figure")
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_RawText(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _PluginAssets(folium.elements.JSCSSMixin, MacroElement):
    """Loads the plugin scripts the dynamic layers may need (MarkerCluster) with the base map.

    streamlit-folium loads scripts only when the map first mounts; a cluster layer that
    appears later (a wider date window) would find no ``L.markerClusterGroup``.
    """

    _template = Template("")
    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoAppPluginAssets"


class _Helpers(MacroElement):
    """CSS and the ``window.geoApp`` helpers every layer uses (add to the map first)."""

    _template = Template("""
        {% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js }}
        L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        geoApp.panes({{ this._parent.get_name() }});
        geoApp.quietView({{ this._parent.get_name() }});
        window.geoAppOff = window.geoAppOff || {};
        {{ this._parent.get_name() }}.on("overlayadd overlayremove", function (e) {
          // Only the analyst's clicks are remembered (not layers swapped by a slider move).
          if (window.layer_control && window.layer_control._handlingClick) {
            window.geoAppOff[e.name] = e.type === "overlayremove";
          }
        });
        {% endmacro %}
    """)

    def __init__(self, image_path: str) -> None:
        super().__init__()
        self._name = "GeoAppHelpers"
        spec = {"layers": LAYER_STYLES, "verdicts": VERDICT_COLOURS,
                "areaLayers": [*L.AREA_LAYERS, "mentioned_areas", "admin1_borders"]}
        self.js = _HELPERS_JS % {"spec": _js_json(spec)}
        self.css = _CSS
        self.image_path = image_path


class _StartsOff(MacroElement):
    """Keeps a layer off (or on) as the analyst left it in the map's layer control.

    The app's map receives its layers anew on every change of window or filter, each added to
    the map; this puts a layer that starts off (or that the analyst unticked) back off, once
    the layer control exists, so a toggle in the map survives a slider move.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (fg, name, off) {
          var saved = (window.geoAppOff || {})[name];
          var hide = saved === undefined ? off : saved;
          if (!hide) { return; }
          // Taken off in the same task it is added in (no frame ever paints it); only that
          // first add: a later tick in the layer control shows it.
          function takeOff() { if (fg._map) { fg._map.removeLayer(fg); } }
          fg.once("add", takeOff);
          setTimeout(function () { fg.off("add", takeOff); takeOff(); }, 0);
        })({{ this._parent.get_name() }}, {{ this.layer_name|tojson }}, {{ this.off|tojson }});
        {% endmacro %}
    """)

    def __init__(self, layer_name: str, off: bool) -> None:
        super().__init__()
        self._name = "GeoAppStartsOff"
        self.layer_name = layer_name
        self.off = off


class _FitView(MacroElement):
    """Frames the map on bounds once per key (new reports: a new key), in the browser.

    The browser knows the map's real size, so the frame fills it (fractional zoom); the same
    key on a later run (a slider move, a filter) leaves the analyst's view alone.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (fg, key, b) {
          setTimeout(function () {
            var map = fg._map || window.map;
            if (!map || window.geoAppFitted === key) { return; }
            window.geoAppFitted = key;
            map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [8, 8], animate: false});
            geoApp.markSent(map);  // framed by the page, not by the analyst: nothing to report
          }, 0);
        })({{ this._parent.get_name() }}, {{ this.key|tojson }}, {{ this.bounds|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds: tuple[float, float, float, float], key: str) -> None:
        super().__init__()
        self._name = "GeoAppFitView"
        self.bounds = [round(float(v), 5) for v in bounds]
        self.key = key


def fit_view_group(bounds: tuple[float, float, float, float] | None, key: str) -> folium.FeatureGroup:
    """A (control-less) group that frames the map on ``bounds`` the first time ``key`` is seen.

    Parameters
    ----------
    bounds : (min_lon, min_lat, max_lon, max_lat) or None
        Degrees (EPSG:4326); None: the group does nothing.
    key : str
        Changes when the view should be framed again (new reports analysed).
    """
    fg = folium.FeatureGroup(name="geo_app view", control=False)
    if bounds is not None:
        _FitView(bounds, key).add_to(fg)
    return fg


class _GeoJsonLayer(_DataElement):
    """A GeoJSON layer styled and explained by ``window.geoApp`` (optionally clustered)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            pointToLayer: geoApp.point, style: geoApp.style, onEachFeature: geoApp.each,
            interactive: {{ this.interactive|tojson }}{% if this.attribution %},
            attribution: {{ this.attribution|tojson }}{% endif %}
        });
        {% if this.cluster %}
        {{ this._parent.get_name() }}.addLayers({{ this.get_name() }}.getLayers());
        {% else %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endif %}
        {% endmacro %}
    """)

    def __init__(self, collection: dict[str, Any] | Sequence[str], *, cluster: bool = False,
                 interactive: bool = True, attribution: str = "") -> None:
        super().__init__()
        self._name = "GeoAppLayer"
        if isinstance(collection, dict):
            self.data_js = _js_json(collection)
            self.n_features = len(collection.get("features", []))
        else:  # features already serialised with _js_json (see prepare_features)
            self.data_js = '{"type":"FeatureCollection","features":[' + ",".join(collection) + "]}"
            self.n_features = len(collection)
        self.cluster = cluster
        self.interactive = interactive
        self.attribution = attribution


class _Basemap(_DataElement):
    """Natural Earth country polygons as the (non-interactive) basemap."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          function draw(data) {
            // One canvas for all the world's borders: far cheaper to draw than thousands of SVG paths.
            L.geoJSON(data, {style: {{ this.style|tojson }}, interactive: false,
                             attribution: {{ this.attribution|tojson }}, pane: "geoAppBase",
                             renderer: L.canvas({pane: "geoAppBase", padding: 0.2})}).addTo(map);
          }
          {% if this.url %}fetch({{ this.url|tojson }}).then(function (r) { return r.json(); }).then(draw);
          {% else %}draw({{ this.data_js }});{% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data_js: str, url: str | None = None) -> None:
        super().__init__()
        self._name = "GeoAppBasemap"
        self.data_js = data_js
        self.url = url
        self.style = _BASEMAP_STYLE
        self.attribution = ATTRIBUTION


class _BasemapNames(_DataElement):
    """Names on the vector basemap (:mod:`geo_app.render.basemap_labels`): each label shows from
    its zoom on, and only while it is in view (a few hundred DOM nodes at most)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var labels = [], group = L.layerGroup().addTo(map), shown = {};
          function update() {
            var z = map.getZoom(), b = map.getBounds().pad(0.1);
            labels.forEach(function (d, i) {
              var want = d.zoom <= z && b.contains([d.lat, d.lon]);
              if (want && !shown[i]) {
                var icon = L.divIcon({className: "geo-app-name " + d.kind, iconSize: null,
                                      html: geoApp.el("span", null, d.name)});
                shown[i] = L.marker([d.lat, d.lon], {icon: icon, interactive: false, keyboard: false,
                                                     pane: "geoAppNames"}).addTo(group);
              } else if (!want && shown[i]) { group.removeLayer(shown[i]); delete shown[i]; }
            });
            declutter();
          }
          // No name over another or over a claim's label: the claim labels are kept first (one that
          // would cover another moves a line or two up or down, else it is hidden; its popup still
          // says it), then the report's places, then capitals, countries (moved
          // a line down or up if that frees them), seas, other cities; a name that fits nowhere, or
          // is cut by the map's edge ("yumri" for Gyumri), is hidden.
          var RANK = {capital: 0, country: 1, sea: 2, city: 3};
          function hits(r, kept) {
            for (var k = 0; k < kept.length; k++) {
              var o = kept[k];
              if (r.left < o.right + 2 && r.right > o.left - 2 && r.top < o.bottom + 1 && r.bottom > o.top - 1) { return true; }
            }
            return false;
          }
          function declutter() {
            var kept = [], box = map.getContainer(), c = box.getBoundingClientRect();
            function inside(r) { return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom; }
            // The report's points: a label covers no place's dot where it can help it (while few enough to test).
            var spots = [], pane = map.getPane("geoAppPoints"), dots = pane ? pane.querySelectorAll("path.leaflet-interactive") : [];
            if (dots.length <= 400) {
              dots.forEach(function (d) { var r = d.getBoundingClientRect(); if (r.width && inside(r)) { spots.push(r); } });
            }
            box.querySelectorAll(".geo-app-claim-label").forEach(function (e) {
              e.style.visibility = ""; e.style.marginTop = "";
              var r = e.getBoundingClientRect();
              if (!r.width) { return; }
              // A claim label that would cover another moves a line up or down before it is hidden.
              var base = parseFloat(window.getComputedStyle(e).marginTop) || 0, h = r.height + 2;
              var moves = [0, -h, h, -2 * h, 2 * h];
              // clear of the dots if it can be, else over a dot rather than hidden
              for (var pass = 0; pass < 2; pass++) {
                for (var m = 0; m < moves.length; m++) {
                  var t = {left: r.left, right: r.right, top: r.top + moves[m], bottom: r.bottom + moves[m]};
                  if (!hits(t, kept) && (pass || !hits(t, spots)) && (m === 0 || inside(t))) {
                    if (moves[m]) { e.style.marginTop = (base + moves[m]) + "px"; }
                    kept.push(t); return;
                  }
                }
              }
              e.style.visibility = "hidden";
            });
            kept = kept.concat(spots);
            // The report's places next, in drawing order: one that would cover a kept label is hidden
            // (the same place mentioned twice is named once).
            var named = {};
            box.querySelectorAll(".geo-app-place-label").forEach(function (e) {
              e.style.visibility = ""; e.style.marginLeft = ""; e.style.marginTop = "";
              var r = e.getBoundingClientRect();
              if (!r.width) { return; }
              var key = e.textContent + "@" + Math.round(r.left / 3) + "," + Math.round(r.top / 3);
              if (named[key]) { e.style.visibility = "hidden"; return; }  // the same place mentioned again
              named[key] = true;
              // right of the dot, else left of it, else a line above or below
              // (the label starts 11 px right of the dot's centre: 5 px offset, 6 px Leaflet margin)
              var w = r.width + 24, v = r.height / 2 + 9;
              var moves = [[0, 0], [-w, 0], [-r.width / 2 - 11, -v], [-r.width / 2 - 11, v]];
              for (var m = 0; m < moves.length; m++) {
                var t = {left: r.left + moves[m][0], right: r.right + moves[m][0],
                         top: r.top + moves[m][1], bottom: r.bottom + moves[m][1]};
                if (inside(t) && !hits(t, kept)) {
                  if (m) { e.style.marginLeft = moves[m][0] + "px"; e.style.marginTop = moves[m][1] + "px"; }
                  kept.push(t); return;
                }
              }
              e.style.visibility = "hidden";
            });
            Object.keys(shown).map(Number).sort(function (a, b) {
              return (RANK[labels[a].kind] - RANK[labels[b].kind]) || (a - b);
            }).forEach(function (i) {
              var el = shown[i].getElement(), span = el && el.firstChild;
              if (!span) { return; }
              span.style.position = "relative"; span.style.top = ""; el.style.visibility = "";
              var r = span.getBoundingClientRect(), moves = labels[i].kind === "country" || labels[i].kind === "sea"
                ? [0, r.height, -r.height] : [0];
              for (var m = 0; m < moves.length; m++) {
                var t = {left: r.left, right: r.right, top: r.top + moves[m], bottom: r.bottom + moves[m]};
                if (inside(t) && !hits(t, kept)) { span.style.top = moves[m] ? moves[m] + "px" : ""; kept.push(t); return; }
              }
              el.style.visibility = "hidden";
            });
          }
          var pending = null, settle = null;
          // Once more after the map settles: a label placed in the same frame as its layer was added
          // still sat where Leaflet first drew it, and the first pass hid it for an overlap it no longer has.
          function later() {
            clearTimeout(pending); clearTimeout(settle);
            pending = setTimeout(declutter, 60); settle = setTimeout(declutter, 700);
          }
          map.on("zoomend moveend", update);
          map.on("layeradd layerremove overlayadd overlayremove tooltipopen", later);
          window.geoAppDeclutter = declutter;
          window.geoAppNames = group;
          function start(data) { labels = data; update(); }
          {% if this.url %}fetch({{ this.url|tojson }}).then(function (r) { return r.json(); }).then(start);
          {% else %}start({{ this.data_js }});{% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data_js: str, url: str | None = None) -> None:
        super().__init__()
        self._name = "GeoAppBasemapNames"
        self.data_js = data_js
        self.url = url


#: The basemap's borders and names as static files (paths under :data:`STATIC_DIR`): the app's
#: map fetches them once instead of receiving 1.4 MB with every rerun. Built by
#: :func:`write_static_data` (``python -m geo_app.render.maps``).
STATIC_DATA = {"basemap": "data/basemap.json", "names": "data/basemap_names.json"}


def write_static_data() -> list[Path]:
    """Write the basemap borders and names to :data:`STATIC_DATA` (what :func:`base_map` inlines otherwise)."""
    out = []
    for role, text in (("basemap", _basemap_js(float(settings.MAP_BASEMAP_SIMPLIFY_DEG))), ("names", _names_js())):
        path = STATIC_DIR / STATIC_DATA[role]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


@lru_cache(maxsize=1)
def _names_js() -> str:
    return _js_json([{k: d[k] for k in ("kind", "name", "lon", "lat", "zoom")} for d in basemap_labels()])


class _Legend(MacroElement):
    """A legend control built from a JSON spec with textContent."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var spec = {{ this.spec_js }};
          var legend = L.control({position: {{ this.position|tojson }}});
          legend.onAdd = function () {
            // A <details> box: one line ("Legend") until opened, so it never covers the map or a popup.
            var box = geoApp.el("details", "geo-app-legend");
            if ({{ this.open|tojson }}) { box.open = true; }
            box.appendChild(geoApp.el("summary", null, "Legend"));
            spec.forEach(function (item) {
              var row = geoApp.el("div"), sw = geoApp.el("span", item.line ? "ln" : "sw");
              if (item.line) { sw.style.borderTopColor = item.color; }
              else { sw.style.background = item.fill; sw.style.borderColor = item.color; }
              row.appendChild(sw); row.appendChild(geoApp.el("span", null, item.label));
              box.appendChild(row);
            });
            L.DomEvent.disableClickPropagation(box);
            return box;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, items: list[dict[str, Any]], position: str = "topright", open_: bool = False) -> None:
        super().__init__()
        self._name = "GeoAppLegend"
        self.spec_js = _js_json(items)
        self.position = position
        self.open = open_


class _Title(MacroElement):
    """A title box (text only) in a map corner."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var c = L.control({position: "topright"});
          c.onAdd = function () { return geoApp.el("div", "geo-app-title-box", {{ this.text|tojson }}); };
          c.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "GeoAppTitle"
        self.text = text


# --- basemap and derived areas ---------------------------------------------------------------


@lru_cache(maxsize=4)
def _basemap_js(tolerance: float) -> str:
    gdf = borders.countries()
    geoms = shapely.simplify(gdf.geometry.to_numpy(), tolerance, preserve_topology=True)
    feats = []
    for name, geom in zip(gdf["NAME_EN"].to_numpy(), geoms):
        if geom is None or geom.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {"name": str(name)},
                      "geometry": geometry_dict(geom, _BASEMAP_DECIMALS)})
    return _js_json({"type": "FeatureCollection", "features": feats})


def _simple_collection(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> dict[str, Any]:
    feats = []
    for props, geom in zip(pd.DataFrame(gdf[list(columns)]).to_dict("records"), gdf.geometry.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {k: json_value(v) for k, v in props.items()},
                      "geometry": geometry_dict(geom, 5)})
    return {"type": "FeatureCollection", "features": feats}


@lru_cache(maxsize=1024)
def _area_geometry_js(place_key: str, tolerance: float) -> str | None:
    geom = L.area_of_place(place_key, tolerance)
    if geom is None:
        return None
    return _js_json(geometry_dict(geom, 5))


def _mentioned_area_parts(gdf: gpd.GeoDataFrame) -> list[str]:
    """Serialised features of the mentioned countries and regions (geometry cached per place)."""
    tol = float(settings.MAP_MENTIONED_AREA_SIMPLIFY_DEG)
    parts = []
    for key, grp in L.mentioned_area_groups(gdf):
        geometry = _area_geometry_js(str(key), tol)
        if geometry is None:
            continue
        props = _js_json({"name": str(grp["name"].iloc[0]), "layer": "mentioned_areas", "place_key": str(key),
                          "n_mentions": int(len(grp))})
        parts.append('{"type":"Feature","properties":' + props + ',"geometry":' + geometry + "}")
    return parts


@lru_cache(maxsize=64)
def _admin1_parts(codes: tuple[str, ...]) -> tuple[str, ...]:
    outlines = L.admin1_borders(codes)
    return tuple(_js_json(f) for f in _simple_collection(outlines, ["name", "layer"])["features"])


def prepare_features(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Each feature as script-safe GeoJSON text, by feature id: serialise once, draw many times.

    The app caches this with the analyses, so a slider move only selects and joins strings.
    Names are :func:`english_names`.
    """
    if not gdf.empty:
        gdf = gdf.assign(name=english_names(gdf))
    collection = geojson.to_geojson(gdf)
    return pd.Series([_js_json(f) for f in collection["features"]], index=gdf.index, dtype=object)


# --- maps ---------------------------------------------------------------------------------


def base_map(extent: tuple[float, float, float, float] | None = None, *, static_url: str = DEFAULT_STATIC_URL,
             legend: list[dict[str, Any]] | None = None, height: int | str = "100%",
             legend_position: str = "bottomright", names: bool = True, legend_open: bool = False,
             fetch_basemap: bool = False) -> folium.Map:
    """The stable part of every map: vector country borders, scale, full-screen, legend.

    Parameters
    ----------
    extent : (min_lon, min_lat, max_lon, max_lat), optional
        Degrees (EPSG:4326) to frame; the world if None.
    static_url : str
        Where the vendored assets are served (see :func:`use_local_assets`).
    legend : list of dict, optional
        :func:`legend_items` output; no legend if None.
    height : int or str
        Map height (CSS).
    legend_position : str
        Leaflet corner of the legend.
    names : bool
        Names on the basemap (countries, capitals, major cities, seas; :mod:`basemap_labels`).
    legend_open : bool
        Start with the (collapsible) legend open.
    fetch_basemap : bool
        Fetch the basemap's borders and names from the served :data:`STATIC_DATA` files (the
        app) instead of inlining them (exports, notebooks); inlined when the files are missing.
    """
    use_local_assets(static_url)
    m = folium.Map(location=[50.0, 30.0], zoom_start=4, tiles=None, control_scale=True, height=height)
    # tiles=None drops folium's max_zoom: without one MarkerCluster breaks (and zooming past 1:10m data misleads).
    m.options["max_zoom"] = int(settings.MAP_MAX_ZOOM)
    m.options["min_zoom"] = int(settings.MAP_MIN_ZOOM)
    m.options["zoomSnap"] = 0.25  # a frame that fills the map, not the next whole zoom out
    _Helpers(image_path=asset_url("leaflet_images", static_url)).add_to(m)
    _PluginAssets().add_to(m)
    tile_url = settings.MAP_TILE_URL
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=settings.MAP_TILE_ATTRIBUTION or " ",
                         max_zoom=m.options["max_zoom"], name="Tiles").add_to(m)
    fetched = fetch_basemap and all((STATIC_DIR / rel).is_file() for rel in STATIC_DATA.values())
    url = (lambda role: f"{static_url.rstrip('/')}/{STATIC_DATA[role]}") if fetched else (lambda role: None)
    _Basemap("" if fetched else _basemap_js(float(settings.MAP_BASEMAP_SIMPLIFY_DEG)), url("basemap")).add_to(m)
    if names:
        _BasemapNames("" if fetched else _names_js(), url("names")).add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    if legend:
        _Legend(legend, position=legend_position, open_=legend_open).add_to(m)
    if extent is not None:
        min_lon, min_lat, max_lon, max_lat = extent
        m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return m


def view_for(extent: tuple[float, float, float, float] | None, *, width_px: int = 900,
             height_px: int = 620) -> tuple[list[float], int]:
    """([lat, lon], zoom) of a web-Mercator view showing ``extent`` in a map of the given size."""
    if extent is None:
        return [50.0, 30.0], 4
    min_lon, min_lat, max_lon, max_lat = extent

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_frac = max((max_lon - min_lon) / 360.0, 1e-6)
    lat_frac = max((merc_y(max_lat) - merc_y(min_lat)) / (2 * math.pi), 1e-6)
    zoom = math.floor(min(math.log2(width_px / 256 / lon_frac), math.log2(height_px / 256 / lat_frac)))
    zoom = max(int(settings.MAP_MIN_ZOOM), min(zoom, 10))
    centre_lat = math.degrees(math.atan(math.sinh((merc_y(max_lat) + merc_y(min_lat)) / 2)))
    return [round(centre_lat, 5), round((min_lon + max_lon) / 2, 5)], zoom


def _grouped_area_features(part: gpd.GeoDataFrame, prepared: pd.Series) -> list[str]:
    """Serialised area features, each area once (:func:`geo_app.features.area_groups`).

    An area mentioned several times keeps its first mention's feature and gains a
    ``mentions`` list (words, quote, source, dates, report) for its one popup.
    """
    out = []
    for ids in L.area_groups(part):
        if len(ids) == 1:
            out.append(prepared.loc[ids[0]])
            continue
        feats = [json.loads(prepared.loc[i]) for i in ids]
        first = feats[0]
        first["properties"]["mentions"] = [
            {k: f["properties"].get(k) for k in ("text", "quote", "source", "published", "date_start", "date_end")}
            | {"report": f["properties"].get("report_id")} for f in feats]
        out.append(_js_json(first))
    return out


def feature_groups(gdf: gpd.GeoDataFrame, *, layers: Iterable[str] | None = None, shade_mentioned: bool = True,
                   admin1: bool = False, cluster_threshold: int | None = None,
                   prepared: pd.Series | None = None, hidden: Iterable[str] = (),
                   focus: tuple[float, float, float, float] | None = None) -> list[folium.FeatureGroup]:
    """One folium FeatureGroup per layer present (drawing order: areas, lines, points).

    Each area is drawn once with all its mentions in one popup; point layers are clustered
    only where markers truly overlap (``settings.MAP_CLUSTER_RADIUS_PX``). Panes (see the
    browser helpers) keep points above claim lines above areas, whatever the order.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features from :func:`geo_app.layers.features_gdf` (already filtered).
    layers : iterable of str, optional
        Layers to draw (default: all but :data:`geo_app.layers.LAYERS_OFF_BY_DEFAULT`).
    shade_mentioned : bool
        Shade the countries and regions the features mention.
    admin1 : bool
        Draw first-level region borders of the mentioned countries.
    cluster_threshold : int, optional
        Cluster a point layer with more features than this.
    prepared : Series, optional
        :func:`prepare_features` of these features (or of a superset), to skip serialising.
    hidden : iterable of str
        Layers sent to the map but off until ticked in its layer control.
    focus : (min_lon, min_lat, max_lon, max_lat), optional
        The opening view: composite-group areas that cover it start off (they would tint it all).
    """
    wanted = set(layers) if layers is not None else set(L.LAYERS) - set(L.LAYERS_OFF_BY_DEFAULT)
    off = set(hidden)
    gdf = L.mappable(gdf)
    threshold = cluster_threshold if cluster_threshold is not None else int(
        settings.MAP_CLUSTER_THRESHOLD)
    groups: list[folium.FeatureGroup] = []
    if admin1:
        parts = _admin1_parts(tuple(sorted(set(gdf["country_code"].dropna()))))
        if parts:
            fg = folium.FeatureGroup(name=LAYER_LABELS["admin1_borders"])
            _GeoJsonLayer(parts, interactive=False).add_to(fg)
            groups.append(fg)
    if shade_mentioned:
        parts = _mentioned_area_parts(gdf[gdf["layer"].isin(wanted | {"countries", "regions"})])
        if parts:
            fg = folium.FeatureGroup(name=LAYER_LABELS["mentioned_areas"])
            _GeoJsonLayer(parts, interactive=False).add_to(fg)
            groups.append(fg)
    if prepared is None or not gdf.index.isin(prepared.index).all():
        prepared = prepare_features(gdf)
    for layer in L.LAYERS:
        if layer not in wanted:
            continue
        part = gdf[gdf["layer"] == layer]
        if part.empty:
            continue
        show = layer not in off
        if layer == "group_areas" and focus is not None and any(
                L.covers_view(g, focus) for g in part.geometry.to_numpy()):
            show = False
        label = LAYER_LABELS[layer] + ("" if show or layer in off else " (off: covers the view)")
        fg = folium.FeatureGroup(name=label, show=show)
        _StartsOff(label, not show).add_to(fg)
        if layer in L.AREA_LAYERS:
            collection = _grouped_area_features(part, prepared)
        else:
            collection = list(prepared.loc[part.index])
        if layer in L.POINT_LAYERS and len(part) > threshold:
            cluster = folium.plugins.MarkerCluster(
                name=LAYER_LABELS[layer], options={"chunkedLoading": True,
                                                   "maxClusterRadius": int(settings.MAP_CLUSTER_RADIUS_PX),
                                                   "disableClusteringAtZoom": 9})
            cluster.add_to(fg)
            _GeoJsonLayer(collection, cluster=True).add_to(cluster)
        else:
            _GeoJsonLayer(collection).add_to(fg)
        groups.append(fg)
    return groups


def cap_mentions(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """The features to draw: at most ``settings.MAX_MENTIONS_DRAWN`` mention points, and a note.

    The first points (in report and text order) are kept, with every area and claim line; the
    note (None when nothing is left out) says how many were found and which setting raises the
    limit. Why a limit: a browser slows to a stop with tens of thousands of markers.
    """
    limit = int(settings.MAX_MENTIONS_DRAWN)
    points = (gdf["kind"] != "claim").to_numpy() & (gdf.geometry.geom_type == "Point").to_numpy()
    n = int(points.sum())
    if n <= limit:
        return gdf, None
    keep = ~points | (points.cumsum() <= limit)
    return gdf[keep], f"{n:,} mentions found, the first {limit:,} drawn (raise geo_app.settings.MAX_MENTIONS_DRAWN)"


def build_map(gdf: gpd.GeoDataFrame, *, layers: Iterable[str] | None = None, title: str | None = None,
              static_url: str = DEFAULT_STATIC_URL, admin1: bool = False, height: int | str = "100%") -> folium.Map:
    """A complete folium map of the features, with a layer control (exports, notebooks)."""
    gdf, note = cap_mentions(L.mappable(gdf))
    title = f"{title} · {note}" if title and note else title or note
    focus = L.focus_bounds(gdf)
    m = base_map(focus, static_url=static_url, legend=legend_items(gdf), height=height)
    if title:
        _Title(title).add_to(m)
    for fg in feature_groups(gdf, layers=layers, admin1=admin1, focus=focus):
        fg.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


# --- standalone HTML with a time control ---------------------------------------------------------


def _day_ms(day: str) -> int:
    d = dt.date.fromisoformat(day)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp() * 1000)


def timeline_map(gdf: gpd.GeoDataFrame, *, title: str | None = None, static_url: str = DEFAULT_STATIC_URL,
                 layers: Iterable[str] | None = None) -> folium.Map:
    """A map whose layers follow a time slider with a play button (folium ``Timeline``).

    A feature shows on the days of its event date (else its publication date); undated
    features show throughout.
    """
    m = base_map(L.focus_bounds(gdf), static_url=static_url, legend=legend_items(gdf), legend_position="topright")
    if title:
        _Title(title).add_to(m)
    span = L.date_range(gdf)
    lo, hi = (span[0].isoformat(), span[1].isoformat()) if span else ("1970-01-01", "1970-01-01")
    lo_ms, hi_ms = _day_ms(lo), _day_ms(hi) + 86_399_999
    wanted = set(layers) if layers is not None else set(L.LAYERS)
    timelines = []
    areas = L.mentioned_areas(gdf)
    if not areas.empty:
        # The shading follows the slider too: each country or region is shaded on the days
        # of its mentions (see area_spells).
        collection = _simple_collection(areas, ["name", "layer", "place_key", "n_mentions"])
        collection["features"] = _area_spell_features(collection["features"], area_spells(gdf, lo_ms, hi_ms))
        tl = folium.plugins.Timeline(
            collection, get_interval=JsCode(f"function (f) {{ return geoApp.interval(f, {lo_ms}, {hi_ms}); }}"),
            style=JsCode("geoApp.style"), interactive=False)
        tl.layer_name = LAYER_LABELS["mentioned_areas"]
        fg = folium.FeatureGroup(name=LAYER_LABELS["mentioned_areas"])
        tl.add_to(fg)
        fg.add_to(m)
        timelines.append(tl)
    for layer in L.LAYERS:
        part = gdf[gdf["layer"] == layer]
        if layer not in wanted or part.empty:
            continue
        tl = folium.plugins.Timeline(
            geojson.to_geojson(part),
            get_interval=JsCode(f"function (f) {{ return geoApp.interval(f, {lo_ms}, {hi_ms}); }}"),
            point_to_layer=JsCode("geoApp.point"), style=JsCode("geoApp.style"),
            on_each_feature=JsCode("geoApp.each"),
        )
        tl.layer_name = LAYER_LABELS[layer]
        fg = folium.FeatureGroup(name=LAYER_LABELS[layer], show=layer not in L.LAYERS_OFF_BY_DEFAULT)
        tl.add_to(fg)
        fg.add_to(m)
        timelines.append(tl)
    if timelines:
        n_days = max((dt.date.fromisoformat(hi) - dt.date.fromisoformat(lo)).days, 0) + 1
        slider = folium.plugins.TimelineSlider(
            auto_play=False, date_options="YYYY-MM-DD", start=lo_ms, end=hi_ms, steps=max(n_days, 1),
            playback_duration=max(n_days, 1) * 700, enable_keyboard_controls=True, show_ticks=n_days <= 62,
        ).add_timelines(*timelines).add_to(m)
        _AllDates(slider, f"All dates ({lo} to {hi})" if lo != hi else f"All dates ({lo})").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def area_spells(gdf: gpd.GeoDataFrame, lo_ms: int, hi_ms: int) -> dict[str, list[tuple[int, int]]]:
    """When each mentioned country or region is shaded on the time slider, by place key.

    A mention shows on the days of its event date (else its publication date), an undated one
    throughout ``[lo_ms, hi_ms]``, like the points; overlapping or touching spells of one
    place are merged, so an area is never drawn twice at one time.

    Returns
    -------
    dict of str to list of (int, int)
        Sorted, disjoint spells in epoch milliseconds (UTC), the end inclusive.
    """
    out: dict[str, list[tuple[int, int]]] = {}
    for key, grp in L.mentioned_area_groups(gdf):
        spells = []
        for a, b, pub in zip(grp["date_start"].to_numpy(), grp["date_end"].to_numpy(), grp["published"].to_numpy()):
            first = a if isinstance(a, str) and a else pub if isinstance(pub, str) and pub else None
            last = b if isinstance(b, str) and b and first is a else first
            spells.append((lo_ms, hi_ms) if first is None else (_day_ms(first), _day_ms(last) + 86_399_999))
        merged: list[tuple[int, int]] = []
        for a, b in sorted(spells):
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        out[str(key)] = merged
    return out


def _area_spell_features(features: list[dict[str, Any]], spells: dict[str, list[tuple[int, int]]]
                         ) -> list[dict[str, Any]]:
    out = []
    for f in features:
        for i, (a, b) in enumerate(spells.get(str(f["properties"].get("place_key")), [])):
            out.append({**f, "properties": {**f["properties"], "shown_from": a, "shown_to": b,
                                            "repeat_spell": i > 0}})
    return out


class _AllDates(MacroElement):
    """An "All dates" box in the time slider's panel, ticked when the page opens.

    The exported page opens on every feature; moving the slider shows one day, ticking the
    box shows everything again (``geoApp.allDates``).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        geoApp.allDates({{ this.slider.get_name() }}, {{ this.label|tojson }});
        {% endmacro %}
    """)

    def __init__(self, slider: MacroElement, label: str) -> None:
        super().__init__()
        self._name = "GeoAppAllDates"
        self.slider = slider
        self.label = label


_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^)'\"]+)\1\s*\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _local_file(url: str, static_url: str) -> Path:
    prefix = static_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        raise InputError(f"map asset {url!r} is not a vendored file: refusing to export a page that loads it")
    path = (STATIC_DIR / url[len(prefix):]).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        raise DataError(f"vendored asset {path} is missing; run `python scripts/vendor_assets.py`")
    return path


def inline_assets(html: str, static_url: str = DEFAULT_STATIC_URL) -> str:
    """Replace links to the vendored scripts and stylesheets with their contents.

    CSS ``url(...)`` references (Leaflet's control images) become data URIs, so the page
    needs no other file. Raises InputError for any link that is not a vendored file.
    """
    def script(m: re.Match[str]) -> str:
        code = _local_file(m.group(1), static_url).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(m: re.Match[str]) -> str:
        path = _local_file(m.group(1), static_url)
        css = path.read_text(encoding="utf-8")

        def url(u: re.Match[str]) -> str:
            ref = u.group(2).strip()
            if ref.startswith(("data:", "#")):
                return u.group(0)
            target = (path.parent / ref).resolve()
            if VENDOR_DIR.resolve() not in target.parents or not target.is_file():
                return "none"
            return f'url("{_data_uri(target)}")'

        css = _CSS_URL.sub(url, css)
        return "<style>" + css.replace("</style", "<\\/style") + "</style>"

    html = _SCRIPT_SRC.sub(script, html)
    return _CSS_LINK.sub(style, html)


def export_html(gdf: gpd.GeoDataFrame, *, title: str = "geo_app map", layers: Iterable[str] | None = None) -> str:
    """A standalone HTML page of the features with a time control, working offline from disk.

    Every script and stylesheet is inlined from the vendored copies; the page makes no
    network request.
    """
    gdf, note = cap_mentions(L.mappable(gdf))
    m = timeline_map(gdf, title=f"{title} · {note}" if note else title, layers=layers)
    root = m.get_root()
    if isinstance(root, Figure):  # the page's <title> (branca does not escape it: we do)
        import html as html_mod

        root.title = html_mod.escape(title, quote=True)
    html = root.render()
    return inline_assets(html)


def external_urls(html: str) -> list[str]:
    """Script and stylesheet URLs in a page that are not local (start with http(s) or //)."""
    urls = _SCRIPT_SRC.findall(html) + _CSS_LINK.findall(html)
    urls += re.findall(r"""@import\s+(?:url\()?['"]?([^'")\s;]+)""", html)
    return [u for u in urls if u.lstrip().lower().startswith(("http:", "https:", "//"))]


def cdn_hosts_in(text: str) -> list[str]:
    """The known CDN / tile hosts named anywhere in ``text``."""
    low = text.lower()
    return [h for h in _CDN_HOSTS if h in low]


# --- user layers (geo_app.layers) ----------------------------------------------------------

_USER_ATTRS_SHOWN = 40
_USER_VALUE_CHARS = 300


class _UserLayerGeoJson(_DataElement):
    """A user layer's features, dashed in their layer's colour; popups list the attributes as text."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            style: function (f) { return f.properties.style; },
            onEachFeature: function (f, layer) {
                var p = f.properties;
                layer.bindPopup(function () {
                    var box = geoApp.el("div", "geo-app-popup");
                    box.appendChild(geoApp.el("div", "geo-app-title", p.name));
                    var t = geoApp.el("table");
                    [["Layer", p.layer_name], ["Date", p.date], ["Holds until", p.until],
                     ["File", p.source_file], ["Feature", p.feature_key]].concat(p.attrs).forEach(function (r) {
                        if (r[1] === null || r[1] === undefined || r[1] === "") { return; }
                        var tr = geoApp.el("tr");
                        tr.appendChild(geoApp.el("td", null, r[0]));
                        tr.appendChild(geoApp.el("td", null, r[1]));
                        t.appendChild(tr);
                    });
                    box.appendChild(t);
                    return box;
                }, {maxWidth: 360});
                layer.bindTooltip(geoApp.el("span", null, p.layer_name + ": " + p.name), {sticky: true});
            }
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, collection: dict[str, Any]) -> None:
        super().__init__()
        self._name = "GeoAppUserLayer"
        self.data_js = _js_json(collection)
        self.n_features = len(collection["features"])


def user_layer_style(colour: str) -> dict[str, Any]:
    """Leaflet path options of a user layer drawn in ``colour``."""
    return {"color": colour, "weight": 2.5, "dashArray": "8 5", "fillColor": colour, "fillOpacity": 0.08}


def user_layer_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour for each layer name (stable: by sorted name)."""
    return {n: USER_LAYER_COLOURS[i % len(USER_LAYER_COLOURS)] for i, n in enumerate(sorted(set(names)))}


def _attr_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _USER_VALUE_CHARS else text[:_USER_VALUE_CHARS] + "\u2026"


def user_layer_collection(gdf: gpd.GeoDataFrame, colours: dict[str, str] | None = None) -> dict[str, Any]:
    """A user layer's features as GeoJSON for drawing: simplified, with text-only popup rows.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer features (:data:`geo_app.layers.load.LAYER_COLUMNS`, EPSG:4326), e.g. the
        day's :func:`geo_app.layers.timeline.layer_on`.
    colours : dict, optional
        Colour by layer name (default :func:`user_layer_colours`).
    """
    colours = colours or user_layer_colours(gdf["layer_name"])
    tol = float(settings.USER_LAYER_SIMPLIFY_DEG)
    limit = int(settings.USER_LAYER_MAX_DRAWN)
    part = gdf.iloc[:limit]
    geoms = part.geometry.to_numpy()
    if tol > 0 and len(geoms):
        geoms = shapely.simplify(geoms, tol, preserve_topology=True)
    feats = []
    for row, geom in zip(part.itertuples(index=False), geoms):
        if geom is None or geom.is_empty:
            continue
        a, b = row.date_start, row.date_end
        date = ("undated" if not a else a if not b or b == a else f"{a} \u2013 {b}")
        attrs = [[str(k), _attr_text(v)] for k, v in list((row.properties or {}).items())[:_USER_ATTRS_SHOWN]
                 if v is not None and v != "" and not (k.lower() == "name" and str(v) == str(row.name))]
        geometry = geometry_dict(geom, 6)
        feats.append({"type": "Feature", "geometry": geometry,
                      "properties": {"layer_name": str(row.layer_name), "name": str(row.name), "date": date,
                                     "source_file": str(row.source_file or ""), "feature_key": str(row.feature_key),
                                     "until": getattr(row, "valid_to", None) if a and not b else None,
                                     "attrs": attrs,
                                     "style": user_layer_style(colours.get(row.layer_name, USER_LAYER_COLOURS[0]))}})
    return {"type": "FeatureCollection", "features": feats}


def user_layer_groups(gdf: gpd.GeoDataFrame, *, colours: dict[str, str] | None = None) -> list[folium.FeatureGroup]:
    """One FeatureGroup per user layer name in ``gdf`` (drawn as given: filter by day first)."""
    import html

    colours = colours or user_layer_colours(gdf["layer_name"])
    groups = []
    for name, part in gdf.groupby("layer_name", sort=True):
        collection = user_layer_collection(part, colours)
        if not collection["features"]:
            continue
        fg = folium.FeatureGroup(name=f"Your layer: {html.escape(str(name))}")
        _UserLayerGeoJson(collection).add_to(fg)
        groups.append(fg)
    return groups


if __name__ == "__main__":
    for written in write_static_data():
        print(written)
