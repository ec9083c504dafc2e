"""Composite places: groups of countries or regions that no gazetteer has ("the Baltic states").

Read from ``data/composites.yaml`` (hand-kept, reviewed); geometry is the union of
the members' Natural Earth polygons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app.geo.projection import equal_area_centroid
from geo_app.places import borders
from geo_app._errors import DataError, NotFoundError

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place


@dataclass(frozen=True)
class Composite:
    """A named group of admin-0 or admin-1 units."""

    id: str
    names: tuple[str, ...]
    members_iso2: tuple[str, ...] = ()
    members_iso3166_2: tuple[str, ...] = ()
    members_seas: tuple[str, ...] = ()
    un_subregion: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    hq: str | None = None
    note: str = ""
    lat: float = 0.0
    lon: float = 0.0
    country_code: str = ""
    member_codes: tuple[str, ...] = field(default=())  # resolved ISO alpha-2 or 3166-2 codes

    def valid_on(self, day: dt.date | None) -> bool:
        """Whether the grouping existed on ``day`` (unknown days count as valid)."""
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def require_codes(codes: object, where: str) -> None:
    """Raise :class:`DataError` unless every item of ``codes`` (a YAML list, or a mapping's keys) is a
    string: YAML reads a bare NO (Norway) as false, and such a member or key would vanish silently.

    Parameters
    ----------
    codes : iterable
        Country or region codes as read from a YAML file.
    where : str
        What holds them, for the message ("composite 'nordic': members_iso2").
    """
    bad = [code for code in codes if not isinstance(code, str)]
    if bad:
        raise DataError(f"{where} holds {bad!r}, not codes (quote them)")


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@lru_cache(maxsize=1)
def load_composites() -> tuple[Composite, ...]:
    """Every composite, with its member codes resolved (fast: no geometry is computed).

    ``lat``/``lon`` are the hand-set label point where the YAML gives one, else 0;
    :func:`composite_centre` computes the area centroid (the gazetteer stores it).
    """
    raw = yaml.safe_load(settings.COMPOSITES_FILE.read_text(encoding="utf-8"))
    result = []
    for entry in raw["composites"]:
        for field_name in ("members_iso2", "members_iso3166_2"):
            for part in (entry, *(entry.get("other_definitions") or ())):
                require_codes(part.get(field_name, ()), f"composite {entry.get('id')!r}: {field_name}")
        comp = Composite(
            id=entry["id"], names=tuple(entry["names"]),
            members_iso2=tuple(entry.get("members_iso2", ())), members_iso3166_2=tuple(entry.get("members_iso3166_2", ())),
            members_seas=tuple(entry.get("members_seas", ())),
            un_subregion=entry.get("un_subregion"), valid_from=_date(entry.get("valid_from")),
            valid_to=_date(entry.get("valid_to")), hq=entry.get("hq"), note=str(entry.get("note", "")).strip(),
        )
        codes = borders.composite_member_codes(comp)
        if not codes:
            raise DataError(f"composite {comp.id!r} has no member polygons")
        lat, lon = (float(v) for v in entry["point"]) if entry.get("point") else (0.0, 0.0)
        countries = {c[:2] for c in codes if not comp.members_seas}
        result.append(
            Composite(**{**comp.__dict__, "lat": lat, "lon": lon, "member_codes": codes,
                         "country_code": countries.pop() if len(countries) == 1 else ""})
        )
    return tuple(result)


def composite_centre(comp: Composite) -> tuple[float, float]:
    """(lat, lon) label point of a composite: the hand-set one, else the members' area centroid."""
    if (comp.lat, comp.lon) != (0.0, 0.0):
        return comp.lat, comp.lon
    centre = equal_area_centroid(composite_geometry(comp.id))
    return centre.y, centre.x


def get_composite(composite_id: str) -> Composite:
    """The composite with this id ("baltic_states")."""
    for comp in load_composites():
        if comp.id == composite_id:
            return comp
    raise NotFoundError(f"no composite {composite_id!r}")


@lru_cache(maxsize=256)
def composite_geometry(composite_id: str) -> BaseGeometry:
    """Union of a composite's member polygons."""
    return borders.composite_members(get_composite(composite_id)).geometry.union_all()


def geometry_of(place: Place) -> BaseGeometry | None:
    """The polygon behind a gazetteer place, or None for places known only as points."""
    if place.layer == "countries":
        return borders.countries().loc[place.layer_key].geometry
    if place.layer == "admin1":
        return borders.admin1().loc[place.layer_key].geometry
    if place.layer == "seas":
        return borders.seas().loc[place.layer_key].geometry
    if place.layer == "composites":
        return composite_geometry(place.layer_key)
    if place.layer == "us_counties":
        return borders.us_counties().loc[place.layer_key].geometry
    if place.layer == "map_units":
        return borders.map_units().loc[place.layer_key].geometry
    if place.layer == "islands":
        return borders.islands().loc[place.layer_key].geometry
    if place.layer == "region_groups":
        return borders.region_groups().loc[place.layer_key].geometry
    return None
