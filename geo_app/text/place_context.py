"""What a report says around a name, and elsewhere, that makes the name a place: kind-model features.

The statistical NER misses small towns of fresh reports or calls them people or organisations
("Goma" as PERSON), while the text says plainly what they are. These features give the kind
classifier (:mod:`geo_app.text.kinds`) that evidence as word classes it can learn from the
corpora, not as rules:

* ``appos_place`` -- an apposition headed by a kind of place, adjectives and demonyms before the
  head ("X, a small Guyanese town", "X, the provincial capital", "X, a frontline city in ...");
* ``appos_loc`` -- an apposition that locates the name ("X, on the border with ...", "X, near
  ...", "X, about 30 km north of ...", "X, in eastern ...");
* ``placenoun_of`` -- a kind of place and "of" before the name ("the town of X");
  ``loc_before`` -- a locating phrase before it ("north of X", "30 km from X", "the outskirts of X");
* ``near<=200`` / ``near<=500`` (with ``near|size=...``, the size of the referent that is near) --
  one of the name's gazetteer referents lies within that many km (geodesic, WGS84) of a place the
  report names unambiguously (a well-known town, region or country the NER or the gazetteer ruler
  tags as a place);
  ``country_in_doc|size=...`` -- the name's referent lies in a country the report names, by size;
  ``coherent`` -- nearly all of its referents (by population) do, or lie within 200 km of such a place;
  these with the NER label and whether the name is a lone capitalised word (:func:`context_conjunctions`);
  ``no_context`` -- the report tags no other place (demonyms aside), only with the label and shape;
* ``name_pair`` -- a word of the person-name lists followed by a surname, with nothing after the
  pair that places it ("Hamilton Jordan served", "Sheridan Smith starred"; not "Washington state",
  "Chandler, Arizona"); ``name_pair|first=surname|next=...`` when the first word is no given name
  (also before a word neither the lists nor the gazetteer hold: "Berkeley Breathed");
* ``use_after=place`` / ``use_after=thing`` -- the lower-case noun right after the name is one of a
  place's people, offices or parts ("Dijon police", "Delta state police";
  ``settings.PLACE_MODIFIED_NOUNS``) or a product, food, garment or breed ("a Panama hat", "Brussels
  sprouts"; ``settings.PRODUCT_NOUNS``: the compound names the thing); ``use_poss=place`` -- the same
  place nouns after the name's possessive ("Sumy's mayor", "Sicily's regional government");
  ``use_verb_before`` -- a verb of what is done to places right before it ("Missiles hit Kramatorsk";
  ``settings.PLACE_ACTION_VERBS``); ``use_anaphor`` -- "the town", "the city's" a few words after it
  (:func:`use_features`).

The span arbiter (:class:`geo_app.text.extract.SpanArbiter`) also uses the apposition features and
``coherent`` in two rules, with :func:`in_lexicon` (English words, from WordNet's lemma index as
the NER's spaCy package ships it) keeping "Area" or "Mission" out.

Word lists are general (no place names). Distances are geodesic (:func:`geo_app.geo.geodesy.geodesic_km`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import spacy.util
from pyproj import Geod
from spacy.lookups import Lookups

from geo_app import settings
from geo_app.geo.geodesy import geodesic_km
from geo_app.places.gazetteer import NameMatch, Place

#: Nouns that say the name before them (in an apposition) or after "of" is a place.
PLACE_NOUNS = frozenset("""town towns city cities village villages district districts province region county port
    suburb municipality settlement hamlet governorate oblast capital township borough enclave neighbourhood
    neighborhood community commune prefecture parish locality island islet outpost stronghold hub crossing
    resort seaport metropolis outskirts area""".split())
#: Words that locate a name when they open an apposition ("X, near ...", "X, outside ...").
_LOC_PREPS = frozenset("near outside nearby beside across inside opposite".split())
#: Nouns of "on the border", "on the outskirts", "on the banks" that locate a name.
_ON_NOUNS = frozenset("border borders outskirts banks bank coast edge shores shore frontline front river road "
                      "frontier fringes".split())
#: Nouns of water a town lies on ("on the sea", "on the lake").
_WATER = frozenset("sea lake river bay gulf coast delta estuary".split())
#: Adverbs an apposition may open with before its locating phrase ("X, just outside ...").
_HEDGES = frozenset("just about some roughly around approximately only nearly almost barely".split())
#: Words that end an apposition's noun phrase before a head noun could come.
_FUNCTION_WORDS = frozenset("""by of in on at for from to with who which that whose and or but as is was has had
    said says""".split())
#: Punctuation that closes an apposition after its head noun (not "'s": "Smith, the city's mayor").
_CLOSERS = frozenset([",", ".", ";", ":", ")", "-", "–", "—", "!", "?", '"', "”"])
#: Units of a distance ("30 km north of X").
_UNITS = frozenset("km kms kilometres kilometers kilometre kilometer miles mile mi".split())
_NUMBER_WORDS = frozenset("a an one two three four five six seven eight nine ten twelve fifteen twenty thirty "
                          "forty fifty sixty seventy eighty ninety hundred few several".split())
#: Compass words, as nouns and adjectives.
_COMPASS = frozenset("""north south east west northeast northwest southeast southwest north-east north-west
    south-east south-west northern southern eastern western central northeastern northwestern southeastern
    southwestern north-eastern north-western south-eastern south-western""".split())
#: Nouns of "the heart of X", "the outskirts of X" that locate what follows "of".
_PART_NOUNS = frozenset("outskirts heart centre center edge suburbs banks shores coast border outskirt part parts "
                        "north south east west".split())
#: Words after a name that make it a first-level unit ("Kaliningrad Oblast", "Washington State").
_UNIT_WORDS = frozenset("""oblast province region governorate krai state county district parish territory
    canton municipality""".split())
#: Distances (km) within which a referent counts as near a place the report names.
NEAR_KM = (200.0, 500.0)
#: Km added to the chord bound of :func:`_chords_within` against rounding (chords are exact to ~1e-6 km).
_CHORD_SLACK_KM = 1.0
#: Referents per name and points per anchor weighed (the largest by population first).
_MAX_REFERENTS = 12
_MAX_ANCHOR_POINTS = 3
#: At most this many names give anchors (a 2 MB report stays linear, as the resolver's anchors do).
_MAX_ANCHOR_NAMES = 300
#: Referents measured per geodesic call in :func:`prepare_near` (bounds the km matrix's memory).
_BATCH_REFERENTS = 2_000


@dataclass(frozen=True)
class Anchors:
    """Points of the places a report names unambiguously, with the name each came from."""

    lon: np.ndarray
    lat: np.ndarray
    names: tuple[str, ...]
    #: :func:`near_features` answers by name (a report names the same places many times).
    memo: dict[str, dict[str, float]] = field(default_factory=dict)


def anchors(named: Sequence[tuple[str, Sequence[NameMatch]]]) -> Anchors:
    """The :class:`Anchors` of a report from its well-known, place-tagged names and their matches:
    for each name the largest few of its well-known towns, first-level units, seas, lakes and countries (a
    country's point: a town within a few hundred km of it is in or near a small country the report
    names, "X, on the border with Rwanda"; a big country's point is far from most of its towns)."""
    lon: list[float] = []
    lat: list[float] = []
    names: list[str] = []
    seen: set[str] = set()
    for name, matches in named:
        if name in seen:
            continue
        if len(seen) >= _MAX_ANCHOR_NAMES:
            break
        seen.add(name)
        pts = [m.place for m in matches
               if (m.place.feature_class in ("P", "H") or m.place.feature_code in ("ADM1", "PCLI"))
               and (m.primary or m.place.population >= 100_000)]
        pts.sort(key=lambda p: (p.feature_code == "PCLI", -p.population))
        for p in pts[:_MAX_ANCHOR_POINTS]:
            lon.append(p.lon)
            lat.append(p.lat)
            names.append(name)
    return Anchors(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), tuple(names))


def _size(pop: int) -> str:
    return "big" if pop >= 100_000 else "town" if pop >= 10_000 else "small" if pop else "nopop"


def near_features(f: dict[str, float], name: str, matches: Sequence[NameMatch], anc: Anchors,
                  countries: frozenset[str], doc_countries: frozenset[str]) -> None:
    """Add to ``f`` how near the referents of ``name`` lie to the report's other places (see the
    module docstring); ``countries`` are the countries of its referents, ``doc_countries`` the
    countries the report names."""
    if not matches:
        return
    if name not in anc.memo:
        prepare_near(anc, [(name, matches, countries)], doc_countries)
    f.update(anc.memo[name])


def prepare_near(anc: Anchors, items: Sequence[tuple[str, Sequence[NameMatch], frozenset[str]]],
                 doc_countries: frozenset[str]) -> None:
    """Answer :func:`near_features` for many names of a report at once (``items``: name, its
    matches, its referents' countries), measuring every referent to every anchor in one geodesic
    call; the answers go to ``anc.memo``, the same as one call per name would give."""
    todo: dict[str, tuple[dict[str, float], list[Place]]] = {}
    memo = anc.memo
    for name, matches, countries in items:
        if matches and name not in memo and name not in todo:
            todo[name] = _near_refs(matches, countries, doc_countries)
    if not todo:
        return
    # The anchor columns of each name that gives anchors (a name is never near itself); the
    # other names are measured to every anchor.
    own_cols: dict[str, list[int]] = {}
    for j, anchor_name in enumerate(anc.names):
        own_cols.setdefault(anchor_name, []).append(j)
    n_anchors = len(anc.names)
    items_left = list(todo.items())
    at = 0
    while at < len(items_left):
        # A batch of names whose referents add up to about _BATCH_REFERENTS rows.
        stop, n_rows = at, 0
        while stop < len(items_left) and (stop == at or n_rows + len(items_left[stop][1][1]) <= _BATCH_REFERENTS):
            n_rows += len(items_left[stop][1][1])
            stop += 1
        batch = items_left[at:stop]
        at = stop
        refs_all = [p for _, (_, refs) in batch for p in refs]
        km_all = best_all = None
        if refs_all and anc.lon.size:
            rl = np.array([p.lon for p in refs_all])
            ra = np.array([p.lat for p in refs_all])
            # Only whether a referent lies within NEAR_KM of an anchor matters (and which is nearest
            # when one does), so pairs whose straight line through the earth is already longer are
            # not measured: no path on the ellipsoid is shorter than that chord. They stay infinitely
            # far; the chord only decides what to measure.
            km_all = np.full((len(refs_all), anc.lon.size), np.inf)
            rows, cols = np.nonzero(_chords_within(rl, ra, anc.lon, anc.lat, max(NEAR_KM) + _CHORD_SLACK_KM))
            if rows.size:
                km_all[rows, cols] = geodesic_km(rl[rows], ra[rows], anc.lon[cols], anc.lat[cols])
            best_all = km_all.min(axis=1).tolist()
        row = 0
        for name, (f, refs) in batch:
            if not refs:
                memo[name] = f
                continue
            best: list[float] | None = None
            if km_all is not None:
                cols = own_cols.get(name)
                if cols is None:
                    best = best_all[row:row + len(refs)]
                elif len(cols) < n_anchors:
                    others = np.ones(n_anchors, dtype=bool)
                    others[cols] = False
                    best = km_all[row:row + len(refs)][:, others].min(axis=1).tolist()
            row += len(refs)  # every name's referents hold rows of km_all, measured or not
            memo[name] = _near_finish(f, refs, best, doc_countries)


#: :func:`_near_refs`' referents by matches (``id`` of the gazetteer's memoised answer, kept with it).
_REFS_MEMO: dict[int, tuple[Sequence[NameMatch], list[Place]]] = {}
_REFS_MEMO_MAX = 100_000


@lru_cache(maxsize=4)
def _ellipsoid(name: str) -> tuple[float, float]:
    """Semi-major axis (km) and first eccentricity squared of the named ellipsoid (pyproj's)."""
    geod = Geod(ellps=name)
    return geod.a / 1000.0, geod.es


def _ecef(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred Cartesian coordinates (km, rows x 3) of points on ``settings.ELLIPSOID``."""
    a, e2 = _ellipsoid(settings.ELLIPSOID)
    phi, lam = np.radians(lat), np.radians(lon)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = a / np.sqrt(1.0 - e2 * sin_phi * sin_phi)
    return np.column_stack([n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - e2) * sin_phi])


def _chords_within(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray,
                   km: float) -> np.ndarray:
    """``(len(lon1), len(lon2))`` booleans: whether the straight line between the two points is at
    most ``km`` long. A geodesic is never shorter than its chord, so False means farther than ``km``
    on the ellipsoid too (a filter before :func:`~geo_app.geo.geodesy.geodesic_km`, not a distance)."""
    p, q = _ecef(lon1, lat1), _ecef(lon2, lat2)
    squared = (p * p).sum(axis=1)[:, None] + (q * q).sum(axis=1)[None, :] - 2.0 * (p @ q.T)
    return squared <= km * km


def _near_refs(matches: Sequence[NameMatch], countries: frozenset[str],
               doc_countries: frozenset[str]) -> tuple[dict[str, float], list[Place]]:
    """The country feature of a name and the referents :func:`_near_finish` measures."""
    f: dict[str, float] = {}
    if countries & doc_countries:
        pop = max((m.place.population for m in matches if m.place.country_code in doc_countries), default=0)
        f[f"country_in_doc|size={_size(pop)}"] = 1.0
    hit = _REFS_MEMO.get(id(matches))
    if hit is not None and hit[0] is matches:
        return f, hit[1]
    own = [m for m in matches if m.place.feature_code not in ("PCLI", "CONT", "GROUP")]
    # Places whose own name it is, when there are any: "Jermuk" the Armenian town, not a Turkish
    # town that GeoNames also lists under that name.
    own = [m for m in own if m.primary] or own
    refs = sorted((m.place for m in own), key=lambda p: -p.population)[:_MAX_REFERENTS]
    if len(_REFS_MEMO) >= _REFS_MEMO_MAX:
        _REFS_MEMO.clear()
    _REFS_MEMO[id(matches)] = (matches, refs)
    return f, refs


def _near_finish(f: dict[str, float], refs: list[Place], best: list[float] | None,
                 doc_countries: frozenset[str]) -> dict[str, float]:
    """The proximity and coherence features from each referent's km to the nearest of the
    report's other anchors (None when the report tags no other place)."""
    coherent = [p.country_code in doc_countries for p in refs]
    if best is None:
        # The report tags no other place (a demonym is no place): the name's kind rests on its own
        # evidence (a short report, "Russian artillery struck Kharkiv."), not on a missing context.
        f["no_context"] = 1.0
    else:
        nearest = min(best)
        i = best.index(nearest)
        for limit in NEAR_KM:
            if nearest <= limit:
                f[f"near<={limit:.0f}"] = 1.0
        if nearest <= NEAR_KM[-1]:
            f[f"near|size={_size(refs[i].population)}"] = 1.0
        coherent = [c or b <= NEAR_KM[0] for c, b in zip(coherent, best)]
    # The name's referents, weighed by people, nearly all in a named country or near a named place:
    # "Avdiivka" (three Ukrainian villages and towns) in a report on Ukraine, not "Home" (dozens of
    # American hamlets, a few near the report's places). Populations are whole numbers: the sums
    # are exact in any order.
    if any(coherent):
        weight = [p.population + 1.0 for p in refs]
        if sum(w for w, c in zip(weight, coherent) if c) >= settings.COHERENT_SHARE * sum(weight):
            f["coherent"] = 1.0
    return f


def phrase_features(f: dict[str, float], words: Sequence[str], sent_start: Sequence[bool], start: int,
                    end: int) -> None:
    """Add to ``f`` the word-class features of the phrases around the name at ``words[start:end]``
    (see the module docstring); context never crosses a sentence boundary."""
    n = len(words)
    # Before: "the town of X", "north of X", "30 km from X", "the outskirts of X".
    if start >= 2 and not sent_start[start]:
        p1 = words[start - 1].lower()
        if p1 in ("from", "of", "outside"):
            p2 = words[start - 2].lower() if not sent_start[start - 1] else ""
            if p1 == "of" and p2 in PLACE_NOUNS and p2 != "outskirts":
                f["placenoun_of"] = 1.0
            elif (p1 == "of" and (p2 in _COMPASS or p2 in _PART_NOUNS)) or p2 in _UNITS:
                f["loc_before"] = 1.0
    # After: an apposition.
    if end + 2 >= n or words[end] != "," or sent_start[end + 1]:
        return

    def at(k: int) -> str:
        return words[k].lower() if 0 <= k < n and (k < end or not sent_start[k]) else ""

    k = end + 1
    if at(k) in ("a", "an", "the", "another", "one"):
        k += 1
        for j in range(k, min(k + 5, n)):
            w = at(j)
            if not w:
                return
            if w in PLACE_NOUNS:
                after = at(j + 1)
                # The head ends the noun phrase: "a town resident" is a person.
                if not after or after in _CLOSERS or after in ("of", "in", "on", "near", "that", "which", "where",
                                                               "and", "with", "close", "north", "south", "east",
                                                               "west", "just", "some", "about", "outside", "by",
                                                               "along", "across", "from", "at", "to", "whose"):
                    f["appos_place"] = 1.0
                return
            if w in _FUNCTION_WORDS:
                return  # the phrase goes on past its head noun ("Phillips, an expert hired by the city")
            if words[j][:1].isupper():
                continue  # a demonym or a name in the phrase ("a small Guyanese town", "a Donetsk suburb")
            if not (w.isalpha() or "-" in w or w[:1].isdigit()):
                return
        return
    while at(k) in _HEDGES:
        k += 1
    w = at(k)
    located = False
    if w in _LOC_PREPS:
        located = True
    elif w == "close" and at(k + 1) == "to":
        located = True
    elif w == "on" and at(k + 1) == "the" and (at(k + 2) in _ON_NOUNS or at(k + 2) in _WATER
                                               or (k + 2 < n and words[k + 2][:1].isupper())):
        located = True  # "on the border", "on the Sea of Azov", "on the Dnipro"
    elif w in _COMPASS and at(k + 1) == "of":
        located = True
    elif (w[:1].isdigit() or w in _NUMBER_WORDS) and at(k + 1) in _UNITS:
        located = True
    elif w == "in" and (at(k + 1) in _COMPASS or (at(k + 1) == "the" and at(k + 2) in _COMPASS)
                        or (k + 1 < n and not sent_start[k + 1] and words[k + 1][:1].isupper())):
        located = True
    if located:
        f["appos_loc"] = 1.0


def pair_features(f: dict[str, float], words: Sequence[str], sent_start: Sequence[bool], start: int, end: int,
                  names: Mapping[str, tuple[int, int]], next_kind: Mapping[int, str]) -> None:
    """Add ``name_pair`` to ``f`` when the one-word name at ``start`` is a word of the person-name
    lists (``names``: lower-case name -> (given rank, surname rank)) followed by a surname
    (``next_kind``: see :class:`geo_app.text.spans.PersonMarks`) and the pair by nothing that
    places it: no comma, no unit or place noun ("Washington state", "Florence, Italy"); the
    ``name_pair|next=...`` and ``name_pair|first=surname|next=...`` variants also for a next word
    that neither the lists nor the gazetteer hold ("Berkeley Breathed")."""
    kind = next_kind.get(start)
    if end - start != 1 or kind not in ("surname", "surname_place", "unknown"):
        return
    given, surname = names.get(words[start].lower(), (0, 0))
    if not (given or surname):
        return
    n = len(words)
    after = words[start + 2].lower() if start + 2 < n and not sent_start[start + 2] else ""
    if after in (",", "(") or after in PLACE_NOUNS or after in _UNIT_WORDS:
        return
    f[f"name_pair|next={kind}"] = 1.0
    if kind != "unknown":
        f["name_pair"] = 1.0
    if not given:
        f[f"name_pair|first=surname|next={'unknown' if kind == 'unknown' else 'surname'}"] = 1.0


_PLACE_MODIFIED = frozenset(settings.PLACE_MODIFIED_NOUNS)
_PRODUCTS = frozenset(settings.PRODUCT_NOUNS)
_PLACE_VERBS = frozenset(settings.PLACE_ACTION_VERBS)
#: Nouns of "the town", "the city's" that refer back to a place named just before.
_ANAPHOR_NOUNS = frozenset("town city village region province capital port district island".split())
#: Tokens after a name in which :func:`use_features` looks for "the town" / "the city's".
_ANAPHOR_WINDOW = 12
_POSSESSIVES = frozenset(("'s", "’s"))


def use_features(f: dict[str, float], words: Sequence[str], lower: Sequence[str], sent_start: Sequence[bool],
                 start: int, end: int, anaphors: list[int] | None = None) -> None:
    """Add to ``f`` what the words right around the name at ``words[start:end]`` do with it (see the
    module docstring: ``use_after=place|thing``, ``use_poss=place``, ``use_verb_before``,
    ``use_anaphor``); ``lower``: the words in lower case; ``anaphors``: :func:`anaphors` of ``lower``
    when the caller has it. Word classes, never names."""
    n = len(words)
    if start > 0 and not sent_start[start] and lower[start - 1] in _PLACE_VERBS:
        f["use_verb_before"] = 1.0
    if end < n and not sent_start[end]:
        w = lower[end]
        if w in _POSSESSIVES:
            if any(end + j < n and not sent_start[end + j] and lower[end + j] in _PLACE_MODIFIED for j in (1, 2)):
                f["use_poss=place"] = 1.0
        elif w in _PRODUCTS and words[end].islower():
            f["use_after=thing"] = 1.0
        elif w in _PLACE_MODIFIED and words[end].islower():
            f["use_after=place"] = 1.0
    at = anaphors if anaphors is not None else _anaphors(lower)
    if at:
        i = bisect_left(at, end)
        if i < len(at) and at[i] < end + _ANAPHOR_WINDOW:
            f["use_anaphor"] = 1.0


#: :func:`_anaphors` by the report's list of lower-case words (kept with it: ids are reused).
_ANAPHOR_MEMO: dict[int, tuple[Sequence[str], list[int]]] = {}


def anaphors(lower: Sequence[str]) -> list[int]:
    """The sorted positions of "the" before a noun of :data:`_ANAPHOR_NOUNS` in ``lower`` (a report's
    words in lower case), for :func:`use_features`."""
    return [j for j in range(len(lower) - 1) if lower[j] == "the" and lower[j + 1] in _ANAPHOR_NOUNS]


def _anaphors(lower: Sequence[str]) -> list[int]:
    """The sorted positions of "the" before a noun of :data:`_ANAPHOR_NOUNS` in ``lower`` (once per report)."""
    hit = _ANAPHOR_MEMO.get(id(lower))
    if hit is not None and hit[0] is lower:
        return hit[1]
    at = anaphors(lower)
    if len(_ANAPHOR_MEMO) >= 64:
        _ANAPHOR_MEMO.clear()
    _ANAPHOR_MEMO[id(lower)] = (lower, at)
    return at


#: The report-context features :func:`context_conjunctions` joins with the label and shape, in order.
_CONJOINED = ("country_in_doc", "near<=200", "near<=500", "coherent", "no_context")


@lru_cache(maxsize=4_096)
def _conjoined_key(label: str, key: str, lone: int) -> str:
    return f"{label}|{key}|lone={lone}"


def context_conjunctions(f: dict[str, float], label: str) -> None:
    """Add to ``f`` the report-context features of ``f`` joined with the candidate's NER label and
    with whether it is a lone capitalised word (no capitalised word either side): a linear model
    cannot form these itself, and in the corpora a lone word the gazetteer knows, in a country the
    report names, is a place five times out of six while the same name beside other capitalised
    words is often part of a longer one."""
    present = [key for key in _CONJOINED if key in f]
    if present:
        lone = int("next_cap" not in f and "prev_cap" not in f and f.get("ntok=1", 0.0) > 0)
        for key in present:
            f[_conjoined_key(label or "none", key, lone)] = 1.0
    # A report that tags no other place says little of a name beside capitalised words or an
    # organisation's ("The Red Cross and the UN"): that absence is weighed by label and shape alone.
    f.pop("no_context", None)


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The English words of WordNet's lemma index (lower case), from
    the lemmatizer tables of ``settings.LEXICON_PACKAGE`` (empty when the package lacks them).

    The index holds famous places too ("kharkiv", "tuscany"): as a classifier feature it taught the
    model to doubt them, so it serves only the span arbiter's rule for lone names, which it keeps
    from English words ("Area", "Mission")."""
    try:
        root = spacy.util.get_package_path(settings.LEXICON_PACKAGE)
    except (ImportError, ModuleNotFoundError):
        return frozenset()
    for path in sorted(root.glob("*/lemmatizer/lookups")) + [root / "lemmatizer" / "lookups"]:
        if path.is_dir():
            tables = Lookups().from_disk(path)
            if tables.has_table("lemma_index"):
                index = tables.get_table("lemma_index")
                return frozenset(w for key in index for w in index[key])
    return frozenset()


def in_lexicon(words: Sequence[str]) -> bool:
    """Whether a word of ``words`` (a name's tokens) is an English word of :func:`lexicon` ("White
    House", "Area"; not "Bint Jbeil"). The index holds single words only."""
    lex = lexicon()
    return any(w.lower() in lex for w in words if w.isalpha())
