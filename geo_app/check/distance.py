"""Judging a distance claim: measure between its two ends, apply the verdict rule, explain it.

Straight lines are the shortest routes: a figure larger than the straight line may be a
road or rail route, which the reason says. When an end is only implied (the report's
main place), anything but consistent is ``unverifiable`` with the straight-line figure.
An area that touches the other end gives ``unverifiable`` (the report does not say from
which point). "N km west of Minsk": the other place must also lie within 67.5° of west,
else ``contradicted``. An end resolved with confidence below ``AMBIGUOUS_CONFIDENCE``
says which reading was measured and measures the others (``alternatives``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from geo_app._errors import InputError
from geo_app.check.endpoints import data_source, endpoint_for_place
from geo_app.check.measure import COMPASS_HALF_DEG, bearing_check, compass_azimuth, measure
from geo_app.check.model import (
    Claim,
    Endpoint,
    interval,
    judge,
    km_text,
    max_surface_km,
    precheck,
    resolution_km,
    stated_rounding_km,
)
from geo_app.geo.geodesy import geodesic_circle, geodesic_sector

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place
    from geo_app.resolve.resolver import Resolution

__all__ = ["alternative_item", "finish_distance", "unmeasured_geometry"]


def unmeasured_geometry(a: Endpoint | None, b: Endpoint | None, claimed_km: float | None,
                        tolerance_km: float = 0.0) -> dict[str, Any]:
    """What to draw for a distance that could not be measured, from the one end that is known.

    A known point and a claimed figure: where the claim puts the other, unnamed end, with the
    point: the geodesic circle of that radius around it ("troops are within 30 km of Kyiv"), or,
    when the report gives the way ("the camp lies 60 km north-east of Maiduguri"), the band one
    compass point wide (±22.5°) from the figure less to the figure plus ``tolerance_km``;
    a known area or border: its outline; nothing known: nothing.
    """
    known = [ep for ep in (a, b) if ep is not None and ep.kind != "missing"]
    if len(known) != 1:
        return {}
    ep = known[0]
    if ep.kind == "point" and ep.lon is not None and ep.lat is not None:
        out: dict[str, Any] = {"point": Point(ep.lon, ep.lat)}
        if claimed_km is not None and math.isfinite(claimed_km) and 0 < claimed_km < max_surface_km():
            way = compass_azimuth(ep.bearing)
            outer = claimed_km + max(tolerance_km, 0.0)
            if way is not None and outer < max_surface_km():
                out["region"] = geodesic_sector(ep.lon, ep.lat, outer, way, COMPASS_HALF_DEG,
                                                step=2.5, inner_km=max(claimed_km - tolerance_km, 0.0))
            else:
                out["region"] = geodesic_circle(ep.lon, ep.lat, claimed_km)
        return out
    if ep.geometry is not None and not ep.geometry.is_empty:
        return {"region": ep.geometry}
    return {}


def _order(a: Endpoint, b: Endpoint) -> tuple[Endpoint, Endpoint]:
    """Measure from a point when there is one (the summary reads "from Kyiv to the border")."""
    if a.kind != "point" and b.kind == "point":
        return b, a
    return a, b


def finish_distance(a: Endpoint | None, b: Endpoint | None, claimed_km: float | None, common: dict[str, Any], *,
                     unverifiable: str = "", ambiguous: Sequence[tuple[str, Resolution]] = ()) -> Claim:
    """Measure, judge and build a distance claim."""
    bound = common.get("bound") or "exact"
    low, high = common.get("low_km"), common.get("high_km")
    known = claimed_km is not None and math.isfinite(claimed_km)
    rounding = stated_rounding_km(str(common.get("claimed_text") or ""), claimed_km) if known and low is None \
        else 0.0  # type: ignore[arg-type]
    tol = interval(claimed_km, bound, low, high, rounding)[2] if known else resolution_km()  # type: ignore[arg-type]
    if a is not None and b is not None:
        a, b = _order(a, b)
    names = {}
    if a is not None and b is not None:
        names = dict(from_name=a.label, to_name=b.label,
                     from_key=a.key, to_key=b.key, from_geonameid=a.geonameid, to_geonameid=b.geonameid,
                     inferred=a.inferred or b.inferred)
        region = next((ep.region for ep in (b, a) if ep.region is not None), None)
        regions = next((ep.regions for ep in (b, a) if ep.regions), ())
        names.update(region=region, regions=regions)
    base = dict(claim_type="distance", claimed_km=claimed_km, tolerance_km=tol, **common, **names)
    drawn = unmeasured_geometry(a, b, claimed_km if known else None, tol if known else 0.0)
    unmeasured = {**base, **{k: v for k, v in drawn.items() if base.get(k) is None}}
    pre = precheck(claimed_km, bound)
    if pre is not None:
        return Claim(verdict=pre[0], reason=pre[1], method="", data_source="", **unmeasured)
    if unverifiable or a is None or b is None:
        return Claim(verdict="unverifiable", reason=unverifiable or "an endpoint is missing", method="",
                     data_source="", **unmeasured)
    missing = [ep.missing_reason for ep in (a, b) if ep.kind == "missing"]
    if missing:
        return Claim(verdict="unverifiable", reason="; ".join(missing), method="", data_source="", **unmeasured)
    try:
        m = measure(a, b)
    except InputError as exc:
        return Claim(verdict="unverifiable", reason=f"could not measure: {exc}", method="", data_source="",
                     **unmeasured)
    notes = [ep.note for ep in (a, b) if ep.note]
    reading = "; ".join([*notes, _reading_text(a, b, ambiguous)]).strip("; ")
    alternatives = tuple(_alternatives(a, b, ambiguous, claimed_km, bound, low, high, rounding))
    geo = dict(measured_km=m.km, method=m.method, data_source=data_source(a, b), line=m.line,
               nearest_point=m.nearest_point, description=m.description, reading=reading, alternatives=alternatives)
    if claimed_km is None:
        reason = "no claimed distance given"
        return Claim(verdict=None, reason=reason, **base, **geo)
    verdict, reason, _ = judge(m.km, claimed_km, bound, low, high, rounding)
    if verdict != "consistent" and m.touching:
        verdict = "unverifiable"
        area = a if a.kind != "point" else b
        reason = (f"{a.label} and {b.label} touch; the report does not say from which point of {area.label} "
                  f"the {km_text(claimed_km)} are measured")
    elif verdict != "consistent" and (a.inferred or b.inferred):
        verdict = "unverifiable"
        if claimed_km > m.km:
            reason = (f"unverifiable as stated: the straight-line distance is {km_text(m.km)}; "
                      "the figure may be a rail or road route")
        else:
            reason = ("unverifiable as stated: the straight-line distance between the implied places is "
                      f"{km_text(m.km)}")
    elif verdict == "overstated" and a.kind == "point" and b.kind == "point":
        reason += "; a road or rail route would be longer than the straight line"
    # A compass word against a border looks back the stated way as far as the claim reaches (and half again).
    way_ok, way = bearing_check(a, b, m.nearest_point, reach_km=1.5 * max(claimed_km, m.km))
    if way_ok is False:
        verdict = "contradicted" if verdict == "consistent" else verdict
        reason = f"{way}; {reason}"
    elif way_ok:
        reason = f"{reason}; {way}"
    return Claim(verdict=verdict, reason=reason, **base, **geo)


def _ambiguous_pairs(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]]
                     ) -> list[tuple[str, Resolution, Endpoint, Endpoint]]:
    """(role, resolution, endpoint built from it, the other endpoint) for each ambiguous end."""
    out = []
    for _, res in ambiguous:
        if _same_reading(a, res):
            out.append(("from", res, a, b))
        elif _same_reading(b, res):
            out.append(("to", res, b, a))
    return out


def _reading_text(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]]) -> str:
    parts = []
    for _, res, ep, _ in _ambiguous_pairs(a, b, ambiguous):
        p = ep.place
        if p is None:
            continue
        gid = f", GeoNames {p.geonameid}" if p.geonameid else ""
        parts.append(f"{res.mention.text!r} read as {p.name} ({p.feature_code}, {p.country_code or '-'}{gid}); "
                     f"the other readings are measured in alternatives")
    return "; ".join(parts)


def _alternatives(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]], claimed_km: float | None,
                  bound: str, low: float | None, high: float | None, rounding_km: float = 0.0) -> list[dict[str, Any]]:
    """Other readings of ambiguous endpoints, each measured against the same other end."""
    out = []
    for role, res, ep, other in _ambiguous_pairs(a, b, ambiguous):
        assert res.place is not None and ep.place is not None
        qualifier = res.mention.qualifier if not (res.mention.qualifier or "").endswith(" of") else None
        for alt in (res.place, *res.alternatives):
            if alt.key == ep.place.key:
                continue
            out.append(alternative_item(role, alt, endpoint_for_place(alt, res.mention.name, qualifier), other,
                                         claimed_km, bound, low, high, rounding_km))
    return out


def alternative_item(role: str, alt: Place, alt_ep: Endpoint, other: Endpoint, claimed_km: float | None,
                      bound: str, low: float | None = None, high: float | None = None,
                      rounding_km: float = 0.0) -> dict[str, Any]:
    """Another reading ``alt`` of one end (``role``: "from" or "to"), measured against the other end and judged."""
    item: dict[str, Any] = {"endpoint": role, "name": alt.name, "key": alt.key, "geonameid": alt.geonameid,
                            "feature_code": alt.feature_code, "country_code": alt.country_code,
                            "measured_km": None, "verdict": None, "why_not": ""}
    if alt_ep.kind == "missing" or other.kind == "missing":
        item["why_not"] = alt_ep.missing_reason or other.missing_reason
        return item
    try:
        m = measure(alt_ep, other)
    except InputError as exc:
        item["why_not"] = str(exc)
        return item
    item["measured_km"] = round(m.km, 3)
    if claimed_km is not None and precheck(claimed_km, bound) is None:
        item["verdict"] = judge(m.km, claimed_km, bound, low, high, rounding_km)[0]
    return item


def _same_reading(ep: Endpoint, res: Resolution) -> bool:
    """Whether an endpoint was built from this resolution (directly or through its city reading)."""
    if ep.place is None or res.place is None:
        return False
    return ep.place.key == res.place.key or any(ep.place.key == alt.key for alt in res.alternatives)
