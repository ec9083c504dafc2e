"""Resolve step: pick the gazetteer entry each mention means, with a confidence.

Candidates come from the gazetteer by name; they are ranked with more than population:

* a prior by feature type (countries, regions, seas and groups are what a bare name
  most often means; towns by population) and whether the name is the place's own;
* the report's focus: countries and regions that other mentions name unambiguously,
  the country of the publication when known;
* admin hierarchy written in the text ("Paris, Texas", "Troy, N.C."): the candidate
  inside the named region or country wins;
* what the phrase says: a spaCy LOC prefers water and areas, a "city of X" a town.

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

from geo_app.text.extract import Extraction, Mention
from geo_app._text import normalize_name
from geo_app.places.gazetteer import Gazetteer, NameMatch, Place, get_gazetteer
from geo_app.places import borders
from geo_app.geo.geodesy import geodesic_km

#: Prior of a place type, on the scale of log10(population).
_TYPE_PRIOR = {"PCLI": 8.6, "CONT": 8.2, "GROUP": 8.0, "SEA": 6.6, "BAY": 6.0, "H": 5.5, "ADM1": 6.2, "ADM2": 4.6}
#: Geographic coherence: a candidate near the report's other places gains up to this much,
#: decaying with distance (km scale below). Places in a report cluster (CLAVIN, Topocluster).
_PROXIMITY_BONUS = 2.4
_PROXIMITY_SCALE_KM = 120.0
_ANCHOR_CODES = {"PPL", "PPLC", "ADM2", "ADM1"}
_MAX_ANCHORS = 300
_PRIMARY_BONUS = 0.6
_FOCUS_BONUS = 1.6
_MENTIONED_COUNTRY_BONUS = 0.9
_ADMIN_CONTEXT_BONUS = 3.0
_HIERARCHY_BONUS = 6.0
_SAME_NAME_REGION_PENALTY = 2.5
_ALTERNATE_TOWN_PENALTY = 3.0
_INNER_CODES = {"PCLI", "ADM1", "ADM2", "PPLC", "GROUP", "CONT", "SEA"}
#: Words that name no place on their own ("South" is a region of Cameroon, "Red" a town).
_GENERIC_WORDS = frozenset(
    """north south east west northern southern eastern western central upper lower new old great little
    river lake sea bay creek island islands mount mountain mountains valley county city town village
    state province region district park street road center centre university college school church
    hospital station airport port harbor harbour fort saint st st. san santa red black white green blue
    grand big long high united national international""".split())
_CAPITAL_TOWN_MIN_POP = 50_000
_REGION_WORDS = re.compile(r"(?i)\b(region|oblast|province|state|governorate|voblast|county|district|prefecture|krai)\b")


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
    date_source: str = ""  # "sentence" (a date stated in the mention's sentence) | "published" | ""

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


@lru_cache(maxsize=4096)
def _region_contains(region_code: str, lon: float, lat: float) -> bool:


    try:
        geom = borders.region(region_code).geometry
    except LookupError:
        return False
    return bool(geom.contains(shapely.Point(lon, lat)))


def _within(place: Place, container: Place) -> bool:
    """Whether ``place`` lies inside ``container`` (a country or first-level region)."""
    if container.feature_code == "PCLI":
        return bool(place.country_code) and place.country_code == container.country_code
    if container.feature_code == "ADM1" and container.admin1_code:
        if place.country_code != container.country_code:
            return False
        if place.feature_code == "ADM1":
            return place.key == container.key
        return _region_contains(container.admin1_code, place.lon, place.lat)
    return False


_HIERARCHY_AFTER = re.compile(r"^\s*,\s*$")


class Resolver:
    """Resolves all mentions of one report together (they inform each other)."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, country_hint: str | None = None) -> None:
        self.gaz = gazetteer or get_gazetteer()
        self.country_hint = country_hint

    def candidates(self, mention: Mention) -> list[NameMatch]:
        if mention.country_code and mention.kind in ("demonym", "qualified"):
            return self._demonym_target(mention.country_code)
        matches = list(self.gaz.lookup(mention.name))
        if not matches and mention.name.endswith(("'s", "’s")):
            matches = list(self.gaz.lookup(mention.name[:-2]))
        if not matches:
            # "Rapides Parish", "Fulton County", "the city of X": try the core name.
            core = re.sub(r"(?i)^(?:city|town|village|state|province|region) of\s+|\s+(?:city|town|county|parish|province|region|oblast|state)$", "", mention.name)
            if core != mention.name:
                matches = list(self.gaz.lookup(core))
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
        cands = [self.candidates(m) for m in mentions]
        via: dict[int, str] = {}
        for i, m in enumerate(mentions):
            if not cands[i] and m.kind != "demonym":
                inner, hits = self.inner_candidates(m.name)
                if hits:
                    cands[i], via[i] = hits, inner
        # Pass 1: context-free best guesses, to learn the report's focus.
        best = [max(c, key=prior).place if c else None for c in cands]
        names = [normalize_name(m.name) for m in mentions]
        containers = self._containers(ex, mentions, best)
        # Pass 2: rank with the focus and the written hierarchy; pass 3 refines the focus.
        for _ in range(2):
            focus, by_name = self._focus(best, cands, names)
            anchors = self._anchors(mentions, best, cands)
            # Each mention sees the focus without the votes of its own name: five "Georgia"s
            # must not make Georgia the report's focus by themselves.
            scored = [self._rank(m, c, focus - by_name[names[i]], containers.get(i),
                                 ex.text[max(0, m.start - 25): m.end + 25], anchors)
                      for i, (m, c) in enumerate(zip(mentions, cands))]
            best = [s[0][1].place if s else None for s in scored]
        results = []
        for i, (m, ranked) in enumerate(zip(mentions, scored)):
            date_start, date_end, source = self._date_for(ex, m)
            if not ranked:
                results.append(Resolution(m, None, 0.0, "not in the gazetteer", (), date_start, date_end, source))
                continue
            top_score, top = ranked[0]
            second = ranked[1][0] if len(ranked) > 1 else None
            conf = 0.95 if second is None else 1 / (1 + math.exp(-(top_score - second)))
            conf = min(conf, 0.95 if m.kind != "demonym" else 0.8)
            reason = "only candidate" if second is None else f"best of {len(ranked)} candidates"
            if i in via:
                # Only the place inside the name is known: say so, and trust it less.
                reason = f"not in the gazetteer; located by {via[i]!r} in its name"
                conf = min(conf, 0.5)
            alts = tuple(nm.place for _, nm in ranked[1:4])
            results.append(Resolution(m, top.place, conf, reason, alts, date_start, date_end, source))
        return results

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

    def _containers(self, ex: Extraction, mentions: list[Mention], best: list[Place | None]) -> dict[int, Place]:
        """Mentions followed by ", <region or country>": the container each must lie in."""
        found = {}
        for i in range(len(mentions) - 1):
            a, b = mentions[i], mentions[i + 1]
            if a.kind != "place" or b.kind != "place" or not _HIERARCHY_AFTER.match(ex.text[a.end:b.start]):
                continue
            container = next(
                (nm.place for nm in sorted(self.candidates(b), key=prior, reverse=True)
                 if nm.place.feature_code in ("ADM1", "PCLI")), None)
            if container is not None:
                found[i] = container
        return found

    def _rank(self, mention: Mention, cands: list[NameMatch], focus: Counter,
              container: Place | None, context: str = "", anchors: tuple = ()) -> list[tuple[float, NameMatch]]:
        if not cands:
            return []
        total = sum(focus.values())

        def share(code: str) -> float:
            return focus.get(code, 0.0) / total if total > 0 else 0.0

        top_country = max(focus, key=share) if total > 0 else None
        towns = [nm.place for nm in cands if nm.place.feature_class == "P" and nm.place.population >= _CAPITAL_TOWN_MIN_POP]
        says_region = bool(_REGION_WORDS.search(context))
        # A country known by exactly this name outranks towns that merely have it as an
        # alternate name ("Mexico" is the country, not Mexico City).
        named_area = any(nm.primary and nm.place.feature_code == "PCLI" for nm in cands)
        scored = []
        for nm in cands:
            place = nm.place
            score = prior(nm)
            if place.country_code:
                sh = share(place.country_code)
                if place.country_code == top_country:
                    score += _FOCUS_BONUS * min(2.0, 0.5 + 1.5 * sh)
                elif sh > 0:
                    score += _MENTIONED_COUNTRY_BONUS
            if container is not None and _within(place, container):
                score += _HIERARCHY_BONUS
            # A region named after its main town ("Gomel", "Brest"): the bare name means the town
            # unless the text says "region", "oblast", "province"...
            if place.feature_code == "ADM1" and towns and not says_region and any(
                    _within(t, place) for t in towns if t.country_code == place.country_code):
                score -= _SAME_NAME_REGION_PENALTY
            if named_area and not nm.primary and place.feature_class == "P":
                score -= _ALTERNATE_TOWN_PENALTY
            if anchors and place.feature_code in _ANCHOR_CODES and len(cands) > 1:
                score += self._proximity(place, anchors, normalize_name(mention.name))
            if mention.label.startswith("LOC") and place.feature_class in ("H", "L", "T"):
                score += 0.5
            if mention.label.startswith("FAC") and place.feature_class == "S":
                score += 0.5
            scored.append((score, nm))
        scored.sort(key=lambda s: (-s[0], s[1].place.key))
        return scored

    @staticmethod
    def _proximity(place: Place, anchors: tuple, own_name: str) -> float:
        """Bonus for lying near the report's other places (geodesic km on WGS84)."""
        names, lats, lons, weights = anchors
        km = geodesic_km(place.lon, place.lat, lons, lats)
        score = np.where(names == own_name, 0.0, weights * np.exp(-km / _PROXIMITY_SCALE_KM))
        return _PROXIMITY_BONUS * float(score.max())

    @staticmethod
    def _date_for(ex: Extraction, mention: Mention) -> tuple[dt.date | None, dt.date | None, str]:
        stated = ex.sentence_dates.get(mention.sentence)
        if stated is not None:
            return stated.date_start, stated.date_end, "sentence"
        if ex.published is not None:
            return ex.published, ex.published, "published"
        return None, None, ""


@lru_cache(maxsize=4096)
def _demonym_target_cached(gaz: Gazetteer, code: str) -> tuple[NameMatch, ...]:
    return tuple(Resolver(gaz)._demonym_target_uncached(code))


def resolve(ex: Extraction, *, country_hint: str | None = None) -> list[Resolution]:
    """Resolve every mention of an extraction."""
    return Resolver(country_hint=country_hint).resolve(ex)
