"""Features of a gazetteer candidate for a mention, for the trained ranker (:mod:`geo_app.resolve.ranker`).

One row per (mention, candidate): what the candidate is (population, feature type), how the
name matched (the place's own name, exactly, an alternate, an abbreviation), and what the rest
of the report says about it (the report's focus countries, regions and countries named in the
text, the written hierarchy "Paris, Texas", the distance to the report's other settled places,
the words around the mention). No names and no document ids are features: the model must
carry over to reports it has not seen.

The same function builds the rows at training time (``scripts/train_ranker.py``) and at run
time (:class:`geo_app.resolve.resolver.Resolver`), so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from geo_app import settings
from geo_app._text import normalize_name
from geo_app.geo.geodesy import BoundaryIndex, boundary_index, geodesic_km, nearest_on_boundary_many
from geo_app.places import borders
from geo_app.places.gazetteer import NameMatch, Place
from geo_app.text.extract import Mention

__all__ = ["FEATURE_NAMES", "REGION_WORDS", "MentionContext", "admin1_key", "anchor_km", "candidate_features",
           "level_of", "names_a_school", "written_level"]

#: Feature types (GeoNames feature codes as the gazetteer stores them) with a column each.
_TYPES = ("PPLC", "PPL", "PCLI", "ADM1", "ADM2", "H", "GROUP", "CONT", "AIRP")
_WATER_CODES = frozenset({"H", "SEA", "BAY"})
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.){1,4}$|^[A-Z]{2,4}$|^[A-Z][a-z]{1,4}\.$")
#: Words that say a name is a region ("the Kherson region", "Kaliningrad Oblast").
REGION_WORDS = re.compile(r"(?i)\b(region|oblast|province|state|governorate|voblast|county|district|prefecture|krai)\b")
#: Words that speak of an administrative unit rather than its town ("the Jermuk municipality", "district
#: officials", "county commissioners").
_UNIT_WORDS = re.compile(r"(?i)\b(municipality|municipal|district|county|province|prefecture|commune|raion|rayon|"
                         r"parish|borough|governorate|oblast|region)\b")
_TOWN_WORDS = re.compile(r"(?i)\b(city|town|village|mayor|downtown|suburb|residents?)\b")
#: Words right after a name that make it the seat of a local institution ("Athens Police Department",
#: "Norfolk High School") or of a newspaper ("The Washington Post", "Seattle Times"): the name is
#: then a town, often near the report's other places.
_INSTITUTION_AFTER = re.compile(
    r"^\W{0,2}(?:(?-i:[A-Z][a-z]+|[A-Z]{2,})\s+){0,2}?(?:police|fire|sheriff|high|middle|elementary|school|city|town|"
    r"county|council|board|mayor|library|hospital|church|department|district|public|municipal|chamber|"
    r"community|college|university|regional|memorial|post|times|herald|journal|tribune|gazette|chronicle|"
    r"courier|examiner|inquirer|observer|dispatch|telegraph)\b", re.IGNORECASE)
_WATER_WORDS = re.compile(r"(?i)\b(sea|ocean|gulf|bay|coast|waters|river|lake)\b")
#: A region's name inside a university's or its teams' name ("Mississippi State", "University of
#: California", "Ohio State Buckeyes") speaks of the school, not of where the report is set.
_SCHOOL_AFTER = re.compile(r"^\s+(?:State|Tech|A&M|University|College|Institute)\b")
_SCHOOL_BEFORE = re.compile(r"\b(?:University|College|Institute)\s+of\s+(?:the\s+)?$")
_SCHOOL_WORDS = re.compile(r"\b(?:University|College|Institute)\b")
#: The words right before a name that make it a town ("the town of X", "downtown X", "the mayor of X")
#: or a region ("the province of X", "the governor of X"), and right after it ("X city", "X province").
#: General words of English news, no place names; lower case only after the name ("Ohio State" is not
#: "Ohio state").
_TOWN_BEFORE = re.compile(
    r"(?i)\b(?:(?:the|a)\s+(?:city|town|village|township|hamlet|municipality)\s+of|(?:suburbs?|outskirts|mayor)\s+of|"
    r"downtown|suburban)\s+(?:the\s+)?$")
_REGION_BEFORE = re.compile(
    r"(?i)\b(?:(?:the|a)\s+(?:region|province|state|governorate|oblast|county|district|prefecture|territory)|"
    r"governor)\s+of\s+(?:the\s+)?$")
#: Other names coordinated with this one before a shared noun: "Oglethorpe and Madison counties".
_LIST_TAIL = r"(?:\s*(?:,|\band\b|\bor\b|&)\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?){0,3}"
_TOWN_AFTER = re.compile(r"^(?:'s|’s)?" + _LIST_TAIL + r"\s+(?:city|town|village|mayor|cities|towns|villages)\b")
_REGION_AFTER = re.compile(
    r"^(?:'s|’s)?" + _LIST_TAIL + r"\s+(?:region|province|state|oblast|governorate|county|district|prefecture|"
    r"territory|governor|regional|municipality|raion|rayon|regions|provinces|states|oblasts|governorates|"
    r"counties|districts|prefectures|territories|municipalities)\b")
#: A dateline: the name opens a line and is written in capitals or followed by ", STATE", "(AP)" or a dash.
_DATELINE_AFTER = re.compile(r"^(?:\s*,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\.?)?\s*(?:\([A-Za-z .]+\)\s*)?(?:[—–]|--?\s)")
#: "the" right before the name ("the Dnipro", "the Rio Grande"): rivers, seas and ranges take it,
#: towns seldom do.
_ARTICLE_BEFORE = re.compile(r"\bthe\s+$")
#: Distance scales (km) of the proximity features: the same town, the same region.
_NEAR_KM = 50.0
_REGION_KM = 300.0
_NEIGHBOUR_KM = 100.0
_NEIGHBOUR_FAR_DEG = 8.0  # ~890 km of latitude: exp(-890 / 100) is 1e-4
# What a place beyond that margin is taken to lie from the country: far, but a country is named (a
# feature of exactly 0 says that no other country is named at all).
_NEIGHBOUR_FAR_KM = 2_000.0

#: Column names, in order; the committed model names them too and must match.
FEATURE_NAMES: tuple[str, ...] = (
    "prior",               # the resolver's context-free prior (type or log10 population, own name) / 10
    "prior_gap",           # the prior minus the best prior among the mention's candidates, / 10
    "log_population",      # log10(population + 1) / 7; 0 for areas (their population is not stored)
    "population_gap",      # the candidate's log10 population minus the largest among the mention's towns
    "most_populous_town",  # 1 for the most populous town among the candidates
    *(f"type_{t}" for t in _TYPES),
    "own_name",            # the name is the place's own, not an alternate or a translation
    "exact_name",          # the mention spells the place's name (case- and accent-insensitive)
    "abbreviation",        # the mention is an abbreviation ("N.C.", "UK") of the place
    "focus_share",         # share of the report's country votes (other names) for the candidate's country
    "focus_top",           # the candidate's country is the report's leading country
    "focus_share_town",    # focus_share for a town (a bare town name leans on the report's country more)
    "country_hint",        # the candidate's country is the publication's country
    "country_named",       # another mention names the candidate's country (a country name or demonym)
    "region_named",        # another mention names the first-level region the candidate lies in (not as
                           # part of a school's name: "Mississippi State", :func:`names_a_school`)
    "country_named_town",  # country_named for a town
    "near_named_country",  # closeness to a country another mention names, not the candidate's own:
                           # exp(-km / 100), km geodesic to that country's border ("Brest" beside "the
                           # Polish border" is the Belarusian town 4 km from Poland, not the French port)
    "hierarchy_in",        # "X, Y", "X in Y", "X, a town in Y": the candidate lies in the written container Y
    "hierarchy_out",       # ... it does not
    "near",                # closeness to the report's other settled places, exp(-km / 50)
    "regional",            # the same at the scale of a region, exp(-km / 300)
    "regional_area",       # regional for an area (a region or county near the report's places)
    "same_name_region",    # a region named after its own main town, with no "region"/"oblast" said
    "alternate_town",      # a town known by an alternate name that a country has as its own
    "says_region",         # the words around say "region", "state", "county"... and the candidate is an area
    "says_town",           # the words around say "city", "town", "mayor"... and the candidate is a town
    "says_water",          # the words around say "sea", "coast", "gulf"... and the candidate is water
    "label_loc_nature",    # spaCy labelled it LOC and the candidate is water, land or relief
    "label_fac_spot",      # spaCy labelled it FAC and the candidate is a spot or building
    "prior_rank",          # 1 / (1 + the candidate's rank by prior among the mention's candidates)
    "log_candidates",      # log10 of the number of candidates (how ambiguous the name is) / 2
    "unambiguous_share",   # share of the report's unambiguous mentions (one candidate) in the candidate's country
    "admin1_share",        # share of the report's other settled places in the candidate's first-level region
    "institution_town",    # a local institution follows the name ("X Police", "X High School") and the candidate is a town
    "small_town",          # a town of under 10,000 people
    "unknown_population",  # a town whose people GeoNames does not count (the US ZIP code places, hamlets)
    "log_area_population", # log10(area_population + 1) / 8 for an area (the people of its towns); 0 for a town
    "area_population_gap", # an area's log10 area_population minus the largest among the mention's areas, / 8
    "partial_name",        # the mention is only part of the place's own name ("Oklahoma" of "Oklahoma City")
    "name_similarity",     # similarity of the mention and the place's own name (1 when they are spelt alike)
    "primary_rival",       # the name is an alternate of this place but another candidate's own name
    "cue_town",            # the words right before or after say a town ("town of X", "downtown X") and it is a town
    "cue_region",          # ... say a region ("province of X", "X region", "governor of X") and it is a region or county
    "cue_town_area",       # they say a town and the candidate is an area (or the reverse)
    "peer_level",          # share of the report's other settled names at the candidate's level (country,
                           # first-level region, county, town), minus the largest such share among the candidates
    "article_natural",     # "the X" and the candidate is water, relief or land
    "article_town",        # "the X" and the candidate is a town or an area
    "dateline_town",       # the mention is a dateline ("WASHINGTON (AP) —", "BANTAM —") and the candidate is a town
    "region_town_share",   # a region and a town of the name inside it: the town's share of the region's people
                           # (on both rows; New York City holds half of its state, Oklahoma City a fifth)
    "alias_rival_town",    # a town of under a million known by this name only as an alias, part of a longer own
                           # name ("Washington Court House") or unlike it (Piqua, Engels for "Pokrovsk"), while
                           # another candidate bears the name as its own
    "seat_area",           # a county or district (admin-2) or region named after a town among the candidates
                           # that lies in it (its seat: "Jermuk Municipality" beside the town Jermuk)
    "seat_town",           # ... and that town (on the town's row)
    "seat_area_cue",       # seat_area and the words around speak of the unit ("municipality", "district", "county")
)


_COLUMN = {name: i for i, name in enumerate(FEATURE_NAMES)}


@dataclass
class MentionContext:
    """What the rest of the report says, seen from one mention.

    Attributes
    ----------
    focus : Counter
        Country votes of the report's other names (ISO alpha-2 -> weight).
    country_hint : str or None
        The publication's country, when known.
    named_countries : set of str
        Countries another mention names outright (a country or a demonym).
    named_regions : list of Place
        First-level regions other mentions settled on.
    container : Place or None
        The written container of "X, Y" (or "X in Y", "X, a college town in Y") when the mention is X.
    context : str
        The text around the mention (a few words each side).
    anchors : tuple
        The report's settled places as arrays (name key, lat, lon, weight), or ().
    within : callable
        ``within(place, container) -> bool`` (a country or first-level region).
    """

    focus: Counter
    country_hint: str | None
    named_countries: set[str]
    named_regions: list[Place]
    container: Place | None
    context: str
    anchors: tuple
    within: Callable[[Place, Place], bool]
    own_name: str = ""
    extra: dict = field(default_factory=dict)
    #: Geodesic km from each candidate to each anchor (``len(cands) x anchors``), when the caller
    #: measured the whole report at once (:func:`anchor_km`); else measured here.
    km: np.ndarray | None = None
    #: Countries of the report's other mentions that have a single candidate (ISO alpha-2 -> count).
    unambiguous: Counter = field(default_factory=Counter)
    #: First-level regions (:func:`admin1_key`) of the report's other settled places -> count.
    regions: Counter = field(default_factory=Counter)
    #: The text right after the mention (a few words).
    after: str = ""
    #: The text right before the mention (a few words).
    before: str = ""
    #: Levels (:func:`level_of`) of the report's other settled names -> count.
    levels: Counter = field(default_factory=Counter)


def level_of(place: Place) -> str:
    """A coarse administrative level: "country", "region" (first level), "county", "town" or "other"."""
    code = place.feature_code
    if code in ("PCLI", "GROUP", "CONT"):
        return "country"
    if code == "ADM1":
        return "region"
    if code == "ADM2":
        return "county"
    if place.feature_class == "P":
        return "town"
    return "other"


def written_level(before: str, after: str) -> str:
    """What the words right around a name say it is: "town" ("the town of X", "downtown X", "X city"),
    "region" ("the province of X", "X region", "governor of X") or "" (nothing, or both)."""
    town = bool(_TOWN_BEFORE.search(before) or _TOWN_AFTER.match(after))
    region = bool(_REGION_BEFORE.search(before) or _REGION_AFTER.match(after))
    if town == region:
        return ""
    return "town" if town else "region"


def is_dateline(before: str, name_text: str, after: str) -> bool:
    """Whether a name opens a line ("\\nWASHINGTON (AP) —", "BANTAM — A Danbury mason...") as a dateline."""
    line_start = before.rsplit("\n", 1)[-1].strip() == "" and ("\n" in before or len(before) < 40)
    return line_start and (bool(_DATELINE_AFTER.match(after)) or (name_text.isupper() and len(name_text) > 3))


@lru_cache(maxsize=65_536)
def _similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised names (a report repeats its names, and is ranked twice)."""
    return SequenceMatcher(None, a, b).ratio()


def _words(name: str) -> list[str]:
    return re.findall(r"\w+", name)


def _partial(words: list[str], own_words: list[str]) -> bool:
    """Whether ``words`` are a proper run of ``own_words`` ("oklahoma" of "oklahoma city")."""
    k = len(words)
    return 0 < k < len(own_words) and any(own_words[j:j + k] == words for j in range(len(own_words) - k + 1))


def admin1_key(place: Place) -> tuple[str, str]:
    """(country, first-level region code) comparable across sources: GeoNames towns carry the
    region's own code ("GA"), Natural Earth regions the ISO 3166-2 one ("US-GA")."""
    code = place.admin1_code or ""
    if place.feature_code == "ADM1" and "-" in code:
        code = code.split("-", 1)[1]
    return place.country_code, code


def names_a_school(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` is part of a university's or its teams' name
    ("Mississippi State started the game", "a professor at the University of California")."""
    return bool(_SCHOOL_WORDS.search(text[start:end]) or _SCHOOL_AFTER.match(text[end:end + 20])
                or _SCHOOL_BEFORE.search(text[max(0, start - 30):start]))


def _type_of(place: Place) -> str:
    code = place.feature_code
    if code in _WATER_CODES:
        return "H"
    return code if code in _TYPES else ""


def anchor_km(places: Sequence[Place], anchors: tuple) -> np.ndarray:
    """Geodesic km (WGS84) from each place to each anchor, shape ``(len(places), anchors)``, in one
    :func:`~geo_app.geo.geodesy.geodesic_km` call (a report's candidates measured together)."""
    n = len(places)
    if not anchors or n == 0:
        return np.zeros((n, len(anchors[1]) if anchors else 0))
    _, lats, lons, _ = anchors
    plat = np.repeat([p.lat for p in places], lats.size)
    plon = np.repeat([p.lon for p in places], lats.size)
    return np.asarray(geodesic_km(plon, plat, np.tile(lons, n), np.tile(lats, n)), dtype=float).reshape(n, lats.size)


def _proximity(places: Sequence[Place], anchors: tuple, own_name: str,
               km: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """exp(-km / 50) and exp(-km / 300) to the nearest other settled place (geodesic km on WGS84)."""
    n = len(places)
    if not anchors:
        return np.zeros(n), np.zeros(n)
    names, _, _, weights = anchors
    keep = names != own_name
    if not keep.any():
        return np.zeros(n), np.zeros(n)
    if km is None:
        km = anchor_km(places, anchors)
    if not keep.all():
        km, weights = km[:, keep], weights[keep]
    near = (weights * np.exp(-km / _NEAR_KM)).max(axis=1)
    regional = (weights * np.exp(-km / _REGION_KM)).max(axis=1)
    return near, regional


def _named_country_km(place: Place, codes: set[str]) -> float:
    """Geodesic km (WGS84) from a place's point to the nearest border of the given countries
    (ISO alpha-2); infinity when none has a polygon; ``_NEIGHBOUR_FAR_KM`` when the place lies
    farther than ``_NEIGHBOUR_FAR_DEG`` beyond a country's bounding box (not measured there)."""
    return _nearest_country_km(place.key, place.lon, place.lat, frozenset(codes))


@lru_cache(maxsize=100_000)
def _nearest_country_km(key: str, lon: float, lat: float, codes: frozenset[str]) -> float:
    """:func:`_named_country_km`, kept by place and set of countries: a long report asks for the
    same candidates against the same named countries mention after mention."""
    out = math.inf
    for code in codes:
        km = _COUNTRY_KM.get((key, code))
        if km is None:
            measure_country_km([(key, lon, lat)], [code])
            km = _COUNTRY_KM[(key, code)]
        out = min(out, km)
    return out


#: Geodesic km from a place (its key) to a country's border (ISO alpha-2), as measured by
#: :func:`measure_country_km`; cleared when it holds ``_COUNTRY_KM_MAX`` answers.
_COUNTRY_KM: dict[tuple[str, str], float] = {}
_COUNTRY_KM_MAX = 500_000


def measure_country_km(points: Sequence[tuple[str, float, float]], codes: Iterable[str]) -> None:
    """Measure places (key, lon, lat) to the borders of countries (ISO alpha-2) for
    ``near_named_country``: one geodesic nearest-point query per country for all the places
    not yet measured (a report's candidates at once), places beyond ``_NEIGHBOUR_FAR_DEG`` of the
    country's box taken as ``_NEIGHBOUR_FAR_KM``."""
    if len(_COUNTRY_KM) > _COUNTRY_KM_MAX:
        _COUNTRY_KM.clear()
        _nearest_country_km.cache_clear()
    for code in codes:
        todo = [(k, x, y) for k, x, y in points if (k, code) not in _COUNTRY_KM]
        if not todo:
            continue
        border = _country_border(code)
        if border is None:
            _COUNTRY_KM.update({(k, code): math.inf for k, _, _ in todo})
            continue
        index, (west, south, east, north) = border
        lons = np.array([x for _, x, _ in todo])
        lats = np.array([y for _, _, y in todo])
        # A cheap reject before the geodesic measure: degrees only decide whether to measure.
        margin = _NEIGHBOUR_FAR_DEG / np.maximum(np.cos(np.radians(lats)), 0.1)
        near = ((lats >= south - _NEIGHBOUR_FAR_DEG) & (lats <= north + _NEIGHBOUR_FAR_DEG)
                & (lons >= west - margin) & (lons <= east + margin))
        km = np.full(len(todo), _NEIGHBOUR_FAR_KM)
        if near.any():
            km[near], _, _ = nearest_on_boundary_many(lons[near], lats[near], index)
        _COUNTRY_KM.update({(k, code): float(v) for (k, _, _), v in zip(todo, km)})


@lru_cache(maxsize=256)
def _country_border(code: str) -> tuple[BoundaryIndex, tuple[float, float, float, float]] | None:
    """The prepared border of a country (its Natural Earth polygon) and its bounds, or None."""
    try:
        geometry = borders.country_geometry(code)
    except LookupError:
        return None
    return boundary_index(geometry, key=f"country:{code}|border"), tuple(float(v) for v in geometry.bounds)


def _seat_pairs(places: Sequence[Place], within: Callable[[Place, Place], bool]) -> list[tuple[int, int]]:
    """The (area, town) index pairs of ``places`` where the area is named after a town among the same
    name's candidates and holds it (its seat): the ``seat_area`` / ``seat_town`` columns.

    An admin-2 unit (a point, GeoNames has no polygon for it) holds the town when the town lies within
    ``settings.SEAT_KM`` (geodesic, WGS84) of the unit's point in the same country; a first-level region
    when it contains the town (``within``)."""
    towns = [j for j, p in enumerate(places) if p.feature_class == "P" and p.country_code]
    areas = [i for i, p in enumerate(places) if p.feature_code in ("ADM1", "ADM2") and p.country_code]
    if not towns or not areas:
        return []
    pairs = [(i, j) for i in areas for j in towns if places[i].country_code == places[j].country_code]
    adm2 = [(i, j) for i, j in pairs if places[i].feature_code == "ADM2"]
    km = (np.asarray(geodesic_km(np.array([places[i].lon for i, _ in adm2]), np.array([places[i].lat for i, _ in adm2]),
                                 np.array([places[j].lon for _, j in adm2]), np.array([places[j].lat for _, j in adm2])),
                     dtype=float).reshape(-1) if adm2 else np.zeros(0))
    close = {pair: bool(d <= settings.SEAT_KM) for pair, d in zip(adm2, km)}
    return [(i, j) for i, j in pairs if (close[(i, j)] if (i, j) in close else within(places[j], places[i]))]


def candidate_features(mention: Mention, cands: Sequence[NameMatch], ctx: MentionContext,
                       prior: Callable[[NameMatch], float]) -> np.ndarray:
    """Feature rows of a mention's candidates.

    Parameters
    ----------
    mention : Mention
        The mention being resolved.
    cands : sequence of NameMatch
        Its gazetteer candidates.
    ctx : MentionContext
        What the rest of the report says.
    prior : callable
        The resolver's context-free prior of a candidate.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(cands), len(FEATURE_NAMES))``, float.
    """
    places = [nm.place for nm in cands]
    n = len(places)
    if n == 0:
        return np.zeros((n, len(FEATURE_NAMES)))
    part = _name_part(mention, cands, places, ctx.within, prior)
    X = part.X.copy()
    _context_columns(X, part, mention, places, ctx)
    col = _COLUMN
    # The columns that depend on what the report's other mentions settled on.
    total = sum(ctx.focus.values())
    top_country = max(ctx.focus, key=ctx.focus.__getitem__) if total > 0 else None
    near, regional = _proximity(places, ctx.anchors, ctx.own_name or part.name_norm, ctx.km)
    near_l, regional_l = near.tolist(), regional.tolist()
    unamb_total = sum(ctx.unambiguous.values())
    region_total = sum(ctx.regions.values())
    level_total = sum(ctx.levels.values())
    within, named_regions, named_countries = ctx.within, ctx.named_regions, ctx.named_countries
    focus, unambiguous, regions, hint = ctx.focus, ctx.unambiguous, ctx.regions, ctx.country_hint
    f_share, f_top, c_hint, c_named, f_share_town, c_named_town, reg_area, r_named, unamb, adm1 = (
        [0.0] * n for _ in range(10))
    regions_of: dict[str, list[Place]] = {}  # the named regions by country, in their order
    for r in named_regions:
        regions_of.setdefault(r.country_code, []).append(r)
    # The columns that depend on the country alone, once per country of the candidates.
    by_country: dict[str, tuple[float, float, float, bool, float, list[Place] | None]] = {}
    for i, place in enumerate(places):
        cc, fclass = place.country_code, place.feature_code
        of_country = by_country.get(cc)
        if of_country is None:
            of_country = by_country[cc] = (
                focus.get(cc, 0.0) / total if cc and total > 0 else 0.0,
                float(cc == top_country) if cc and total > 0 else 0.0,
                float(bool(cc) and cc == hint),
                bool(cc) and cc in named_countries,
                unambiguous.get(cc, 0) / unamb_total if cc and unamb_total else 0.0,
                regions_of.get(cc))
        share, top, c_hint[i], named, unamb[i], same_country = of_country
        f_share[i], f_top[i] = share, top
        c_named[i] = named_here = float(named and fclass != "PCLI")
        fclass = place.feature_class
        if fclass == "P":
            f_share_town[i] = share
            c_named_town[i] = named_here
        elif fclass == "A":
            reg_area[i] = regional_l[i]
        if same_country:
            r_named[i] = float(any(r.key != place.key and within(place, r) for r in same_country))
        if region_total and place.admin1_code:
            adm1[i] = regions.get(admin1_key(place), 0) / region_total
    X[:, _DYNAMIC_COLUMNS] = np.array([f_share, f_top, c_hint, c_named, f_share_town, c_named_town, reg_area,
                                       r_named, near_l, regional_l, unamb, adm1]).T
    if named_countries:
        c_near_named = col["near_named_country"]
        for i, place in enumerate(places):
            others = named_countries - {place.country_code}
            if place.feature_code != "PCLI" and others:
                X[i, c_near_named] = math.exp(-_named_country_km(place, others) / _NEIGHBOUR_KM)
    if level_total:
        # Relative to the best-agreeing candidate: a report-wide constant would only let the trees
        # shift every candidate of a mention alike.
        share = np.array([ctx.levels.get(level_of(p), 0) / level_total for p in places])
        X[:, col["peer_level"]] = share - share.max()
    return X


#: The columns :func:`candidate_features` fills from the other mentions, in the order it builds them.
_DYNAMIC_COLUMNS = [_COLUMN[name] for name in (
    "focus_share", "focus_top", "country_hint", "country_named", "focus_share_town", "country_named_town",
    "regional_area", "region_named", "near", "regional", "unambiguous_share", "admin1_share")]


#: Columns set from the words around the mention, as (column, mask of candidates) products: see
#: :func:`_context_columns`.
_CONTEXT_COLUMNS = [_COLUMN[name] for name in (
    "says_region", "says_town", "says_water", "institution_town", "cue_town", "cue_region", "dateline_town",
    "article_natural", "article_town", "same_name_region", "seat_area_cue")]


@dataclass
class _NamePart:
    """The columns of a name's rows that depend on the name, its label and its candidates alone, and
    the masks of the candidates that the words around a mention switch on (see :func:`_name_part`)."""

    members: tuple[NameMatch, ...]
    inputs: tuple
    X: np.ndarray
    masks: np.ndarray  # (candidates, len(_CONTEXT_COLUMNS)): 1.0 where the column's word would set it
    is_area: np.ndarray  # feature class "A" (for cue_town_area)
    is_town: np.ndarray  # feature class "P"
    name_norm: str
    towns: list[Place]


#: :class:`_NamePart` entries by (name, label, number of candidates): a report repeats its names, and
#: the corpora their towns, with the gazetteer's same candidates. An entry holds its candidates, so it
#: is used only for the very same ones (checked by identity); cleared when the entries hold more than
#: ``_NAMES_MAX_ROWS`` candidate rows (about 13 MB).
_NAMES: dict[tuple[str, str, int], list[_NamePart]] = {}
_NAMES_MAX_ROWS = 20_000
_names_rows = [0]


def _name_part(mention: Mention, cands: Sequence[NameMatch], places: list[Place],
               within: Callable[[Place, Place], bool], prior: Callable[[NameMatch], float]) -> _NamePart:
    """The name-level columns of :func:`candidate_features` (memoised in ``_NAMES``)."""
    inputs = (within, prior, settings.SAME_NAME_PARTIAL_TOWN_MIN_POPULATION, settings.ALIAS_UNLIKE_SIMILARITY,
              settings.SEAT_KM)
    key = (mention.name, mention.label, len(cands))
    entries = _NAMES.get(key)
    if entries is not None:
        for hit in entries:
            if all(a is b for a, b in zip(hit.members, cands)) and all(
                    a is b or a == b for a, b in zip(hit.inputs, inputs)):
                return hit
    n = len(places)
    X = np.zeros((n, len(FEATURE_NAMES)))
    col = _COLUMN
    logpop = np.array([math.log10(p.population + 1) for p in places])
    is_town = np.array([p.feature_class == "P" for p in places])
    top_town = logpop[is_town].max() if is_town.any() else 0.0
    priors = np.array([prior(nm) for nm in cands])
    X[:, col["prior"]] = priors / 10.0
    X[:, col["prior_gap"]] = (priors - priors.max()) / 10.0
    X[:, col["log_population"]] = logpop / 7.0
    X[:, col["population_gap"]] = np.where(is_town, logpop - top_town, 0.0) / 7.0
    if is_town.any():
        X[int(np.argmax(np.where(is_town, logpop, -1.0))), col["most_populous_town"]] = 1.0
    is_area = np.array([p.area_population > 0 for p in places])
    log_area = np.array([math.log10(p.area_population + 1) for p in places])
    X[:, col["log_area_population"]] = log_area / 8.0
    if is_area.any():
        X[:, col["area_population_gap"]] = np.where(is_area, log_area - log_area[is_area].max(), 0.0) / 8.0

    name_norm = normalize_name(mention.name)
    owns = [normalize_name(p.name) for p in places]
    mention_words = _words(name_norm)
    abbreviation = bool(_ABBREVIATION.match(mention.name.strip()))
    # Towns known by the name itself or a spelling of it ("Gomel" is Homyel'), or by a longer name it
    # is part of only for a city of a million or more ("New York" is New York City, but "Oklahoma"
    # is not Oklahoma City): settings.SAME_NAME_PARTIAL_TOWN_MIN_POPULATION.
    towns = [p for p, own in zip(places, owns) if p.feature_class == "P" and p.population >= 50_000
             and (p.population >= settings.SAME_NAME_PARTIAL_TOWN_MIN_POPULATION
                  or not _partial(mention_words, _words(own)))]
    named_area = any(nm.primary and nm.place.feature_code == "PCLI" for nm in cands)
    order = np.argsort(-priors, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    X[:, col["prior_rank"]] = 1.0 / (1.0 + rank)
    X[:, col["log_candidates"]] = math.log10(n) / 2.0
    # GeoNames' capital code marks every town named like the capital: only the most populous of a
    # country's candidates so coded is taken for its capital.
    capital: dict[str, int] = {}
    for i, place in enumerate(places):
        if place.feature_code == "PPLC" and (place.country_code not in capital
                                             or place.population > places[capital[place.country_code]].population):
            capital[place.country_code] = i
    capitals = set(capital.values())
    primary_names = {own for nm, own in zip(cands, owns) if nm.primary}
    # The rows as Python lists while the per-candidate columns are written (a numpy element write
    # costs several times a list's), back into the array after: the same values.
    R = X.tolist()
    M = [[0.0] * len(_CONTEXT_COLUMNS) for _ in range(n)]
    c_own, c_exact, c_abbr = col["own_name"], col["exact_name"], col["abbreviation"]
    c_alt_town, c_loc_nature, c_fac_spot = col["alternate_town"], col["label_loc_nature"], col["label_fac_spot"]
    c_small, c_unknown_pop = col["small_town"], col["unknown_population"]
    c_partial, c_sim, c_rival, c_alias = (col["partial_name"], col["name_similarity"], col["primary_rival"],
                                          col["alias_rival_town"])
    c_town_share = col["region_town_share"]
    type_cols = {t: col[f"type_{t}"] for t in _TYPES}
    label_loc, label_fac = mention.label.startswith("LOC"), mention.label.startswith("FAC")
    alias_sim, big_town = settings.ALIAS_UNLIKE_SIMILARITY, settings.SAME_NAME_PARTIAL_TOWN_MIN_POPULATION
    for i, (nm, place) in enumerate(zip(cands, places)):
        row, mask = R[i], M[i]
        fclass, fcode, cc = place.feature_class, place.feature_code, place.country_code
        t = _type_of(place)
        if t == "PPLC" and i not in capitals:
            t = "PPL"
        if t:
            row[type_cols[t]] = 1.0
        row[c_own] = float(nm.primary)
        own = owns[i]
        exact = own == name_norm
        row[c_exact] = float(exact)
        row[c_abbr] = float(abbreviation and not exact)
        row[c_alt_town] = float(named_area and not nm.primary and fclass == "P")
        row[c_loc_nature] = float(label_loc and fclass in ("H", "L", "T"))
        row[c_fac_spot] = float(label_fac and fclass == "S")
        row[c_small] = float(fclass == "P" and place.population < 10_000)
        row[c_unknown_pop] = float(fclass == "P" and place.population <= 0)
        if not exact:
            row[c_partial] = float(_partial(mention_words, _words(own)))
        row[c_sim] = 1.0 if exact else _similarity(name_norm, own)
        row[c_rival] = float(not nm.primary and name_norm in primary_names)
        row[c_alias] = float(
            row[c_rival] > 0 and fclass == "P"
            and (row[c_partial] > 0 or row[c_sim] < alias_sim)
            and place.population < big_town)
        if fcode in ("ADM1", "ADM2") and place.area_population > 0:
            for j, town in enumerate(places):
                if (town.feature_class == "P" and town.country_code == cc and town.population > 0
                        and within(town, place)):
                    share = min(1.0, town.population / place.area_population)
                    row[c_town_share] = max(row[c_town_share], share)
                    R[j][c_town_share] = max(R[j][c_town_share], share)
        # The masks, in _CONTEXT_COLUMNS order (the seat column is filled below).
        natural = fclass in ("H", "T", "L", "V")
        mask[0] = float(fclass == "A")
        mask[1] = mask[3] = mask[4] = mask[6] = float(fclass == "P")
        mask[2] = float(fclass == "H")
        mask[5] = float(fcode in ("ADM1", "ADM2"))
        mask[7] = float(natural)
        mask[8] = float(not natural)
        mask[9] = float(fcode == "ADM1" and bool(towns) and any(
            within(tw, place) for tw in towns if tw.country_code == cc))
    X = np.array(R, dtype=float).reshape(n, len(FEATURE_NAMES))
    masks = np.array(M, dtype=float).reshape(n, len(_CONTEXT_COLUMNS))
    for i, j in _seat_pairs(places, within):
        X[i, col["seat_area"]] = 1.0
        X[j, col["seat_town"]] = 1.0
        masks[i, 10] = 1.0
    part = _NamePart(tuple(cands), inputs, X, masks, np.array([p.feature_class == "A" for p in places]),
                     is_town, name_norm, towns)
    if _names_rows[0] + n > _NAMES_MAX_ROWS:
        _NAMES.clear()
        _names_rows[0] = 0
    _names_rows[0] += n
    _NAMES.setdefault(key, []).append(part)
    return part


@lru_cache(maxsize=8_192)
def _context_flags(context: str, before: str, after: str, text: str) -> tuple[np.ndarray, str | None]:
    """The word flags of :func:`_context_columns` (one per context column) and the written level
    cue, from the text around a mention (kept: the resolver's passes ask again for each mention)."""
    says_region = bool(REGION_WORDS.search(context))
    cue = written_level(before, after)
    article = bool(_ARTICLE_BEFORE.search(before))
    flags = np.array([says_region, bool(_TOWN_WORDS.search(context)), bool(_WATER_WORDS.search(context)),
                      bool(_INSTITUTION_AFTER.match(after)), cue == "town", cue == "region",
                      is_dateline(before, text, after), article, article, not says_region,
                      bool(_UNIT_WORDS.search(context))], dtype=float)
    flags.setflags(write=False)
    return flags, cue


def _context_columns(X: np.ndarray, part: _NamePart, mention: Mention, places: list[Place],
                     ctx: MentionContext) -> None:
    """Write the columns the words around the mention decide (its context, the text right before and
    after it, its written container) into ``X``."""
    flags, cue = _context_flags(ctx.context, ctx.before, ctx.after, mention.text)
    X[:, _CONTEXT_COLUMNS] = part.masks * flags
    if cue:
        X[:, _COLUMN["cue_town_area"]] = (part.is_area if cue == "town" else part.is_town).astype(float)
    if ctx.container is not None:
        inside = np.array([ctx.within(place, ctx.container) for place in places], dtype=float)
        X[:, _COLUMN["hierarchy_in"]] = inside
        X[:, _COLUMN["hierarchy_out"]] = 1.0 - inside
