"""Former home of the user layers, kept so ``from geo_app.layers.user_layers import ...`` still works.

The code is split into :mod:`geo_app.layers.load` (reading a file),
:mod:`geo_app.layers.timeline` (dated series), :mod:`geo_app.layers.measure` (places in a
layer) and :mod:`geo_app.layers.check` (claims against a layer); import from the package
(``from geo_app.layers import load_user_layer``). :mod:`geo_app.io.store` still imports
this module; once it imports the package, this module can go.
"""

from geo_app.layers import (
    LAYER_COLUMNS,
    LAYER_SUFFIXES,
    PLACE_CHECK_COLUMNS,
    LayerTarget,
    Repair,
    UserLayer,
    check_places,
    empty_layer_gdf,
    latest_day,
    layer_digest,
    layer_frame,
    layer_on,
    layer_target,
    load_user_layer,
    place_checks_to_geojson,
    places_in_layer,
    resolve_layer_name,
    select_feature,
    snapshot_of,
    with_validity,
)

__all__ = [
    "LAYER_COLUMNS",
    "LAYER_SUFFIXES",
    "PLACE_CHECK_COLUMNS",
    "LayerTarget",
    "Repair",
    "UserLayer",
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
