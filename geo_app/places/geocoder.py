"""Offline geocoder that answers geopy's ``Geocoder.geocode`` contract.

:class:`OfflineGeocoder` is a geopy geocoder backed by the local gazetteer: no network,
ever. A user who wants Nominatim swaps it in through geopy with
:func:`online_geocoder`, an explicit opt-in that is rate-limited.
"""

from __future__ import annotations

from typing import Any

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geopy.point import Point
import shapely
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo_app import settings
from geo_app.places.gazetteer import Gazetteer, NameMatch, Place, get_gazetteer
from geo_app.places.composites import geometry_of
from geo_app.places.borders import country_at
from geo_app.places.borders import admin1

#: Order of feature codes when two places share a name and neither is more populous.
_CODE_RANK = {"PCLI": 0, "GROUP": 1, "ADM1": 2, "SEA": 3, "PPLC": 1, "CONT": 0}


def default_rank(match: NameMatch) -> tuple:
    """Context-free ranking key: own name over alternate, then type (a town of a million or more
    ranks with countries), then people: a town's population or an area's ``area_population``, so
    "Florida" is the US state before the Uruguayan department and "Punjab" Pakistan's before India's.
    """
    place = match.place
    people = max(place.population, place.area_population)
    return (not match.primary, _CODE_RANK.get(place.feature_code, 5) if place.population < 1_000_000 else 0, -people)


def _split_qualifier(query: str) -> tuple[str, str | None]:
    """'Paris, Texas' -> ('Paris', 'Texas'); 'Kyiv' -> ('Kyiv', None)."""
    head, sep, tail = query.partition(",")
    return (head.strip(), tail.strip() or None) if sep else (query.strip(), None)


class OfflineGeocoder(Geocoder):
    """geopy geocoder over the offline gazetteer (GeoNames, Natural Earth, composites).

    ``geocode("Kiev")`` returns a geopy :class:`~geopy.location.Location` for Kyiv whose
    ``raw`` carries ``geonameid``, ``feature_class``, ``feature_code``, ``country_code``
    and, where one exists, ``polygon`` (a shapely geometry, WGS84).
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, with_polygon: bool = True) -> None:
        super().__init__(timeout=None, proxies=None, user_agent="geo_app offline")
        self.gazetteer = gazetteer or get_gazetteer()
        self.with_polygon = with_polygon

    def candidates(self, query: str) -> list[NameMatch]:
        """Ranked candidates for a query; 'Paris, Texas' keeps the Parises inside Texas first."""
        name, qualifier = _split_qualifier(query)
        matches = sorted(self.gazetteer.lookup(name), key=default_rank)
        if qualifier:
            within = {m.place.country_code for m in self.gazetteer.lookup(qualifier)}
            admin = {m.place.admin1_code for m in self.gazetteer.lookup(qualifier) if m.place.feature_code == "ADM1"}
            matches.sort(key=lambda m: not (m.place.country_code in within and
                                            (not admin or _in_admin1(m.place, admin))))
        return matches

    def _location(self, place: Place) -> Location:
        raw: dict[str, Any] = place.to_dict()
        if self.with_polygon:

            raw["polygon"] = geometry_of(place)
        address = place.name if not place.country_code else f"{place.name}, {place.country_code}"
        return Location(address, (place.lat, place.lon), raw)

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL,
                limit: int | None = None) -> Location | list[Location] | None:
        """Resolve a place name offline (geopy contract: None when nothing matches)."""
        if not isinstance(query, str) or not query.strip():
            return None
        matches = self.candidates(query)
        if not matches:
            return None
        if exactly_one:
            return self._location(matches[0].place)
        return [self._location(m.place) for m in matches[: limit or len(matches)]]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL) -> Location | None:
        """Country containing a (lat, lon) point, offline."""


        point = Point(query)
        code = country_at(point.longitude, point.latitude)
        if code is None:
            return None
        return self._location(self.gazetteer.get(f"country:{code}"))


def _in_admin1(place: Place, admin_codes: set[str]) -> bool:
    """Whether a GeoNames place lies in one of the ISO 3166-2 regions (by polygon)."""


    regions = admin1()
    regions = regions[regions["iso_3166_2"].isin(admin_codes)]
    point = shapely.Point(place.lon, place.lat)
    return bool(regions.geometry.contains(point).any())


def online_geocoder(user_agent: str | None = None) -> Any:
    """Opt-in Nominatim through geopy, rate-limited to one call per second.

    This is the only code path in geo_app that may reach the network, and only when a
    user calls it. Returns geopy's ``RateLimiter`` around ``Nominatim.geocode``.
    """

    nominatim = Nominatim(user_agent=user_agent or settings.NOMINATIM_USER_AGENT)
    return RateLimiter(nominatim.geocode, min_delay_seconds=settings.ONLINE_MIN_DELAY_SECONDS)
