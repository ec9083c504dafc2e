"""The verdicts of relations: containment, adjacency, coast and membership.

One place judges them, for the claims found in reports (:mod:`geo_app.check.finder`)
and for the checks against a user's own layer (:mod:`geo_app.layers.check`) alike:
each function takes two complete endpoints and returns a :class:`Judgement`, which
the caller turns into a :class:`~geo_app.check.model.Claim`.

``containment``
    The place lies in the area (point in polygon, planar in lon/lat as the data's own
    model; a point within ``BORDER_DATA_RESOLUTION_KM`` outside still counts); an area
    must have at least ``DIRECTION_MIN_SHARE`` of it inside.
``adjacency``
    The areas share more than ``ADJACENCY_MIN_SHARED_KM`` of boundary (boundaries within
    ``ADJACENCY_TOLERANCE_KM`` count as shared: NE layers are not perfectly topological);
    one lying within the other does not border it; by a sea, within ``COASTAL_MAX_KM``.
``coastal``
    Within ``COASTAL_MAX_KM`` of the sea (or layer) polygon.
``border length``
    "Ukraine shares a 1,084 km border with Belarus": the stated length against the length of the
    shared boundary on the 1:10m lines, within ``BORDER_LENGTH_RATIO`` of it (generalised lines
    run short); judged as adjacency.
``on a border``
    Within ``ON_BORDER_MAX_KM`` of the border's lines ("Goma, on the border with Rwanda"):
    judged as adjacency, since a town on a country's border adjoins it.
``membership``
    By the members listed in ``data/composites.yaml`` (and the dates the grouping
    existed), or a country's continent for "European countries".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app.check.definitions import definitions_of
from geo_app.check.endpoints import area_of, composite_of
from geo_app.check.measure import area_share_of, areas_km, measure, point_to_shape, shared_km
from geo_app.check.model import (
    METHOD_COAST,
    METHOD_CONTAINS,
    METHOD_CONTINENT,
    METHOD_MEMBERS,
    VERDICT_DEFINITION,
    METHOD_SHARE,
    METHOD_SHARED,
    Endpoint,
    km_text,
    resolution_km,
)
from geo_app.places import borders

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place

__all__ = ["Judgement", "adjacency", "coastal", "containment", "border_length", "membership", "on_border", "unverifiable"]


@dataclass(frozen=True)
class Judgement:
    """A relation's verdict, the reason, how it was judged, and the claim fields it adds.

    ``extra`` holds the :class:`~geo_app.check.model.Claim` fields the judgement measured
    (``measured_km``, ``tolerance_km``, ``line``, ``nearest_point``, ``point``).
    """

    verdict: str
    reason: str
    method: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def unverifiable(reason: str) -> Judgement:
    """The judgement of a relation that cannot be checked, and why."""
    return Judgement("unverifiable", reason, "")


def _country_at(lon: float, lat: float) -> str:
    """The name of the country at a point ('' at sea or unknown)."""
    code = borders.country_at(lon, lat)
    if code is None:
        return ""
    return str(borders.countries().loc[code, "NAME_EN"])


def containment(sub: Endpoint, cont: Endpoint) -> Judgement:
    """Whether ``sub`` lies in the area ``cont`` (both complete, ``cont`` an area).

    A point outside a gazetteer area is said to lie in the country it is in; a derived
    area ("southern Belarus") states its rule.
    """
    assert cont.geometry is not None
    rule = f"; {cont.label} is {cont.region_rule}" if cont.region_rule else ""
    if sub.kind == "point":
        assert sub.lon is not None and sub.lat is not None
        point = Point(sub.lon, sub.lat)
        if shapely.contains_xy(cont.geometry, sub.lon, sub.lat):
            return Judgement("consistent", f"{sub.label} lies inside {cont.label}{rule}", METHOD_CONTAINS,
                             {"point": point, "region": cont.region if cont.region is not None else cont.geometry})
        m = point_to_shape(sub, cont)
        res = resolution_km()
        if m.km <= res:
            verdict, reason = "consistent", (f"{sub.label} lies {km_text(m.km)} outside {cont.label}, "
                                             f"within the data's ±{res:g} km")
        else:
            verdict, reason = "contradicted", f"{sub.label} lies {km_text(m.km)} outside {cont.label}"
            where = _country_at(sub.lon, sub.lat) if cont.place is not None else ""
            if where:
                reason += f" (in {where})"
        return Judgement(verdict, reason + rule, METHOD_CONTAINS,
                         {"measured_km": m.km, "line": m.line, "nearest_point": m.nearest_point, "point": point,
                          "tolerance_km": res, "region": cont.region if cont.region is not None else cont.geometry})
    assert sub.geometry is not None
    share = area_share_of(sub, cont)
    need = float(settings.DIRECTION_MIN_SHARE)
    verdict = "consistent" if share >= need else "contradicted"
    reason = f"{share:.0%} of {sub.label} lies in {cont.label}" + (
        "" if verdict == "consistent" else f" (less than the {need:.0%} needed)") + rule
    return Judgement(verdict, reason, METHOD_SHARE, {"region": sub.geometry})


def adjacency(a: Endpoint, b: Endpoint) -> Judgement:
    """Whether the areas ``a`` and ``b`` border each other (a sea: whether they meet)."""
    for ep in (a, b):
        if ep.kind == "missing":
            return unverifiable(ep.missing_reason)
        if ep.kind == "point":
            return unverifiable(f"{ep.label} is known only as a point; a shared border needs an area")
    assert a.geometry is not None and b.geometry is not None
    notes = "".join(f"; {ep.note}" for ep in (a, b) if ep.note)
    if a.is_sea or b.is_sea:
        coast = float(settings.COASTAL_MAX_KM)
        m = areas_km(a, b)
        ok = m.km <= coast
        reason = (f"{a.label} and {b.label} meet" if m.km == 0 else
                  f"{a.label} and {b.label} are {km_text(m.km)} apart") + (
            "" if ok else f" (more than {coast:g} km)") + notes
        return Judgement("consistent" if ok else "contradicted", reason, METHOD_COAST,
                         {"measured_km": m.km, "tolerance_km": coast,
                          "line": m.line if m.line is not None else _shared_line(a, b, coast)})
    need = float(settings.DIRECTION_MIN_SHARE)
    for inner, outer in ((a, b), (b, a)):
        if inner.kind == "area" and outer.kind == "area" and area_share_of(inner, outer) >= need:
            return Judgement("contradicted", f"{inner.label} lies within {outer.label}; it does not border it{notes}",
                             METHOD_SHARE)
    tol = float(settings.ADJACENCY_TOLERANCE_KM)
    shared = shared_km(a, b, tol)
    method = METHOD_SHARED.format(tol=tol)
    if shared > float(settings.ADJACENCY_MIN_SHARED_KM):
        return Judgement("consistent", f"{a.label} and {b.label} share {km_text(shared)} of border{notes}", method,
                         {"measured_km": 0.0, "shared_border_km": shared, "tolerance_km": tol,
                          "line": _shared_line(a, b, tol)})
    m = areas_km(a, b)
    gap = f"the nearest points are {km_text(m.km)} apart" if m.km > 0 else f"they meet over only {km_text(shared)}"
    return Judgement("contradicted", f"{a.label} does not border {b.label}: {gap}{notes}", method,
                     {"measured_km": m.km, "shared_border_km": shared, "tolerance_km": tol,
                      "line": m.line if m.line is not None else _shared_line(a, b, tol),
                      "nearest_point": m.nearest_point})


def _shared_line(a: Endpoint, b: Endpoint, tol_km: float) -> BaseGeometry | None:
    """The part of ``a``'s boundary along ``b`` (for drawing; lengths are measured geodesically elsewhere).

    The band is ``tol_km`` converted at the equator's degree (about 111 km), so it is at
    least as wide as the tolerance everywhere.
    """
    if a.geometry is None or b.geometry is None:
        return None
    key = (a.geometry_key, b.geometry_key, tol_km)
    if a.geometry_key and b.geometry_key and key in _SHARED_LINES:
        return _SHARED_LINES[key]
    line = _shared_line_uncached(a, b, tol_km)
    if a.geometry_key and b.geometry_key:
        if len(_SHARED_LINES) >= 256:
            _SHARED_LINES.pop(next(iter(_SHARED_LINES)))
        _SHARED_LINES[key] = line
    return line


_SHARED_LINES: dict[tuple[str | None, str | None, float], BaseGeometry | None] = {}


def _shared_line_uncached(a: Endpoint, b: Endpoint, tol_km: float) -> BaseGeometry | None:
    assert a.geometry is not None and b.geometry is not None
    band = b.geometry.buffer(tol_km / 111.0) if a.geometry.geom_type != "LineString" else b.geometry
    cut = shapely.intersection(shapely.boundary(a.geometry) if _polygonal(a.geometry) else a.geometry, band)
    parts = [p for p in shapely.get_parts(cut) if p.geom_type in ("LineString", "LinearRing") and p.length > 0]
    if not parts:
        return None
    merged = shapely.line_merge(shapely.MultiLineString([shapely.LineString(p.coords) for p in parts]))
    return merged if not merged.is_empty else None


def _polygonal(geometry: BaseGeometry) -> bool:
    return geometry.geom_type in ("Polygon", "MultiPolygon")


def outline_of(ep: Endpoint) -> dict[str, Any]:
    """Geometry fields that draw an endpoint: its area as ``region``, else its point."""
    if ep.kind in ("area", "border") and ep.geometry is not None:
        return {"region": ep.geometry}
    if ep.kind == "point" and ep.lon is not None and ep.lat is not None:
        return {"point": Point(ep.lon, ep.lat)}
    return {}


def coastal(sub: Endpoint, sea: Endpoint) -> Judgement:
    """Whether ``sub`` lies on the sea (or layer) ``sea``: within ``COASTAL_MAX_KM`` of its polygon."""
    for ep in (sub, sea):
        if ep.kind == "missing":
            return unverifiable(ep.missing_reason)
    assert sea.geometry is not None
    coast = float(settings.COASTAL_MAX_KM)
    extra: dict[str, Any] = {}
    if sub.kind == "point":
        assert sub.lon is not None and sub.lat is not None
        extra["point"] = Point(sub.lon, sub.lat)
        if sea.kind == "area" and shapely.contains_xy(sea.geometry, sub.lon, sub.lat):
            km = 0.0
        else:
            m = point_to_shape(sub, sea)
            km = m.km
            extra.update(line=m.line, nearest_point=m.nearest_point)
    else:
        m = areas_km(sub, sea)
        km = m.km
        extra.update(line=m.line if m.line is not None else _shared_line(sub, sea, coast),
                     nearest_point=m.nearest_point)
    ok = km <= coast
    where = "inside" if km == 0 else f"{km_text(km)} from"
    polygon = f"the {sea.label} polygon" if sea.place is not None else sea.label
    reason = f"{sub.label} lies {where} {polygon}" + ("" if ok else f" (more than {coast:g} km)")
    if sub.note:
        reason += f"; {sub.note}"
    return Judgement("consistent" if ok else "contradicted", reason, METHOD_COAST,
                     {"measured_km": km, "tolerance_km": coast, **extra})


def border_length(a: Endpoint, b: Endpoint, low_km: float, high_km: float) -> Judgement:
    """Whether the areas ``a`` and ``b`` share a border whose length lies in ``low_km``..``high_km``.

    The stated interval (a single figure has ``low_km == high_km``; "more than N" has no upper end)
    is compared with the measured shared length times ``BORDER_LENGTH_RATIO``: the lengths the
    1:10m lines allow.
    """
    for ep in (a, b):
        if ep.kind == "missing":
            return unverifiable(ep.missing_reason)
        if ep.kind != "area":
            return unverifiable(f"{ep.label} is known only as a point; a border length needs an area")
    tol = float(settings.ADJACENCY_TOLERANCE_KM)
    shared = shared_km(a, b, tol)
    lo_ratio, hi_ratio = settings.BORDER_LENGTH_RATIO
    method = METHOD_SHARED.format(tol=tol)
    # measured_km stays a distance (0: they meet); the length is shared_border_km
    extra: dict[str, Any] = {"measured_km": 0.0, "shared_border_km": shared, "line": _shared_line(a, b, tol)}
    if shared <= float(settings.ADJACENCY_MIN_SHARED_KM):
        m = areas_km(a, b)
        return Judgement("contradicted", f"{a.label} and {b.label} share no border: the nearest points are "
                         f"{km_text(m.km)} apart", method, {**extra, "measured_km": m.km, "line": m.line})
    allowed = f"{km_text(shared * lo_ratio)}-{km_text(shared * hi_ratio)}"
    measured = (f"the shared border measures {km_text(shared)} on the 1:10m lines (generalised lines run "
                f"short: lengths of {allowed} agree)")
    if low_km > shared * hi_ratio:
        return Judgement("overstated", measured, method, extra)
    if high_km < shared * lo_ratio:
        return Judgement("understated", measured, method, extra)
    return Judgement("consistent", measured, method, extra)


def on_border(sub: Endpoint, border: Endpoint) -> Judgement:
    """Whether ``sub`` lies on ``border`` (an endpoint of kind ``"border"``): within ``ON_BORDER_MAX_KM``."""
    for ep in (sub, border):
        if ep.kind == "missing":
            return unverifiable(ep.missing_reason)
    assert border.kind == "border" and border.geometry is not None
    limit = float(settings.ON_BORDER_MAX_KM)
    m = measure(sub, border)
    ok = m.km <= limit
    reason = (f"{sub.label} lies {km_text(m.km)} from {border.label}"
              + (f" (within {limit:g} km)" if ok else f" (more than {limit:g} km)"))
    if sub.note:
        reason += f"; {sub.note}"
    extra: dict[str, Any] = {"measured_km": m.km, "tolerance_km": limit, "line": m.line,
                             "nearest_point": m.nearest_point}
    if sub.kind == "point":
        extra["point"] = Point(sub.lon, sub.lat)
    return Judgement("consistent" if ok else "contradicted", reason, m.method, extra)


def _continent_of(place: Place) -> str:
    """Natural Earth continent of a place's country ('' if unknown)."""
    gdf = borders.countries()
    if place.layer == "countries" and place.layer_key in gdf.index:
        return str(gdf.loc[place.layer_key, "CONTINENT"])
    rows = gdf[gdf["iso2"] == place.country_code] if place.country_code else gdf.iloc[:0]
    if rows.empty:
        return ""
    # Several polygons share some ISO codes (FR: France and Clipperton Island): the largest is the country.
    return str(rows.iloc[int(np.argmax(shapely.area(rows.geometry.values)))]["CONTINENT"])


def membership(item: Endpoint, group: Place, day: dt.date | str | None) -> Judgement:
    """Whether the place ``item`` is among the members of ``group`` (a composite or a continent) on ``day``.

    The judgement carries the member's outline (its area, else its point) to draw. A place
    outside geo_app's members of a group whose extent depends on who defines it is
    ``"depends on definition"`` when another definition in use counts it
    (:mod:`geo_app.check.definitions`).
    """
    judged = _membership(item, group, day)
    outline = outline_of(item)
    return Judgement(judged.verdict, judged.reason, judged.method, {**outline, **judged.extra}) if outline else judged


def _membership(item: Endpoint, group: Place, day: dt.date | str | None) -> Judgement:
    if item.kind == "missing" or item.place is None:
        return unverifiable(item.missing_reason)
    p = item.place
    if group.feature_code == "CONT":
        continent = _continent_of(p)
        if not continent:
            return Judgement("unverifiable", f"no continent known for {p.name}", METHOD_CONTINENT)
        ok = continent.casefold() == group.name.casefold()
        reason = f"{p.name} is in {continent}" + ("" if ok else f", not {group.name}")
        return Judgement("consistent" if ok else "contradicted", reason, METHOD_CONTINENT)
    comp = composite_of(group)
    if comp is None:
        return unverifiable(f"no member list for {group.name}")
    codes = set(comp.member_codes)
    own = {p.country_code} if p.country_code else set()
    if p.layer == "admin1" and p.layer_key:
        try:
            own.add(str(borders.admin1().loc[p.layer_key, "iso_3166_2"]))
        except KeyError:
            pass
    member = bool(own & codes)
    group_area = area_of(group)
    if not member and p.layer is None and group_area is not None:
        member = bool(shapely.contains_xy(group_area, p.lon, p.lat))
    definition = f": {comp.note.rstrip('.')}" if comp.note else ""
    if member and not comp.valid_on(day):
        span_text = f"{comp.valid_from or '…'} to {comp.valid_to or '…'}"
        return Judgement("contradicted", f"{group.name} did not exist on {day} (it existed {span_text})",
                         METHOD_MEMBERS)
    reason = (f"{p.name} is among the members of {group.name}{definition}" if member
              else f"{p.name} is not among the members of {group.name} as geo_app defines it{definition}")
    defs = definitions_of(comp.id)
    if not member and defs.definitional:
        codes = {c[:2] for c in own}
        including = defs.including(codes)
        if including:
            excluding = [f"geo_app's ({comp.note.rstrip('.') or 'its member list'})", *defs.excluding(codes)]
            reason = (f"{p.name} is a member of {group.name} by {'; '.join(including)}; not by "
                      f"{'; '.join(excluding)}")
            return Judgement(VERDICT_DEFINITION, reason, METHOD_MEMBERS)
        reason += "; no definition in use counts it either"
    return Judgement("consistent" if member else "contradicted", reason, METHOD_MEMBERS)
