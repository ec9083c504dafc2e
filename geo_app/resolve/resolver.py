"""Resolve step: pick the gazetteer entry each mention means, with a confidence.

Candidates come from the gazetteer by name. A context-free prior (feature type or population,
own name) gives first guesses; then a trained ranker (:mod:`geo_app.resolve.ranker`, a
conditional logit learnt from the development corpora by ``scripts/train_ranker.py``) scores
every candidate on :mod:`geo_app.resolve.features`: population and type, how the name matched,
the report's focus countries, the countries and regions it names, the written hierarchy
("Paris, Texas"), the distance to the other settled places and the words around. Two passes
let each mention see what the others settled on. The confidence is the ranker's probability.

Each mention also gets an event date: the one its sentence states, else the one of the sentence
whose event it continues ("...from February 10-20. The maneuver is to be held in southern
Belarus"), else the publication date (``date_source``).

A mention with no candidate is kept with its reason, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

import shapely

from geo_app import settings
from geo_app.text.dates import relative_to_previous
from geo_app.text.extract import Extraction, Mention
from geo_app.text.spans import head_class
from geo_app._text import normalize_name
from geo_app.places.gazetteer import Gazetteer, NameMatch, Place, get_gazetteer
from geo_app.places import borders
from geo_app.places.composites import geometry_of
from geo_app.geo.geodesy import geodesic_km
from geo_app.resolve.features import (FEATURE_NAMES, REGION_WORDS, MentionContext, admin1_key, anchor_km,
                                      candidate_features, level_of, measure_country_km, names_a_school)
from geo_app.resolve.ranker import Ranker, get_ranker

#: Prior of a place type, on the scale of log10(population).
_TYPE_PRIOR = {"AIRP": settings.AIRPORT_PRIOR, "PCLI": 8.6, "CONT": 8.2, "GROUP": 8.0, "SEA": 6.6, "BAY": 6.0, "H": 5.5, "ADM1": 6.2, "ADM2": 4.6}
#: Places whose points anchor the report's geography (the ranker's proximity features).
_ANCHOR_CODES = {"PPL", "PPLC", "ADM2", "ADM1"}
_MAX_ANCHORS = 300
_PRIMARY_BONUS = 0.6
_INNER_CODES = {"PCLI", "ADM1", "ADM2", "PPLC", "GROUP", "CONT", "SEA"}
#: Words that name no place on their own ("South" is a region of Cameroon, "Red" a town).
_GENERIC_WORDS = frozenset(
    """north south east west northern southern eastern western central upper lower new old great little
    river lake sea bay creek island islands mount mountain mountains valley county city town village
    state province region district park street road center centre university college school church
    hospital station airport port harbor harbour fort saint st st. san santa red black white green blue
    grand big long high united national international""".split())


@dataclass(frozen=True)
class Resolution:
    """A mention with the place it resolved to (or the reason it did not)."""

    mention: Mention
    place: Place | None
    confidence: float
    reason: str
    alternatives: tuple[Place, ...] = ()
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    #: "sentence" (a date stated in the mention's sentence) | "continued" (the date of the sentence whose
    #: event this one continues) | "published" | ""
    date_source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The mention in the batch-contract shape (see ``schema/parse_output.schema.json``)."""
        m, p = self.mention, self.place
        out: dict[str, Any] = {
            "start": m.start, "end": m.end, "text": m.text, "kind": m.kind,
            "name": p.name if p else m.name, "query": m.name,
            "geonameid": p.geonameid if p else None, "lat": p.lat if p else None, "lon": p.lon if p else None,
            "feature_class": p.feature_class if p else None, "feature_code": p.feature_code if p else None,
            "country_code": (p.country_code or None) if p else m.country_code,
            "place_key": p.key if p else None, "confidence": round(self.confidence, 3), "reason": self.reason,
            "qualifier": m.qualifier, "base_start": m.base_start, "base_end": m.base_end,
            "sentence": m.sentence, "label": m.label,
            "date_start": self.date_start.isoformat() if self.date_start else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "date_source": self.date_source or None,
            "alternatives": [{"name": a.name, "geonameid": a.geonameid, "country_code": a.country_code,
                              "feature_code": a.feature_code, "lat": a.lat, "lon": a.lon} for a in self.alternatives],
        }
        return out


def prior(match: NameMatch) -> float:
    """Context-free score of a candidate: type prior or log10(population), own-name bonus."""
    place = match.place
    base = _TYPE_PRIOR.get(place.feature_code, 0.0)
    if place.feature_class == "P":
        base = math.log10(place.population + 10) + (0.8 if place.feature_code == "PPLC" else 0.0)
    elif place.feature_class == "H" and not base:
        base = _TYPE_PRIOR["H"]
    elif not base:
        base = math.log10(place.population + 10)
    return base + (_PRIMARY_BONUS if match.primary else 0.0)


@lru_cache(maxsize=None)
def _region_geometry(region_code: str) -> Any:
    """A first-level region's polygon, prepared for many point tests (None if unknown)."""
    try:
        geom = borders.region(region_code).geometry
    except LookupError:
        return None
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=65_536)
def _region_contains(region_code: str, lon: float, lat: float) -> bool:
    """Whether a point lies in a first-level region, or within ``settings.REGION_EDGE_KM``
    (geodesic) of its outline: the generalised outlines leave river-bank cities just outside."""
    return _edge_contains(_region_geometry(region_code), lon, lat)


@lru_cache(maxsize=256)
def _area_geometry(area: Place) -> Any:
    """The polygon of a group of regions or a map unit (:func:`geometry_of`), prepared, or None."""
    geom = geometry_of(area)
    if geom is not None:
        shapely.prepare(geom)
    return geom


@lru_cache(maxsize=65_536)
def _area_contains(area: Place, lon: float, lat: float) -> bool:
    """:func:`_region_contains` for a group of regions or a map unit (Lombardy, Yorkshire, Wales)."""
    return _edge_contains(_area_geometry(area), lon, lat)


def _edge_contains(geom: Any, lon: float, lat: float) -> bool:
    """Whether a point lies in ``geom`` or within ``settings.REGION_EDGE_KM`` (geodesic) of it."""
    if geom is None:
        return False
    if shapely.contains_xy(geom, lon, lat):
        return True
    edge_km = settings.REGION_EDGE_KM
    if edge_km <= 0:
        return False
    point = shapely.Point(lon, lat)
    # The planar nearest point of the outline only picks where to measure; the test is geodesic.
    # A bounding-box test first (degrees spanned by edge_km at this latitude, generously) keeps
    # far points cheap.
    margin = 2.0 * edge_km / (111.0 * max(math.cos(math.radians(lat)), 0.05))
    xmin, ymin, xmax, ymax = geom.bounds
    if not (xmin - margin <= lon <= xmax + margin and ymin - margin <= lat <= ymax + margin):
        return False
    (x0, y0), _ = shapely.get_coordinates(shapely.shortest_line(geom, point))
    return float(geodesic_km(x0, y0, lon, lat)) <= edge_km


#: Layers of areas that hold places by their polygon alone: groups of regions (Lombardy, the
#: Donbas, Yorkshire) and map units (Wales).
_POLYGON_CONTAINERS = frozenset({"region_groups", "composites", "map_units"})
#: What joins the items of a list of places: a comma, "and", "or", or both.
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:(?:and|or)\s+)?|(?:and|or)\s+)$")
#: Feature codes of the areas a written hierarchy names as a container ("Croft, Yorkshire").
_CONTAINER_CODES = frozenset({"ADM1", "PCLI", "GROUP", "RGN"})


def place_within(place: Place, container: Place) -> bool:
    """Whether ``place`` lies inside ``container`` (a country, a first-level region, a group of
    regions or a map unit)."""
    if container.feature_code == "PCLI":
        return bool(place.country_code) and place.country_code == container.country_code
    if container.layer in _POLYGON_CONTAINERS:
        if place.key == container.key:
            return True
        if container.country_code and place.country_code and place.country_code != container.country_code:
            return False
        return _area_contains(container, place.lon, place.lat)
    if container.feature_code == "ADM1" and container.admin1_code:
        if place.country_code != container.country_code:
            return False
        if place.feature_code == "ADM1":
            return place.key == container.key
        return _region_contains(container.admin1_code, place.lon, place.lat)
    return False


_HIERARCHY_AFTER = re.compile(r"^\s*,\s*$")
#: A possessive between two names ("New Zealand's West Coast"), the second right after it.
_POSSESSIVE_BETWEEN = re.compile(r"^['’]s\s+$")
#: The words between the last two items of a list without a serial comma ("B and C").
_LIST_END = re.compile(r"^\s+(?:and|or)\s+$")
#: A looser written hierarchy between two names: "X in Y", "X in the state of Y", or an apposition
#: "X, a college town in Y" (an article and at most ``settings.HIERARCHY_MAX_WORDS`` lower-case words).
_LOOSE_HIERARCHY = re.compile(
    r"^(?:\s*,\s+(?:a|an|the)\s+(?:[a-z][\w'’-]*\s+){0,%d}?)?\s*in\s+"
    r"(?:the\s+(?:state|province|region|county)\s+of\s+)?$")


_SAME_NAME_REGION = FEATURE_NAMES.index("same_name_region")
_TYPE_ADM1 = FEATURE_NAMES.index("type_ADM1")
_TYPE_ADM2 = FEATURE_NAMES.index("type_ADM2")
_CUE_TOWN = FEATURE_NAMES.index("cue_town")
_HIERARCHY_IN = FEATURE_NAMES.index("hierarchy_in")
_DATELINE_TOWN = FEATURE_NAMES.index("dateline_town")
_ARTICLE_NATURAL = FEATURE_NAMES.index("article_natural")
_ALIAS_RIVAL_TOWN = FEATURE_NAMES.index("alias_rival_town")
_UNKNOWN_POPULATION = FEATURE_NAMES.index("unknown_population")
_FOCUS_TOP = FEATURE_NAMES.index("focus_top")
_CUE_REGION = FEATURE_NAMES.index("cue_region")


def _restrict(p: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``p`` renormalised over ``keep`` when that leaves some but not all candidates (else ``p``)."""
    if not keep.any() or keep.all():
        return p
    q = np.where(keep, p, 0.0)
    return q / q.sum() if q.sum() > 0 else p


_CONSTRAINT_COLUMNS = [_HIERARCHY_IN, _UNKNOWN_POPULATION, _ALIAS_RIVAL_TOWN, _CUE_REGION, _CUE_TOWN, _ARTICLE_NATURAL,
                       _DATELINE_TOWN, _SAME_NAME_REGION]


def _constrain(X: np.ndarray, p: np.ndarray, region_written: bool = False) -> np.ndarray:
    """Hard constraints on top of the ranker:

    * a written container ("Paris, Texas", "Athens in Georgia") that holds some of the mention's
      candidates keeps only those (feature ``hierarchy_in``);
    * a town whose people GeoNames does not count (``unknown_population``: a US ZIP code place)
      loses to the other candidates unless its country leads the report (``focus_top``);
    * a town of under a million known by the name only as an alias that is part of a longer own
      name ("Washington Court House") or unlike it (Engels, once Pokrovsk) loses to the candidates
      that bear the name as their own (``alias_rival_town``);
    * a mention whose written span carries a region word beyond the name ("Kaliningrad Oblast",
      ``region_written``), or whose words right around say a region ("the province of X",
      "X region", "the governor of X": feature ``cue_region``), means a region or county when
      one is among the candidates;
    * one whose words right around say a town ("the town of X", "downtown X", "X city", "the
      mayor of X": feature ``cue_town``), or a dateline ("WASHINGTON (AP) —": ``dateline_town``),
      means a town when one is among the candidates;
    * "the X" means a river, sea or range when one is among the candidates (``article_natural``);
    * otherwise a bare name shared by a region and a town of 50,000 or more inside it means the
      town ("Gomel", "Tbilisi": feature ``same_name_region``).

    The losers stay alternatives."""
    if len(p) < 2:
        return p
    # Which of the constraint columns any candidate has, in one pass over the rows.
    (hierarchy_in, unknown_population, alias_rival_town, cue_region, cue_town, article_natural, dateline_town,
     same_name_region) = X[:, _CONSTRAINT_COLUMNS].any(axis=0).tolist()
    if hierarchy_in:
        # Every gold mention of LGL and GeoWebNews with a candidate inside its written container
        # (97 of them) means one of those candidates.
        q = _restrict(p, X[:, _HIERARCHY_IN] > 0)
        if q is not p:
            return q
    if unknown_population:
        # A town whose people GeoNames does not count (a US ZIP code place, a hamlet) loses to the
        # other candidates unless its country leads the report: "Darfur" in a report about Chad's
        # border is the Sudanese region, not the hamlet in Minnesota.
        p = _restrict(p, (X[:, _UNKNOWN_POPULATION] <= 0) | (X[:, _FOCUS_TOP] > 0))
    if alias_rival_town:
        # A town known by the name only as an alias, part of a longer own name or unlike it,
        # loses to the places that bear the name as their own ("Washington" is not Washington
        # Court House, "Pokrovsk" not Engels): in LGL and GeoWebNews such a town was the only
        # right candidate for 20 of 2,640 mentions that had one.
        p = _restrict(p, X[:, _ALIAS_RIVAL_TOWN] <= 0)
    if region_written:
        q = _restrict(p, (X[:, _TYPE_ADM1] > 0) | (X[:, _TYPE_ADM2] > 0))
        if q is not p:
            return q
    if cue_region:
        return _restrict(p, X[:, _CUE_REGION] > 0)
    if cue_town:
        return _restrict(p, X[:, _CUE_TOWN] > 0)
    if article_natural:
        # "the Dnipro", "the Rio Grande": a river, sea or range when one is among the candidates
        # (LGL and GeoWebNews: 14 of 15, none of them a town).
        return _restrict(p, X[:, _ARTICLE_NATURAL] > 0)
    if dateline_town:
        # A dateline names the town the report was filed from (GeoWebNews: 31 of 31).
        return _restrict(p, X[:, _DATELINE_TOWN] > 0)
    if not same_name_region:
        return p
    return _restrict(p, X[:, _SAME_NAME_REGION] <= 0)


def region_written(mention: Mention) -> bool:
    """Whether the mention's written span says "region", "oblast", "county"... beyond its name."""
    return bool(REGION_WORDS.search(mention.text)) and not REGION_WORDS.search(mention.name)


#: GeoNames feature classes of natural features: water, relief (and islands), landscape areas, vegetation.
_NATURAL_CLASSES = frozenset({"H", "T", "L", "V"})


class Resolver:
    """Resolves all mentions of one report together (they inform each other)."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, country_hint: str | None = None,
                 ranker: Ranker | None = None) -> None:
        self.gaz = gazetteer or get_gazetteer()
        self.country_hint = country_hint
        self.ranker = ranker
        self._inner: dict[int, tuple[str, list[NameMatch]]] = {}
        # Distances of one report's candidates (their keys) to anchors (lat, lon), see _anchor_km.
        self._km_columns: tuple[tuple[str, ...], dict[tuple[float, float], np.ndarray]] | None = None

    def candidates(self, mention: Mention) -> list[NameMatch]:
        if mention.country_code and mention.kind in ("demonym", "qualified"):
            return self._demonym_target(mention.country_code)
        # weak=True: GeoNames divisions and their alternate names count here, once the span is a place.
        matches = list(self.gaz.lookup(mention.name, weak=True))
        if not matches and mention.name.endswith(("'s", "’s")):
            matches = list(self.gaz.lookup(mention.name[:-2], weak=True))
        if not matches:
            # "Rapides Parish", "Fulton County", "the city of X": try the core name.
            core = re.sub(r"(?i)^(?:city|town|village|state|province|region) of\s+|\s+(?:city|town|county|parish|province|region|oblast|state)$", "", mention.name)
            if core != mention.name:
                matches = list(self.gaz.lookup(core, weak=True))
        return matches

    def inner_candidates(self, name: str) -> tuple[str, list[NameMatch]]:
        """A well-known place named inside an unknown name ("Dubai World Cup" -> Dubai), or ('', [])."""
        words = list(re.finditer(r"[\w][\w.'’-]*", name))
        for width in range(len(words) - 1, 0, -1):
            for i in range(len(words) - width + 1):
                sub = name[words[i].start(): words[i + width - 1].end()]
                if not sub[:1].isupper() or all(w.group().lower() in _GENERIC_WORDS for w in words[i:i + width]):
                    continue
                hits = [nm for nm in self.gaz.lookup(sub) if nm.place.feature_code in _INNER_CODES
                        or nm.place.population >= 50_000]
                if hits:
                    return sub, hits
        return "", []

    def _demonym_target(self, code: str) -> list[NameMatch]:
        """The place a demonym points to: a country, a region (ISO 3166-2) or a named place."""
        return list(_demonym_target_cached(self.gaz, code))

    def _demonym_target_uncached(self, code: str) -> list[NameMatch]:
        if code.startswith("name:"):
            hits = sorted(self.gaz.lookup(code[5:]), key=prior, reverse=True)
            return hits[:1]
        if len(code) == 2:
            try:
                return [NameMatch(self.gaz.country(code), True)]
            except LookupError:
                return []

        try:
            row = borders.region(code)
        except LookupError:
            return []
        try:
            return [NameMatch(self.gaz.get(f"admin1:{row['adm1_code']}"), True)]
        except LookupError:
            return []

    def resolve(self, ex: Extraction) -> list[Resolution]:
        mentions = ex.mentions
        self._km_columns = None  # distances measured for this report only
        cands = self.all_candidates(ex)
        via = {i: inner for i, (inner, _) in self._inner.items()}
        # Pass 1: context-free best guesses, to learn the report's focus.
        best = [max(c, key=prior).place if c else None for c in cands]
        containers = self._containers(ex, mentions, best)
        # Passes 2 and 3: the trained ranker with what the other mentions settled on.
        ranker = self.ranker or get_ranker()
        probs: list[np.ndarray] = []
        pinned = self._pinned_containers(ex, mentions, cands)
        for _ in range(2):
            Xs = self.features(ex, cands, best, containers)
            probs = [_constrain(X, p, region_written(m))
                     for X, p, m in zip(Xs, ranker.probabilities_each(Xs), mentions)]
            for i, key in pinned.items():
                probs[i] = np.array([1.0 if nm.place.key == key else 0.0 for nm in cands[i]])
            settled = [c[int(np.argmax(p))].place if c else None for c, p in zip(cands, probs)]
            if all(a is b for a, b in zip(settled, best)):
                break  # the same context again would give the same features and probabilities
            best = settled
        dates = self.dates(ex)
        results = []
        fallback = self._container_fallbacks(ex, cands, best, containers)
        for i, (m, c, p) in enumerate(zip(mentions, cands, probs)):
            date_start, date_end, source = dates.get(m.sentence, self._published(ex))
            container = fallback.get(i)
            if container is not None:
                # "Rockingham, Northamptonshire": the writer named where it lies, and no place of the
                # name lies there (the gazetteer lacks the village); the container is as near as the
                # gazetteer gets, and a namesake elsewhere (Rockingham, Western Australia) is wrong.
                results.append(Resolution(
                    m, container, settings.CONTAINER_FALLBACK_CONFIDENCE,
                    f"not in the gazetteer inside {container.name}; placed at {container.name}",
                    tuple(nm.place for nm in c[:3]), date_start, date_end, source))
                continue
            if not c:
                results.append(Resolution(m, None, 0.0, "not in the gazetteer", (), date_start, date_end, source))
                continue
            order = sorted(range(len(c)), key=lambda j: (-p[j], c[j].place.key))
            cap = settings.RESOLVE_MAX_CONFIDENCE if m.kind != "demonym" else settings.DEMONYM_MAX_CONFIDENCE
            conf = min(float(p[order[0]]), cap)
            reason = "only candidate" if len(c) == 1 else f"best of {len(c)} candidates"
            if i in via:
                # Only the place inside the name is known: say so, and trust it less.
                reason = f"not in the gazetteer; located by {via[i]!r} in its name"
                conf = min(conf, 0.5)
            alts = tuple(c[j].place for j in order[1:4])
            results.append(Resolution(m, c[order[0]].place, conf, reason, alts, date_start, date_end, source))
        return results

    def all_candidates(self, ex: Extraction) -> list[list[NameMatch]]:
        """Every mention's gazetteer candidates; an unknown name falls back to a well-known
        place inside it (recorded in ``self._inner``).

        An unknown name whose head noun is a natural feature ("Dnipro River", "Danube River")
        takes only natural features (water, relief, landscape) from inside it: a river named
        like a town is not the town, so with none it stays unresolved. Known names ("Palm
        Springs", "Long Beach") are looked up whole and are not affected.
        """
        cands = [self.candidates(m) for m in ex.mentions]
        self._inner: dict[int, tuple[str, list[NameMatch]]] = {}
        for i, m in enumerate(ex.mentions):
            if not cands[i] and m.kind != "demonym":
                inner, hits = self.inner_candidates(m.name)
                if head_class(m.name) == "nature":
                    hits = [nm for nm in hits if nm.place.feature_class in _NATURAL_CLASSES]
                if hits:
                    cands[i] = hits
                    self._inner[i] = (inner, hits)
        return cands

    def features(self, ex: Extraction, cands: list[list[NameMatch]], best: list[Place | None],
                 containers: dict[int, Place]) -> list[np.ndarray]:
        """Feature rows (:func:`geo_app.resolve.features.candidate_features`) of every mention's
        candidates, given each mention's current best guess (the context the others see)."""
        mentions = ex.mentions
        names = [normalize_name(m.name) for m in mentions]
        focus, by_name = self._focus(best, cands, names)
        anchors = self._anchors(mentions, best, cands)
        named_countries: dict[str, set[str]] = {}
        named_regions: dict[str, list[Place]] = {}
        for m, place, name in zip(mentions, best, names):
            if m.kind == "demonym" and m.country_code and len(m.country_code) == 2:
                named_countries.setdefault(m.country_code, set()).add(name)
            elif place is not None and place.feature_code == "PCLI" and place.country_code:
                named_countries.setdefault(place.country_code, set()).add(name)
            elif place is not None and place.feature_code == "ADM1" and not names_a_school(ex.text, m.start, m.end):
                if all(r.key != place.key for r in named_regions.get(name, ())):
                    named_regions.setdefault(name, []).append(place)
        # Every candidate's distance to every anchor in one geodesic call, each place once.
        ranked = [i for i, c in enumerate(cands) if len(c) >= 2]
        row_of: dict[str, int] = {}
        unique: list[Place] = []
        for i in ranked:
            for nm in cands[i]:
                if nm.place.key not in row_of:
                    row_of[nm.place.key] = len(unique)
                    unique.append(nm.place)
        km_all = self._anchor_km(unique, anchors) if anchors else None
        if named_countries:  # near_named_country: all candidates to each named country's border at once
            measure_country_km([(p.key, p.lon, p.lat) for p in unique if p.feature_code != "PCLI"], named_countries)
        loose = self._loose_containers(ex, mentions, containers) if ranked else {}
        unambiguous: Counter = Counter()
        unambiguous_by_name: dict[str, Counter] = {}
        regions: Counter = Counter()
        regions_by_name: dict[str, Counter] = {}
        levels: Counter = Counter()
        levels_by_name: dict[str, Counter] = {}
        for c, place, name in zip(cands, best, names):
            if place is None:
                continue
            levels[level_of(place)] += 1
            levels_by_name.setdefault(name, Counter())[level_of(place)] += 1
            if len(c) == 1 and place.country_code:
                unambiguous[place.country_code] += 1
                unambiguous_by_name.setdefault(name, Counter())[place.country_code] += 1
            if place.feature_code in _ANCHOR_CODES and place.admin1_code:
                regions[admin1_key(place)] += 1
                regions_by_name.setdefault(name, Counter())[admin1_key(place)] += 1
        out = []
        # Each mention sees the report without its own name's votes: five "Georgia"s must not make
        # Georgia the report's focus by themselves. Those parts depend on the name only: once each.
        others: dict[str, dict[str, Any]] = {}
        for i, (m, c) in enumerate(zip(mentions, cands)):
            if len(c) < 2:
                # Nothing to rank: no features needed (an only candidate has probability 1).
                out.append(np.zeros((len(c), len(FEATURE_NAMES))))
                continue
            name = names[i]
            if name not in others:
                others[name] = dict(
                    focus=focus - by_name[name],
                    named_countries={cc for cc, who in named_countries.items() if who - {name}},
                    named_regions=[r for other, rs in named_regions.items() if other != name for r in rs],
                    unambiguous=unambiguous - unambiguous_by_name.get(name, Counter()),
                    regions=regions - regions_by_name.get(name, Counter()),
                    levels=levels - levels_by_name.get(name, Counter()))
            ctx = MentionContext(
                country_hint=self.country_hint,
                container=containers.get(i) or loose.get(i), context=ex.text[max(0, m.start - 25): m.end + 25],
                anchors=anchors, within=place_within, own_name=name,
                km=km_all[[row_of[nm.place.key] for nm in c]] if km_all is not None else None,
                after=ex.text[m.end: m.end + 40], before=ex.text[max(0, m.start - 40): m.start],
                **others[name])
            out.append(candidate_features(m, c, ctx, prior))
        return out

    def _anchor_km(self, places: list[Place], anchors: tuple) -> np.ndarray:
        """:func:`~geo_app.resolve.features.anchor_km`, measuring only the anchors not measured
        for the same places earlier in this :meth:`resolve` (its second pass moves few anchors)."""
        keys = tuple(p.key for p in places)
        cached = self._km_columns
        if cached is None or cached[0] != keys:
            cached = self._km_columns = (keys, {})
        columns: dict[tuple[float, float], np.ndarray] = cached[1]
        names, lats, lons, weights = anchors
        at = list(zip(lats.tolist(), lons.tolist()))
        new = [j for j, ll in enumerate(at) if ll not in columns]
        if new:
            km = anchor_km(places, (names[new], lats[new], lons[new], weights[new]))
            for k, j in enumerate(new):
                columns[at[j]] = km[:, k]
        return np.column_stack([columns[ll] for ll in at]) if at else np.zeros((len(places), 0))

    def _focus(self, best: list[Place | None], cands: list[list[NameMatch]],
               names: list[str]) -> tuple[Counter, dict[str, Counter]]:
        """Countries the report is about, weighted by how surely each mention names them,
        and the same votes grouped by the mention's name."""
        focus: Counter = Counter()
        by_name: dict[str, Counter] = {name: Counter() for name in names}
        if self.country_hint:
            focus[self.country_hint] += 2
        for place, c, name in zip(best, cands, names):
            if place is not None and place.country_code:
                weight = self._weight(place, c)
                focus[place.country_code] += weight
                by_name[name][place.country_code] += weight
        return focus, by_name

    @staticmethod
    def _weight(place: Place | None, cands: list[NameMatch]) -> float:
        """How surely a mention's best guess names its country (its vote in the focus)."""
        if place is None or not place.country_code:
            return 0.0
        return 1.0 if len(cands) == 1 or place.feature_code in ("PCLI", "ADM1") else 0.5

    @staticmethod
    def _anchors(mentions: list[Mention], best: list[Place | None], cands: list[list[NameMatch]]) -> tuple:
        """The report's settled local places as arrays (name key, lat, lon in degrees, weight):
        one per name, at most ``_MAX_ANCHORS`` (a 10,000-mention report stays linear)."""
        seen: dict[str, tuple[float, float, float]] = {}
        for m, place, c in zip(mentions, best, cands):
            key = normalize_name(m.name)
            if place is not None and place.feature_code in _ANCHOR_CODES and key not in seen:
                seen[key] = (place.lat, place.lon, 1.0 if len(c) == 1 else 0.6)
                if len(seen) >= _MAX_ANCHORS:
                    break
        if not seen:
            return ()
        values = np.array(list(seen.values()))
        return (np.array(list(seen.keys()), dtype=object), values[:, 0], values[:, 1], values[:, 2])

    def _container_fallbacks(self, ex: Extraction, cands: list[list[NameMatch]], best: list[Place | None],
                             containers: dict[int, Place]) -> dict[int, Place]:
        """The mentions to place at their written container, because no place of their name lies in
        it: a town, spot or district name (or an unknown one) written "X, Y" or "Y's X" whose Y
        settled on that container, outside a list of places ("Utah, Colorado, and Idaho" names
        peers, whatever the commas)."""
        mentions, text = ex.mentions, ex.text
        settled = {place.key for place in best if place is not None}
        written = set(_written_pairs(ex, mentions))  # else the container came from "Y's X" (_containers)

        def joined(a: int, b: int) -> bool:  # mention a followed by ", " / " and " / ", and " mention b
            return (0 <= a and b < len(mentions) and mentions[a].kind == "place" and mentions[b].kind == "place"
                    and bool(_LIST_JOIN.match(text[mentions[a].end:mentions[b].start])))

        out = {}
        for i, container in containers.items():
            if (container.key not in settled or mentions[i].kind == "demonym"
                    or any(nm.place.feature_class not in ("P", "S") and nm.place.feature_code != "ADM2" for nm in cands[i])
                    or any(place_within(nm.place, container) for nm in cands[i])):
                continue
            j = i + 1 if i in written else i - 1  # the container's mention: "X, Y" or "Y's X"
            first, last = min(i, j), max(i, j)
            if joined(first - 1, first) or joined(last, last + 1):
                continue
            out[i] = container
        return out

    def _containers(self, ex: Extraction, mentions: list[Mention], best: list[Place | None]) -> dict[int, Place]:
        """Mentions followed by ", <region or country>", or after "<region or country>'s": the container
        each must lie in."""
        found = {}
        for i in _written_pairs(ex, mentions):
            container = self._container(mentions[i], mentions[i + 1])
            if container is not None:
                found[i] = container
        for j in _possessive_pairs(ex, mentions):
            if j not in found:
                container = self._container(mentions[j], mentions[j - 1])
                if container is not None:
                    found[j] = container
        return found

    def _pinned_containers(self, ex: Extraction, mentions: list[Mention],
                           cands: list[list[NameMatch]]) -> dict[int, str]:
        """The written containers that settle themselves: in "Myrtle Beach, SC" or "Athens,
        Georgia", of the second name's regions and countries exactly one holds a candidate of the
        first name, and it is what the second name means (its key, by mention index). Without such
        a holder (or with several) the ranker decides."""
        pinned: dict[int, str] = {}
        for i in _written_pairs(ex, mentions):
            if len(cands[i + 1]) >= 2:
                holding = _holders(cands[i], cands[i + 1])[1]
                if len(holding) == 1:
                    pinned[i + 1] = holding[0].key
        return pinned

    def _container(self, a: Mention, b: Mention) -> Place | None:
        """The region or country ``b`` names as the container of ``a`` ("Athens in Georgia"): of
        b's first-level regions and countries, the likeliest (prior) that holds one of a's
        candidates, else the likeliest."""
        options, holding = _holders(self.candidates(a), sorted(self.candidates(b), key=prior, reverse=True))
        return holding[0] if holding else (options[0] if options else None)

    def _loose_containers(self, ex: Extraction, mentions: list[Mention],
                          strict: dict[int, Place]) -> dict[int, Place]:
        """Mentions followed, a few words on, by "in <region or country>" ("Athens, a college town
        in Georgia", "Athens in Georgia"), when no "X, Y" container was written: that container."""
        pattern = _loose_hierarchy(settings.HIERARCHY_MAX_WORDS)
        found = {}
        for i in range(len(mentions) - 1):
            a, b = mentions[i], mentions[i + 1]
            if i in strict or a.kind != "place" or b.kind != "place" or b.start - a.end > 80:
                continue
            if not pattern.match(ex.text[a.end:b.start]):
                continue
            container = self._container(a, b)
            if container is not None:
                found[i] = container
        return found

    @staticmethod
    def _published(ex: Extraction) -> tuple[dt.date | None, dt.date | None, str]:
        if ex.published is not None:
            return ex.published, ex.published, "published"
        return None, None, ""

    @staticmethod
    def dates(ex: Extraction) -> dict[int, tuple[dt.date | None, dt.date | None, str]]:
        """The event date of each sentence that has one: its own (``"sentence"``) or, for a
        sentence that continues the previous one's event, that sentence's (``"continued"``).

        A sentence continues the previous one when it states no date, lies in the same paragraph
        (no blank line between) and opens with a definite noun phrase that refers back ("The
        maneuver is to be held...", "These drills...", "The joint exercise..."): a subject
        naming the event again rather than a new actor. A chain of such sentences keeps the date.
        A sentence that dates itself relative to the previous event ("Two days later", "The next
        day", "A week earlier") takes the day of the last event the report dated, moved accordingly
        (``"sentence"``), even with undated sentences between.
        Sentences without either fall back to the publication date (the caller's default).
        """
        out: dict[int, tuple[dt.date | None, dt.date | None, str]] = {}
        previous: tuple[dt.date | None, dt.date | None] | None = None
        # The last event the report dated, for "Two days later": undated sentences (background,
        # quotes) may come between it and the sentence that counts from it.
        last_event: tuple[dt.date | None, dt.date | None] | None = None
        for i, (start, end) in enumerate(ex.sentences):
            stated = ex.sentence_dates.get(i)
            if stated is not None:
                previous = last_event = (stated.date_start, stated.date_end)
                out[i] = (*previous, "sentence")
                continue
            sentence = ex.text[start:end]
            shifted = _shifted(last_event, sentence) if last_event is not None else None
            if shifted is not None:  # "Two days later, ...": the last dated event moved on
                previous = last_event = shifted
                out[i] = (*previous, "sentence")
                continue
            # The blank line that opens a paragraph sits between sentences or at this one's start.
            gap = (ex.text[ex.sentences[i - 1][1]:start] if i else "") + sentence[:len(sentence) - len(sentence.lstrip())]
            if previous is not None and not _PARAGRAPH_BREAK.search(gap) and _continues(sentence):
                out[i] = (*previous, "continued")
            else:
                previous = None
        return out


def _written_pairs(ex: Extraction, mentions: list[Mention]) -> list[int]:
    """Indexes ``i`` of the place mentions followed by ", <place>" ("Athens, Georgia").

    Not the first two items of a list "A, B and C" (no comma before "and"), unless C is itself
    written with its container ("Sioux Falls, S.D. and Surprise, Ariz."): in LGL and GeoWebNews
    every other gold "A, B and C" is a list of peers ("stops in Washington, New York and
    Boston"), so B does not say where A lies."""
    text = ex.text
    comma = [i + 1 < len(mentions) and mentions[i].kind == "place" and mentions[i + 1].kind == "place"
             and bool(_HIERARCHY_AFTER.match(text[mentions[i].end:mentions[i + 1].start]))
             for i in range(len(mentions))]
    pairs = []
    for i in range(len(mentions) - 1):
        if not comma[i]:
            continue
        j = i + 2
        if (j < len(mentions) and mentions[j].kind == "place" and not comma[j]
                and _LIST_END.match(text[mentions[i + 1].end:mentions[j].start])):
            continue
        pairs.append(i)
    return pairs


def _possessive_pairs(ex: Extraction, mentions: list[Mention]) -> list[int]:
    """Indexes ``j`` of the place mentions right after a place's possessive ("New Zealand's West
    Coast", "Syria's Idlib"): the possessor is the container the place lies in."""
    return [j for j in range(1, len(mentions))
            if mentions[j - 1].kind == "place" and mentions[j].kind == "place"
            and _POSSESSIVE_BETWEEN.match(ex.text[mentions[j - 1].end:mentions[j].start])]


def _holders(inner: list[NameMatch], outer: list[NameMatch]) -> tuple[list[Place], list[Place]]:
    """Of ``outer``'s first-level regions and countries (in its order): all of them, and, when
    there are two or more, those that hold a candidate of ``inner`` (other than themselves)."""
    options = [nm.place for nm in outer if nm.place.feature_code in _CONTAINER_CODES
               and (nm.place.feature_code in ("ADM1", "PCLI") or nm.place.layer in _POLYGON_CONTAINERS)]
    if len(options) < 2:
        return options, []
    places = [nm.place for nm in inner]
    return options, [c for c in options if any(place_within(p, c) for p in places if p.key != c.key)]


def _shifted(previous: tuple[dt.date | None, dt.date | None], sentence: str
             ) -> tuple[dt.date | None, dt.date | None] | None:
    """The previous event's days moved by a relative date the sentence states, or None.

    Only a previous date of one day is moved ("On March 1 ... Two days later": March 3); a week
    or a month moved by days would be a guess.
    """
    first, last = previous
    if first is None or last is None or first != last:
        return None
    return relative_to_previous(first, sentence)


#: A sentence opening with a determiner, one to N lowercase words (a common-noun phrase, not a
#: proper name) and a verb (an auxiliary, a past or a third-person present form).
_DEFINITE_SUBJECT = re.compile(
    r"^\W*(?:The|This|These|Those|Such|That|Its|Their)\s+((?:[a-z][\w-]*\s+){1,%d}?)"
    r"(?:is|are|was|were|will|would|shall|should|can|could|may|might|must|has|have|had|[a-z]+ed|[a-z]+[^s\W]s)\b")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


@lru_cache(maxsize=8)
def _loose_hierarchy(max_words: int) -> re.Pattern[str]:
    return re.compile(_LOOSE_HIERARCHY.pattern % max_words)


@lru_cache(maxsize=8)
def _definite_subject(max_words: int) -> re.Pattern[str]:
    return re.compile(_DEFINITE_SUBJECT.pattern % max_words)


def _continues(sentence: str) -> bool:
    """Whether a sentence opens with a definite, lowercase noun phrase as its subject ("The
    maneuver is...", "These joint drills will..."): a reference back to the previous sentence's
    event rather than a new named actor ("The Pentagon said" does not: a proper name)."""
    return _definite_subject(settings.CONTINUED_DATE_MAX_NP_WORDS).match(sentence) is not None


@lru_cache(maxsize=4096)
def _demonym_target_cached(gaz: Gazetteer, code: str) -> tuple[NameMatch, ...]:
    return tuple(Resolver(gaz)._demonym_target_uncached(code))


def resolve(ex: Extraction, *, country_hint: str | None = None) -> list[Resolution]:
    """Resolve every mention of an extraction."""
    return Resolver(country_hint=country_hint).resolve(ex)
