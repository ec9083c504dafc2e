"""The analyst's own boundary layers: loading, dated series, and measuring places and claims against them.

:mod:`~geo_app.layers.load` reads and checks a file (shapefile, GeoPackage, GeoJSON,
KML); :mod:`~geo_app.layers.timeline` says which features hold on a day;
:mod:`~geo_app.layers.measure` tests many places against a layer;
:mod:`~geo_app.layers.check` checks one claim against it. Everything takes and returns
GeoDataFrames (EPSG:4326): where a layer is stored is the shells' business
(:mod:`geo_app.ui.usecases`).
"""

from geo_app.layers.check import LayerClaim, check_layer
from geo_app.layers.load import (
    LAYER_COLUMNS,
    LAYER_SUFFIXES,
    Repair,
    UserLayer,
    empty_layer_gdf,
    layer_digest,
    layer_frame,
    load_user_layer,
)
from geo_app.layers.measure import PLACE_CHECK_COLUMNS, check_places, place_checks_to_geojson, places_in_layer
from geo_app.layers.timeline import (
    LayerTarget,
    latest_day,
    layer_on,
    layer_target,
    resolve_layer_name,
    select_feature,
    snapshot_of,
    with_validity,
)

__all__ = [
    "LAYER_COLUMNS",
    "LAYER_SUFFIXES",
    "PLACE_CHECK_COLUMNS",
    "LayerClaim",
    "LayerTarget",
    "Repair",
    "UserLayer",
    "check_layer",
    "check_places",
    "empty_layer_gdf",
    "latest_day",
    "layer_digest",
    "layer_frame",
    "layer_on",
    "layer_target",
    "load_user_layer",
    "place_checks_to_geojson",
    "places_in_layer",
    "resolve_layer_name",
    "select_feature",
    "snapshot_of",
    "with_validity",
]
