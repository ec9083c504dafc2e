"""Map style shared by the interactive map (:mod:`geo_app.render.maps`) and the PNG
(:mod:`geo_app.render.plot`): layer colours, verdict colours, labels, the legend, attribution.

One home for each colour, so the map, the PNG and their legends always agree.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from geo_app import features as L

ATTRIBUTION = "Borders: Natural Earth (public domain); places: GeoNames (CC BY 4.0)"

#: Leaflet path options of each layer (points are circle markers). Area fills are light enough
#: that the basemap, its names, points and claim lines stay readable under any stack of them.
LAYER_STYLES: dict[str, dict[str, Any]] = {
    "places": {"radius": 6, "color": "#08306b", "weight": 1, "fillColor": "#2171b5", "fillOpacity": 0.9},
    "countries": {"radius": 7, "color": "#3f007d", "weight": 1, "fillColor": "#6a51a3", "fillOpacity": 0.9},
    "regions": {"radius": 6, "color": "#3f007d", "weight": 1, "fillColor": "#9e9ac8", "fillOpacity": 0.9},
    "seas": {"radius": 6, "color": "#00474f", "weight": 1, "fillColor": "#17becf", "fillOpacity": 0.9},
    "groups": {"radius": 7, "color": "#7f2704", "weight": 1, "fillColor": "#fd8d3c", "fillOpacity": 0.9},
    "demonyms": {"radius": 5, "color": "#404040", "weight": 1, "fillColor": "#bdbdbd", "fillOpacity": 0.9},
    "direction_regions": {"color": "#b30000", "weight": 2, "dashArray": "6 4", "fillColor": "#e34a33",
                          "fillOpacity": 0.16},
    "direction_admin1": {"color": "#b30000", "weight": 1, "fillColor": "#fc8d59", "fillOpacity": 0.08},
    "group_areas": {"color": "#d94801", "weight": 1, "fillColor": "#fdae6b", "fillOpacity": 0.1},
    "sea_areas": {"color": "#0e7c86", "weight": 1, "fillColor": "#6fd3dc", "fillOpacity": 0.18},
    "claims": {"color": "#636363", "weight": 3, "opacity": 0.95},
    "mentioned_areas": {"color": "#8c6d31", "weight": 1, "fillColor": "#fee391", "fillOpacity": 0.2},
    "admin1_borders": {"color": "#969696", "weight": 0.7, "fill": False, "dashArray": "2 3"},
}
#: Line colour of a claim by verdict.
VERDICT_COLOURS: dict[str, str] = {
    "consistent": "#238b45", "overstated": "#e6550d", "understated": "#756bb1",
    "contradicted": "#cb181d", "depends on definition": "#bf9000", "unverifiable": "#737373",
}
#: Human label of each layer (legend, layer control).
LAYER_LABELS: dict[str, str] = {
    "places": "Towns and cities", "countries": "Countries (mentions)", "regions": "Regions (mentions)",
    "seas": "Seas (mentions)", "groups": "Groups (mentions)", "demonyms": "Demonym-only places",
    "direction_regions": "Direction-qualified regions", "direction_admin1": "…their first-level regions",
    "group_areas": "Composite groups", "sea_areas": "Seas", "claims": "Claims (line by verdict)",
    "mentioned_areas": "Mentioned countries and regions", "admin1_borders": "First-level region borders",
}

#: Outline colours of user layers, in the order their names sort (dashed, lightly filled: never
#: mistaken for the report layers above).
USER_LAYER_COLOURS = ("#e7298a", "#1b9e77", "#7570b3", "#66a61e", "#a6761d", "#e6ab02", "#1f1f1f")

def legend_items(gdf: gpd.GeoDataFrame | None = None) -> list[dict[str, Any]]:
    """Legend rows (label, colours) for the layers present in ``gdf`` (all layers if None)."""
    present = set(gdf["layer"]) if gdf is not None and not gdf.empty else set(LAYER_STYLES)
    items = []
    for layer in (*L.POINT_LAYERS, *L.AREA_LAYERS):
        if layer in present:
            s = LAYER_STYLES[layer]
            items.append({"label": LAYER_LABELS[layer], "color": s["color"], "fill": s.get("fillColor", "none"),
                          "line": False})
    if gdf is None or "claims" in present:
        verdicts = VERDICT_COLOURS
        if gdf is not None:
            seen = set(gdf.loc[gdf["kind"] == "claim", "verdict"].dropna())
            verdicts = {k: v for k, v in VERDICT_COLOURS.items() if k in seen} or VERDICT_COLOURS
        for verdict, colour in verdicts.items():
            items.append({"label": f"Claim: {verdict}", "color": colour, "line": True})
    return items
