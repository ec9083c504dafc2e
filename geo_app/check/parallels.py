"""Circles of latitude and the poles as claim ends: "Tromsø lies 350 km north of the Arctic Circle", "Seoul lies
50 km south of the 38th parallel", "Quito lies barely 25 km south of the Equator", "Longyearbyen lies 1,300 km
from the North Pole".

The gazetteer knows none of them (and a lookup finds the wrong things: "Equator" is Équateur province of the
DR Congo, "Tropic" a town in Utah), so the claim finder reads them from the words and measures to a line of
constant latitude. The nearest point of a parallel lies on the point's meridian, and a meridian is a geodesic,
so the distance is the meridian arc on WGS84; the line is drawn as a densified parallel and measured like
any border (geodesic, :func:`geo_app.check.measure.measure`), which gives that arc.

The polar circles and the tropics move with the Earth's axial tilt; their latitudes use
``settings.CLAIM_OBLIQUITY_DEG`` (the mean obliquity of the ecliptic, IAU 2006, for 2025).
"""

from __future__ import annotations

import re

import numpy as np
from shapely.geometry import LineString

from geo_app import settings
from geo_app.check.model import Endpoint

__all__ = ["latitude_of", "parallel_endpoint"]

#: A numbered parallel: "38th parallel", "the 49th parallel north", "17th parallel".
_NUMBERED = re.compile(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)\s+parallel(?:\s+(north|south))?\b")
#: Longitude step of the drawn parallel (degrees); the measure refines between vertices.
_STEP_DEG = 0.25


def latitude_of(name: str) -> float | None:
    """The latitude a circle of latitude's name stands for (degrees, north positive), or None.

    Parameters
    ----------
    name : str
        As written: "the Arctic Circle", "Equator", "Tropic of Capricorn", "the 38th parallel", "the North Pole".

    Returns
    -------
    float or None
        ``None`` for any other name.
    """
    text = " ".join(name.replace("\u2019", "'").split()).casefold()
    text = re.sub(r"^(?:the|of the|north of the|south of the)\s+", "", text)
    tilt = float(settings.CLAIM_OBLIQUITY_DEG)
    named = {"equator": 0.0, "arctic circle": 90.0 - tilt, "antarctic circle": -(90.0 - tilt),
             "tropic of cancer": tilt, "tropic of capricorn": -tilt, "north pole": 90.0, "south pole": -90.0,
             "geographic north pole": 90.0, "geographic south pole": -90.0}
    if text in named:
        return named[text]
    m = _NUMBERED.fullmatch(text)
    if m is None:
        return None
    lat = float(m.group(1))
    if lat > 89:
        return None
    return -lat if (m.group(2) or "").casefold() == "south" else lat


def parallel_endpoint(name: str) -> Endpoint | None:
    """A circle of latitude as a line endpoint (kind ``"border"``), a pole as a point, or None for other names.

    Parameters
    ----------
    name : str
        As written ("the Arctic Circle").

    Returns
    -------
    Endpoint or None
        A line of constant latitude around the globe (vertices every ``_STEP_DEG`` of longitude, the
        antimeridian left open by a hair so the line stays simple); a pole is the point at latitude ±90.
    """
    lat = latitude_of(name)
    if lat is None:
        return None
    label = " ".join(name.split())
    label = label if label[:4].casefold() == "the " else f"the {label}"
    if abs(lat) == 90.0:  # a pole is a point: every meridian ends there
        return Endpoint(label=label, kind="point", lon=0.0, lat=lat, source="a geographic pole (WGS84)",
                        note=f"{label}: latitude {lat:+.0f}°, measured along the meridian (a geodesic)")
    lons = np.arange(-179.999, 179.999 + 1e-9, _STEP_DEG)
    line = LineString([(float(x), lat) for x in lons] + [(179.999, lat)])
    hemisphere = "N" if lat > 0 else "S" if lat < 0 else ""
    return Endpoint(label=f"{label} ({abs(lat):.2f}°{hemisphere})", kind="border", geometry=line,
                    geometry_key=f"parallel:{lat:.5f}",
                    source="a circle of latitude (WGS84 latitude; polar circles and tropics from the mean "
                           "obliquity of the ecliptic, IAU 2006, 2025)",
                    note=f"{label}: the parallel at {lat:.4f}°, measured along the meridian (a geodesic)")
