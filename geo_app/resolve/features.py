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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from geo_app._text import normalize_name
from geo_app.geo.geodesy import geodesic_km
from geo_app.places.gazetteer import NameMatch, Place
from geo_app.text.extract import Mention

__all__ = ["FEATURE_NAMES", "REGION_WORDS", "MentionContext", "admin1_key", "anchor_km", "candidate_features"]

#: Feature types (GeoNames feature codes as the gazetteer stores them) with a column each.
_TYPES = ("PPLC", "PPL", "PCLI", "ADM1", "ADM2", "H", "GROUP", "CONT", "AIRP")
_WATER_CODES = frozenset({"H", "SEA", "BAY"})
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.){1,4}$|^[A-Z]{2,4}$|^[A-Z][a-z]{1,4}\.$")
#: Words that say a name is a region ("the Kherson region", "Kaliningrad Oblast").
REGION_WORDS = re.compile(r"(?i)\b(region|oblast|province|state|governorate|voblast|county|district|prefecture|krai)\b")
_TOWN_WORDS = re.compile(r"(?i)\b(city|town|village|mayor|downtown|suburb|residents?)\b")
#: Words right after a name that make it the seat of a local institution ("Athens Police Department",
#: "Norfolk High School"): the name is then a town near the report's other places.
_INSTITUTION_AFTER = re.compile(
    r"^\W{0,2}(?:(?:[A-Z][a-z]+|[A-Z]{2,})\s+){0,2}?(?:police|fire|sheriff|high|middle|elementary|school|city|town|"
    r"county|council|board|mayor|library|hospital|church|department|district|public|municipal|chamber|"
    r"community|college|university|regional|memorial)\b", re.IGNORECASE)
_WATER_WORDS = re.compile(r"(?i)\b(sea|ocean|gulf|bay|coast|waters|river|lake)\b")
#: Distance scales (km) of the proximity features: the same town, the same region.
_NEAR_KM = 50.0
_REGION_KM = 300.0

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
    "region_named",        # another mention names the first-level region the candidate lies in
    "country_named_town",  # country_named for a town
    "hierarchy_in",        # "X, Y": the candidate lies in the written container Y
    "hierarchy_out",       # "X, Y": it does not
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
    "log_area_population", # log10(area_population + 1) / 8 for an area (the people of its towns); 0 for a town
    "area_population_gap", # an area's log10 area_population minus the largest among the mention's areas, / 8
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
        The written container of "X, Y" when the mention is X.
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


def admin1_key(place: Place) -> tuple[str, str]:
    """(country, first-level region code) comparable across sources: GeoNames towns carry the
    region's own code ("GA"), Natural Earth regions the ISO 3166-2 one ("US-GA")."""
    code = place.admin1_code or ""
    if place.feature_code == "ADM1" and "-" in code:
        code = code.split("-", 1)[1]
    return place.country_code, code


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
    km, weights = km[:, keep], weights[keep]
    near = (weights * np.exp(-km / _NEAR_KM)).max(axis=1)
    regional = (weights * np.exp(-km / _REGION_KM)).max(axis=1)
    return near, regional


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
    X = np.zeros((n, len(FEATURE_NAMES)))
    if n == 0:
        return X
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

    total = sum(ctx.focus.values())
    top_country = max(ctx.focus, key=ctx.focus.__getitem__) if total > 0 else None
    name_norm = normalize_name(mention.name)
    abbreviation = bool(_ABBREVIATION.match(mention.name.strip()))
    says_region = bool(REGION_WORDS.search(ctx.context))
    says_town = bool(_TOWN_WORDS.search(ctx.context))
    says_water = bool(_WATER_WORDS.search(ctx.context))
    towns = [p for p in places if p.feature_class == "P" and p.population >= 50_000]
    named_area = any(nm.primary and nm.place.feature_code == "PCLI" for nm in cands)
    near, regional = _proximity(places, ctx.anchors, ctx.own_name or name_norm, ctx.km)
    order = np.argsort(-priors, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    X[:, col["prior_rank"]] = 1.0 / (1.0 + rank)
    X[:, col["log_candidates"]] = math.log10(n) / 2.0
    unamb_total = sum(ctx.unambiguous.values())
    region_total = sum(ctx.regions.values())
    institution = bool(_INSTITUTION_AFTER.match(ctx.after))
    for i, (nm, place) in enumerate(zip(cands, places)):
        t = _type_of(place)
        if t:
            X[i, col[f"type_{t}"]] = 1.0
        X[i, col["own_name"]] = float(nm.primary)
        exact = normalize_name(place.name) == name_norm
        X[i, col["exact_name"]] = float(exact)
        X[i, col["abbreviation"]] = float(abbreviation and not exact)
        cc = place.country_code
        if cc and total > 0:
            X[i, col["focus_share"]] = ctx.focus.get(cc, 0.0) / total
            X[i, col["focus_top"]] = float(cc == top_country)
        X[i, col["country_hint"]] = float(bool(cc) and cc == ctx.country_hint)
        X[i, col["country_named"]] = float(bool(cc) and cc in ctx.named_countries and place.feature_code != "PCLI")
        if place.feature_class == "P":
            X[i, col["focus_share_town"]] = X[i, col["focus_share"]]
            X[i, col["country_named_town"]] = X[i, col["country_named"]]
        elif place.feature_class == "A":
            X[i, col["regional_area"]] = regional[i]
        X[i, col["region_named"]] = float(any(
            r.country_code == cc and r.key != place.key and ctx.within(place, r) for r in ctx.named_regions))
        if ctx.container is not None:
            inside = ctx.within(place, ctx.container)
            X[i, col["hierarchy_in"]] = float(inside)
            X[i, col["hierarchy_out"]] = float(not inside)
        X[i, col["near"]] = near[i]
        X[i, col["regional"]] = regional[i]
        if place.feature_code == "ADM1" and towns and not says_region and any(
                ctx.within(tw, place) for tw in towns if tw.country_code == cc):
            X[i, col["same_name_region"]] = 1.0
        X[i, col["alternate_town"]] = float(named_area and not nm.primary and place.feature_class == "P")
        X[i, col["says_region"]] = float(says_region and place.feature_class == "A")
        X[i, col["says_town"]] = float(says_town and place.feature_class == "P")
        X[i, col["says_water"]] = float(says_water and place.feature_class == "H")
        X[i, col["label_loc_nature"]] = float(mention.label.startswith("LOC") and place.feature_class in ("H", "L", "T"))
        X[i, col["label_fac_spot"]] = float(mention.label.startswith("FAC") and place.feature_class == "S")
        if cc and unamb_total:
            X[i, col["unambiguous_share"]] = ctx.unambiguous.get(cc, 0) / unamb_total
        if region_total and place.admin1_code:
            X[i, col["admin1_share"]] = ctx.regions.get(admin1_key(place), 0) / region_total
        X[i, col["institution_town"]] = float(institution and place.feature_class == "P")
        X[i, col["small_town"]] = float(place.feature_class == "P" and place.population < 10_000)
    return X
