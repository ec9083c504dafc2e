"""Former home of the user layers, kept for the imports of :mod:`geo_app.io.store`.

The code is split into :mod:`geo_app.layers.load` (reading a file),
:mod:`geo_app.layers.timeline` (dated series), :mod:`geo_app.layers.measure` (places in a
layer) and :mod:`geo_app.layers.check` (claims against a layer); import from the package
(``from geo_app.layers import load_user_layer``). Once :mod:`geo_app.io.store` imports the
package, this module can go.
"""

from geo_app.layers.load import UserLayer, empty_layer_gdf, layer_frame

__all__ = ["UserLayer", "empty_layer_gdf", "layer_frame"]
