"""Finding the claims of a report, sentence by sentence, and checking each: :func:`claims_for`.

Claims recognised (sentence-local rules, kept simple on purpose)
----------------------------------------------------------------
``distance``
    A distance ("as close as 100 km") in a sentence, linked to its two ends by the
    sentence's dependency parse (:mod:`geo_app.check.links`: subject and object,
    apposition, fronted phrase, "X and Y are N km apart", "N km separate X from Y",
    "between", "from ... to", compass words); each end a town, a border, a sea or
    coast, "the capital", a part of a country (an exclave, an island, the
    mainland, its main island: the largest polygon touching no other country) or a
    named island of the gazetteer (its own polygon, across countries); a town named
    like its island or its country, measured against an area, is that island or
    country. Lengths and movements give no claim; a distance with no place at
    either end stays a distance mention; one whose other end is unnamed or unknown
    is drawn as the claimed circle around its known point (or the known area). When the parse links nothing, the older
    sentence-local rules apply ("X, N km away" measured from the place something moved
    *from* to the report's main place, an endpoint the report only implies; else from the
    town the sentence names before X, else from the report's dateline, else not measured).
``containment``
    "Gomel, in southern Belarus", "Crimea, part of Ukraine".
``adjacency``
    "Belarus, which borders Ukraine", "adjacent to northern Ukraine",
    "Kaliningrad, wedged between Poland and Lithuania", "Spain shares a border with France";
    a place on a border ("Goma, on the border with Rwanda": within ``ON_BORDER_MAX_KM``); a
    stated border length ("Ukraine shares a 1,084 km border with Belarus": against the shared
    boundary, ``claimed_km`` beside ``shared_border_km``).
``coastal``
    "Mariupol on the Sea of Azov", "Snake Island in the Black Sea".
``membership``
    "Baltic states such as Lithuania", "Eastern European countries such as
    Romania", "Lithuania, one of the Baltic states".
``region``
    Every direction-qualified mention ("southern Belarus") becomes a feature
    with its derived geometry, the rule, and the admin-1 regions mostly in it.
    It states no figure, so its verdict is ``None``.

Distances are judged by :mod:`geo_app.check.distance`, relations by
:mod:`geo_app.check.relations`. Every claim leaves with a geometry: its line, its
area, or its point drawn with the data's ±``BORDER_DATA_RESOLUTION_KM``. Events placed in an area with no named place
("S-400s arrived in Belarus") give nothing geometric to test and give no claim.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import shapely

from geo_app import settings
from geo_app._errors import InputError
from geo_app.check import relations
from geo_app.check.distance import finish_distance
from geo_app.check.endpoints import (
    ADJECTIVES,
    apart_parts,
    capital_of,
    country_of,
    data_source,
    endpoint_for_place,
    endpoint_of,
    facing_mainland,
    island_stem,
    main_island_endpoint,
    mainland_endpoint,
    missing,
    off_own_part,
    part_endpoint,
    polygonal_reading,
    rest_endpoint,
    source_of,
)
from geo_app.check.links import End, Link, link_distances
from geo_app.check.model import CLAIM_TYPES, METHOD_REGION, Claim, Endpoint
from geo_app.check.parallels import parallel_endpoint
from geo_app.check.relations import Judgement
from geo_app.geo.geodesy import geodesic_circle
from geo_app.places.gazetteer import get_gazetteer

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place
    from geo_app.resolve.resolver import Resolution
    from geo_app.text.extract import Extraction
    from geo_app.text.quantities import DistanceMention

__all__ = ["claims_for"]

_FROM_BEFORE = re.compile(r"(?i)\bfrom\s+(?:the\s+)?$")

_BETWEEN_BEFORE = re.compile(r"(?i)\bbetween\s+(?:the\s+)?$")

_TO_GAP = re.compile(r"(?i)\s*,?\s*(?:to|and|until)\s+(?:the\s+)?")

_AND_GAP = re.compile(r"(?i)\s*,?\s*and\s+(?:the\s+)?")

_AFTER_DISTANCE = re.compile(
    r"(?i)\s*(?:away\s+)?(?:(?:from|of|off|to|outside|short\s+of|beyond|inside|into)\s+(?:the\s+)?)?")

_NOT_BETWEEN_PLACES = re.compile(
    r"(?i)\s*(?:-|\s)?(?:long|wide|deep|high|tall|across|thick|in\s+(?:length|diameter|width|radius|depth|size))\b")

_CONTAIN_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|lies)\s+|(?:is|lies|are)\s+)?(?:(?:located|situated|based)\s+)?"
    r"(?:in|inside|within)\s+(?:the\s+)?")

_PART_OF_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|was)\s+|(?:is|was)\s+)?(?:a\s+|now\s+)?part\s+of\s+(?:the\s+)?")

_MEMBER_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+is\s+|is\s+|are\s+)?(?:one\s+of|a\s+member\s+of|member\s+of|among)\s+(?:the\s+)?")

_ADJ_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+)?(?:(?:is|are|lies)\s+)?"
    r"(?:borders?(?:\s+on)?|bordering|adjacent\s+to|adjoins|adjoining|abuts|abutting|neighbou?rs|facing|faces|"
    r"shares?\s+(?:a|its)\s+border\s+with|sharing\s+(?:a|its)\s+border\s+with|on\s+the\s+border\s+with)\s+(?:the\s+)?")

#: "Goma, on the border with Rwanda", "Narva, a city right on the Russian border", "Brest lies on the Polish
#: border": after a comma (an apposition, perhaps with its noun) or, without one, after a verb of lying; never a bare
#: preposition ("fighting in Kharkiv along the border" states where the fighting is).
_LYING = r"(?:is|lies|sits|stands|straddles|located|situated|lying|sitting|standing)\s+"
_ON_BORDER_GAP = re.compile(
    r"(?i)(?:\s*,\s*(?:(?:an?|the)\s+(?:[\w'’-]+\s+){0,4})?(?:(?:which|that)\s+)?(?:" + _LYING + r")?"
    r"|\s+(?:(?:which|that)\s+)?" + _LYING + r")"
    r"(?:(?:located|situated)\s+)?(?:(?:right|just|directly|squarely)\s+)?(?:on|at|astride|straddling)\s+")

#: "Spain shares a", "which has a long": the words before a "border with Y" mention that make it adjacency.
_SHARES_GAP = re.compile(r"(?i)\s*,?\s*(?:(?:which|that)\s+)?(?:shares?|sharing|has|have|having)\s+"
                         r"(?:a|an|its|their)\s+(?:[a-z-]+\s+){0,2}")

_BETWEEN_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+)?(?:(?:is|are|lies)\s+)?"
    r"(?:(?:wedged|sandwiched|squeezed|nestled|located|lying|situated)\s+)?between\s+(?:the\s+)?")

_COAST_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|lies)\s+|(?:is|lies|located|situated)\s+|(?:an?|the)\s+(?:[\w-]+\s+){0,3})?"
    r"(?:on|along|by)\s+(?:the\s+)?(?:(?:coast|shore|shores|banks?|edge)\s+of\s+(?:the\s+)?)?")

_LIST_INTRO_GAP = re.compile(
    r"(?i)\s*(?:countries|states|nations|republics|members|member\s+states|regions)?\s*,?\s*"
    r"(?:such\s+as|including|like|notably|namely|e\.g\.,?)\s+(?:the\s+)?")

_GROUP_PHRASE = re.compile(
    r"((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)\s+(?:countries|states|nations|republics|member\s+states)\s*,?\s*"
    r"(?:such\s+as|including|like|notably|namely|e\.g\.,?)\s+(?:the\s+)?")

#: A necessary part of every _GROUP_PHRASE match: the group noun and the list's introduction. One
#: search of the report's text for it spares the full pattern on every sentence of most reports.
_GROUP_PHRASE_HINT = re.compile(
    r"(?:countries|states|nations|republics)\s*,?\s*(?:such\s+as|including|like|notably|namely|e\.g\.)")

_LIST_SEP = re.compile(r"(?i)\s*(?:,\s*(?:and|or)?|and|or|&)\s*(?:the\s+)?")



@dataclass
class _Context:
    """One report being checked: its sentences, places and main place."""

    report_id: str
    ex: Extraction
    resolutions: Sequence[Resolution]
    by_sentence: dict[int, list[Resolution]] = field(default_factory=dict)
    _main: Any = None
    #: Whether the report can hold a group phrase at all (see _GROUP_PHRASE_HINT).
    group_phrases: bool = True

    def __post_init__(self) -> None:
        self.group_phrases = _GROUP_PHRASE_HINT.search(self.ex.text) is not None
        groups: dict[int, list[Resolution]] = defaultdict(list)
        for r in self.resolutions:
            if r.mention.kind in ("place", "group", "qualified"):
                groups[r.mention.sentence].append(r)
        self.by_sentence = {k: sorted(v, key=lambda r: r.mention.start) for k, v in groups.items()}

    def quote(self, sentence: int) -> str:
        """The sentence as written (stripped), so ``text.find(quote)`` locates it."""
        return self.ex.sentence_text(sentence).strip()

    def main_place(self) -> Endpoint | None:
        """The report's most mentioned country, at its capital (an implied endpoint).

        A country is mentioned by its name and by its places: a wire story datelined in Niamey that
        names Niamey, Tillaberi and Gaya is about Niger though it names Benin twice as often as Niger.
        """
        if self._main is None:
            counts: Counter = Counter()
            first: dict[str, int] = {}
            for r in self.resolutions:
                p = r.place
                if p is None or not p.country_code or r.mention.kind not in ("place", "qualified"):
                    continue
                counts[p.country_code] += 1
                first.setdefault(p.country_code, r.mention.start)
            self._main = False
            if counts:
                code = min(counts, key=lambda k: (-counts[k], first[k]))
                try:
                    country = get_gazetteer().country(code)
                except LookupError:
                    return None
                capital = capital_of(country.country_code)
                if capital is not None:
                    self._main = Endpoint(
                        label=f"{capital.name} (capital of {country.name}, the report's main place)",
                        kind="point", place=capital, lon=capital.lon, lat=capital.lat, inferred=True,
                        source=source_of(capital),
                        note=f"the report names no second place: measured to {capital.name}, the capital of "
                             f"{country.name}, the country it mentions most",
                    )
        return self._main or None


# What a malformed geometry or an odd mention may raise while checking one claim.
_CHECK_ERRORS = (InputError, LookupError, ValueError, shapely.errors.GEOSException)

_BREAK = re.compile(r"[\n.;:!?()\[\]]")



def _gap(text: str, a_end: int, b_start: int, pattern: re.Pattern[str]) -> bool:
    """Whether the text between two spans is exactly ``pattern`` (never across a line or clause break)."""
    if a_end > b_start:
        return False
    between = text[a_end:b_start].replace("e.g.", "")
    return _BREAK.search(between) is None and pattern.fullmatch(text, a_end, b_start) is not None


def claims_for(report_id: str, ex: Extraction, resolutions: Sequence[Resolution]) -> list[Claim]:
    """Find and check the geographic claims of one report.

    Parameters
    ----------
    report_id : str
        Id written into every claim.
    ex : Extraction
        The extract step's output (text, sentences, distances).
    resolutions : sequence of Resolution
        The resolve step's output, one per ``ex.mentions`` entry.

    Returns
    -------
    list of Claim
        In text order; repeats of the same claim are folded into the first
        (``also_in_sentences``).
    """
    ctx = _Context(report_id, ex, resolutions)
    claims: list[Claim] = []
    distances = _claimed_distances(ex.text, ex.distances)
    main = ctx.main_place()
    every: dict[int, list[Resolution]] = defaultdict(list)
    for r in resolutions:
        every[r.mention.sentence].append(r)
    links = link_distances(ex, every, distances,
                           main.place.country_code if main is not None and main.place is not None else None)
    for k, d in enumerate(distances):
        try:
            link = links.get(k)
            claim = _distance_from_link(ctx, d, link) if link is not None else _distance_from_text(ctx, d)
        except _CHECK_ERRORS as exc:
            sentence = ex.sentence_of(d.start)
            claim = Claim(claim_type="distance", report_id=report_id, quote=ctx.quote(sentence), sentence=sentence,
                          start=d.start, end=d.end, claimed_km=d.km, claimed_text=d.text, bound=d.bound,
                          verdict="unverifiable", reason=f"could not check: {exc}", method="", data_source="")
        if claim is not None and claim.claim_type == "distance" and claim.from_name is None and \
                claim.to_name is None and claim.reason != "" and not claim.reason.startswith("could not check"):
            claim = None  # a distance with no place at either end: a distance mention, not a claim to draw
        if claim is not None:
            claims.append(claim)
    for sentence, rs in ctx.by_sentence.items():
        claims.extend(_relations(ctx, sentence, rs))
    claims.extend(_region_claims(ctx))
    claims.sort(key=lambda c: (c.start if c.start is not None else -1, CLAIM_TYPES.index(c.claim_type)))
    return [_drawable(c) for c in _fold_repeats(claims)]


def _drawable(claim: Claim) -> Claim:
    """A claim known only by a point gets the circle of the data's resolution around it.

    Maps and exports draw a claim by its line or its area's outline; a claim with neither
    (a town inside the sea polygon it is said to be on) is drawn as its point with the
    ±``BORDER_DATA_RESOLUTION_KM`` every figure carries.
    """
    if claim.claim_type == "region" or claim.line is not None or claim.region is not None:
        return claim
    where = claim.point if claim.point is not None else claim.nearest_point
    if where is None or where.geom_type != "Point":
        return claim
    return replace(claim, point=where, region=geodesic_circle(where.x, where.y, float(settings.BORDER_DATA_RESOLUTION_KM)))


_PAREN_SECOND = re.compile(r"\s*[(\[]\s*(?:or\s+|about\s+|some\s+|roughly\s+)?$")


def _claimed_distances(text: str, distances: Sequence[DistanceMention]) -> list[DistanceMention]:
    """The distances, without a second figure in brackets right after a first ("25 miles (40 km)"): one claim."""
    out: list[DistanceMention] = []
    for d in distances:
        if out and _PAREN_SECOND.fullmatch(text, out[-1].end, d.start) is not None:
            continue
        out.append(d)
    return out


def _end_endpoint(ctx: _Context, end: End, other: End | None) -> Endpoint:
    """The endpoint one end of a linked distance stands for, given what the other end is."""
    res, role = end.res, end.role
    place = res.place
    written = res.mention.name or res.mention.text
    if place is None:
        return parallel_endpoint(written) or endpoint_of(res, prefer_point=True)
    if role == "town":
        if place.feature_class != "P":
            town = next((alt for alt in res.alternatives if alt.feature_class == "P"), None)
            if town is not None:
                return endpoint_for_place(town, written, prefer_point=True)
        role = "place"
    if place.layer != "seas":
        sea = next((alt for alt in res.alternatives if alt.layer == "seas"), None)
        if sea is None and role == "coast" and (place.layer == "composites" or place.feature_class == "P"):
            # "the Caribbean coast": the sea named after the region; "the Baltic coast": not a town Baltic
            sea = next((m.place for m in get_gazetteer().lookup(f"{written} Sea") if m.place.layer == "seas"), None)
        if sea is not None and (place.layer in ("admin1", "composites") or role == "coast"):
            place = sea  # a distance to "the Red Sea" is to the sea, not to Sudan's Red Sea state
    if role == "border":
        if (res.mention.qualifier or "").endswith("border") and place is res.place:
            return endpoint_of(res)
        target = place if place.layer is not None else country_of(place)
        if target is not None:
            return endpoint_for_place(target, written, "border")
    if role == "capital":
        cc = res.mention.country_code or place.country_code
        cap = capital_of(cc) if cc else None
        if cap is not None:
            return Endpoint(label=f"{cap.name} (capital)", kind="point", place=cap, lon=cap.lon, lat=cap.lat,
                            source=source_of(cap))
    if role == "mainland":
        country = country_of(place)
        ep = mainland_endpoint(country) if country is not None else None
        if ep is not None:
            return ep
    if role == "main island":
        country = country_of(place)
        ep = main_island_endpoint(country) if country is not None else None
        if ep is not None:
            return ep
    if res.mention.kind == "demonym" or place.layer in ("countries", "seas", "composites") or role == "coast":
        if role == "coast" and place.feature_class == "P":
            # "Batam's coastline": the coast of the island the town is on, else the town
            return part_endpoint(place, written) or endpoint_of(res, prefer_point=True)
        return endpoint_for_place(place, written) if place.layer is not None else endpoint_of(res)
    if place.layer == "admin1" and role in ("place", "part", "territory"):
        # "Saaremaa": the island, not the county named after it that also holds its islets
        island = next((alt for alt in res.alternatives if alt.layer == "islands" and
                       alt.name.casefold() == written.strip().casefold()), None)
        if island is not None:
            place = island
    if place.layer == "islands" and role in ("place", "part", "territory"):
        return endpoint_for_place(place, written)  # a named island: its own polygon(s), across countries
    other_place = other.res.place if other is not None else None
    same_country = other_place is not None and other_place.country_code == place.country_code
    if place.feature_class == "P" and other_place is not None and other_place.layer == "countries":
        # "Singapore and Malaysia": a town named like a country, measured against a country, is the country
        same = next((alt for alt in res.alternatives if alt.layer == "countries" and alt.name == place.name), None)
        if same is not None:
            return endpoint_for_place(same, written)
    if place.feature_class == "P" and role == "place" and other is not None and other_place is not None and (
            other_place.layer in ("countries", "seas", "islands") or
            other.role in ("border", "coast", "mainland", "main island")):
        # "Corfu is 2 km across the strait from Albania": a town named like its island, measured against
        # an area, is the island (as a town named like a country is the country); so is a town the
        # resolver read for an island's name ("Kinmen" read as its county seat Jincheng)
        names = {place.name.casefold(), written.strip().casefold()}
        island = next((alt for alt in res.alternatives if alt.layer == "islands" and island_stem(alt.name) in names),
                      None)
        if island is not None:
            return endpoint_for_place(island, written)
    # a town on an island measured against another island ("Pemba lies 50 km north of Zanzibar"): the
    # gap between the islands (part_endpoint keeps a town on its country's largest polygon a point)
    partable = place.feature_class != "P" or role == "part" or (
        other is not None and same_country and other.role in ("mainland", "rest")) or (
        other_place is not None and other_place.layer == "islands" and role == "place")
    other_area = other is not None and other_place is not None and (
        other.role in ("border", "coast", "mainland", "main island", "rest", "part") or other_place.layer in (
            "countries", "seas") or other_place.feature_class != "P" or other.res.mention.kind == "demonym")
    if partable and (other_area or role == "part"):
        ep = part_endpoint(place, written)
        if ep is not None:
            return ep
    if place is not res.place:
        return endpoint_for_place(place, written, prefer_point=True)
    if place.layer is not None and place.feature_class == "A" and \
            _REGION_NOUN_AFTER.match(ctx.ex.text, res.mention.end) is not None:
        return endpoint_for_place(place, written)  # "Krasnodar region": the area, not the city named after it
    return endpoint_of(res, prefer_point=True)


#: "off" between a figure and its far end: the near end lies offshore ("35 km off the Tanzanian mainland").
_OFF = re.compile(r"(?i)\boff\b")
#: A division's noun written after its name: the name stands for the area, not its namesake town.
_REGION_NOUN_AFTER = re.compile(
    r"(?i)\s+(?:region|oblast|province|krai|kray|governorate|state|district|county|prefecture|canton|voivodeship)\b")


def _distance_from_link(ctx: _Context, d: DistanceMention, link: Link) -> Claim | None:
    """A distance claim from the ends the parse linked it to (None for a length or a movement)."""
    if link.not_claim and link.how in ("movement", "inside"):
        return None
    if link.how == "border length" and link.a is not None and link.b is not None:
        return _border_length_claim(ctx, d, link.a.res, link.b.res)
    if link.a is None or link.b is None:
        if link.how == "none":
            return _distance_from_text(ctx, d)
        sentence = ctx.ex.sentence_of(d.start)
        common = dict(report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence, start=d.start,
                      end=d.end, claimed_text=d.text, bound=d.bound, low_km=d.low_km, high_km=d.high_km)
        if link.b is not None:  # "Troops are within 30 km of Kyiv": one place, the other end unsaid
            why = "the report does not say where this distance is measured from"
            known = _end_endpoint(ctx, link.b, None)
            if link.direction:  # "roughly 800 km west of the capital": drawn that way from it
                known = replace(known, bearing=link.direction)
            return finish_distance(missing("?", why), known, d.km, common)  # drawn around the place it names
        return finish_distance(None, None, d.km, common, unverifiable=(
            link.not_claim or "could not tell which places this distance is between from the sentence"))
    sentence = ctx.ex.sentence_of(d.start)
    a = _end_endpoint(ctx, link.a, link.b)
    b = _end_endpoint(ctx, link.b, link.a)
    if a.kind == "point" and a.place is not None and link.a.role == "place" and \
            _OFF.search(ctx.ex.text, d.end, max(d.end, link.b.res.mention.start)) is not None:
        # "Phu Quoc lies 15 km off the Cambodian coast": what lies off a coast is the island the town is on
        a = part_endpoint(a.place, a.label) or a
    if link.b.role == "rest" and a.place is not None:
        country = country_of(a.place)
        rest = rest_endpoint(country, a) if country is not None else None
        if rest is not None:
            b = rest
    if link.a.role == "rest" and b.place is not None:
        country = country_of(b.place)
        rest = rest_endpoint(country, b) if country is not None else None
        if rest is not None:
            a = rest
    if link.how in ("separate", "apart"):  # "N km apart" or "N km separate them": not their touching parts
        a, b = apart_parts(a, b)
    a, b = off_own_part(a, link.a.role, b, link.b.role)
    b, a = off_own_part(b, link.b.role, a, link.a.role)
    a, b = facing_mainland(a, link.a.role, b, link.b.role), facing_mainland(b, link.b.role, a, link.a.role)
    if link.direction:
        b = replace(b, bearing=link.direction)
    spans = [(d.start, d.end), (link.a.res.mention.start, link.a.res.mention.end),
             (link.b.res.mention.start, link.b.res.mention.end)]
    common = dict(report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence,
                  start=min(s for s, _ in spans), end=max(e for _, e in spans), claimed_text=d.text, bound=d.bound,
                  low_km=d.low_km, high_km=d.high_km)
    if a.key is not None and a.key == b.key and a.geometry_key == b.geometry_key:
        return finish_distance(a, b, d.km, common, unverifiable="both ends of the distance are the same place")
    alts = []
    for res, role in ((link.a.res, "from"), (link.b.res, "to")):
        if res.place is not None and res.alternatives and res.confidence < float(settings.AMBIGUOUS_CONFIDENCE):
            alts.append((role, res))
    return finish_distance(a, b, d.km, common, ambiguous=alts)


def _border_length_claim(ctx: _Context, d: DistanceMention, a_r: Resolution, b_r: Resolution) -> Claim:
    """ "Ukraine shares a 1,084 km border with Belarus": the stated length of a shared border."""
    a, b = (endpoint_for_place(r.place, r.place.name) if r.place is not None and r.place.layer is not None
            else polygonal_reading(r) for r in (a_r, b_r))
    low, high = (d.low_km, d.high_km) if d.low_km is not None and d.high_km is not None else (d.km, d.km)
    if d.bound == "at_most":
        low = 0.0
    elif d.bound == "at_least":
        high = math.inf
    judged = relations.border_length(a, b, low, high)
    sentence = ctx.ex.sentence_of(d.start)
    claim = _relation_claim(ctx, sentence, "adjacency", judged, a, b, min(d.start, a_r.mention.start, b_r.mention.start),
                            max(d.end, a_r.mention.end, b_r.mention.end))
    return replace(claim, claimed_km=d.km, claimed_text=d.text, bound=d.bound, low_km=d.low_km, high_km=d.high_km,
                   description=f"length of the border {a.label} and {b.label} share")


def _fold_repeats(claims: list[Claim]) -> list[Claim]:
    out: list[Claim] = []
    seen: dict[tuple, int] = {}
    for c in claims:
        key = (c.claim_type, c.from_key, c.to_key, c.from_name, c.to_name, c.claimed_km, c.bound)
        if key in seen:
            k = seen[key]
            out[k] = replace(out[k], also_in_sentences=(*out[k].also_in_sentences, c.sentence))
            continue
        seen[key] = len(out)
        out.append(c)
    return out


def _distance_from_text(ctx: _Context, d: DistanceMention) -> Claim | None:
    ex, text = ctx.ex, ctx.ex.text
    if _NOT_BETWEEN_PLACES.match(text, d.end):
        return None
    sentence = ex.sentence_of(d.start)
    s_start, _ = ex.sentences[sentence]
    ms = [r for r in ctx.by_sentence.get(sentence, []) if r.mention.end <= d.start or r.mention.start >= d.end]
    if not ms:
        return None
    base = {"ctx": ctx, "d": d, "sentence": sentence}
    # "from A to B", "between A and B": the nearest such pair in the sentence.
    pairs = []
    for i in range(len(ms) - 1):
        a, b = ms[i], ms[i + 1]
        before = text[s_start:a.mention.start]
        if _FROM_BEFORE.search(before) and _gap(text, a.mention.end, b.mention.start, _TO_GAP) or \
                _BETWEEN_BEFORE.search(before) and _gap(text, a.mention.end, b.mention.start, _AND_GAP):
            span_gap = max(a.mention.start - d.end, d.start - b.mention.end, 0)
            pairs.append((span_gap, a, b))
    if pairs:
        _, a, b = min(pairs, key=lambda p: p[0])
        # read as the parse's ends are (an island, an exclave, a border), when the parse missed the pair
        return _distance_from_link(ctx, d, Link(End(a), End(b), how="from/to"))
    after = [r for r in ms if r.mention.start >= d.end]
    before = [r for r in ms if r.mention.end <= d.start]
    target = None
    if after:
        first = after[0]
        gap_ok = _gap(text, d.end, first.mention.start, _AFTER_DISTANCE)
        said = text[d.end:first.mention.start].strip()
        qualified_of = (first.mention.qualifier or "").endswith(" of")
        if gap_ok and (said or qualified_of or d.text.lower().endswith("away")):
            target = first
    if target is not None:
        origin = before[-1] if before else None
        return _distance_claim(**base, a_res=origin, b_res=target, how="N km from B")
    if d.text.lower().endswith("away") or re.match(r"(?i)\s+away\b", text[d.end:d.end + 10]):
        moved = [r for r in before if _FROM_BEFORE.search(text[s_start:r.mention.start])]
        origin = moved[-1] if moved else (before[-1] if before else None)
        # "Residents of Kharkiv heard explosions in Belgorod, 40 km away": away from the town named before it
        towns = [r for r in before[:-1] if r.place is not None and r.place.feature_class == "P"
                 and r.mention.kind != "demonym" and origin is not None and origin.place is not None
                 and r.place.key != origin.place.key]
        if not moved and towns:
            return _distance_claim(**base, a_res=origin, b_res=towns[-1], how="away")
        if not moved:
            # "Smoke rose over Kherson and could be seen 40 km away": seen from somewhere the report does not
            # name; only something that moved *from* a place is measured to the report's main place
            return _distance_claim(**base, a_res=origin, b_res=None, how="away, unnamed")
        return _distance_claim(**base, a_res=origin, b_res=None, how="away")
    return _distance_claim(**base, a_res=None, b_res=None, how="unknown")


def _distance_claim(*, ctx: _Context, d: DistanceMention, sentence: int, a_res: Resolution | None,
                    b_res: Resolution | None, how: str) -> Claim:
    text = ctx.ex.text
    spans = [(d.start, d.end)] + [(r.mention.start, r.mention.end) for r in (a_res, b_res) if r is not None]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    common = dict(report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence, start=start, end=end,
                  claimed_text=text[d.start:d.end], bound=d.bound, low_km=d.low_km, high_km=d.high_km)
    if how == "unknown":
        return finish_distance(None, None, d.km, common, unverifiable=(
            "could not tell which places this distance is between from the sentence"))
    a = endpoint_of(a_res, prefer_point=True) if a_res is not None else missing(
        "?", "the report does not say where this distance is measured from")
    if b_res is not None:
        b = endpoint_of(b_res, prefer_point=True)
    elif how == "away, unnamed":
        # a wire dateline ("KYIV, March 3 (Reuters) - ...") says where the report was written
        dateline = next((r for r in ctx.resolutions if r.mention.start <= 3 and r.mention.text.isupper()
                         and r.place is not None and r.place.feature_class == "P"), None)
        b = endpoint_of(dateline, prefer_point=True) if dateline is not None else missing(
            "?", "the report does not say from where this distance is seen")
    else:
        b = ctx.main_place() or missing("?", "the report names no second place and has no main country")
        if b.kind != "missing" and a.place is not None and b.place is not None and (
                a.place.country_code == b.place.country_code and a.place.layer == "countries"):
            b = missing("?", "the report names no second place to measure to")
    if a.key is not None and a.key == b.key and a.geometry_key == b.geometry_key:
        return finish_distance(a, b, d.km, common, unverifiable="both ends of the distance are the same place")
    alts = []
    for res, role in ((a_res, "from"), (b_res, "to")):
        if res is not None and res.place is not None and res.alternatives and res.confidence < float(
                settings.AMBIGUOUS_CONFIDENCE):
            alts.append((role, res))
    return finish_distance(a, b, d.km, common, ambiguous=alts)


def _relations(ctx: _Context, sentence: int, rs: list[Resolution]) -> list[Claim]:
    """Containment, adjacency, coast and membership claims of one sentence."""
    out: list[Claim] = []
    taken_items: set[int] = set()
    for i, r in enumerate(rs):
        try:
            out.extend(_relations_at(ctx, sentence, rs, i, taken_items))
        except _CHECK_ERRORS as exc:
            nxt = rs[i + 1] if i + 1 < len(rs) else r
            out.append(Claim(claim_type="containment", report_id=ctx.report_id, quote=ctx.quote(sentence),
                             sentence=sentence, start=r.mention.start, end=nxt.mention.end, verdict="unverifiable",
                             reason=f"could not check: {exc}", method="", data_source="",
                             from_name=r.mention.text, to_name=nxt.mention.text))
    out.extend(_phrase_memberships(ctx, sentence, rs, taken_items))
    return out


def _relations_at(ctx: _Context, sentence: int, rs: list[Resolution], i: int, taken_items: set[int]) -> list[Claim]:
    """Relations stated between mention ``i`` of a sentence and the ones after it."""
    text = ctx.ex.text
    r = rs[i]
    nxt = rs[i + 1] if i + 1 < len(rs) else None
    if nxt is None:
        return []
    # Membership introduced by a group: "Baltic states such as Lithuania, Latvia".
    if r.place is not None and r.place.feature_code in ("GROUP", "CONT") and \
            _gap(text, r.mention.end, nxt.mention.start, _LIST_INTRO_GAP):
        items = _list_items(text, rs[i + 1:])
        taken_items.update(id(x) for x in items)
        return [_membership_claim(ctx, sentence, item, r.place, r.mention.text, r.mention.start) for item in items]
    a_end, b_start = r.mention.end, nxt.mention.start
    if _gap(text, a_end, b_start, _ON_BORDER_GAP) and _is_border(nxt) and not _is_border(r):
        return [_on_border_claim(ctx, sentence, r, nxt)]
    if _gap(text, a_end, b_start, _SHARES_GAP) and _is_border(nxt) and not _is_border(r) and \
            re.match(r"(?i)(?:the\s+)?(?:border|frontier)\s+with\b", nxt.mention.text):
        # "Spain shares a border with France": the qualified mention took the words of the relation
        return [_adjacency_claim(ctx, sentence, r, replace(nxt, mention=replace(nxt.mention, qualifier=None)))]
    if _gap(text, a_end, b_start, _BETWEEN_GAP) and i + 2 < len(rs) and _gap(
            text, nxt.mention.end, rs[i + 2].mention.start, _AND_GAP):
        return [_adjacency_claim(ctx, sentence, r, nxt), _adjacency_claim(ctx, sentence, r, rs[i + 2])]
    if _gap(text, a_end, b_start, _ADJ_GAP):
        return [_adjacency_claim(ctx, sentence, r, nxt)]
    if _gap(text, a_end, b_start, _COAST_GAP) and _is_sea(nxt):
        return [_coastal_claim(ctx, sentence, r, nxt)]
    is_group = nxt.place is not None and nxt.place.feature_code in ("GROUP", "CONT")
    if _gap(text, a_end, b_start, _CONTAIN_GAP) or _gap(text, a_end, b_start, _PART_OF_GAP):
        if _is_sea(nxt):
            return [_coastal_claim(ctx, sentence, r, nxt)]
        if is_group and _gap(text, a_end, b_start, _PART_OF_GAP):
            return [_membership_claim(ctx, sentence, r, nxt.place, nxt.mention.text, r.mention.start)]
        claim = _containment_claim(ctx, sentence, r, nxt)
        return [claim] if claim is not None else []
    if is_group and _gap(text, a_end, b_start, _MEMBER_GAP):
        assert nxt.place is not None
        return [_membership_claim(ctx, sentence, r, nxt.place, nxt.mention.text, r.mention.start)]
    return []


def _is_border(r: Resolution) -> bool:
    return r.place is not None and (r.mention.qualifier or "").split()[-1:] == ["border"]


def _is_sea(r: Resolution) -> bool:
    return r.place is not None and r.place.layer == "seas" and not r.mention.qualifier


def _list_items(text: str, rs: Sequence[Resolution]) -> list[Resolution]:
    """The mentions of a list "A, B and C" that starts with ``rs[0]``."""
    items = [rs[0]]
    for prev, cur in zip(rs, rs[1:]):
        if not _gap(text, prev.mention.end, cur.mention.start, _LIST_SEP):
            break
        items.append(cur)
    return items


def _phrase_memberships(ctx: _Context, sentence: int, rs: list[Resolution], taken: set[int]) -> list[Claim]:
    """Lists after a group written as an adjective: "Eastern European countries such as Romania"."""
    text = ctx.ex.text
    s_start, s_end = ctx.ex.sentences[sentence]
    out: list[Claim] = []
    if not ctx.group_phrases:
        return out
    for match in _GROUP_PHRASE.finditer(text, s_start, s_end):
        phrase = re.sub(r"(?i)^the\s+", "", match.group(1))
        group = None
        for name in (f"{phrase} countries", f"{phrase} states", phrase,
                     phrase[:-2] if phrase.endswith("an") else "", phrase[:-1] if phrase.endswith("n") else ""):
            if not name:
                continue
            hits = [m.place for m in get_gazetteer().lookup(name) if m.place.feature_code in ("GROUP", "CONT")]
            if hits:
                group = hits[0]
                break
        first = next((r for r in rs if r.mention.start == match.end()), None)
        if group is None or first is None or id(first) in taken:
            continue
        items = _list_items(text, rs[rs.index(first):])
        taken.update(id(x) for x in items)
        out.extend(_membership_claim(ctx, sentence, item, group, match.group(1), match.start()) for item in items)
    return out


def _relation_claim(ctx: _Context, sentence: int, claim_type: str, judged: Judgement, a: Endpoint, b: Endpoint,
                    start: int, end: int) -> Claim:
    """A relation claim of a report sentence, from its judgement."""
    extra = dict(judged.extra)
    region = extra.pop("region", None) or b.region or a.region
    regions = extra.pop("regions", ()) or b.regions or a.regions
    if region is None and extra.get("line") is None and extra.get("point") is None:
        # an unverifiable relation is drawn as what is known of it: a point end, else an area end
        outline = relations.outline_of(a) if a.kind == "point" else {}
        outline = outline or relations.outline_of(b) or relations.outline_of(a)
        region = outline.pop("region", None)
        extra.update(outline)
    complete = a.kind != "missing" and b.kind != "missing"
    return Claim(claim_type=claim_type, report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence,
                 start=start, end=end, verdict=judged.verdict, reason=judged.reason, method=judged.method,
                 data_source=data_source(a, b) if complete else "",
                 from_name=a.label, to_name=b.label, from_key=a.key, to_key=b.key,
                 from_geonameid=a.geonameid, to_geonameid=b.geonameid, region=region, regions=regions, **extra)


def _containment_claim(ctx: _Context, sentence: int, sub_r: Resolution, cont_r: Resolution) -> Claim | None:
    sub = endpoint_of(sub_r, prefer_point=True)
    cont = endpoint_of(cont_r)
    span = (sub_r.mention.start, cont_r.mention.end)
    if sub.kind == "missing" or cont.kind == "missing":
        judged = relations.unverifiable(sub.missing_reason or cont.missing_reason)
        return _relation_claim(ctx, sentence, "containment", judged, sub, cont, *span)
    same_place = sub.place is not None and cont.place is not None and sub.place.key == cont.place.key
    if sub.is_sea or cont.kind != "area" or (same_place and cont.region is None):
        return None
    if sub.kind == "area" and sub.place is not None and sub.place.layer == "countries" and cont.place is not None \
            and (cont.place.layer in ("countries", "admin1") or cont.place.country_code == sub.place.country_code):
        # "Russia in Belarus": presence, not a claim that one country lies inside another; "held by
        # Ukraine in the Donbas": a part of the country itself is where it is, not what holds it
        return None
    return _relation_claim(ctx, sentence, "containment", relations.containment(sub, cont), sub, cont, *span)


def _adjacency_claim(ctx: _Context, sentence: int, a_r: Resolution, b_r: Resolution) -> Claim:
    a, b = polygonal_reading(a_r), polygonal_reading(b_r)
    span = (a_r.mention.start, b_r.mention.end)
    return _relation_claim(ctx, sentence, "adjacency", relations.adjacency(a, b), a, b, *span)


def _on_border_claim(ctx: _Context, sentence: int, sub_r: Resolution, border_r: Resolution) -> Claim:
    """ "Goma, on the border with Rwanda": an adjacency claim judged by the distance to the border's lines."""
    sub, border = endpoint_of(sub_r, prefer_point=True), endpoint_of(border_r)
    span = (sub_r.mention.start, border_r.mention.end)
    judged = relations.on_border(sub, border)
    if judged.verdict == "contradicted" and sub.kind == "point":
        # "Belgorod, on the border with Ukraine": the region of that name may be meant (as adjacency reads it)
        region = polygonal_reading(sub_r)
        if region.kind == "area":
            by_region = relations.on_border(region, border)
            if by_region.verdict == "consistent":
                sub, judged = region, by_region
    country = border if border.place is None else replace(border, label=border.place.name)
    return _relation_claim(ctx, sentence, "adjacency", judged, sub, country, *span)


def _coastal_claim(ctx: _Context, sentence: int, sub_r: Resolution, sea_r: Resolution) -> Claim:
    sub, sea = endpoint_of(sub_r, prefer_point=True), endpoint_of(sea_r)
    span = (sub_r.mention.start, sea_r.mention.end)
    return _relation_claim(ctx, sentence, "coastal", relations.coastal(sub, sea), sub, sea, *span)


def _membership_claim(ctx: _Context, sentence: int, item_r: Resolution, group: Place, written: str,
                      start: int) -> Claim:
    item = endpoint_of(item_r)
    grp = Endpoint(label=group.name, kind="area", place=group, source=source_of(group))
    span = (min(start, item_r.mention.start), max(item_r.mention.end, start + len(written)))
    judged = relations.membership(item, group, item_r.date_start or ctx.ex.published)
    return _relation_claim(ctx, sentence, "membership", judged, item, grp, *span)


def _region_claims(ctx: _Context) -> list[Claim]:
    out = []
    for r in ctx.resolutions:
        m = r.mention
        if m.kind != "qualified" or m.qualifier not in ADJECTIVES or r.place is None:
            continue
        ep = endpoint_of(r)
        if ep.kind == "missing":
            continue
        share = float(settings.DIRECTION_MIN_SHARE)
        names = ", ".join(f"{x['name']} ({x['iso_3166_2']})" for x in ep.regions)
        reason = f"the part of {r.place.name} {ep.region_rule}" + (
            f"; admin-1 regions mostly in it: {names}" if names else "")
        out.append(Claim(
            claim_type="region", report_id=ctx.report_id, quote=ctx.quote(m.sentence), sentence=m.sentence,
            start=m.start, end=m.end, verdict=None, reason=reason,
            method=METHOD_REGION.format(rule=ep.region_rule, share=share), data_source=data_source(ep),
            from_name=ep.label, from_key=r.place.key, from_geonameid=r.place.geonameid,
            region=ep.region, regions=ep.regions, description=ep.region_rule,
        ))
    return out
