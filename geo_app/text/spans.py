"""Span arbitration: every candidate place span competes in one place.

Candidates come from every source the extractor has: the statistical NER (any label when the
span is a gazetteer name or demonym; organisation spans always, since many name a building or
site), the gazetteer EntityRuler, capitalised runs the gazetteer knows (also sentence-initial
ones, and ones inside person or organisation names), and capitalised runs that end in a head
noun of a road, building or natural feature ("Dawes Street", "Tavy River"). Context words never
cross a sentence boundary ("<s>" before a name that opens a sentence).
Each candidate gets a feature vector (:func:`candidate_features`) that the kind classifier
(:mod:`geo_app.text.kinds`) turns into place / not a place / demonym. :func:`arbitrate` then
keeps the accepted candidates under one explicit precedence:

1. a candidate the classifier rejects never becomes a mention;
2. among overlapping accepted candidates the longest wins ("British Columbia" over "British",
   "Mexico City" over "Mexico", "Kaliningrad Oblast" over "Kaliningrad");
3. at equal length the more probable one wins;
   (0. a name directly followed by a head noun such as "virus" names that thing, not a place,
   everywhere in the report: the one hand list kept, because the corpora have no examples);
4. a person or organisation span wins over a place inside it through the classifier, which
   sees whether a candidate sits in such a span and that span's last word ("Treaty
   Organization" rejects "North Atlantic", "New York Times" keeps "New York").

Non-place entities (dates, quantities) that overlap no accepted place keep their NER label.

Why this module is long: candidates, their features and the arbitration share one per-document
token view and its memos (the selective NER calls the feature builder twice per document); the
report-context and phrase features themselves live in :mod:`geo_app.text.place_context`, and the
hooks here are the glue that passes that view along.
"""

from __future__ import annotations

import math
from itertools import compress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, ORTH, SENT_START, SPACY
from spacy.tokens import Doc, Span

from geo_app import settings
from geo_app.places.gazetteer import Gazetteer, NameMatch, Place
from geo_app.text import person_cues, place_context
from geo_app.text._kind_features import (HEAD_KEYS, NTOK_KEYS, SOURCE_KEYS, SUFFIX_KEYS, label_keys, word_key,
                                         word_table)

#: spaCy labels that may name a place.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Entities that can hold a place inside them ("New York Times", "Lloyd Austin").
_NAME_LABELS = frozenset({"ORG", "PERSON", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "FAC", "NORP"})
#: Lower-case words allowed inside a capitalised name ("Isle of Man", "Bosnia and Herzegovina").
_CONNECTORS = frozenset({"of", "and", "de", "del", "la", "upon", "on", "the", "-", "al", "el", "du", "des", "da"})
#: Words after a known name that make a first-level unit of it ("Kaliningrad Oblast").
_UNIT_WORDS = frozenset({"oblast", "province", "region", "governorate", "krai", "voblast", "prefecture",
                         "state", "county", "district", "parish", "territory", "canton", "municipality"})
#: Entity labels whose spans compete as candidates even when the gazetteer lacks the name: an
#: organisation span is often a building or site the reader can place ("Barclays Center",
#: "Colorado State University"); the classifier learns from its words which ones are.
_NAMED_FACILITY_LABELS = frozenset({"ORG"})
#: Head nouns that make a capitalised name a road, a building or site, or a natural feature
#: ("Dawes Street", "Carnegie Library", "Neches River"), in classes the classifier weighs: a
#: general word list (no place names), so what the corpora teach about one head carries over.
_HEAD_CLASSES = {
    **dict.fromkeys("""street st. st road rd. rd avenue ave. ave drive dr. boulevard blvd. blvd lane ln. way
        highway hwy. parkway pkwy. trail pike turnpike expressway freeway bridge square plaza circle court ct.
        place terrace crescent""".split(), "road"),
    **dict.fromkeys("""university college school academy institute hospital clinic center centre library church
        cathedral chapel mosque temple synagogue prison jail penitentiary museum stadium arena hall courthouse
        armory armoury barracks base station terminal airport port harbor harbour mall market hotel inn
        theatre theater gallery palace castle tower embassy consulate factory plant mine farm farms ranch
        mill estate cemetery zoo""".split(), "building"),
    **dict.fromkeys("""river creek brook lake lakes pond reservoir bay gulf sea ocean strait channel sound
        island islands isle peninsula coast beach cape point mountain mountains mount hill hills ridge valley
        canyon gorge forest woods wilderness desert plain plains falls springs swamp marsh park reserve
        glacier""".split(), "nature"),
}
_MAX_TOKENS = 6
#: Nouns of a state's formal name ("the former Soviet Republic of Belarus", "the Islamic Republic of
#: Iran"): an adjective before them is part of that longer name, and the place is the one after "of".
_POLITY_WORDS = frozenset("""republic republics kingdom federation union emirate emirates sultanate principality
    commonwealth confederation socialist people's peoples democratic state states""".split())


def head_class(name: str) -> str | None:
    """The class of a multi-word name's last word: "road", "building", "nature" or None.

    "Neches River" -> "nature", "Carnegie Library" -> "building", "Kherson" -> None.
    """
    words = name.split()
    return _HEAD_CLASSES.get(words[-1].lower()) if len(words) > 1 else None


_TITLE_CODES = ("PCLI", "ADM1", "ADM2", "PPLC", "CONT", "GROUP", "SEA")

#: Words before a person's name that say what the person is or does ("Gov. Georgia Banks", "striker
#: Jordan Larsson"), and after a place that heads an office ("Georgia Gov. Brian Kemp"): a general
#: word list, no names. Words that are as often adjectives ("major", "general") are left out.
_TITLE_WORDS = frozenset("""mr mr. mrs mrs. ms ms. miss dr dr. sir dame lord lady gov gov. governor sen sen. senator
    rep rep. representative congressman congresswoman president vice-president minister secretary chancellor premier
    mayor judge justice gen. col. col colonel lt. lt lieutenant capt. capt captain sgt. sgt sergeant adm. admiral maj.
    prof. prof professor rev. rev reverend father pope king queen prince princess sheikh pastor bishop cardinal rabbi
    imam coach striker midfielder defender goalkeeper quarterback pitcher winger actress actor singer rapper player
    chairman chairwoman ceo spokesman spokeswoman spokesperson officer detective deputy sheriff commissioner ambassador
    attorney lawyer author writer journalist reporter editor founder manager teammate champion boxer golfer
    businessman businesswoman wife husband son daughter brother sister mother""".split())


#: Feature names left as they are in a person's-name context (see candidate_features): the person
#: features themselves.
_PERSON_KEEP = ("person_", "given", "surname", "next_name", "prev_title", "after_given", "name_pair")
#: The other features kept (prefixed "pp|") in a person's-name context: context words, how well
#: known and how big the place of that name is, position.
_PERSON_CONTEXT = ("p1=", "p2=", "n1=", "n2=", "gaz_well_known", "gaz_pop", "size=", "sent_initial", "doc_initial",
                   "repeats", "country_in_doc", "tagged_", "in=", "next_title", "and_known_place", "appos_",
                   "near", "placenoun_of", "loc_before", "use_", "in_head=", "run_head=")
#: A word of the extractor's common words ("jackson", "washington", "may") counts as a surname up to this rank.
_COMMON_WORD_SURNAME_RANK = 200
#: Titles that are also plain words in lower case ("miss", "father", "deputy"): titles only capitalised.
_CAPITAL_ONLY_TITLES = frozenset("""miss father mother sister brother son daughter wife husband king queen prince
    princess lord lady sir dame justice judge deputy officer chief manager champion star""".split())


def is_title(word: str) -> bool:
    """Whether ``word`` is a title or role before a person's name ("Gov.", "striker", "Miss")."""
    low = word.lower()
    return low in _TITLE_WORDS and (low not in _CAPITAL_ONLY_TITLES or word[:1].isupper())


#: Surnames up to this rank count as surnames after a given name even when the gazetteer knows them.
_COMMON_SURNAME_RANK = 3000


@lru_cache(maxsize=1)
def person_names() -> dict[str, tuple[int, int]]:
    """Lower-case name -> (given-name rank, surname rank), 0 when not in that list, for the names
    of ``settings.PERSON_NAMES_FILE`` within ``PERSON_GIVEN_MAX_RANK`` / ``PERSON_SURNAME_MAX_RANK``
    (an empty table when the file is missing: the features then never fire)."""
    path = settings.PERSON_NAMES_FILE
    out: dict[str, tuple[int, int]] = {}
    if not path.exists():
        return out
    g_max, s_max = settings.PERSON_GIVEN_MAX_RANK, settings.PERSON_SURNAME_MAX_RANK
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        name, g, s = line.split("\t")
        rg, rs = int(g), int(s)
        rg, rs = (rg if rg <= g_max else 0), (rs if rs <= s_max else 0)
        if rg or rs:
            out[name] = (rg, rs)
    return out


def _rank_bin(rank: int, top: int, mid: int) -> str:
    return "top" if rank <= top else "mid" if rank <= mid else "rare"


@dataclass(frozen=True)
class PersonMarks:
    """Where a report names people by the name lists: ``pattern`` holds the tokens that open a
    "given name + surname" pair (a common given name, then in the same sentence a capitalised
    surname the gazetteer lacks, or a common one: "Jordan Henderson", "Georgia Whitfield"; or a
    word neither list nor the gazetteer holds that ends the name: "Israel Adesanya"; never after
    "the": "the Houston Rockets");
    ``firsts`` and ``lasts`` the words of those pairs; ``next_kind`` what the token after each
    capitalised token is ("surname", "surname_place", "unknown", "title", "place", "other")."""

    pattern: frozenset[int]
    firsts: frozenset[str]
    lasts: frozenset[str]
    next_kind: dict[int, str]
    given: dict[int, int]
    cap_count: dict[str, int]
    pair_count: dict[tuple[str, str], int]


def person_marks(view: "TokenView", gaz: Gazetteer, common_words: frozenset[str]) -> PersonMarks:
    """The :class:`PersonMarks` of a doc (see there)."""
    names = person_names()
    words, punct, sent_start = view.words, view.punct, view.sent_start
    cap, lower = view.cap, view.lower
    n = len(words)
    pattern, firsts, lasts = set(), set(), set()
    next_kind: dict[int, str] = {}
    given: dict[int, int] = {}
    cap_count: dict[str, int] = {}
    pair_count: dict[tuple[str, str], int] = {}
    for k in range(n):
        if not cap[k] or punct[k]:
            continue
        w = words[k]
        cap_count[w] = cap_count.get(w, 0) + 1
        rank = names.get(lower[k], (0, 0))[0]
        if rank:
            given[k] = rank
        if k + 1 >= n or sent_start[k + 1]:
            continue
        nw = words[k + 1]
        low = lower[k + 1]
        surname = names.get(low, (0, 0))[1]
        after_cap = k + 2 < n and not sent_start[k + 2] and cap[k + 2]
        if is_title(nw):
            kind = "title"
        elif (not cap[k + 1] or punct[k + 1] or low in _HEAD_CLASSES
              or (low in common_words and not 0 < surname <= _COMMON_WORD_SURNAME_RANK)
              or (after_cap and (lower[k + 2] in _HEAD_CLASSES or lower[k + 2] in common_words))):
            # Not a person's name: a plain word ("Friday", "North"; "Jackson" is a surname first),
            # or a pair that heads a longer name ("Paris High School", "Lowell Town Court").
            kind = "other"
        else:
            known = _has_name(gaz, nw)
            if surname:
                # A common surname that is also a town's name ("Henderson", "Moore") still names
                # a person after a given name; a rarer one may be the place ("Jordan Amman").
                kind = "surname" if not known or surname <= _COMMON_SURNAME_RANK else "surname_place"
            else:
                kind = "place" if known else "unknown"
        next_kind[k] = kind
        # After "the" a pair names a team, a firm or a body ("the Houston Rockets"), not a person.
        article = k > 0 and not sent_start[k] and lower[k - 1] == "the"
        if rank and not article and (kind == "surname"
                                     or (kind == "unknown" and not nw.isupper() and not after_cap)):
            pattern.add(k)
            firsts.add(w)
            lasts.add(nw)
            pair_count[(w, nw)] = pair_count.get((w, nw), 0) + 1
    return PersonMarks(frozenset(pattern), frozenset(firsts), frozenset(lasts), next_kind, given, cap_count,
                       pair_count)


@dataclass
class Candidate:
    """A span that may name a place (token offsets into the doc)."""

    start: int
    end: int
    source: str  # "ner", "ruler", "gaz", "unit"
    label: str = ""  # NER label of the identical span, "" if none
    name_end: int | None = None  # end token of the base name ("Kaliningrad" in "Kaliningrad Oblast")
    probs: tuple[float, float, float] = (1.0, 0.0, 0.0)  # not, place, demonym
    feats: dict[str, float] = field(default_factory=dict)
    blocked: bool = False  # names a non-place whatever the classifier says ("Marburg virus")
    known: bool = False  # the gazetteer knows the name (or it is a demonym)

    @property
    def keep(self) -> float:
        """Probability that the span names a place or is a demonym."""
        return self.probs[1] + self.probs[2]


def _capital(tok_text: str) -> bool:
    return tok_text[:1].isupper()


def candidates(doc: Doc, gaz: Gazetteer, base: list[Candidate] | None = None) -> list[Candidate]:
    """Every span of ``doc`` that may name a place, from every source, overlapping freely.

    ``base``: the candidates of an earlier call on the same tokens (the selective NER's first
    stage): the gazetteer and head-noun scans, which do not depend on the entities, are taken
    from it instead of being run again.
    """
    view = token_view(doc)
    words, punct, span_text = view.words, view.punct, view.span_text
    n = len(words)
    found: dict[tuple[int, int], Candidate] = {}
    lookup, demonym_of = _answers(gaz)

    def add(start: int, end: int, source: str, label: str = "", name_end: int | None = None) -> None:
        if start >= end:
            return
        key = (start, end)
        if key in found:
            if label and not found[key].label:
                found[key].label = label
            return
        found[key] = Candidate(start, end, source, label, name_end)

    ents = list(doc.ents)  # doc.ents builds its spans anew on every read
    for ent in ents:
        start = ent.start + 1 if words[ent.start].lower() == "the" and len(ent) > 1 else ent.start
        text = span_text(start, ent.end)
        if ent.label_ in PLACE_LABELS or ent.label_ == "NORP":
            add(start, ent.end, "ruler" if ent.ent_id_ == "gaz" else "ner", ent.label_)
        elif lookup(text) or demonym_of(text) or ent.label_ in _NAMED_FACILITY_LABELS:
            add(start, ent.end, "ner", ent.label_)
    if base is not None:
        for c in base:
            if c.source in ("gaz", "unit", "head"):
                add(c.start, c.end, c.source, name_end=c.name_end)
        return _with_labels(ents, found)
    # Capitalised runs the gazetteer knows: the longest from each capitalised token.
    # Lower-case articles bound by a hyphen ("al-Bab", "Deir ez-Zor") may start or sit inside a name.
    cap, lower = view.cap, view.lower
    particles: set[int] = set()
    h = -1
    while True:
        try:
            h = words.index("-", h + 1)
        except ValueError:
            break
        k = h - 1
        if k >= 0 and k + 2 < n and cap[k + 2]:
            w = words[k]
            if len(w) <= 3 and w.isalpha() and w.islower():
                particles.add(k)

    def inner_ok(k: int) -> bool:  # may sit inside a name
        return cap[k] or lower[k] in _CONNECTORS or k in particles

    capitals = list(compress(range(n), cap))
    firsts = sorted(particles.union(capitals)) if particles else capitals
    text, idx = view.text, view.idx
    for i in [i for i in firsts if not punct[i] and lower[i] != "the"]:
        limit = min(n, i + _MAX_TOKENS)
        end = i + 1  # tokens i..end-1 may sit inside a name (i itself may)
        while end < limit and inner_ok(end):
            end += 1
        for j in range(end, i, -1):
            if not cap[j - 1]:
                continue
            name = text[idx[i]:idx[j - 1] + len(words[j - 1])]
            if lookup(name) or (j - i == 1 and demonym_of(name)):
                add(i, j, "gaz")
                if j < n and lower[j] in _UNIT_WORDS and cap[j]:
                    add(i, j + 1, "unit", name_end=j)
                break
    # Capitalised runs that end in a head noun ("Dawes Street", "Cavan Institute"), whether or
    # not the gazetteer or the NER knows them.
    sent_start = view.sent_start
    for j in [j for j in capitals if j >= 1 and lower[j] in _HEAD_CLASSES]:
        if lower[j] in ("st.", "st") and j + 1 < n and cap[j + 1]:
            continue  # "St. Thomas": Saint, not Street
        i = j
        while i > 0 and not sent_start[i] and inner_ok(i - 1) and j - i < _MAX_TOKENS and not punct[i - 1]:
            i -= 1
        while i < j and (not (cap[i] or i in particles) or lower[i] == "the"):
            i += 1
        if i < j:
            add(i, j + 1, "head")
    return _with_labels(ents, found)


def _with_labels(ents: list[Span], found: dict[tuple[int, int], Candidate]) -> list[Candidate]:
    """The candidates in order, each with the label of an identical entity (of ``ents``, the doc's)
    if it has none."""
    labels = {(e.start, e.end): e.label_ for e in ents}
    for c in found.values():
        if not c.label:
            c.label = labels.get((c.start, c.end), "")
    return sorted(found.values(), key=lambda c: (c.start, -c.end))


def capital_runs(doc: Doc, cands: list[Candidate], skip: np.ndarray | None = None) -> list[Candidate]:
    """Candidates (source ``"cap"``) for the capitalised runs of ``doc`` that no candidate in
    ``cands`` covers exactly: the names the gazetteer lacks, which only the statistical NER can
    label ("Ward Parkway", "Fort Hood"), for the selective NER to decide whether to read them.

    A run is a maximal sequence of capitalised tokens (connectors such as "of" inside), within
    a sentence, at most ``_MAX_TOKENS`` long; tokens where ``skip`` is True (a boolean array over
    the doc's tokens: sentence-initial function words, weekdays) start no run.
    """
    view = token_view(doc)
    words, punct, sent_start = view.words, view.punct, view.sent_start
    n = len(words)
    cap, lower = view.cap, view.lower
    have = {(c.start, c.end) for c in cands}
    out = []
    skipped = skip.tolist() if skip is not None else [False] * n
    j = 0  # end of the last run: the next starts at or after it
    for i in [i for i in range(n) if cap[i] and not punct[i] and not skipped[i]]:
        if i < j:
            continue
        j = i + 1  # end of the run so far (exclusive), always after a capitalised token
        k = i + 1
        while k < n and not sent_start[k] and k - i < _MAX_TOKENS:
            if cap[k] and not punct[k]:
                k += 1
                j = k
            elif lower[k] in _CONNECTORS:
                k += 1
            else:
                break
        if (i, j) not in have:
            out.append(Candidate(i, j, "cap"))
    return out


@dataclass(frozen=True)
class TokenView:
    """Per-token arrays of a doc built once with array operations (a Python Token object per
    token costs more than the rest of candidate building)."""

    words: list[str]
    text: str  # the doc's text (``doc.text``) rebuilt from ``words``
    idx: list[int]
    punct: list[bool]
    sent_start: list[bool]
    cap: list[bool] = field(default_factory=list)  # the word starts with a capital (:func:`_capital`)
    lower: list[str] = field(default_factory=list)  # the word in lower case

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``."""
        return self.text[self.idx[start]:self.idx[end - 1] + len(self.words[end - 1])]


def token_view(doc: Doc) -> TokenView:
    """The :class:`TokenView` of ``doc`` (cached in ``doc.user_data`` while its tokens stand)."""
    cached = doc.user_data.get("geo_app_view")
    if isinstance(cached, TokenView) and len(cached.words) == len(doc):
        return cached
    if len(doc) == 0:
        view = TokenView([], "", [], [], [])
    else:
        arr = doc.to_array([IDX, IS_PUNCT, SENT_START, SPACY]).astype(np.int64)
        words = _words(doc)
        text = doc.user_data.get("geo_app_doc_text")
        spaces = arr[:, 3].tolist()
        if not isinstance(text, str) or len(text) != int(arr[-1, 0]) + len(words[-1]) + spaces[-1]:
            text = "".join([w + " " if sp else w for w, sp in zip(words, spaces)])
        sent = (arr[:, 2] == 1).tolist()
        sent[0] = True
        distinct = set(words)
        lowered = {w: w.lower() for w in distinct}  # one string per distinct word: a 2 MB report has 400,000 tokens
        capital = {w: w[:1].isupper() for w in distinct}
        view = TokenView(words, text, arr[:, 0].tolist(), (arr[:, 1] != 0).tolist(), sent,
                         list(map(capital.__getitem__, words)), list(map(lowered.__getitem__, words)))
    doc.user_data["geo_app_view"] = view
    return view


#: Token strings by ORTH hash (a hash names one string in every vocab): a dict read is cheaper than
#: the StringStore's, and a report's words are mostly words seen before.
_ORTH: dict[int, str] = {}
_ORTH_MAX = 500_000


def _words(doc: Doc) -> list[str]:
    """The token texts of ``doc``."""
    strings = doc.vocab.strings
    hashes = doc.to_array(ORTH).tolist()
    get = _ORTH.get
    words = [get(o) for o in hashes]
    if None in words:
        if len(_ORTH) >= _ORTH_MAX:
            _ORTH.clear()
        for k, o in enumerate(hashes):
            if words[k] is None:
                words[k] = _ORTH[o] = strings[o]
    return words


#: Gazetteer answers by name, per gazetteer and question: a report asks about the same words many
#: times, and normalising a name or querying the demonym table costs more than the answer's
#: lookup here (each table is cleared when it grows past ``_MEMO_MAX`` names).
_MEMO: dict[tuple[int, str], dict[str, Any]] = {}
_MEMO_MAX = 200_000


def _ask(gaz: Gazetteer, question: str, text: str) -> Any:
    memo = _MEMO.setdefault((id(gaz), question), {})
    if text in memo:
        return memo[text]
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    answer = memo[text] = gaz.lookup(text) if question == "lookup" else gaz.demonym(text)
    return answer


def _answers(gaz: Gazetteer) -> tuple[Any, Any]:
    """Fast forms of :func:`_matches` and :func:`_demonym` for one gazetteer (the same memos, looked
    up once instead of once per question)."""
    lookups = _MEMO.setdefault((id(gaz), "lookup"), {})
    demonyms = _MEMO.setdefault((id(gaz), "demonym"), {})

    def matches(text: str) -> tuple[NameMatch, ...]:
        hit = lookups.get(text)
        return _ask(gaz, "lookup", text) if hit is None else hit

    def demonym(text: str) -> str | None:
        return demonyms[text] if text in demonyms else _ask(gaz, "demonym", text)

    return matches, demonym


def _matches(gaz: Gazetteer, text: str) -> tuple[NameMatch, ...]:
    return _ask(gaz, "lookup", text)


def _has_name(gaz: Gazetteer, text: str) -> bool:
    return bool(_ask(gaz, "lookup", text))


def _demonym(gaz: Gazetteer, text: str) -> str | None:
    return _ask(gaz, "demonym", text)


def _gaz_summary(gaz: Gazetteer, name: str) -> tuple[dict[str, float], str | None, frozenset[str]]:
    """What the gazetteer says about ``name`` as candidate features (memoised: a common name has
    hundreds of entries), its size bin (None when unknown) and the countries of its non-country
    entries."""
    memo = _MEMO.setdefault((id(gaz), "summary"), {})
    hit = memo.get(name)
    if hit is not None:
        return hit
    matches = _matches(gaz, name)
    if not matches:
        hit = ({"gaz_none": 1.0}, None, frozenset())
    else:
        f = {"gaz": 1.0, "gaz_n": math.log1p(len(matches)) / 3}
        pop = max(m.place.population for m in matches)
        f["gaz_pop"] = math.log10(pop + 1) / 7
        # Size bins, alone and with the NER label: a city of 200,000 that the NER calls an
        # organisation is still the city; a hamlet it calls a person is a person.
        size = "big" if pop >= 100_000 else "town" if pop >= 10_000 else "small" if pop else "nopop"
        f[f"size={size}"] = 1.0
        f["gaz_primary"] = float(any(m.primary for m in matches))
        f["gaz_well_known"] = float(any(well_known(m) for m in matches))
        for cls in {kind_class(m.place) for m in matches}:
            f[f"fc={cls}"] = 1.0
        for code in {m.place.feature_code for m in matches} & set(_TITLE_CODES):
            f[f"code={code}"] = 1.0
        top = matches[0]
        f[f"top_fc={kind_class(top.place)}"] = 1.0
        f["top_primary"] = float(top.primary)
        hit = (f, size, frozenset(m.place.country_code for m in matches if m.place.feature_code != "PCLI"))
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[name] = hit
    return hit


def kind_class(place: Place) -> str:
    """The feature class the kind classifier sees for a gazetteer place: GeoNames' class, but an
    island of the islands layer (class T, code ISL: Sicily, Lesbos) counts as an area (A), like the
    regions it is drawn with. The development corpora hold too few islands for a weight of their
    own: the few they hold ("Rhodes" the surname, "Java") taught the classifier that class T
    means "not a place", and "Sicily" at the start of a report was lost."""
    return "A" if place.layer == "islands" else place.feature_class


def well_known(match: NameMatch) -> bool:
    """A country, region, sea or group by any name, or a sizeable town by its own."""
    place = match.place
    if place.feature_code in ("PCLI", "PPLC", "GROUP", "CONT"):
        return True
    if match.primary:
        return place.feature_code in ("ADM1", "SEA") or place.population >= 20_000
    return place.population >= 100_000


def candidate_features(doc: Doc, cands: list[Candidate], gaz: Gazetteer, common_words: frozenset[str],
                       generic_words: frozenset[str], non_place_heads: frozenset[str] = frozenset(),
                       only: list[Candidate] | None = None) -> None:
    """Fill ``c.feats`` for each candidate: NER label, gazetteer classes, shape, position,
    words around it, the name span it sits in, and what the report says elsewhere.

    ``only``: fill the features of these candidates alone (the report-level ones, such as how
    often a name repeats, still count every candidate of ``cands``); ``blocked`` is set on all.

    A candidate directly followed by one of ``non_place_heads`` ("Reston virus") is blocked,
    with every other occurrence of its text in the report: the development corpora hold no
    such names, so the classifier cannot learn them (see ``settings.NON_PLACE_HEAD_WORDS``).
    """
    view = token_view(doc)
    words, punct, span_text, lower_of = view.words, view.punct, view.span_text, view.lower
    n = len(words)
    sent_start = view.sent_start
    # Sentence of each token: context words never come from another sentence (a name that
    # opens a sentence has "<s>" before it, whatever ended the sentence before).
    sent_of = (np.cumsum(sent_start) - 1).tolist() if n else []
    ents = list(doc.ents)
    # Names the report uses for people in full ("Lloyd Austin"), and names it tags as places.
    people: set[str] = set()
    place_texts: set[str] = set()
    person_texts: set[str] = set()
    for e in ents:
        if e.label_ == "PERSON":
            person_texts.add(e.text)
            if len(e) > 1:
                people.add(e[0].text)
                people.add(e[-1].text.removesuffix("'s").removesuffix("’s"))
        elif e.label_ in ("GPE", "LOC") and e.ent_id_ != "gaz":
            place_texts.add(e.text)
    enclosing: list[Span | None] = [None] * n
    for e in ents:
        if e.label_ in _NAME_LABELS and len(e) > 1:
            for k in range(e.start, e.end):
                enclosing[k] = e
    n_places = sum(1 for e in ents if e.label_ in ("GPE", "LOC"))
    doc_places = math.log1p(n_places) / 3
    # Each candidate's text, cut once.
    cand_texts = [span_text(c.start, c.end) for c in cands]
    todo = cands if only is None else only
    todo_texts = cand_texts if only is None else [span_text(c.start, c.end) for c in only]
    text_counts: dict[str, int] = {}
    for t in cand_texts:
        text_counts[t] = text_counts.get(t, 0) + 1
    starts = {c.start for c in cands}
    ends = {c.end for c in cands}
    doc_countries = _doc_countries(doc, cands, gaz, cand_texts)
    lookup, demonym_of = _answers(gaz)
    summaries = _MEMO.setdefault((id(gaz), "summary"), {})

    def summary(name: str) -> tuple[dict[str, float], str | None, frozenset[str]]:
        hit = summaries.get(name)
        return _gaz_summary(gaz, name) if hit is None else hit

    # The marks depend on the tokens alone: the selective NER's two calls on a doc share them.
    cached = doc.user_data.get("geo_app_marks")
    if cached is not None and cached[0] is view and cached[1] is gaz and cached[2] == common_words:
        marks = cached[3]
    else:
        marks = person_marks(view, gaz, common_words)
        doc.user_data["geo_app_marks"] = (view, gaz, common_words, marks)
    # The name lists' pairs count as the NER's people do, whether or not the NER read them (the
    # selective NER skips a window the first stage is sure of).
    people |= marks.firsts | marks.lasts
    names = person_names()
    acting, surnames_at = _acting_pairs(doc, view, names, marks)
    # Spans of well-known places, for names joined to one by "and" / "or" ("around Hodeidah and Taiz").
    wk_starts: set[int] = set()
    wk_ends: set[int] = set()
    for c, t in zip(cands, cand_texts):
        if summary(t)[0].get("gaz_well_known"):
            wk_starts.add(c.start)
            wk_ends.add(c.end)
    anchors = _anchors(view, cands, gaz, cand_texts)
    # The report-context features of every name in one geodesic measure (answers kept by name).
    bases = [span_text(c.start, c.name_end) if c.name_end else t for c, t in zip(todo, todo_texts)]
    near_items = [(t, lookup(b), summary(b)[2]) for t, b in zip(todo_texts, bases)]
    place_context.prepare_near(anchors, near_items, doc_countries)
    blocked_texts: set[str] = set()
    for c, t in zip(cands, cand_texts):
        if c.end < n and lower_of[c.end] in non_place_heads:
            c.blocked = True
            blocked_texts.add(t)
    # Context-word features by word: "p2=..", "p1=..", "n1=..", "n2=.." (see _kind_features).
    p2_keys, p1_keys, n1_keys, n2_keys = (word_table(key) for key in ("p2", "p1", "n1", "n2"))
    anaphors = place_context.anaphors(lower_of)  # "the town", "the city's": once per report
    last_table, first_table = word_table("last"), word_table("first")
    for c, text, base in zip(todo, todo_texts, bases):
        f: dict[str, float] = {}
        lab = c.label or "none"
        lk = label_keys(lab)
        start, end = c.start, c.end
        f[lk.lab] = 1.0
        f[SOURCE_KEYS[c.source]] = 1.0
        ntok = end - start
        f[NTOK_KEYS[min(ntok, 3)]] = 1.0
        matches = lookup(base)
        demonym = demonym_of(text)
        c.known = bool(matches) or demonym is not None
        gaz_feats, size, countries = summary(base)
        f.update(gaz_feats)
        if size:
            f[lk.size[size]] = 1.0
        if demonym:
            f["demonym"] = 1.0
        first = words[start]
        if text.isupper():
            f["all_caps"] = 1.0
            if len(text) <= 3:
                f["short_caps"] = 1.0
        elif not first[:1].isupper():
            f["lower_initial"] = 1.0
        if len(text) <= 3:
            f["short"] = 1.0
        initial = sent_start[start]
        if initial:
            f["sent_initial"] = 1.0
        if start == 0:
            f["doc_initial"] = 1.0
        low = text.lower()
        if low in common_words:
            f["common_word"] = 1.0
        if low in generic_words:
            f["generic_word"] = 1.0
        if ntok == 1 and text in people:
            f["person_name"] = 1.0
        if text in place_texts:
            f["tagged_place_in_doc"] = 1.0
        if text in person_texts:
            f["tagged_person_in_doc"] = 1.0
        f["repeats"] = math.log1p(text_counts.get(text, 1) - 1)
        f["doc_places"] = doc_places
        # Context words, inside the candidate's sentence.
        s_first, s_last = sent_of[start], sent_of[end - 1]
        if start < 2:
            f["p2=<edge>"] = 1.0
        elif sent_of[start - 2] != s_first:
            f["p2=<s>"] = 1.0
        else:
            w = words[start - 2]
            f[p2_keys.get(w) or word_key("p2", w)] = 1.0
        if start < 1:
            f["p1=<edge>"] = 1.0
        elif sent_of[start - 1] != s_first:
            f["p1=<s>"] = 1.0
        else:
            w = words[start - 1]
            f[p1_keys.get(w) or word_key("p1", w)] = 1.0
        if end >= n:
            f["n1=<edge>"] = 1.0
        elif sent_of[end] != s_last:
            f["n1=</s>"] = 1.0
        else:
            w = words[end]
            f[n1_keys.get(w) or word_key("n1", w)] = 1.0
        if end + 1 >= n:
            f["n2=<edge>"] = 1.0
        elif sent_of[end + 1] != s_last:
            f["n2=</s>"] = 1.0
        else:
            w = words[end + 1]
            f[n2_keys.get(w) or word_key("n2", w)] = 1.0
        # A town or region of a country the report names ("Kiev" beside "Ukraine").
        if countries & doc_countries:
            f["country_in_doc"] = 1.0
        prev = words[start - 1] if start > 0 else ""
        nxt = words[end] if end < n else ""
        next_cap = False
        if prev and prev[:1].isupper() and not sent_start[start - 1] and not punct[start - 1]:
            f["prev_cap"] = 1.0
        if nxt and nxt[:1].isupper() and not punct[end]:
            f["next_cap"] = 1.0
            next_cap = True
            # The capitalised run the name opens, by its last word: "Delta Air Lines", "Arizona
            # Beverages", "Paris Agreement" (a carrier, a brand, a treaty) or "Victoria Police" (its seat),
            # whether or not the NER made one span of it.
            k = end + 1
            while k < n and k - end < 4 and view.cap[k] and not punct[k] and not sent_start[k]:
                k += 1
            head = org_head_class(lower_of[k - 1])
            if head != "other":
                f[_RUN_HEAD_KEYS[head]] = 1.0
        if nxt == "," and end + 1 < n and lookup(words[end + 1]) and words[end + 1][:1].isupper():
            f["then_comma_place"] = 1.0
        if (nxt in ("and", "or") and end + 1 in wk_starts) or (prev in ("and", "or") and start - 1 in wk_ends):
            f["and_known_place"] = 1.0
        if prev == "," and start >= 2 and words[start - 2][:1].isupper():
            f["after_comma_name"] = 1.0
        if ntok > 1:
            head = _HEAD_CLASSES.get(lower_of[end - 1])
            if head:
                f[HEAD_KEYS[head]] = 1.0
                f[lk.head[head]] = 1.0
            w = words[end - 1]
            f[last_table.get(w) or word_key("last", w)] = 1.0
            f[first_table.get(first) or word_key("first", first)] = 1.0
        else:
            f[SUFFIX_KEYS[low[-3:]]] = 1.0
        # The name span it sits in.
        enc = enclosing[start] or enclosing[end - 1]
        if enc is not None:
            enc_start = enc.start + 1 if enc[0].lower_ == "the" else enc.start
            if not (enc_start == start and enc.end == end):
                f[f"in={enc.label_}"] = 1.0
                f[word_key("in_last", enc[-1].text)] = 1.0
                if enc.start == start:
                    f["in_at_start"] = 1.0
                # The span's head word: its last word, or its first when the name ends the span
                # ("University of Michigan", "Bank of England": the place is the seat).
                if enc.end > end:
                    f[_IN_HEAD_KEYS[org_head_class(enc[-1].lower_)]] = 1.0
                elif enc_start < start:
                    f[_IN_HEAD_KEYS[org_head_class(lower_of[enc_start])]] = 1.0
        # Conjunctions a linear model cannot form itself: the NER label with what the gazetteer
        # and the shape say ("Red Cross" as ORG and a hamlet; "Soviet Republic" as NORP + capital).
        f[lk.wk[int(f.get("gaz_well_known", 0.0))]] = 1.0
        f[lk.top[kind_class(matches[0].place) if matches else "-"]] = 1.0
        f[lk.ncap[next_cap]] = 1.0
        f[lk.sent[bool(initial)]] = 1.0
        # A name right before or after another candidate ("Soviet Republic of Belarus").
        if end in starts or start in ends:
            f["adjacent_candidate"] = 1.0
        if ntok > 1 and not matches:
            rest = span_text(start + 1, end)
            if lookup(rest):
                f["rest_known"] = 1.0
            if any(lookup(w) for w in words[start:end] if w[:1].isupper() and len(w) > 2):
                f["token_known"] = 1.0
        _person_features(f, c, view, marks, names)
        _person_cues(f, c, view, names, enc, acting, surnames_at)
        _context_features(f, c, view, matches, anchors, countries, doc_countries, marks, names, text, anaphors)
        if not demonym and ("person_pair" in f or ("prev_title" in f and ntok == 1) or _PERSON_CUES & f.keys()):
            # Where the name lists and the words around say "a person's name", what the gazetteer
            # and the NER say of the name is weighed apart ("Jordan" in "Jordan Henderson" is not
            # the country however well known the country is): the classifier learns these
            # weights from the corpora's person pairs alone.
            # The NER's and the ruler's labels and the gazetteer's classes are left out there: the
            # corpora hold too few people named after countries to weigh them (a ruler "GPE" on
            # "Kenya" in "Kenya Moore" says nothing of her); how well known the name is stays.
            f = {(k if k.startswith(_PERSON_KEEP) else f"pp|{k}"): v for k, v in f.items()
                 if k.startswith(_PERSON_KEEP + _PERSON_CONTEXT)}
        c.feats = f
        if demonym and ntok == 1 and _modifies_formal_name(words, end):
            c.blocked = True  # this occurrence only: "Soviet" elsewhere may still name the place
    # One sense per discourse: "the Reston virus ... in Reston" is the virus throughout.
    if blocked_texts:
        for c, t in zip(cands, cand_texts):
            if t in blocked_texts:
                c.blocked = True


def _context_features(f: dict[str, float], c: Candidate, view: TokenView, matches: tuple[NameMatch, ...],
                      anchors: place_context.Anchors, countries: frozenset[str], doc_countries: frozenset[str],
                      marks: PersonMarks, names: dict[str, tuple[int, int]], text: str,
                      anaphors: list[int] | None = None) -> None:
    """Add the features of :mod:`geo_app.text.place_context` to ``f``: what the phrases around the
    name and the report's other places say of it, and a person-name pair it opens."""
    place_context.near_features(f, text, matches, anchors, countries, doc_countries)
    place_context.phrase_features(f, view.words, view.sent_start, c.start, c.end)
    place_context.use_features(f, view.words, view.lower, view.sent_start, c.start, c.end, anaphors)
    place_context.pair_features(f, view.words, view.sent_start, c.start, c.end, names, marks.next_kind)
    place_context.context_conjunctions(f, c.label)


def _anchors(view: TokenView, cands: list[Candidate], gaz: Gazetteer,
             texts: list[str] | None = None) -> place_context.Anchors:
    """The points of the well-known names the report tags as places (see :func:`place_context.anchors`);
    ``texts``: the candidates' texts, when the caller has cut them."""
    named = []
    for i, c in enumerate(cands):
        if c.label in ("GPE", "LOC"):
            t = texts[i] if texts is not None else view.span_text(c.start, c.end)
            if _gaz_summary(gaz, t)[0].get("gaz_well_known"):
                named.append((t, _matches(gaz, t)))
    return place_context.anchors(named)


def report_context(doc: Doc, cands: list[Candidate], gaz: Gazetteer, cand: Candidate) -> dict[str, float]:
    """The report-context features of ``cand`` (:func:`place_context.near_features`: in a country
    the report names, near a place it names, ``coherent``), ``cands`` being the report's candidates."""
    view = token_view(doc)
    text = view.span_text(cand.start, cand.name_end or cand.end)
    # The report's anchors and countries once per candidate list (the span rules ask per candidate).
    cached = doc.user_data.get("geo_app_report_context")
    if cached is None or cached[0] is not cands or cached[1] != len(cands):
        cached = (cands, len(cands), _anchors(view, cands, gaz), _doc_countries(doc, cands, gaz))
        doc.user_data["geo_app_report_context"] = cached
    f: dict[str, float] = {}
    place_context.near_features(f, text, _matches(gaz, text), cached[2], _gaz_summary(gaz, text)[2], cached[3])
    return f


def _person_features(f: dict[str, float], c: Candidate, view: TokenView, marks: PersonMarks,
                     names: dict[str, tuple[int, int]]) -> None:
    """Add the person-name features of ``c`` to ``f``: a given name before a surname ("Jordan
    Henderson"), a title before it ("striker Jordan"), a given name before it ("Lloyd Austin"), an
    office after it ("Georgia Gov."), and the same words elsewhere in the report as a person's."""
    words, sent_start = view.words, view.sent_start
    k = c.start
    prev_in = k > 0 and not sent_start[k]
    if prev_in and is_title(words[k - 1]):
        f["prev_title"] = 1.0
    if prev_in and (k - 1) in marks.given and not view.punct[k - 1]:
        f["after_given"] = 1.0
        f[f"after_given={_rank_bin(marks.given[k - 1], 200, 600)}"] = 1.0
    lab = c.label or "none"
    wk = int(f.get("gaz_well_known", 0.0))
    if c.end - c.start == 1:
        word = words[k]
        g, s = names.get(word.lower(), (0, 0))
        # The NER's label weighed by whether a person could bear the name: a well-known place
        # name no one is called ("Kherson", "Hodeidah") that the NER calls a person or an
        # organisation is still the place; "Jordan" as a person may well be one.
        f[f"{lab}|wk={wk}|pname={int(bool(g or s))}"] = 1.0
        if g:
            f[f"given={_rank_bin(g, 200, 600)}"] = 1.0
        if s:
            f[f"surname={_rank_bin(s, 1000, 8000)}"] = 1.0
        nk = marks.next_kind.get(k)
        if nk is not None and nk != "other":  # "other" (a plain word next) would only shift the bias
            f[f"next_name={nk}"] = 1.0
            if g:
                f[f"given|next={nk}"] = 1.0
        if k in marks.pattern:
            f["person_pair"] = 1.0
            f[f"person_pair|wk={wk}"] = 1.0
            # A person is named again by surname alone ("Henderson said"): the surname occurs
            # more often than the pair.
            last = words[k + 1]
            if marks.cap_count.get(last, 0) > marks.pair_count.get((word, last), 0):
                f["person_surname_recurs"] = 1.0
        elif word in marks.firsts:
            f["person_first_elsewhere"] = 1.0
        if word in marks.lasts:
            f["person_last_in_doc"] = 1.0
    else:
        if c.end - c.start == 2 and k in marks.pattern:
            f["run_person_pair"] = 1.0
        f[f"{lab}|wk={wk}|multi"] = 1.0
    if c.end < len(words) and not sent_start[c.end] and is_title(words[c.end]):
        f["next_title"] = 1.0


_SEAT_HEADS = frozenset(settings.ORGANISATION_HEAD_WORDS)
_NONSEAT_HEADS = frozenset(settings.NONSEAT_HEAD_WORDS)
_IN_HEAD_KEYS = {k: f"in_head={k}" for k in ("seat", "nonseat", "other")}
_RUN_HEAD_KEYS = {k: f"run_head={k}" for k in ("seat", "nonseat")}


def org_head_class(last: str) -> str:
    """The class of the last word (lower case) of a name span that holds a place's name: ``"seat"``
    when such names are named after their seat ("New York Times", "Victoria Police",
    ``settings.ORGANISATION_HEAD_WORDS``), ``"nonseat"`` for treaties, carriers and brands ("Paris
    Agreement", "Delta Air Lines", ``settings.NONSEAT_HEAD_WORDS``), else ``"other"``."""
    if last in _SEAT_HEADS:
        return "seat"
    return "nonseat" if last in _NONSEAT_HEADS else "other"


#: The features of :mod:`geo_app.text.person_cues` that put a candidate in the person-name feature space.
_PERSON_CUES = frozenset({"person_act", "person_act_last", "person_kin", "person_span"})
#: Words that end a place's name after a capitalised word, never a person's ("Washington State", "Jordan Valley").
_PLACE_ENDS = place_context.PLACE_NOUNS | _UNIT_WORDS


def _acting_pairs(doc: Doc, view: TokenView, names: dict[str, tuple[int, int]],
                  marks: PersonMarks) -> tuple[frozenset[tuple[str, str]], frozenset[int]]:
    """The report's pairs "Name Surname" that act as a person (:func:`person_cues.acting_pairs`), and
    the tokens that may end a person's name though the name lists lack them (a capitalised word after
    a capitalised one that the gazetteer lacks and that is no English plural noun: "Breathed"),
    memoised on the doc while its tokens stand (the selective NER asks twice per document)."""
    cached = doc.user_data.get("geo_app_acting")
    if cached is not None and cached[0] is view:
        return cached[1], cached[2]
    # An English word counts too unless it is a plural noun: a capitalised "Breathed" between a name
    # and a verb people do is a surname; "Instruments", "Sprouts" are not.
    lex = place_context.lexicon()
    surnames_at = frozenset(k + 1 for k, kind in marks.next_kind.items()
                            if kind == "unknown" and not _plural_noun(view.lower[k + 1], lex))
    acting = person_cues.acting_pairs(view.words, view.lower, view.cap, view.punct, view.sent_start, names,
                                      _PLACE_ENDS, _HEAD_CLASSES, surnames_at)
    doc.user_data["geo_app_acting"] = (view, acting, surnames_at)
    return acting, surnames_at


def _plural_noun(low: str, lex: frozenset[str]) -> bool:
    """Whether the lower-case word ``low`` is an English noun's plural by the lexicon ("instruments",
    "sprouts", "churches"): the plural or its singular is a word of ``lex``."""
    return low.endswith("s") and (low in lex or low[:-1] in lex or (low.endswith("es") and low[:-2] in lex))


def _person_cues(f: dict[str, float], c: Candidate, view: TokenView, names: dict[str, tuple[int, int]],
                 enc: Span | None, acting: frozenset[tuple[str, str]], surnames_at: frozenset[int]) -> None:
    """Add the :mod:`geo_app.text.person_cues` features of ``c`` to ``f`` (a pair acting as a person,
    a kinship noun before the name, a two-word person or organisation span of name-list words)."""
    person_cues.person_cue_features(f, c.start, c.end, view.words, view.lower, view.cap, view.punct,
                                    view.sent_start, names, _PLACE_ENDS, _HEAD_CLASSES,
                                    None if enc is None else (enc.label_, enc.start, enc.end), acting, surnames_at)


def _modifies_formal_name(words: list[str], end: int) -> bool:
    """Whether the words from ``end`` on continue an adjective into a state's formal name: capitalised
    nouns of a polity ("Republic", "Socialist Republic") and then "of" and a capitalised name."""
    k = end
    while k < len(words) and k - end < 3 and _capital(words[k]) and words[k].lower() in _POLITY_WORDS:
        k += 1
    return k > end and k + 1 < len(words) and words[k] == "of" and _capital(words[k + 1])


def _doc_countries(doc: Doc, cands: list[Candidate], gaz: Gazetteer,
                   texts: list[str] | None = None) -> frozenset[str]:
    """ISO alpha-2 codes of the countries the report names, by name or demonym (``texts``: the
    candidates' texts, when the caller has cut them)."""
    codes: set[str] = set()
    span_text = token_view(doc).span_text
    memo = _MEMO.setdefault((id(gaz), "countries"), {})
    for i, c in enumerate(cands):
        text = texts[i] if texts is not None else span_text(c.start, c.end)
        named = memo.get(text)
        if named is None:
            named = _countries_named(gaz, text)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[text] = named
        codes.update(named)
    return frozenset(codes)


def _countries_named(gaz: Gazetteer, text: str) -> tuple[str, ...]:
    """The countries ``text`` names, as a country's name or a demonym (see :func:`_doc_countries`)."""
    codes = []
    for m in _matches(gaz, text):
        if m.place.feature_code == "PCLI" and m.primary and m.place.country_code:
            codes.append(m.place.country_code)
    code = _demonym(gaz, text)
    if code and len(code) >= 2 and code[:2].isupper() and (len(code) == 2 or code[2] == "-"):
        codes.append(code[:2])
    return tuple(codes)


def arbitrate(cands: list[Candidate], threshold: float, threshold_unknown: float | None = None) -> list[Candidate]:
    """The accepted candidates, without overlaps: longest first, then most probable.

    ``threshold_unknown`` (default ``threshold``) applies to names the gazetteer does not know:
    they can never be mapped, so the training script may ask more of them.
    """
    unknown = threshold if threshold_unknown is None else threshold_unknown
    accepted = [c for c in cands if c.keep >= (threshold if c.known else unknown) and not c.blocked]
    accepted.sort(key=lambda c: (-(c.end - c.start), -c.keep, c.start))
    taken: set[int] = set()
    out = []
    for c in accepted:
        if any(k in taken for k in range(c.start, c.end)):
            continue
        out.append(c)
        taken.update(range(c.start, c.end))
    return sorted(out, key=lambda c: c.start)
