"""What the shells (the CLI, the app) do with the store that the core packages never do.

The claim checker and the user layers take GeoDataFrames and never open the store; the
functions here look stored layers up by name and hand them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo_app.layers.check import LayerClaim, check_layer
from geo_app.layers.timeline import iso_day, resolve_layer_name

if TYPE_CHECKING:
    from geo_app.io.store import Store

__all__ = ["check_stored_layer", "stored_layer", "stored_layers"]


# --- stored user layers (geo_app.layers) ------------------------------------------------------------------


def stored_layer(store: Store, text: str) -> tuple[str, str | None, gpd.GeoDataFrame]:
    """A stored layer by a typed name: (its name, the day typed after it or None, its features).

    Parameters
    ----------
    store : Store
        The open store.
    text : str
        A layer's name, or a name and a day ("control 2022-03-01").

    Raises
    ------
    NotFoundError
        No stored layer of that name.
    """
    name, day = resolve_layer_name(store.user_layer_names(), text)
    return name, day, store.user_layer_gdf(name)


def stored_layers(store: Store, texts: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    """Stored layers by typed names: name -> features (every date of each series).

    Raises
    ------
    NotFoundError
        A name with no stored layer.
    """
    known = store.user_layer_names()
    out = {}
    for text in texts:
        name, _ = resolve_layer_name(known, text)
        out[name] = store.user_layer_gdf(name)
    return out


def check_stored_layer(store: Store, origin: str, layer: str, *, on: dt.date | str | None = None,
                       **options: Any) -> LayerClaim:
    """:func:`geo_app.layers.check.check_layer` against a stored layer named as typed.

    Parameters
    ----------
    store : Store
        The open store.
    origin : str
        Place name, resolved offline.
    layer : str
        A stored layer's name, or a name and a day ("control 2022-03-01").
    on : date or str, optional
        The day; default the day in ``layer``, else the layer's latest state.
    **options
        ``feature``, ``claim_type``, ``claimed_km``, ``bound``, ``unit``, ``direction``
        (as :func:`~geo_app.layers.check.check_layer` takes them).

    Raises
    ------
    NotFoundError
        No such layer or feature, or nothing of the layer holds on that day.
    InputError
        As :func:`~geo_app.layers.check.check_layer`.
    """
    name, named_day, gdf = stored_layer(store, layer)
    return check_layer(origin, gdf, name, on=iso_day(on) or named_day, **options)
