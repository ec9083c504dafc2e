"""Checks typed by hand: :func:`check_distance` (``geo-app check``) and :func:`check_many` (many origins at once).

Place names are resolved offline; a border target ("southern Belarus") is the part of
the boundary a direction names. Miles and nautical miles are converted (1.609344 and
1.852 km, the table of :mod:`geo_app.text.quantities`) before checking. The verdict
rule is :func:`geo_app.check.model.judge`'s, vectorised in :func:`check_many`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from geo_app._errors import InputError
from geo_app.check.distance import alternative_item, finish_distance
from geo_app.check.endpoints import data_source, endpoint_for_place, typed_endpoint
from geo_app.check.model import (
    CODE_VERDICT,
    METHOD_BOUNDARY,
    METHOD_POINTS,
    Claim,
    interval,
    precheck,
    verdict_codes,
)
from geo_app.geo.geodesy import boundary_index, geodesic_km
from geo_app.text.quantities import KM_PER_UNIT, UNIT_SPELLINGS, parse_bound

__all__ = ["BatchCheck", "check_distance", "check_many", "claimed_km_of", "unit_km"]


def unit_km(unit: str) -> float:
    """Kilometres per unit: "km", "m", "mi"/"miles", "nmi"/"nautical miles" (any case).

    Raises
    ------
    InputError
        An unknown unit.
    """
    key = " ".join(str(unit).strip().casefold().replace("_", " ").split())
    for name, spelling in UNIT_SPELLINGS.items():
        if re.fullmatch(spelling, key):
            return KM_PER_UNIT[name]
    raise InputError(f"unknown unit {unit!r}; use km, m, mi (miles) or nmi (nautical miles)")


def claimed_km_of(claimed: Any, unit: str) -> float | None:
    """A claimed distance typed in ``unit``, in km (None: no figure claimed).

    Raises
    ------
    InputError
        An unknown unit, or a figure that is not a number (or NaN).
    """
    factor = unit_km(unit)
    if claimed is None:
        return None
    try:
        value = float(claimed)
    except (TypeError, ValueError) as exc:
        raise InputError(f"claimed distance must be a number, got {claimed!r}") from exc
    if math.isnan(value):
        raise InputError("claimed distance must be a number, got NaN")
    return value * factor


def check_distance(origin: str, *, border: str | None = None, to: str | None = None,
                   claimed_km: float | None = None, bound: str = "exact", unit: str = "km") -> Claim:
    """Check a distance typed by hand: from a place to a border or to another place.

    Parameters
    ----------
    origin : str
        Place name, resolved offline ("Kyiv", "Paris, Texas").
    border : str, optional
        Country, region, sea or group whose boundary is measured to ("Belarus",
        "southern Belarus" for the boundary in its southern part).
    to : str, optional
        Another place; a town is measured point to point, an area to its nearest point.
    claimed_km : float, optional
        The claimed distance in ``unit`` (None: measure only, verdict None).
    bound : str
        "exact", "about", "at_most"/"at-most"/"within", "at_least"/"more than", ...
        (anything :func:`geo_app.quantities.parse_bound` reads).
    unit : str
        "km", "m", "mi" (miles) or "nmi" (nautical miles).

    Returns
    -------
    Claim
        ``claim_type == "distance"``; a place not found or without a polygon
        gives verdict "unverifiable" with the reason.

    Raises
    ------
    InputError
        Neither or both of ``border`` and ``to``, an unknown bound or unit, or a
        claimed distance that is not a number.
    """
    if (border is None) == (to is None):
        raise InputError("give exactly one of border= or to=")
    bound_name = parse_bound(bound)
    km = claimed_km_of(claimed_km, unit)
    a, a_others = typed_endpoint(origin, border=False)
    target = border if border is not None else to
    assert target is not None
    b, b_others = typed_endpoint(target, border=border is not None)
    claimed_text = "" if claimed_km is None else f"{claimed_km:g} {unit}"
    quote = f"{origin} → {'border of ' if border is not None else ''}{target}" + (
        f": {bound_name.replace('_', ' ')} {claimed_text}" if claimed_text else "")
    common = dict(report_id="manual", quote=quote, sentence=None, start=None, end=None, claimed_text=claimed_text,
                  bound=bound_name, low_km=None, high_km=None)
    claim = finish_distance(a, b, km, common)
    alts = []
    for role, others, other in (("from", a_others, b), ("to", b_others, a)):
        for alt in others:
            alt_ep = (endpoint_for_place(alt, alt.name, "border") if role == "to" and border is not None
                      else endpoint_for_place(alt, alt.name))
            alts.append(alternative_item(role, alt, alt_ep, other, km, bound_name))
    if a.place is not None and b.kind != "missing":
        reading = f"{origin!r} read as {a.place.name} ({a.place.feature_code}, {a.place.country_code or '-'})"
        claim = replace(claim, reading=reading)
    return replace(claim, alternatives=tuple(alts))


@dataclass(frozen=True)
class BatchCheck:
    """Many origins checked against one target (see :func:`check_many`)."""

    target: str
    measured_km: npt.NDArray[np.float64]
    verdicts: npt.NDArray[np.str_]
    claimed_km: float
    bound: str
    tolerance_km: float
    method: str
    data_source: str


def check_many(lons: npt.ArrayLike, lats: npt.ArrayLike, *, border: str | None = None, to: str | None = None,
               claimed_km: float, bound: str = "exact", unit: str = "km") -> BatchCheck:
    """Check one claimed distance from many origins (lon/lat degrees, EPSG:4326) at once.

    The same target resolution, index cache and verdict rule as :func:`check_distance`,
    vectorised: the benchmark's path.

    Raises
    ------
    InputError
        As :func:`check_distance`, or a target with no polygon / not found.
    """
    if (border is None) == (to is None):
        raise InputError("give exactly one of border= or to=")
    bound_name = parse_bound(bound)
    km = float(claimed_km) * unit_km(unit)
    if math.isnan(km):
        raise InputError("claimed distance must be a number, got NaN")
    target = border if border is not None else to
    assert target is not None
    b, _ = typed_endpoint(target, border=border is not None)
    if b.kind == "missing":
        raise InputError(b.missing_reason)
    lon_a = np.asarray(lons, dtype=float)
    lat_a = np.asarray(lats, dtype=float)
    if b.kind == "point":
        assert b.lon is not None and b.lat is not None
        measured = np.asarray(geodesic_km(lon_a, lat_a, b.lon, b.lat), dtype=float)
        method = METHOD_POINTS
    else:
        assert b.geometry is not None and b.geometry_key is not None
        measured, _, _ = boundary_index(b.geometry, key=b.geometry_key).nearest_many(lon_a, lat_a)
        method = METHOD_BOUNDARY
    pre = precheck(km, bound_name)
    lo, hi, tol = interval(km, bound_name, None, None)
    if pre is not None:
        verdicts = np.full(measured.shape, pre[0])
    else:
        verdicts = CODE_VERDICT[verdict_codes(measured, lo, hi) + 1]
    return BatchCheck(target=b.label, measured_km=measured, verdicts=verdicts, claimed_km=km, bound=bound_name,
                      tolerance_km=tol, method=method, data_source=data_source(b))
