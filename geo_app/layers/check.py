"""Claims checked against a user's own layer: :func:`check_layer`.

The layer comes in as a GeoDataFrame (every date of its series) with its name; where it
is stored is the shells' business (:mod:`geo_app.ui.usecases`). Distances are judged as
:func:`geo_app.check.check_distance` judges them; containment, adjacency and coast by
:mod:`geo_app.check.relations`, as for the claims of a report; membership by the
features of the layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from geo_app import settings
from geo_app._errors import InputError
from geo_app.check import relations
from geo_app.check.distance import finish_distance
from geo_app.check.endpoints import ADJECTIVES, endpoint_for_place, missing, typed_endpoint, typed_place
from geo_app.check.manual import claimed_km_of
from geo_app.check.model import CLAIM_TYPES, METHOD_REGION, Claim, Endpoint, km_text, resolution_km
from geo_app.check.relations import Judgement
from geo_app.layers.measure import places_in_layer
from geo_app.layers.timeline import layer_on, layer_target, select_feature
from geo_app.places.regions import describe_direction_rule, direction_region, normalize_direction
from geo_app.text.quantities import parse_bound

__all__ = ["LayerClaim", "check_layer"]

METHOD_LAYER_FEATURES = "point in polygon (planar lon/lat) against each feature of the layer on that day"


@dataclass(frozen=True)
class LayerClaim:
    """A claim checked against a user layer: the :class:`Claim`, the layer's name and its date.

    ``layer_date`` is the date (or range) of the features measured against, ``on`` the day
    asked for (the latest state if none was); both None for an undated layer.
    """

    claim: Claim
    layer_name: str
    layer_date: str | None
    on: str | None
    feature_id: str | None = None
    feature_name: str | None = None

    @property
    def verdict(self) -> str | None:
        """The claim's verdict."""
        return self.claim.verdict

    def _layer_props(self) -> dict[str, Any]:
        return {"layer_name": self.layer_name, "layer_date": self.layer_date, "layer_on": self.on,
                "layer_feature_id": self.feature_id, "layer_feature": self.feature_name}

    def to_dict(self) -> dict[str, Any]:
        """:meth:`Claim.to_dict` plus ``layer_name``, ``layer_date``, ``layer_on``, ``layer_feature(_id)``."""
        return {**self.claim.to_dict(), **self._layer_props()}

    def to_feature(self) -> dict[str, Any]:
        """The claim as a GeoJSON Feature whose properties carry the layer's name and date."""
        feature = self.claim.to_feature()
        feature["properties"].update(self._layer_props())
        return feature

    def summary(self) -> str:
        """The claim's summary line, saying which layer (and date) was measured against."""
        text = self.claim.summary()
        if self.claim.claim_type == "distance" and self.claim.measured_km is not None:
            against = f"user layer '{self.layer_name}'" + (f" as of {self.layer_date}" if self.layer_date else "")
            text = text.replace(" (gazetteer points): ", f" ({against}, \u00b1{resolution_km():g} km): ", 1)
        return text


def _layer_data_source(a: Endpoint, b: Endpoint) -> str:
    # Not geo_app.check.endpoints.data_source: its note is about Natural Earth, which a user layer is not.
    return "; ".join(dict.fromkeys(s for s in (b.source, a.source) if s))


def _relation_claim(claim_type: str, judged: Judgement, a: Endpoint, b: Endpoint, quote: str) -> Claim:
    """A relation claim typed by hand against a layer, from its judgement."""
    extra = dict(judged.extra)
    complete = a.kind != "missing" and b.kind != "missing"
    return Claim(claim_type=claim_type, report_id="manual", quote=quote, verdict=judged.verdict,
                 reason=judged.reason, method=judged.method,
                 data_source=_layer_data_source(a, b) if complete else "", from_name=a.label, to_name=b.label,
                 from_key=a.key, to_key=b.key, from_geonameid=a.geonameid, to_geonameid=b.geonameid,
                 region=extra.pop("region", None) or b.region, **extra)


def check_layer(origin: str, layer: gpd.GeoDataFrame, name: str, *, feature: str | None = None,
                on: dt.date | str | None = None, claim_type: str = "distance", claimed_km: float | None = None,
                bound: str = "exact", unit: str = "km", direction: str | None = None) -> LayerClaim:
    """Check a claim about a place against a user layer (or one feature of it) as it was on a day.

    Parameters
    ----------
    origin : str
        Place name, resolved offline ("Kyiv").
    layer : geopandas.GeoDataFrame
        The layer's features, every date of its series (EPSG:4326).
    name : str
        The layer's name.
    feature : str, optional
        One feature of the layer: its key, id or name.
    on : date or str, optional
        The day (ISO); default the layer's latest state.
    claim_type : str
        ``distance`` (to the layer's nearest boundary point; a claimed figure is judged
        as by :func:`geo_app.check.check_distance`), ``containment`` (the place lies inside),
        ``adjacency`` (the place's area borders it), ``coastal`` (within
        ``COASTAL_MAX_KM`` of it), ``membership`` (the place lies in one of the layer's
        features, named) or ``region`` (the direction-qualified part of the layer, with
        ``direction``; no verdict).
    claimed_km, bound, unit
        As in :func:`geo_app.check.check_distance` (distance claims).
    direction : str, optional
        Measure against the part of the layer a direction names ("south": its southern part).

    Returns
    -------
    LayerClaim
        The claim, with the layer's name and the date of the features measured against.
        Distances are geodesic on WGS84; the tolerance is ``BORDER_DATA_RESOLUTION_KM``
        (it also covers a town being a point).

    Raises
    ------
    InputError
        An unknown claim type, bound or unit; containment or a direction on a layer of lines.
    NotFoundError
        No such feature, or nothing of the layer holds on that day.
    """
    if claim_type not in CLAIM_TYPES:
        raise InputError(f"unknown claim type {claim_type!r} (use {', '.join(CLAIM_TYPES)})")
    bound_name = parse_bound(bound)
    km = claimed_km_of(claimed_km, unit)
    target = layer_target(layer, name, feature=feature, on=on)
    geometry, label, key, rule = target.geometry, target.label, target.key, ""
    if direction:
        if not target.polygonal:
            raise InputError(f"{target.label} holds only lines; a direction needs an area")
        d = normalize_direction(direction)
        frac = float(settings.DIRECTION_FRACTION)
        geometry = direction_region(target.geometry, d, fraction=frac)
        if geometry.is_empty:
            raise InputError(f"the rule gives no {ADJECTIVES[d]} part of {target.label}")
        rule = describe_direction_rule(target.geometry, d, fraction=frac)
        label, key = f"the {ADJECTIVES[d]} part of {target.label}", f"{target.key}|{d}|{frac:.6f}"
    b = Endpoint(label=label, kind="area" if target.polygonal else "border", geometry=geometry, geometry_key=key,
                 source=target.source, region=geometry if direction else None)
    wrap = dict(layer_name=target.name, layer_date=target.layer_date, on=target.on, feature_id=target.feature_id,
                feature_name=target.feature_name)
    quote = f"{origin} \u2192 {label}"
    if claim_type == "region":
        reason = rule or "the layer's own geometry"
        claim = Claim(claim_type="region", report_id="manual", quote=label, verdict=None, reason=reason,
                      method=METHOD_REGION.format(rule=rule, share=float(settings.DIRECTION_MIN_SHARE)) if rule else "",
                      data_source=target.source, from_name=label, region=geometry, description=rule)
        return LayerClaim(claim, **wrap)
    if claim_type == "adjacency":
        place, _ = typed_place(origin, want_area=True)
        a = endpoint_for_place(place, origin) if place is not None else missing(
            origin, f"no place named {origin!r} in the offline gazetteer")
    else:
        a, _ = typed_endpoint(origin, border=False)
    if claim_type == "distance":
        claimed_text = "" if claimed_km is None else f"{claimed_km:g} {unit}"
        common = dict(report_id="manual", quote=quote + (f": {bound_name.replace('_', ' ')} {claimed_text}"
                                                         if claimed_text else ""),
                      sentence=None, start=None, end=None, claimed_text=claimed_text, bound=bound_name,
                      low_km=None, high_km=None)
        claim = finish_distance(a, b, km, common)
        if claim.method:
            claim = replace(claim, data_source=_layer_data_source(a, b))
        return LayerClaim(claim, **wrap)
    if a.kind == "missing":
        return LayerClaim(_relation_claim(claim_type, relations.unverifiable(a.missing_reason), a, b, quote), **wrap)
    if claim_type in ("containment", "membership") and b.kind != "area":
        raise InputError(f"{target.label} holds only lines; {claim_type} needs areas")
    if claim_type == "containment":
        return LayerClaim(_relation_claim("containment", relations.containment(a, b), a, b, quote), **wrap)
    if claim_type == "coastal":
        return LayerClaim(_relation_claim("coastal", relations.coastal(a, b), a, b, quote), **wrap)
    if claim_type == "adjacency":
        return LayerClaim(_relation_claim("adjacency", relations.adjacency(a, b), a, b, quote), **wrap)
    # membership: the place lies in one of the layer's features (named)
    features = layer_on(layer, target.on)
    if target.feature_name is not None:
        features = select_feature(features, target.feature_name)
    probe = Point(a.lon, a.lat) if a.kind == "point" else a.geometry.representative_point()  # type: ignore[union-attr]
    found = places_in_layer([probe], features).iloc[0]
    n = len(features)
    point = probe if a.kind == "point" else None
    res = resolution_km()
    if bool(found["inside"]):
        reason = f"{a.label} lies in {found['feature_name']!s}, one of the {n} feature(s) of {label}"
        judged = Judgement("consistent", reason, METHOD_LAYER_FEATURES, {"point": point})
    else:
        dist = float(found["distance_km"])
        ok = dist <= res
        reason = (f"{a.label} lies in none of the {n} feature(s) of {label}; the nearest, {found['feature_name']!s}, "
                  f"is {km_text(dist)} away" + (f" (within the data's ±{res:g} km)" if ok else ""))
        judged = Judgement("consistent" if ok else "contradicted", reason, METHOD_LAYER_FEATURES,
                           {"measured_km": dist, "tolerance_km": res, "point": point})
    claim = _relation_claim("membership", judged, a, b, quote)
    return LayerClaim(replace(claim, description=str(found["feature_name"] or "")),
                      **{**wrap, "feature_id": wrap["feature_id"] or found["feature_id"],
                         "feature_name": wrap["feature_name"] or found["feature_name"]})
