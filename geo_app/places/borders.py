"""Border polygons: Natural Earth 1:10m countries, first-level regions, map units and seas.

Read only from the committed GeoParquet files in :data:`geo_app.settings.BOUNDARIES_DIR`
(WGS84, EPSG:4326); see ``boundaries/README.md`` for provenance. Each layer is read once
per process, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import DataError, NotFoundError

if TYPE_CHECKING:
    from geo_app.places.composites import Composite

#: Columns of the countries layer kept in memory (the file has all 169).
COUNTRY_COLUMNS = [
    "ADM0_A3", "ISO_A2", "ISO_A2_EH", "ISO_A3", "ISO_A3_EH", "NAME", "NAME_EN", "NAME_LONG", "ADMIN", "SOVEREIGNT",
    "TYPE", "CONTINENT", "REGION_UN", "SUBREGION", "WIKIDATAID", "LABEL_X", "LABEL_Y", "status", "geometry",
]
ADMIN1_COLUMNS = [
    "adm1_code", "iso_3166_2", "iso_a2", "adm0_a3", "name", "name_en", "type_en", "gn_id", "latitude", "longitude",
    "wikidataid", "status", "geometry",
]


def _read(name: str, columns: list[str] | None = None) -> gpd.GeoDataFrame:
    path = settings.BOUNDARIES_DIR / name
    if not path.exists():
        raise DataError(f"border file {path} is missing; run `python boundaries/build.py`")
    gdf = gpd.read_parquet(path, columns=columns)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise DataError(f"{path} is not in WGS84 (EPSG:4326)")
    return gdf


@lru_cache(maxsize=1)
def countries() -> gpd.GeoDataFrame:
    """Admin-0 polygons (250), indexed by ``ADM0_A3``, with ``iso2`` (ISO 3166-1 alpha-2 or '')."""
    gdf = _read("countries.parquet", COUNTRY_COLUMNS)
    iso2 = np.where(gdf["ISO_A2_EH"] != "-99", gdf["ISO_A2_EH"], gdf["ISO_A2"])
    gdf["iso2"] = np.where(iso2 == "-99", "", iso2)
    return gdf.set_index("ADM0_A3", drop=False)


@lru_cache(maxsize=1)
def admin1() -> gpd.GeoDataFrame:
    """First-level regions (4,596), indexed by ``adm1_code``."""
    return _read("admin1.parquet", ADMIN1_COLUMNS).set_index("adm1_code", drop=False)


@lru_cache(maxsize=1)
def seas() -> gpd.GeoDataFrame:
    """Named marine polygons, indexed by ``name``."""
    return _read("seas.parquet").set_index("name", drop=False)


@lru_cache(maxsize=1)
def us_counties() -> gpd.GeoDataFrame:
    """US counties (Census Bureau 2017), indexed by FIPS code."""
    return _read("us_counties.parquet").set_index("fips", drop=False)


@lru_cache(maxsize=1)
def islands() -> gpd.GeoDataFrame:
    """Named islands (``data/gazetteer_extras.yaml``), each the Natural Earth admin-0 polygon(s)
    holding a GeoNames town on it, indexed by ``code`` ("sicily")."""
    return _read("islands.parquet").set_index("code", drop=False)


@lru_cache(maxsize=1)
def map_units() -> gpd.GeoDataFrame:
    """Natural Earth map units inside a country (England, Scotland, Wales, Northern Ireland,
    Flemish Region...), dissolved from admin-1 polygons, indexed by ``code`` ("GB-SCT")."""
    return _read("map_units.parquet").set_index("code", drop=False)


@lru_cache(maxsize=1)
def region_groups() -> gpd.GeoDataFrame:
    """Regions named by what their first-level regions' names share (Darfur, Sinai, Kivu), the
    union of those regions' polygons, indexed by ``code`` ("SD-darfur")."""
    return _read("region_groups.parquet").set_index("code", drop=False)


@lru_cache(maxsize=1)
def airports() -> gpd.GeoDataFrame:
    """Airports with an IATA code and military air bases (airportsdata, MIT), points indexed by ICAO code."""
    return _read("airports.parquet").set_index("icao", drop=False)


def country(code: str) -> pd.Series:
    """The countries row for an ISO alpha-2, alpha-3 or Natural Earth ADM0_A3 code, or an English name."""
    gdf = countries()
    code_up = code.strip().upper()
    if code_up in gdf.index:
        return gdf.loc[code_up]
    for col in ("iso2", "ISO_A3_EH", "ISO_A3"):
        hit = gdf[gdf[col] == code_up]
        if len(hit) > 1:
            # FR, AU, BR... also tag small territories (Clipperton Island): the country is the largest.
            return hit.iloc[int(np.argmax(shapely.area(hit.geometry.values)))]
        if len(hit):
            return hit.iloc[0]
    folded = code.strip().casefold()
    for col in ("NAME_EN", "NAME", "ADMIN", "NAME_LONG"):
        hit = gdf[gdf[col].str.casefold() == folded]
        if len(hit):
            return hit.iloc[0]
    raise NotFoundError(f"no country polygon for {code!r}")


def country_geometry(code: str) -> BaseGeometry:
    """Polygon of a country (see :func:`country` for the accepted codes)."""
    return country(code).geometry


def regions_of(code: str) -> gpd.GeoDataFrame:
    """First-level regions of a country (any code :func:`country` accepts)."""
    a3 = country(code)["ADM0_A3"]
    gdf = admin1()
    return gdf[gdf["adm0_a3"] == a3]


def region(iso3166_2_or_adm1_code: str) -> pd.Series:
    """The admin-1 row for an ISO 3166-2 code (largest piece) or a Natural Earth adm1_code,
    else the map unit with that code ("GB-SCT": Scotland)."""
    gdf = admin1()
    if iso3166_2_or_adm1_code in gdf.index:
        return gdf.loc[iso3166_2_or_adm1_code]
    hit = gdf[gdf["iso_3166_2"] == iso3166_2_or_adm1_code]
    if hit.empty:
        units = map_units()
        if iso3166_2_or_adm1_code in units.index:
            return units.loc[iso3166_2_or_adm1_code]
        raise NotFoundError(f"no region polygon for {iso3166_2_or_adm1_code!r}")
    if len(hit) > 1:
        # Largest piece (Lord Howe Island shares AU-NSW with New South Wales); degrees² only rank here.
        return hit.iloc[int(np.argmax(shapely.area(hit.geometry.values)))]
    return hit.iloc[0]


def sea(name: str) -> pd.Series:
    """The marine polygon named ``name`` (case-insensitive, optional leading 'the')."""
    gdf = seas()
    folded = name.strip().casefold().removeprefix("the ").strip()
    hit = gdf[gdf["name"].str.casefold() == folded]
    if hit.empty:
        raise NotFoundError(f"no sea polygon named {name!r}")
    return hit.iloc[0]


def composite_member_codes(comp: Composite) -> tuple[str, ...]:
    """Member codes of a composite (ISO alpha-2, ISO 3166-2 or sea names), sorted; no geometry work."""
    codes: set[str] = set()
    if comp.members_iso2 or comp.un_subregion:
        gdf = countries()
        mask = gdf["iso2"].isin(comp.members_iso2)
        if comp.un_subregion:
            mask |= (gdf["SUBREGION"] == comp.un_subregion) & (gdf["TYPE"] != "Dependency") & (gdf["iso2"] != "")
        codes.update(gdf.loc[mask, "iso2"])
    if comp.members_iso3166_2:
        codes.update(set(admin1()["iso_3166_2"]) & set(comp.members_iso3166_2))
    if comp.members_seas:
        codes.update(set(seas()["name"]) & set(comp.members_seas))
    return tuple(sorted(codes))


def composite_members(comp: Composite) -> gpd.GeoDataFrame:
    """Member polygons of a composite, with a ``member_code`` column (ISO alpha-2 or 3166-2)."""
    frames = []
    if comp.members_iso2 or comp.un_subregion:
        gdf = countries()
        mask = gdf["iso2"].isin(comp.members_iso2)
        if comp.un_subregion:
            mask |= (gdf["SUBREGION"] == comp.un_subregion) & (gdf["TYPE"] != "Dependency") & (gdf["iso2"] != "")
        frames.append(gdf.loc[mask, ["iso2", "geometry"]].rename(columns={"iso2": "member_code"}))
    if comp.members_iso3166_2:
        gdf = admin1()
        frames.append(
            gdf.loc[gdf["iso_3166_2"].isin(comp.members_iso3166_2), ["iso_3166_2", "geometry"]]
            .rename(columns={"iso_3166_2": "member_code"})
        )
    if comp.members_seas:
        gdf = seas()
        frames.append(gdf.loc[gdf["name"].isin(comp.members_seas), ["name", "geometry"]].rename(columns={"name": "member_code"}))
    if not frames:
        return gpd.GeoDataFrame({"member_code": []}, geometry=[], crs="EPSG:4326")
    merged = pd.concat(frames, ignore_index=True)
    merged = merged.dissolve(by="member_code", as_index=False, sort=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")


@lru_cache(maxsize=1)
def _country_tree() -> shapely.STRtree:
    return shapely.STRtree(countries().geometry.values)


def countries_at(lons: np.ndarray | float, lats: np.ndarray | float) -> np.ndarray:
    """ADM0_A3 of the country containing each point ('' outside every country)."""
    points = shapely.points(np.atleast_1d(lons), np.atleast_1d(lats))
    point_idx, geom_idx = _country_tree().query(points, predicate="within")
    codes = np.full(len(points), "", dtype=object)
    codes[point_idx] = countries()["ADM0_A3"].to_numpy()[geom_idx]
    return codes


def country_at(lon: float, lat: float) -> str | None:
    """ADM0_A3 of the country containing the point, or None (sea, no data)."""
    code = countries_at(lon, lat)[0]
    return code or None
