"""Linking a stated distance to the two places it lies between, from the sentence's dependency parse.

Only sentences that state a distance are parsed (a second spaCy pipeline with the parser,
loaded lazily once; the extract step's pipeline stays NER-only). For each distance the
parse gives:

* **the far end** ``b``: the object of the preposition that follows the figure
  ("40 km *from* the Russian border", "30 km north *of* the border with Ukraine",
  "35 km *off* the Tanzanian mainland", "within 5 km *of* El Paso"), skipping compass
  words (kept as the claimed bearing), "away", "inland" and a parenthesised second
  figure ("25 miles (40 km)");
* **the near end** ``a``: the place the distance phrase is in apposition to ("Bryansk,
  about 100 km north of ..."), else the subject of the clause that governs it ("Kharkiv
  ... lies about 40 km from", "About 50 km from the border, the city of Chernihiv was
  ...");
* **pairs**: "X and Y are N km apart / separated by N km (of Indian territory)", "N km separate X
  from Y", "the N-km stretch/gap/corridor between X and Y", "from X to Y is N km", "It is N km from
  X to Y"; a town on one side of a gap or separation whose other side is an area stands for its
  exclave or island ("65 km wide between Belarus and Kaliningrad").

A near end the sentence does not name may be a subject that refers back: "it", "the city", "the
resort town", "the port city", "the regional capital" (the one town named before), "the enclave" or
"the island" (the one part of a country named before). A name the extract step did not mark is
looked up whole, hyphenated parts included ("Rostov-on-Don"), without a capitalised first word of
the sentence ("Landlocked Sofia"); "the Caspian" or "the Baltic" is the sea, not a town.

More forms: "X, N km to the south," from the town named just before X (this sentence or the one
before); a bracketed figure after a place in a comparison ("nearer to Yerevan (170 km) than to Baku
(450 km)"); "N km of <anything> divide A from B"; a reference place after "across the border from";
a fronted "Located N km north of A, B ..."; circles of latitude and the poles ("the Arctic Circle",
"the 38th parallel", "the North Pole", see :mod:`geo_app.check.parallels`); a seat of government for
its capital ("the Kremlin"); island groups by their short plural ("the Falklands"); a country's
adjective read from its form when the gazetteer's demonyms lack it ("Ecuadorian").

A distance that measures a thing ("a 2,000-km pipeline", "a range of 500 km"), a
movement ("drove 300 km through Belarus", "runs for 740 km between"), places a thing inside a
country ("4,000 troops in Congo, some 20 km from Goma") or has no place at one end is linked to
nothing (:attr:`Link.not_claim` says why). A natural feature the resolver placed only by a town
inside its name ("Lake Tana" by "Tana") is no end.

The words around a place's name say what part of it is meant (:attr:`End.role`): its
border ("the Russian border", "the edge of the Gaza Strip"; bare "the border" from a town:
its country's nearest land neighbour), its coast, its mainland, "the rest of" it, an
exclave or island of a country, or a capital ("the Russian capital").

Why this module is long: it is one algorithm over one parsed sentence. The far end, the near
end (apposition, relative clause, parenthesis, subject, a name the parser misread), the pairs
and the not-a-claim tests (movement, size, route) all walk the same tokens with the same word
lists and call one another (the near end needs the far end's preposition, a pair needs the
ends of each side); split into modules they would have to share those private helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import spacy
from shapely.geometry import Point

from geo_app import settings
from geo_app._text import normalize_name
from geo_app.check.endpoints import capital_of, nearest_neighbour_country
from geo_app.check.measure import compass_azimuth
from geo_app.check.parallels import latitude_of
from geo_app.places.composites import geometry_of
from geo_app.places.gazetteer import get_gazetteer
from geo_app.resolve.resolver import Resolution
from geo_app.text.extract import MODEL_NAME, Mention

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

    from geo_app.places.gazetteer import Place
    from geo_app.text.extract import Extraction
    from geo_app.text.quantities import DistanceMention

__all__ = ["End", "Link", "get_parser", "link_distances"]

#: Compass words, as written, to the direction they name.
_COMPASS = {
    "north": "north", "south": "south", "east": "east", "west": "west",
    "northeast": "northeast", "northwest": "northwest", "southeast": "southeast", "southwest": "southwest",
    "north-east": "northeast", "north-west": "northwest", "south-east": "southeast", "south-west": "southwest",
}
#: Words between a figure and its preposition that change nothing about the two ends.
_SKIP = {"away", "inland", "offshore", "upstream", "downstream", "upriver", "downriver", "due", "further", "farther",
         "or", "so", "roughly", "just", "only",
         "directly", "straight", "as", "the", "crow", "flies", ",", "-", "–"}
#: Prepositions that introduce the far end.
_TO_PREPS = {"from", "of", "off", "to", "outside", "beyond"}
#: Nouns for a stretch between two places ("the 65 km stretch between A and B").
_GAP_NOUNS = {"stretch", "gap", "corridor", "strip", "distance", "expanse", "band", "sliver", "swath", "swathe",
              "neck", "passage", "separation", "buffer"}
#: Nouns of a filler between a figure and "separate" ("4 km of water separate A from B").
_FILLER_NOUNS = {"water", "sea", "land", "territory", "ocean", "desert", "open", "steppe", "forest", "strait"}
#: Verbs of movement or extent: the figure is how far something went or how long it is.
_MOVE_VERBS = {"drive", "walk", "run", "travel", "fly", "march", "advance", "push", "penetrate", "move", "cover",
               "extend", "stretch", "span", "flee", "sail", "hike", "ride", "trek", "cycle", "journey", "go",
               "swim", "row", "paddle", "commute", "shift", "retreat", "withdraw", "cross", "roll", "transport",
               "carry", "ship", "haul", "fire", "launch", "strike", "hit", "reach", "measure", "last", "trudge",
               "stride", "jog", "sprint", "climb", "descend", "dig", "build", "lay", "construct", "pave", "patrol",
               "flow", "wind", "meander", "course", "snake", "stream", "drift", "evacuate", "deploy", "airlift"}
#: Head nouns that name the place after "of" ("the city of Chernihiv", "the island of Bornholm").
_GENERIC = {"city", "town", "village", "port", "capital", "island", "islands", "exclave", "enclave", "region",
            "province", "state", "republic", "peninsula", "archipelago", "settlement", "hub", "oblast", "district",
            "municipality", "county", "territory", "area", "outpost", "harbour", "harbor", "base", "centre",
            "center", "resort", "suburb", "outskirts", "heart", "tip", "part", "side"}
#: Head nouns whose "of" names the place itself: "the nearest point of mainland Russia" is mainland Russia
#: (a distance to an area is to its nearest point).
_POINT_NOUNS = {"point", "stretch", "section"}
#: Head nouns that say which part of a place is meant.
_ROLE_NOUNS = {
    "border": "border", "borders": "border", "frontier": "border", "boundary": "border", "edge": "border",
    "line": "border", "coast": "coast", "coastline": "coast", "shore": "coast", "shores": "coast",
    "seaboard": "coast", "mainland": "mainland", "rest": "rest", "exclave": "part", "enclave": "part",
    "island": "part", "islands": "part", "peninsula": "part", "archipelago": "part", "capital": "capital",
    "territory": "territory",
}
#: Words that make "capital" a region's seat, not the country's ("the provincial capital").
_SUBNATIONAL = {"provincial", "regional", "state", "district", "county", "oblast", "departmental", "prefectural",
                "local", "municipal", "divisional", "governorate", "cantonal", "territorial", "republican"}
#: Head nouns that make the place after "of" a populated place ("the city of Kaliningrad").
_TOWN_NOUNS = {"city", "town", "village", "port", "settlement", "hamlet", "capital"}
#: Words before a country's name that mean its main territory.
_MAINLAND_WORDS = {"mainland", "contiguous", "continental"}
#: Words before "island" that mean a country's largest island ("Taiwan's main island").
_MAIN_WORDS = {"main", "largest", "biggest", "principal"}
#: Common nouns that stand for the country of the other end in "the rest of the sultanate".
_COUNTRY_NOUNS = {"country", "sultanate", "kingdom", "emirate", "republic", "nation", "state", "island", "territory"}
#: Verbs of separating: "X is separated / cut off from Y by N km".
_SEPARATE_VERBS = {"separate", "cut", "divide", "isolate", "sever"}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "expl"}
#: Verbs that place something ("lies 40 km from"), also written inverted ("40 km north lies X").
_LOCATIVE_VERBS = {"lie", "sit", "stand", "be", "rise", "nestle", "perch"}
#: Prepositions of a path: "runs 50 km under the sea", "drove 300 km through Belarus".
_PATH_PREPS = {"for", "over", "across", "under", "through", "along", "beneath", "below", "around", "via"}
#: Nouns after "by" that make a figure a route length ("475 km from Kyiv by road"), not a straight line.
_ROUTE_MODES = {"road", "car", "rail", "train", "bus", "truck", "lorry", "coach", "river", "highway", "motorway",
                "expressway", "freeway", "autobahn", "interstate", "railway", "railroad", "track", "trail", "path",
                "ferry", "boat", "ship", "sea", "air", "plane", "foot", "bike", "bicycle", "land", "tunnel"}
#: Words that open a relative clause whose antecedent is the noun before the comma ("Mosul, which lies ...").
_RELATIVE = {"which", "that", "who", "where"}
#: Verbs of saying: their subject is a speaker, not the place a distance is measured from.
_SPEECH_VERBS = {"say", "tell", "add", "report", "announce", "state", "note", "claim", "write", "explain", "warn",
                 "insist", "confirm", "deny", "visit", "speak"}
#: Head nouns of a natural feature: "the Dnipro river" is not the town of Dnipro.
_FEATURE_NOUNS = {"river", "lake", "mountain", "mountains", "valley", "delta", "bay", "gulf", "range", "hills",
                  "plain", "plateau", "estuary", "lagoon", "strait", "channel", "sea", "coast", "shore", "tip"}
#: Words after a figure that make it the size of a thing ("1,200 km long", "10 km in length").
_SIZE_WORDS = {"long", "deep", "high", "tall", "thick"}
_SIZE_NOUNS = {"length", "diameter", "circumference", "depth", "height", "extent", "size"}
#: Words after a figure that make it a width ("33 km wide", "3 km across").
_WIDTH_WORDS = {"wide", "across"}
_WORD = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class End:
    """One end of a distance as the sentence names it.

    Attributes
    ----------
    res : Resolution
        The place (a mention's resolution, or a gazetteer look-up of a name the
        extract step did not mark).
    role : str
        ``"place"``, ``"town"`` (named as a city or town), ``"border"``, ``"coast"``,
        ``"mainland"``, ``"main island"``, ``"rest"``, ``"part"``, ``"capital"`` or ``"territory"``:
        what of the place the sentence measures to.
    """

    res: Resolution
    role: str = "place"


@dataclass(frozen=True)
class Link:
    """The two ends the parse links a distance to.

    Attributes
    ----------
    a, b : End or None
        The near and the far end ("a lies N km <direction> of b").
    direction : str or None
        The compass word of the sentence ("north" in "40 km north of the border").
    how : str
        The construction that linked them ("subject", "apposition", "apart", "between",
        "separate", "from/to"), or why none ("movement", "inside": a thing placed inside a country).
    not_claim : str
        Why the distance is no claim between two places ("" when it may be one).
    """

    a: End | None
    b: End | None
    direction: str | None = None
    how: str = ""
    not_claim: str = ""


@lru_cache(maxsize=1)
def get_parser() -> Language:
    """The spaCy pipeline with the dependency parser (loaded once, on first use)."""
    return spacy.load(MODEL_NAME, exclude=["ner"])


def _lookup(name: str, sentence: int, start: int, end: int,
            known: dict[str, Resolution] | None = None, own_name_first: bool = False) -> Resolution | None:
    """A resolution for a name the extract step did not mark (a country, sea, town or island).

    One sense per report: a name the resolver settled elsewhere in the report (``known``, by
    normalised name) is that place ("Jermuk" marked once, then opening a sentence unmarked, is
    not Çermik in Turkey, which GeoNames also calls Jermuk); else the gazetteer's best by kind.
    With ``own_name_first`` (a hyphenated name such as "Bilhorod-Dnistrovskyi", specific enough
    that the place whose own name it is beats a bigger place that GeoNames also calls so), the
    places known by it as their own name come first.
    """
    name = name.strip()
    if not name or not _WORD.search(name) or not name[0].isupper():
        return None
    settled = (known or {}).get(normalize_name(name))
    found = get_gazetteer().lookup(name) if settled is None else ()
    if own_name_first and any(m.primary for m in found):
        found = tuple(m for m in found if m.primary)
    matches = ([settled.place, *settled.alternatives] if settled is not None else [m.place for m in found])
    if not matches:
        return None

    def rank(p: Place) -> tuple[int, int]:
        # countries, seas, towns of some size, regions (Corsica the island before Corsica, Texas), villages
        order = {"countries": 0, "seas": 1}.get(p.layer or "", 4)
        if p.feature_class in ("P", "T") and p.population >= int(settings.CLAIM_LOOKUP_MIN_TOWN_POPULATION):
            order = 2
        elif p.layer == "admin1":
            order = 3
        return order, -p.population

    if settled is None:  # the report's own reading keeps its order
        matches.sort(key=rank)
    mention = Mention(start=start, end=end, text=name, kind="place", name=name, label="claim-parse",
                      sentence=sentence)
    return Resolution(mention=mention, place=matches[0], confidence=0.5,
                      reason="looked up by the claim finder (a name the sentence's parse gives as an end)",
                      alternatives=tuple(matches[1:4]))


class _Sentence:
    """One parsed sentence with its mentions, by token."""

    def __init__(self, doc: Doc, offset: int, sentence: int, resolutions: Sequence[Resolution],
                 known: dict[str, Resolution] | None = None, dated: Sequence[tuple[int, int]] = (),
                 previous: Sequence[Resolution] = ()) -> None:
        self.doc, self.offset, self.sentence = doc, offset, sentence
        self.resolutions = list(resolutions)
        #: The resolutions of the sentence before (what "the city" or "it" may stand for).
        self.previous = list(previous)
        #: The places the report's mentions settled on, by normalised name (see :func:`_lookup`).
        self.known = known or {}
        #: Character spans of the report's date expressions: "on Thursday" is no place to measure
        #: from, though the gazetteer knows a Thursday Island.
        self.dated = list(dated)

    def is_dated(self, start: int, end: int) -> bool:
        """Whether the characters ``start:end`` of the report overlap a date expression."""
        return any(s < end and start < e for s, e in self.dated)

    def chars(self, tok: Token) -> tuple[int, int]:
        return self.offset + tok.idx, self.offset + tok.idx + len(tok.text)

    def mention_at(self, tok: Token) -> Resolution | None:
        s, e = self.chars(tok)
        for r in self.resolutions:
            if r.mention.start <= s and e <= r.mention.end:
                return r
        return None

    def mentions_in(self, toks: Sequence[Token]) -> list[Resolution]:
        """Mentions whose name lies among the tokens ("north of the Black Sea" counts by "Black Sea")."""
        if not toks:
            return []
        spans = [self.chars(t) for t in toks]
        out = []
        for r in self.resolutions:
            m = r.mention
            bs = m.base_start if m.base_start is not None else m.start
            be = m.base_end if m.base_end is not None else m.end
            if any(s < be and bs < e for s, e in spans):
                out.append(r)
        if not out:
            out = [r for r in (self.demonym(t) for t in toks if t.pos_ in ("ADJ", "PROPN")) if r is not None]
        return out

    def demonym(self, tok: Token) -> Resolution | None:
        """A country named by an adjective the extract step did not mark ("the Ugandan border"); one the
        gazetteer's demonyms lack is read from its form ("Ecuadorian": Ecuador, see :func:`_country_of_adjective`)."""
        code = get_gazetteer().demonym(tok.text) if tok.text[:1].isupper() else None
        if code is not None and code.startswith("name:"):
            return None
        place = None
        if not code or len(code) != 2:
            place = _country_of_adjective(tok.text) if tok.text[:1].isupper() and tok.is_alpha else None
            if place is None:
                return None
            code = place.country_code
        try:
            place = place or get_gazetteer().country(code)
        except LookupError:
            return None
        s, e = self.chars(tok)
        mention = Mention(start=s, end=e, text=tok.text, kind="demonym", name=tok.text, label="claim-parse",
                          sentence=self.sentence, country_code=code)
        return Resolution(mention=mention, place=place, confidence=0.8, reason="demonym read by the claim finder")

    def name_run(self, tok: Token, hyphens: bool = False) -> Span:
        """The proper-noun run around a token ("Caribbean Sea", "Ciudad del Este"); with ``hyphens``
        also the parts a hyphen joins without spaces ("Rostov-on-Don", "Bilhorod-Dnistrovskyi")."""
        i = j = tok.i
        doc = self.doc
        while i > 0:
            if i > 1 and _name_link(doc, i - 1):
                i -= 2  # the particle and the capitalised word before it ("Foz do")
            elif doc[i - 1].pos_ == "PROPN" or (hyphens and _hyphen_joined(doc, i - 1)):
                i -= 1
            else:
                break
        while j + 1 < len(doc):
            if j + 2 < len(doc) and _name_link(doc, j + 1):
                j += 2
            elif doc[j + 1].pos_ == "PROPN" or (hyphens and _hyphen_joined(doc, j)):
                j += 1
            else:
                break
        return doc[i:j + 1]


#: Lowercase particles inside place names ("Ciudad del Este", "Foz do Iguaçu", "Rio de Janeiro",
#: "Castellammare di Stabia", "Bergen op Zoom" is not covered: only these).
_NAME_LINKS = {"del", "de", "la", "el", "al", "do", "da", "dos", "das", "di", "du", "des"}


def _name_link(doc: Doc, k: int) -> bool:
    """Whether token ``k`` is a lowercase particle joining two capitalised words of one name ("do" in
    "Foz do Iguaçu"); the word before may be one the tagger took for a common noun ("Foz")."""
    def capitalised(t: Token) -> bool:
        return t.is_alpha and t.text[:1].isupper() and not t.is_upper
    tok = doc[k]
    return (tok.text in _NAME_LINKS and 0 < k < len(doc) - 1 and capitalised(doc[k - 1])
            and capitalised(doc[k + 1]) and bool(tok.whitespace_) and bool(doc[k - 1].whitespace_))


_HYPHENS = ("-", "\u2011")


#: Endings of a country's adjective and what its name ends with instead ("Ecuador-ian", "Sloven-ian" ->
#: "Slovenia", "Surinam-ese" -> "Suriname", "Iceland-ic", "Nepal-i", "Djibout-ian" -> "Djibouti").
_ADJECTIVE_ENDINGS = (("ian", ""), ("ian", "ia"), ("ian", "i"), ("ean", ""), ("ean", "ea"), ("an", ""),
                      ("an", "a"), ("ese", ""), ("ese", "e"), ("ic", ""), ("i", ""), ("ish", ""), ("n", ""))


@lru_cache(maxsize=512)
def _country_of_adjective(word: str) -> Place | None:
    """The country whose own name an adjective is formed from, when the gazetteer's demonyms lack it
    ("Ecuadorian" -> Ecuador, "Icelandic" -> Iceland, "Slovenian" -> Slovenia), else None.

    Only a country (Natural Earth admin-0) known by exactly that stem as a primary name counts, and
    the stem must keep at least four letters."""
    gaz = get_gazetteer()
    for ending, name_end in _ADJECTIVE_ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < 4:
            continue
        stem = word[: len(word) - len(ending)] + name_end
        found = [m.place for m in gaz.lookup(stem) if m.primary and m.place.layer == "countries"]
        if len(found) == 1:
            return found[0]
    return None


def _hyphen_joined(doc: Doc, i: int) -> bool:
    """Whether tokens ``i`` and ``i + 1`` are parts of one hyphenated name: no space between them,
    one a hyphen, the other a capitalised word or a short lowercase link glued to hyphens on both
    sides ("Rostov-on-Don": "Rostov", "-", "on", "-", "Don")."""
    a, b = doc[i], doc[i + 1]
    if a.whitespace_ or (a.text in _HYPHENS) == (b.text in _HYPHENS):
        return False
    word = b if a.text in _HYPHENS else a
    k = word.i
    if word.text[:1].isupper() and word.is_alpha:
        return True
    return word.is_lower and word.is_alpha and len(word.text) <= 3 and 0 < k < len(doc) - 1 and \
        doc[k - 1].text in _HYPHENS and not doc[k - 1].whitespace_ and doc[k + 1].text in _HYPHENS and \
        not word.whitespace_


def _core(tok: Token) -> list[Token]:
    """The tokens of a noun phrase without its appositions, clauses and (most) prepositions."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in ("appos", "relcl", "acl", "punct", "cc", "conj", "advcl"):
            continue
        if child.dep_ == "prep" and not (child.lower_ in ("of", "with") and (
                tok.lemma_.lower() in _GENERIC or tok.lemma_.lower() in _ROLE_NOUNS)):
            continue
        out.extend(_core(child))
    return out


def _end_of(ps: _Sentence, tok: Token, ctx_country: str | None) -> End | None:
    """The place a noun phrase headed by ``tok`` names, and which part of it."""
    circle = _circle_of_latitude(ps, tok)
    if circle is not None:
        return End(circle, "place")
    seat = _seat_of_government(ps, tok)
    if seat is not None:
        return End(seat, "town")
    lemma = tok.lemma_.lower()
    role = _ROLE_NOUNS.get(lemma, "place")
    if role == "place" and any(c.lower_ in _MAINLAND_WORDS for c in tok.children if c.dep_ in ("amod", "compound")):
        role = "mainland"  # "the contiguous United States", "mainland Italy"
    if lemma == "island" and any(c.lower_ in _MAIN_WORDS for c in tok.children if c.dep_ in ("amod", "compound")):
        role = "main island"  # "Taiwan's main island": not its islets (nor a continental part)
    own = ps.mention_at(tok)
    if (own is None or own.place is None) and tok.text[:1].isupper():
        # "the Falklands", "the Solomons", "the Galápagos Islands": an island group by its short or long name
        group = _island_group(ps, tok, own)
        if group is not None:
            return End(group, "place")
    if own is not None and _stand_in_for_feature(own):
        return None  # "north of Lake Tana" located by "Tana" (Antananarivo): no end to measure to
    if own is not None and own.place is None and (own.mention.qualifier or "").endswith("border"):
        # "50 km from Ugandan border" left unresolved as a name: its adjective names the country
        named = next((r for r in (ps.demonym(t) for t in ps.doc if t.i != tok.i and
                                  own.mention.start <= ps.chars(t)[0] < own.mention.end) if r is not None), None)
        if named is not None:
            return End(named, "border")
    if own is not None and own.place is None and role == "coast":
        # "the Azov coast" marked whole as an unknown name: the coast of the sea its words name
        sea = _sea_of_coast(ps, tok)
        if sea is not None:
            return sea
    if own is not None and own.mention.kind != "demonym" and tok.pos_ == "PROPN":
        whole = _hyphenated_whole(ps, tok, own)
        if whole is not None:
            own = whole
    if own is not None and own.mention.kind != "demonym" and own.place is not None and \
            own.place.layer != "seas" and not own.mention.qualifier:
        sea = _sea_without_noun(ps, own)
        if sea is not None:
            return End(sea, role)
    if own is not None and own.mention.kind != "demonym":
        q = own.mention.qualifier or ""
        if q.endswith("border"):
            return End(own, "border")
        # "Kaliningrad exclave", "Kaliningrad, the Russian exclave": the name of a part of a country
        nxt = ps.doc[tok.i + 1] if tok.i + 1 < len(ps.doc) else None
        near = [c for c in tok.children if c.dep_ == "appos"] + ([nxt] if nxt is not None else []) + [tok.head]
        if nxt is not None and nxt.text == ",":  # "Kaliningrad, the Russian exclave"
            near.extend(ps.doc[tok.i + 2:tok.i + 6])
        if any(_ROLE_NOUNS.get(t.lemma_.lower()) == "part" for t in near):
            return End(own, "part")
        return End(own, "place" if role in ("capital", "territory") else role)
    # "Latvia's second city, Daugavpils": the apposition names the place
    if lemma in _GENERIC:
        for child in tok.children:
            if child.dep_ == "appos" and child.pos_ == "PROPN":
                inner = _end_of(ps, child, ctx_country)
                if inner is not None:
                    return inner
    # "Lampedusa, the Italian island where ...": a generic noun in apposition to a name is that name
    if lemma in _GENERIC and tok.dep_ == "appos" and tok.head.pos_ == "PROPN" and tok.head.i < tok.i:
        inner = _end_of(ps, tok.head, ctx_country)
        if inner is not None and inner.res.mention.kind != "demonym":
            return inner
    # "the city of Chernihiv", "the border with Ukraine", "the rest of Azerbaijan", "the nearest point of Russia"
    if lemma in _GENERIC or lemma in _ROLE_NOUNS or lemma in _POINT_NOUNS:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in ("of", "with"):
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    inner = _end_of(ps, objs[0], ctx_country)
                    if inner is not None and child.lower_ == "of" and lemma in _GENERIC:
                        inner = _in_stated_country(ps, tok, inner)  # "the Turkish town of Kas": Kaş in Turkey
                        if inner is None:
                            return None
                    elif inner is None and child.lower_ == "of" and lemma in _GENERIC and objs[0].pos_ == "PROPN" \
                            and objs[0].text[:1].isupper():
                        return None  # "the Greek island of Kastellorizo", a name the gazetteer lacks: not Greece
                    if inner is not None:
                        if role in ("place", "territory") and lemma in ("island", "islands", "exclave", "enclave",
                                                                        "peninsula", "archipelago"):
                            return End(inner.res, "part")
                        if lemma in _TOWN_NOUNS and inner.role == "place":
                            return End(inner.res, "town")  # "the city of Kaliningrad": the town, not the lagoon
                        if role == "capital" or role == "place" or role == "territory":
                            return inner
                        return End(inner.res, role if inner.role == "place" else inner.role)
    if own is None and tok.text[:1].isupper() and (lemma in _ROLE_NOUNS or lemma in _GENERIC):
        # "the Line of Actual Control", "the Green Line": a capitalised feature noun names a feature of its own,
        # known to the gazetteer by its whole name or not at all (not the village Líně for "Line")
        named = _named_feature(ps, tok)
        return End(named, "place") if named is not None else None
    # "Foz do Iguaçu": a name's first word the tagger took for a common noun is joined by its particle
    if own is None and (tok.pos_ == "PROPN" or (tok.i + 2 < len(ps.doc) and _name_link(ps.doc, tok.i + 1))):
        looked_end = _looked_up_name(ps, tok, role)
        if looked_end is not None:
            return looked_end
    if own is None and _unmarked_initial_name(tok):
        # "Palermo lies about 150 km from Tunisia": a sentence-initial name the extract step missed and
        # the tagger took for a common noun, when it is the own name of a country, sea, island or town
        looked_end = _looked_up_name(ps, tok, role)
        place = looked_end.res.place if looked_end is not None else None
        if place is not None and normalize_name(looked_end.res.mention.text) == normalize_name(tok.text) and \
                _letters(place.name)[:3] == _letters(tok.text)[:3] and (
                place.layer in ("countries", "seas", "islands") or
                place.population >= int(settings.CLAIM_LOOKUP_MIN_TOWN_POPULATION)):
            return looked_end
    core = sorted(_core(tok), key=lambda t: t.i)
    found = [r for r in ps.mentions_in(core) if r.place is not None or r.mention.kind != "demonym"]
    # "the (Zaporizhzhia) nuclear plant at Enerhodar": a thing is where its locative phrase puts
    # it, before any owner named in a possessive.
    located = [o for c in tok.children if c.dep_ == "prep" and c.lower_ in ("at", "in", "near", "outside")
               for o in c.children if o.dep_ == "pobj"] if tok.pos_ == "NOUN" else []
    if located and not any(ps.mention_at(t) is not None and t.dep_ != "poss" and not any(
            c.dep_ == "case" for c in t.children) for t in core if t.i != tok.i):
        inner = _end_of(ps, located[0], ctx_country)
        # a water body places islands or ships in it, but they stay their owner's ("Australia's
        # islands in the Torres Strait" are Australia)
        if inner is not None and inner.res.mention.kind != "demonym" and inner.res.place is not None and \
                inner.res.place.feature_class != "H":
            return inner
    if (lemma in _GENERIC or lemma in _ROLE_NOUNS) and tok.i >= 1:
        # "the Odesa region's Izmail port": the unmarked name right before the noun says which port
        named = _unmarked_compound(ps, tok)
        if named is not None:
            found = [named.res]
    if not found:
        if lemma == "capital" and ctx_country and not any(
                c.lower_ in _SUBNATIONAL for c in tok.children if c.dep_ in ("amod", "compound")):
            # "the capital": of the country the report is about ("the provincial capital" is not,
            # and the gazetteer does not know regions' seats: that end stays unknown)
            return _country_end(ps, tok, ctx_country, "capital")
        if role == "coast":
            return _sea_of_coast(ps, tok)
        return None
    # Prefer a name over a possessive ("Russia's Kaliningrad exclave" -> Kaliningrad) and the nearest to the head.

    def is_poss(r: Resolution) -> bool:
        t = next((t for t in core if ps.chars(t)[0] >= r.mention.start), tok)
        return any(c.dep_ == "case" for c in t.children) or t.dep_ == "poss"

    owners = {r.place.country_code for r in found if r.place is not None and is_poss(r) and r.place.country_code}

    def rank(r: Resolution) -> tuple[int, int]:
        t = next((t for t in core if ps.chars(t)[0] >= r.mention.start), tok)
        poss = is_poss(r)
        # "Venezuela's Paria peninsula": a name read as a place of another country is not the owner's part
        elsewhere = bool(owners) and not poss and r.place is not None and r.place.country_code not in owners
        return (1 if poss else 0) + (1 if r.mention.kind == "demonym" and role == "place" else 0) + (
            2 if elsewhere else 0), abs(t.i - tok.i)

    best = min(found, key=rank)
    if best.mention.kind == "demonym" and role == "place" and tok.pos_ == "NOUN" and \
            lemma not in _GENERIC | _COUNTRY_NOUNS | _FILLER_NOUNS | _FEATURE_NOUNS and ps.mention_at(tok) is None:
        return None  # "Russian forces", "a Russian bomber": people or things of a country, not the country
    if role == "capital" and best.mention.kind == "demonym":
        return End(best, "capital")
    if role == "territory":
        return End(best, "place")
    if role == "place" and lemma in _GENERIC and lemma not in ("city", "town", "village", "port", "capital"):
        return End(best, "part")
    return End(best, role)


def _circle_of_latitude(ps: _Sentence, tok: Token) -> Resolution | None:
    """A circle of latitude or a pole the phrase headed by ``tok`` names ("the Arctic Circle", "the Equator", "the
    Tropic of Cancer", "the 38th parallel", "the North Pole"), as a resolution without a place (the finder draws
    the parallel or the pole), or None."""
    if tok.lower_ not in ("equator", "circle", "tropic", "parallel", "pole"):
        return None
    doc = ps.doc
    first = tok.i
    while first > 0 and doc[first - 1].head.i == tok.i and doc[first - 1].dep_ in ("compound", "amod", "nummod"):
        first -= 1
    last = tok.i
    of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" and c.i == tok.i + 1), None)
    obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    if obj is not None:
        last = obj.i
    if tok.lower_ == "parallel" and last + 1 < len(doc) and doc[last + 1].lower_ in ("north", "south"):
        last += 1
    name = doc[first:last + 1].text
    if latitude_of(name) is None:
        return None
    s, e = ps.chars(doc[first])[0], ps.chars(doc[last])[1]
    mention = Mention(start=s, end=e, text=name, kind="place", name=name, label="claim-parse", sentence=ps.sentence)
    return Resolution(mention=mention, place=None, confidence=0.5, reason="a circle of latitude")


def _seat_of_government(ps: _Sentence, tok: Token) -> Resolution | None:
    """The capital a seat of government stands for ("The Kremlin is some 450 km from ...": Moscow), from
    ``settings.CLAIM_SEATS_OF_GOVERNMENT``, or None."""
    if not tok.text[:1].isupper() or ps.mention_at(tok) is not None and ps.mention_at(tok).place is not None:
        return None
    run = ps.name_run(tok)
    code = settings.CLAIM_SEATS_OF_GOVERNMENT.get(normalize_name(run.text))
    capital = capital_of(code) if code else None
    if capital is None:
        return None
    s, e = ps.chars(run[0])[0], ps.chars(run[-1])[1]
    mention = Mention(start=s, end=e, text=run.text, kind="place", name=run.text, label="claim-parse",
                      sentence=ps.sentence, country_code=code)
    return Resolution(mention=mention, place=capital, confidence=0.8,
                      reason=f"{run.text} stands for the capital it sits in ({capital.name})")


#: Words of a natural feature's name: a feature the gazetteer lacks is not the town its other word names.
_NATURAL_FEATURE_WORDS = {"lake", "lakes", "river", "mount", "mountain", "mountains", "hills", "range", "volcano",
                          "glacier", "desert", "forest", "valley", "plateau", "peninsula", "delta", "falls",
                          "reservoir", "lagoon", "swamp", "marshes", "basin", "cape", "pass"}


def _stand_in_for_feature(res: Resolution) -> bool:
    """Whether the resolver placed a natural feature it does not know by a place inside its name ("Lake Tana"
    by "Tana", which is Antananarivo; "Lake Victoria" by "Victoria", Hong Kong): for a map an approximation,
    for a measured distance no end at all."""
    if res.place is None or not res.reason.startswith("not in the gazetteer; located by"):
        return False
    return any(w.casefold() in _NATURAL_FEATURE_WORDS for w in re.findall(r"[^\W\d_]+", res.mention.name or ""))


def _island_group(ps: _Sentence, tok: Token, own: Resolution | None) -> Resolution | None:
    """An island group the gazetteer knows by another form of the name written: a plural after "the" for
    "<stem> Islands" ("the Falklands", "the Solomons", not Solomons, Maryland; "the Canaries"), or "X Islands"
    for "X" ("the Galápagos Islands": the Galápagos province). A country, region or island only, never a town."""
    if own is not None:
        name, s, e = own.mention.name or own.mention.text, own.mention.start, own.mention.end
    else:
        if not (tok.tag_ in ("NNPS", "NNS") and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)):
            return None
        name, (s, e) = tok.text, ps.chars(tok)
    words = name.split()
    if len(words) >= 2 and words[-1].casefold() in ("islands", "island", "isles"):
        tries = [" ".join(words[:-1])]
    elif own is None and len(words) == 1 and name.endswith("s") and len(name) > 4:
        tries = ([name[:-3] + "y Islands"] if name.endswith("ies") else []) + [name[:-1] + " Islands",
                                                                            name[:-1] + "ic Islands"]
    else:
        return None
    for t in tries:
        found = [m.place for m in get_gazetteer().lookup(t) if m.primary and m.place.layer in (
            "countries", "admin1", "islands")]
        if found:
            mention = Mention(start=s, end=e, text=name, kind="place", name=name, label="claim-parse",
                              sentence=ps.sentence)
            return Resolution(mention=mention, place=found[0], confidence=0.5,
                              reason=f"the island group {found[0].name}")
    return None


def _named_feature(ps: _Sentence, tok: Token) -> Resolution | None:
    """The gazetteer's place for a capitalised feature noun with its name ("Line of Actual Control", "Green
    Line", "Gulf of Aqaba"): the whole phrase from its first capitalised word through an "of" object."""
    doc = ps.doc
    first = tok.i
    while first > 0 and doc[first - 1].text[:1].isupper() and doc[first - 1].dep_ in ("compound", "amod") \
            and doc[first - 1].head.i == tok.i:
        first -= 1
    last = tok.i
    of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" and c.i == tok.i + 1), None)
    obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    if obj is not None and obj.text[:1].isupper():
        last = obj.i
    s, e = ps.chars(doc[first])[0], ps.chars(doc[last])[1]
    return _lookup(doc[first:last + 1].text, ps.sentence, s, e, ps.known)


def _letters(name: str) -> str:
    """A name's letters only, folded ("Ts’khinvali" -> "tskhinvali")."""
    return re.sub(r"[^a-z]", "", normalize_name(name))


def _unmarked_initial_name(tok: Token) -> bool:
    """Whether a token is a capitalised singular common noun or an adjective opening its sentence, as the
    subject of a verb that places it ("lies", "is", "sits") and with nothing of its own (no determiner, no
    modifier): how a small tagger reads a town's name it does not know ("Palermo lies ..."), unlike "Troops",
    "Police", "The town" or "Progress was made 5 km from Kyiv"."""
    # an adjective as the subject is a name the tagger did not know ("Tskhinvali, capital of ..., is")
    return ((tok.pos_ == "NOUN" and tok.tag_ == "NN" or tok.pos_ == "ADJ") and tok.text[:1].isupper()
            and not tok.is_upper
            and (tok.i == 0 or tok.is_sent_start) and tok.dep_ == "nsubj"
            and tok.head.lemma_.lower() in _LOCATIVE_VERBS
            and not any(c.dep_ in ("det", "amod", "compound", "poss", "nummod") for c in tok.children))


def _in_stated_country(ps: _Sentence, head: Token, inner: End) -> End | None:
    """The place after "the <demonym> town of" in the country the demonym names.

    "The Turkish town of Kas": a reading of the name in another country (Kas in Sudan) is replaced by
    the same name's place in Turkey, else the end is unknown (no place measured in the wrong
    country). Without a demonym, or when the reading already lies in that country, ``inner`` stands.
    """
    res = inner.res
    place = res.place
    codes = set()
    for c in head.children:
        if c.dep_ in ("amod", "compound", "nmod") and c.i < head.i and c.text[:1].isupper():
            dem = ps.mention_at(c)
            dem = dem if dem is not None and dem.mention.kind == "demonym" else ps.demonym(c)
            if dem is not None and dem.place is not None and dem.place.country_code:
                codes.add(dem.place.country_code)
    if len(codes) != 1 or place is None or place.layer is not None or not place.country_code:
        return inner
    code = codes.pop()
    if place.country_code == code:
        return inner
    name = res.mention.name or res.mention.text
    alts = [a for a in (*res.alternatives, *(m.place for m in get_gazetteer().lookup(name)))
            if a.country_code == code and a.layer is None]
    if not alts:
        return None
    best = max(alts, key=lambda a: a.population)
    return End(replace(res, place=best, alternatives=tuple(a for a in alts if a.key != best.key)[:3],
                       reason=res.reason + f"; the sentence names it a place in {code}"), inner.role)


def _unmarked_compound(ps: _Sentence, tok: Token) -> End | None:
    """The place an unmarked proper name right before a place noun names ("Izmail port", "Kaliningrad
    exclave"), when the gazetteer knows it as a country, sea, region, island or town of some size."""
    prev = tok.doc[tok.i - 1]
    if prev.pos_ != "PROPN" or prev.dep_ != "compound" or prev.head.i != tok.i or ps.mention_at(prev) is not None:
        return None
    end = _looked_up_name(ps, prev, "place")
    place = end.res.place if end is not None else None
    if place is None or not (place.layer in ("countries", "seas", "admin1", "islands") or
                             place.population >= int(settings.CLAIM_LOOKUP_MIN_TOWN_POPULATION)):
        return None
    return end


def _looked_up_name(ps: _Sentence, tok: Token, role: str) -> End | None:
    """A proper name the extract step did not mark, looked up in the gazetteer.

    The run of proper nouns around ``tok``, first with its hyphenated parts ("Rostov-on-Don"),
    then without; after "the", a sea named without its noun ("the Caspian", "the Baltic") before a
    town of that name; a capitalised first word of the sentence that is no part of the name
    ("Landlocked Sofia", "Besieged Mariupol") is dropped when the whole run names nothing.
    """
    runs = [ps.name_run(tok, hyphens=True), ps.name_run(tok)]
    first = runs[1][0]
    if first.i >= 2 and ps.doc[first.i - 1].tag_ == "POS" and ps.doc[first.i - 2].pos_ == "PROPN":
        # "Cox's Bazar": a possessive inside a name, tried whole; its last part alone only when the owner is
        # a place ("Russia's Kaliningrad"), not a person ("Martha's Vineyard" is no town called Vineyard)
        owner = ps.name_run(ps.doc[first.i - 2])
        whole = ps.doc[owner.start:runs[1].end]
        s, e = ps.chars(whole[0])[0], ps.chars(whole[-1])[1]
        looked = _lookup(whole.text, ps.sentence, s, e, ps.known)
        if looked is not None:
            return End(looked, role)
        if ps.mention_at(owner[-1]) is None and not any(
                m.primary for m in get_gazetteer().lookup(owner.text)) and ps.demonym(owner[-1]) is None:
            return None
    if len(runs[1]) > 1 and (first.i == 0 or first.is_sent_start or
                             ps.doc[first.i - 1].text in ("\"", "'", "(", ":", "\u201c")) and \
            _is_modifier_word(first, runs[1][1:]):
        runs.append(runs[1][1:])
    seen: set[str] = set()
    for run in runs:
        if run.text in seen:
            continue
        seen.add(run.text)
        s, e = ps.chars(run[0])[0], ps.chars(run[-1])[1]
        inside = [r for r in ps.resolutions if r.mention.start <= s and e <= r.mention.end]
        if inside:
            return End(inside[0], role)
        if ps.is_dated(s, e):
            return None
        if run[0].i > 0 and ps.doc[run[0].i - 1].lower_ == "the":
            for noun in ("Sea", "Ocean"):
                sea = _lookup(f"{run.text} {noun}", ps.sentence, s, e)
                if sea is not None and sea.place is not None and sea.place.layer == "seas":
                    return End(sea, role)
        hyphenated = any(t.text in _HYPHENS for t in run)
        looked = _lookup(run.text, ps.sentence, s, e, ps.known, own_name_first=hyphenated)
        if looked is not None:
            return End(looked, role)
    return None


@lru_cache(maxsize=256)
def _modifier_tag(word: str, rest: str) -> str:
    return get_parser()(f"{word.lower()} {rest}")[0].tag_


def _is_modifier_word(word: Token, rest: Span) -> bool:
    """Whether a capitalised first word of a sentence is an English modifier the tagger took for a name only
    for its capital ("Landlocked Sofia", "Besieged Mariupol", "Remote Kidal"), not the first part of the name
    ("Jan Mayen" is no town called Mayen): written in lower case before the rest, it tags as an adjective or a
    participle."""
    return _modifier_tag(word.text, rest.text) in ("JJ", "JJR", "JJS", "VBN", "VBD", "VBG")


def _hyphenated_whole(ps: _Sentence, tok: Token, own: Resolution) -> Resolution | None:
    """The place a whole hyphenated name, or one joined by a particle, is the own name of, when the report
    marked only a part of it ("Kamianets-Podilskyi" marked as "Podilskyi", "Vila do Conde" as "Conde");
    None when the mention covers the name."""
    run = ps.name_run(tok, hyphens=True)
    s, e = ps.chars(run[0])[0], ps.chars(run[-1])[1]
    joined = any(t.text in _HYPHENS or _name_link(ps.doc, t.i) for t in run)  # "Vila do Conde" marked as "Conde"
    if not joined or (own.mention.start <= s and e <= own.mention.end):
        return None
    whole = _lookup(run.text, ps.sentence, s, e, ps.known, own_name_first=True)
    return whole if whole is not None and whole.place is not None else None


def _sea_without_noun(ps: _Sentence, res: Resolution) -> Resolution | None:
    """The sea that "the Baltic" or "the Caspian" names, when the report read the word as a town.

    A one-word name written after "the" that, with "Sea" or "Ocean" after it, is a sea of the
    gazetteer is that sea: towns are seldom written with "the", seas often without their noun
    (the town Baltic in Connecticut is not what "300 km from the Baltic" measures to).
    """
    m = res.mention
    name = (m.text or "").strip()
    before = ps.doc.text[:max(0, m.start - ps.offset)].rstrip()
    if not name or " " in name or not before.lower().endswith(" the") and before.lower() != "the":
        return None
    for noun in ("Sea", "Ocean"):
        sea = _lookup(f"{name} {noun}", ps.sentence, m.start, m.end)
        if sea is not None and sea.place is not None and sea.place.layer == "seas":
            return sea
    return None


def _sea_of_coast(ps: _Sentence, tok: Token) -> End | None:
    """ "the Adriatic coast": the sea named by the word before "coast" (a name the extract step did not mark)."""
    words = [c for c in tok.children if c.dep_ in ("compound", "amod") and c.i < tok.i and c.text[:1].isupper()]
    if not words:
        return None
    first, last = min(words, key=lambda t: t.i), max(words, key=lambda t: t.i)
    s, e = ps.chars(first)[0], ps.chars(last)[1]
    name = ps.doc[first.i:last.i + 1].text
    for sea in (f"{name} Sea", f"Sea of {name}"):
        res = _lookup(sea, ps.sentence, s, e)
        if res is not None and res.place is not None and res.place.layer == "seas":
            return End(res, "coast")
    return None


def _apart_pair(ps: _Sentence, unit: Token, span: Span, ctx_country: str | None) -> tuple[End, End] | None:
    """The two places a distance lies between when they are coordinated ("Kyiv and Minsk are 430 km
    apart", "Italy and Tunisia lie within 70 km of each other"): the subject's conjuncts, else the
    coordinated names before the figure."""
    subj = _subject_of(unit)
    pair = _pair_from_conj(ps, subj, ctx_country) if subj is not None else None
    return pair if pair is not None else _coordinated_before(ps, span.start, ctx_country)


def _far_end(ps: _Sentence, tok: Token, near: End | None, ctx_country: str | None) -> End | None:
    end = _end_of(ps, tok, ctx_country)
    if end is None and near is not None:
        end = _rest_of(tok, near)
    return end


def _rest_of(tok: Token, near: End) -> End | None:
    """ "the rest of the sultanate": the rest of the near end's country; "the mainland" naming no
    country: the near end's country's mainland ("Sicily ... from the mainland")."""
    if tok.lemma_.lower() == "mainland" and all(c.dep_ == "det" for c in tok.children) and \
            near.res.place is not None and near.res.place.layer != "countries":
        return End(near.res, "mainland")
    if tok.lemma_.lower() != "rest":
        return None
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.lemma_.lower() in _COUNTRY_NOUNS:
                return End(near.res, "rest")
    return None


def _country_end(ps: _Sentence, tok: Token, code: str, role: str) -> End | None:
    """An end that stands for a country the sentence does not name (the report's main country)."""
    try:
        place = get_gazetteer().country(code)
    except LookupError:
        return None
    s, e = ps.chars(tok)
    mention = Mention(start=s, end=e, text=tok.text, kind="place", name=place.name, label="claim-parse",
                      sentence=ps.sentence, country_code=code)
    return End(Resolution(mention=mention, place=place, confidence=0.5,
                          reason="the country the report mentions most (the sentence names none)"), role)


def _subject_of(tok: Token) -> Token | None:
    """The noun the clause around ``tok`` is about: climb to the governing verb and take its subject."""
    seen = 0
    t = tok
    while seen < 12:
        seen += 1
        if t.pos_ in ("VERB", "AUX"):
            subj = [c for c in t.children if c.dep_ in _SUBJECTS]
            if subj:
                return subj[0]
            if t.dep_ in ("relcl", "acl") and t.head.i != t.i:
                return t.head
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def _opposite(direction: str) -> str:
    """The compass point opposite ``direction`` ("southeast" -> "northwest")."""
    swap = {"north": "south", "south": "north", "east": "west", "west": "east"}
    return re.sub(r"north|south|east|west", lambda m: swap[m.group(0)], direction)


def _is_compass(tok: Token) -> bool:
    low = tok.lower_
    return low in _COMPASS or (low.endswith("ern") and low[:-3] in _COMPASS)


def _movement(tok: Token, first: int | None = None) -> str:
    """Why the figure at ``tok`` is a length or a movement, not a distance between places ("" if it is not).

    ``first`` is the index of the figure's first token: a noun phrase between "of" and the figure
    that holds a number of its own ("a town of about 47,000 some 40 km from ...") is not the noun
    the figure measures, however the parser attached it.
    """
    t = tok
    for _ in range(4):
        head = t.head
        if head.i == t.i:
            break
        if t.dep_ in ("compound", "amod", "nmod", "nummod") and head.pos_ in ("NOUN", "PROPN") and \
                head.lemma_.lower() not in _GAP_NOUNS and not _is_compass(head):
            return f"the figure is the size of {head.text!r}, not a distance between two places"
        if t.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN" and head.i < t.i and \
                head.head.lemma_.lower() not in _GAP_NOUNS and head.head.i < head.i and not (
                    first is not None and any(x.like_num for x in t.doc[head.i + 1:first])):
            return f"the figure is a {head.head.text!r}, not a distance between two places"
        if head.pos_ == "VERB" and head.lemma_.lower() in _MOVE_VERBS and t.dep_ in (
                "dobj", "npadvmod", "prep", "advmod", "pobj", "attr", "nsubj"):
            if t.dep_ == "nsubj":
                break
            return f"the figure is how far something {head.lemma_}s, not a distance between two places"
        if t.dep_ in ("prep", "pobj", "npadvmod", "advmod") and head.pos_ == "ADP" and head.lower_ in _PATH_PREPS:
            t = head
            continue
        if t.dep_ in ("npadvmod", "advmod") and head.pos_ == "ADV" and not _is_compass(head):
            t = head  # "pushed the Russians back 50 km": the figure hangs on "back", the verb above it
            continue
        if t.dep_ == "pobj":
            t = head
            continue
        break
    return ""


#: Nouns of a border that, written bare ("40 km north of the border"), mean the nearest land border.
_BARE_BORDER_NOUNS = {"border", "frontier"}


def _bare_border(ps: _Sentence, tok: Token, near: End, direction: str | None = None) -> End | None:
    """ "the border" naming no country, seen from a town: the border with its country's nearest land
    neighbour; with a way ("70 km south of the border"), the nearest lying the opposite way (north)."""
    if tok.lemma_.lower() not in _BARE_BORDER_NOUNS or any(c.dep_ not in ("det", "punct") for c in tok.children):
        return None
    place = near.res.place
    if place is None or place.feature_class != "P" or near.role not in ("place", "town"):
        return None
    code = nearest_neighbour_country(place.lon, place.lat,
                                     compass_azimuth(_opposite(direction)) if direction else None)
    return _country_end(ps, tok, code, "border") if code else None


def _from_soon(doc: Doc, i: int, window: int = 6) -> int | None:
    """Index of a "from" within ``window`` tokens after ``i`` with no punctuation or verb between, else None."""
    for j in range(i + 1, min(len(doc), i + 1 + window)):
        t = doc[j]
        if t.lower_ == "from":
            return j
        if (t.is_punct and t.text not in ("-", "–")) or t.pos_ in ("VERB", "AUX"):
            return None
    return None


def _route_mode(doc: Doc, far: Token) -> str:
    """ "by road" (or rail, car, ...) right after the far end's noun phrase: the figure is a route length."""
    i = far.right_edge.i + 1
    if i + 1 < len(doc) and doc[i].lower_ in ("by", "via") and doc[i + 1].lemma_.lower() in _ROUTE_MODES:
        return f"{doc[i].lower_} {doc[i + 1].text}"
    if i + 2 < len(doc) and doc[i].lower_ in ("by", "via", "along") and doc[i + 1].lower_ in ("the", "a") and \
            doc[i + 2].is_lower and doc[i + 2].lemma_.lower() in _ROUTE_MODES:
        return f"{doc[i].lower_} the {doc[i + 2].text}"  # "by the expressway", "along the highway"
    return ""


def _pair_from_conj(ps: _Sentence, subj: Token, ctx_country: str | None) -> tuple[End, End] | None:
    conj = [c for c in subj.children if c.dep_ == "conj"]
    if not conj:
        if subj.lemma_.lower() in _GENERIC | _COUNTRY_NOUNS | {"capital", "country", "place", "nation"}:
            # "the two cities of Kramatorsk and Bakhmut": the pair is the object of "of"
            of = next((c for c in subj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            return _pair_from_conj(ps, obj, ctx_country) if obj is not None else None
        return None
    a, b = _end_of(ps, subj, ctx_country), _end_of(ps, conj[0], ctx_country)
    return (a, b) if a is not None and b is not None else None


def _coordinated_before(ps: _Sentence, before: int, ctx_country: str | None) -> tuple[End, End] | None:
    """The last two places joined by "and" before the figure ("..., Nepal and Bangladesh are 20 km apart")."""
    for t in reversed(ps.doc[:before]):
        if t.dep_ == "conj" and t.head.i < t.i and any(c.lower_ == "and" for c in t.head.children):
            a, b = _end_of(ps, t.head, ctx_country), _end_of(ps, t, ctx_country)
            if a is not None and b is not None:
                return a, b
    return None


def _reciprocal(prep: Token) -> bool:
    """Whether a preposition's object is "each other" or "one another"."""
    nxt = [t.lower_ for t in prep.doc[prep.i + 1:prep.i + 3]]
    return nxt in (["each", "other"], ["one", "another"])


def _separated_by_width(ps: _Sentence, width: Token, ctx_country: str | None) -> tuple[End, End] | None:
    """The two places a strait or gap of a stated width separates, or None.

    The width word ("wide") hangs on a verb of separating (as a clause: "X is separated from
    Y by the strait, 3 km wide") or on the noun that is that verb's subject or agent ("The
    strait, 33 km wide, separates X from Y"). One side is the object of "from"; the other
    the verb's object or subject, else the nearest place named before the verb (a
    parser that misreads the subject).
    """
    t = width.head
    verb = None
    for _ in range(3):
        if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in _SEPARATE_VERBS:
            verb = t
            break
        # "The strait is 14 km wide, separating X from Y": a participle clause of the width's verb;
        # "The strait, which divides X from Y, is 4 km wide": a relative clause on its subject
        subjects = [c for c in t.children if c.dep_ in _SUBJECTS]
        clauses = [c for c in t.children if c.dep_ in ("advcl", "conj", "xcomp") and c.i > width.i] + [
            c for subj in subjects for c in subj.children if c.dep_ == "relcl"]
        verb = next((c for c in clauses if c.pos_ == "VERB" and c.lemma_.lower() in _SEPARATE_VERBS), None)
        if verb is not None or t.head.i == t.i:
            break
        t = t.head
    if verb is None:
        return None
    frm = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
    far = next((c for c in frm.children if c.dep_ == "pobj"), None) if frm is not None else None
    if far is None:
        return None
    b = _end_of(ps, far, ctx_country)
    if b is None:
        return None
    carrier = {width.i, width.head.i}
    sides = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "nsubj") and c.i not in carrier
             and c.tag_ not in ("WDT", "WP") and not any(a.i == width.i for a in c.subtree)]
    a = _end_of(ps, sides[0], ctx_country) if sides else None
    if a is None:
        before = [r for r in ps.resolutions if r.place is not None and ps.chars(verb)[0] > r.mention.end]
        a = End(before[-1]) if before else None
    return (a, b) if a is not None and a.res is not b.res else None


#: A figure set off by a comma right after a place: "Mosul, some 110 km from the Syrian frontier, ...".
_APPOSED_FIGURE = re.compile(r"\s*(?:,|\s[\u2014\u2013-]|\u2014)\s*(?:(?:some|about|around|roughly|nearly|almost|"
                             r"just|only|barely|less\s+than|more\s+than|over|under|approximately)\s+)?")
_APPOSED_AFTER = re.compile(r"\s*(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+)?(?:of|from)\b", re.I)


def _comma_apposition(ps: _Sentence, d: DistanceMention) -> bool:
    """Whether the figure opens an apposition to the place right before it ("Mosul, some 110 km from
    the frontier, ..."): a parser that hangs it on the clause's verb misreads it as a movement."""
    text = ps.doc.text
    start, end = d.start - ps.offset, d.end - ps.offset
    before = [r for r in ps.resolutions if r.place is not None and r.mention.end - ps.offset <= start]
    if not before:
        return False
    gap_start = before[-1].mention.end - ps.offset
    # the noun the name modifies may stand between ("Engels air base, some 600 km from ..."): common
    # nouns up to the comma, the name's token hanging on the last of them
    named = ps.doc.char_span(before[-1].mention.start - ps.offset, gap_start, alignment_mode="expand")
    k = named[-1].i + 1 if named is not None and len(named) else None
    nouns = []
    while k is not None and k < len(ps.doc) and ps.doc[k].pos_ == "NOUN" and ps.doc[k].is_lower and len(nouns) < 3:
        nouns.append(ps.doc[k])
        k += 1
    if nouns and k < len(ps.doc) and ps.doc[k].text == "," and named is not None and \
            any(t.head.i == nouns[-1].i for t in named) and ps.doc[k].idx < start:
        gap_start = ps.doc[k].idx
    # a time phrase may stand between ("Taganrog on Thursday, some 60 km from ...")
    for s, e in sorted(ps.dated):
        s, e = s - ps.offset, e - ps.offset
        if gap_start <= s < start and all(w.lower() in _TIME_LEADS for w in text[gap_start:s].split()):
            gap_start = e
    return _APPOSED_FIGURE.fullmatch(text, gap_start, start) is not None and _APPOSED_AFTER.match(text, end) is not None


#: Nouns of a border whose stated size is its length ("a 1,084 km border with Belarus").
_BORDER_NOUNS = {"border", "frontier", "boundary"}


def _border_length(ps: _Sentence, unit: Token, ctx_country: str | None) -> tuple[End, End] | None:
    """The two places whose shared border a figure gives the length of, or None.

    The figure modifies a border noun ("Ukraine shares a 1,084 km border with Belarus",
    "Finland's 1,340-km border with Russia", "the border between A and B, some 900 km long" is
    not read) or is the object of its "of" ("a border of about 900 km"). One side is the object
    of "with" (on the noun or its verb) or the pair of "between"; the other the noun's possessor or
    the subject of its verb ("A and B share a 1,000-km border": the coordinated subject is the pair).
    """
    t = unit
    if t.dep_ in ("compound", "amod", "nmod", "nummod", "npadvmod") and t.head.lemma_.lower() in _BORDER_NOUNS:
        noun = t.head
    elif t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lemma_.lower() in _BORDER_NOUNS:
        noun = t.head.head
    else:
        return None
    verb = noun.head if noun.dep_ in ("dobj", "attr") and noun.head.pos_ in ("VERB", "AUX") else None
    preps = [c for c in noun.children if c.dep_ == "prep"] + (
        [c for c in verb.children if c.dep_ == "prep"] if verb is not None else [])
    between = next((c for c in preps if c.lower_ == "between"), None)
    if between is not None:
        obj = next((c for c in between.children if c.dep_ == "pobj"), None)
        return _pair_from_conj(ps, obj, ctx_country) if obj is not None else None
    subj = _subject_of(verb) if verb is not None else None
    with_ = next((c for c in preps if c.lower_ == "with"), None)
    obj = next((c for c in with_.children if c.dep_ == "pobj"), None) if with_ is not None else None
    if obj is None:
        return _pair_from_conj(ps, subj, ctx_country) if subj is not None else None
    b = _end_of(ps, obj, ctx_country)
    owner = next((c for c in noun.children if c.dep_ == "poss" and c.tag_ != "PRP$"), None) or subj  # "its": the subject
    a = _end_of(ps, owner, ctx_country) if owner is not None else None
    return (a, b) if a is not None and b is not None and a.res is not b.res else None


def _between(ps: _Sentence, tok: Token, ctx_country: str | None) -> tuple[End, End] | None:
    """ "between A and B" attached to the figure, the noun it measures or its head."""
    cands = [tok, tok.head, tok.head.head]
    verb = tok
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.lemma_.lower() in _LOCATIVE_VERBS and verb not in cands:
        cands.append(verb)  # "A gap of 170 km lies between A and B"
    for t in cands:
        for child in t.children:
            if child.dep_ == "prep" and child.lower_ == "between":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    pair = _pair_from_conj(ps, objs[0], ctx_country)
                    if pair is not None:
                        return pair
    return None


def _away_apposition(ps: _Sentence, span: Span, ctx_country: str | None) -> tuple[End, End] | None:
    """ "Lampedusa is closer to Tunisia, some 110 km away, than to Sicily": a place in the clause,
    then "N km away" set off by a comma, measured from the clause's subject when that names a place
    (a person or thing that moved there gives no pair: "Refugees fled to Lviv, 500 km away")."""
    doc = ps.doc
    k = span.start - 1
    while k >= 0 and doc[k].lower_ in _QUANTIFIERS:
        k -= 1
    if k < 1 or doc[k].text != ",":
        return None
    x = doc[k - 1]
    res = ps.mention_at(x)
    if res is None or res.place is None or res.mention.kind == "demonym":
        return None
    subj = _subject_of(x)
    if subj is None or subj.left_edge.i <= x.i <= subj.right_edge.i:
        return None
    if any(v.lemma_.lower() in _MOVE_VERBS | _SPEECH_VERBS for v in _path_to(x, subj.head)
           if v.pos_ in ("VERB", "AUX")):
        return None
    a, b = _end_of(ps, subj, ctx_country), _end_of(ps, x, ctx_country)
    if a is None or b is None or a.res.place is None or a.res.mention.kind == "demonym" or a.res is b.res:
        return None
    return a, b


#: Words of a bound or an approximation before a figure ("some 110 km", "less than 5 km").
_QUANTIFIERS = {"just", "only", "some", "about", "roughly", "around", "barely", "nearly", "almost", "approximately",
                "less", "more", "than", "within", "over", "under", "a", "mere"}
#: Nouns of water or land whose size, when it separates two places, is their gap.
_SEPARATOR_NOUNS = {"strait", "straits", "channel", "sound", "passage", "gap", "stretch", "corridor", "strip",
                    "waterway", "expanse", "belt", "neck"}


def _separated_by_sized_water(ps: _Sentence, unit: Token, ctx_country: str | None) -> tuple[End, End] | None:
    """The two places "the N km La Perouse Strait" separates ("Hokkaido and Sakhalin are separated by
    the 42 km La Perouse Strait", "X is cut off from Y by a 40 km corridor"), or None.

    The figure modifies a noun of water or land between places, that noun is the agent ("by") of
    a verb of separating, and the two sides are the verb's coordinated subject or its subject and
    the object of its "from".
    """
    noun = unit.head
    if unit.dep_ not in ("compound", "amod", "nmod", "nummod") or noun.lemma_.lower() not in _SEPARATOR_NOUNS:
        return None
    by = noun.head
    verb = by.head
    if noun.dep_ != "pobj" or by.lower_ != "by" or verb.lemma_.lower() not in _SEPARATE_VERBS:
        return None
    subj = _subject_of(by)
    frm = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
    far = next((c for c in frm.children if c.dep_ == "pobj"), None) if frm is not None else None
    if far is None:
        return _pair_from_conj(ps, subj, ctx_country) if subj is not None else None
    # "Sicily is separated ...": a sentence-initial name the parser took for an adverb is the subject
    a = _end_of(ps, subj, ctx_country) if subj is not None else _mistagged_subject(ps, by, verb.i, ctx_country)
    b = _far_end(ps, far, a, ctx_country)
    return (a, b) if a is not None and b is not None and (a.res is not b.res or a.role != b.role) else None


def _filler_object(ps: _Sentence, of: Token) -> Token | None:
    """The object of "of" when it is a common noun of land or water ("30 km of Indian territory",
    "of open sea"), not a name ("of the Caspian Sea")."""
    return next((c for c in of.children if c.dep_ == "pobj" and c.i > of.i and c.is_lower and
                 c.lemma_.lower() in _FILLER_NOUNS and ps.mention_at(c) is None), None)


def _separating_verb_after(of: Token, window: int = 8) -> int | None:
    """The index of the verb of separating that follows the "of" phrase after a figure ("60 km of Indonesian
    West Timor divide A from B", "30 km of Armenia's Syunik province separate"): the phrase is what lies
    between the two ends, not an end. None when another verb, a clause break or nothing of the kind comes
    first (a parser may leave the phrase without an object, so the words are walked, not the tree)."""
    doc = of.doc
    for k in range(of.i + 1, min(len(doc), of.i + 1 + window)):
        t = doc[k]
        if t.lemma_.lower() in _SEPARATE_VERBS and t.pos_ == "VERB" and k > of.i + 1:
            return k
        if t.pos_ in ("VERB", "AUX") or (t.is_punct and t.text not in (*_HYPHENS, "'")):
            return None
    return None


def _measures_gap(unit: Token) -> bool:
    """Whether the figure is the width of land or water between two places ("a strip 65 km wide",
    "the 65-km gap", "a corridor of 65 km"), not a distance from a point."""
    head = unit.head
    if head.lower_ in _WIDTH_WORDS or head.lemma_.lower() in _GAP_NOUNS - {"distance"}:
        return True
    return unit.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _GAP_NOUNS - {"distance"}


def _as_part(end: End, other: End) -> End:
    """A town named as one side of a gap whose other side is an area stands for the part of its
    country that holds it ("the Suwalki Gap, 65 km wide between Belarus and Kaliningrad": the
    exclave). Between two towns ("Key West is separated from Havana by 90 miles of water") both stay
    towns, and so does a town on its country's main body (see
    :func:`geo_app.check.endpoints.part_endpoint`)."""
    place, far = end.res.place, other.res.place
    if far is None or (far.feature_class == "P" and other.role in ("place", "town")
                       and other.res.mention.kind != "demonym"):
        return end
    if end.role == "place" and place is not None and place.feature_class == "P" and end.res.mention.kind != "demonym":
        return End(end.res, "part")
    return end


def _to_right_after(ps: _Sentence, obj: Token, ctx_country: str | None) -> tuple[End, Token] | None:
    """The place of a "to" phrase that follows the noun phrase ``obj`` at once ("from Kherson *to
    Simferopol*") and the token of its noun, else None."""
    i = obj.right_edge.i + 1
    doc = ps.doc
    if i < len(doc) and doc[i].lower_ == "to" and doc[i].dep_ in ("prep", "dative"):
        tobj = next((c for c in doc[i].children if c.dep_ == "pobj"), None)
        end = _end_of(ps, tobj, ctx_country) if tobj is not None else None
        return (end, tobj) if end is not None and tobj is not None else None
    return None


def _from_to(ps: _Sentence, ctx_country: str | None) -> tuple[End, End] | None:
    """ "from A to B" anywhere in the sentence, both objects places."""
    for t in ps.doc:
        if t.lower_ != "from" or t.dep_ != "prep":
            continue
        objs = [c for c in t.children if c.dep_ == "pobj"]
        tos = [c for c in list(t.children) + list(objs[0].children if objs else []) + list(t.head.children)
               if c.lower_ == "to" and c.dep_ in ("prep", "dative")]
        if not objs or not tos:
            continue
        tobj = [c for c in tos[0].children if c.dep_ == "pobj"]
        if not tobj:
            continue
        a, b = _end_of(ps, objs[0], ctx_country), _end_of(ps, tobj[0], ctx_country)
        if a is not None and b is not None:
            return a, b
    return None


def _link_one(ps: _Sentence, d: DistanceMention, ctx_country: str | None) -> Link:
    """The link of one distance; what separates two places is a gap between areas, so a town named
    as one side stands for its exclave or island (:func:`_as_part`)."""
    link = _link_parse(ps, d, ctx_country)
    if link.how == "separate" and link.a is not None and link.b is not None:
        return replace(link, a=_as_part(link.a, link.b), b=_as_part(link.b, link.a))
    return link


def _link_parse(ps: _Sentence, d: DistanceMention, ctx_country: str | None) -> Link:
    doc = ps.doc
    span = doc.char_span(d.start - ps.offset, d.end - ps.offset, alignment_mode="expand")
    if span is None or len(span) == 0:
        return Link(None, None, not_claim="the figure could not be aligned with the parse")
    unit = span.root
    pair = _border_length(ps, unit, ctx_country)
    if pair is not None:
        return Link(pair[0], pair[1], how="border length")
    why = _movement(unit, span.start)
    if why and not why.startswith("the figure is the size"):
        if not _comma_apposition(ps, d):
            return Link(None, None, how="movement", not_claim=why)
        why = ""
    if why:
        pair = _separated_by_sized_water(ps, unit, ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], how="separate")
    # Pairs stated around the figure.
    pair = _between(ps, unit, ctx_country)
    if pair is not None:
        if _measures_gap(unit):
            pair = (_as_part(pair[0], pair[1]), _as_part(pair[1], pair[0]))
        return Link(pair[0], pair[1], how="between")
    pair = _bracketed_after_place(ps, span, ctx_country)
    if pair is not None:
        return Link(pair[0], pair[1], how="bracket")
    # Walk right from the figure: compass words, a parenthesised second figure, "away", then a preposition.
    direction = None
    to_compass: tuple[Token, str | None] | None = None  # "100 km to the south": its "to" and the way
    i = span.end
    depth = 0
    after: Token | None = None
    while i < len(doc):
        t = doc[i]
        low = t.lower_
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth = max(0, depth - 1)
        elif depth:
            pass
        elif low in _COMPASS or (low.rstrip("ern") in _COMPASS and low.endswith("ern")):
            direction = _COMPASS.get(low) or _COMPASS[low[:-3]]
            if i + 2 < len(doc) and doc[i + 1].text in ("-", "–") and doc[i + 2].lower_ in _COMPASS:
                direction = _COMPASS.get(f"{low}-{doc[i + 2].lower_}", direction)
                i += 2
        elif low == "to" and i + 2 < len(doc) and doc[i + 1].lower_ == "the" and _is_compass(doc[i + 2]) and (
                i + 3 >= len(doc) or doc[i + 3].lower_ != "of"):
            # "... is 350 km to the south": a compass word, not a far end ("to the south of X" is one); it
            # says where the subject lies seen from the other end, so the near end lies the opposite way
            toward = _COMPASS.get(doc[i + 2].lower_) or _COMPASS.get(doc[i + 2].lower_[:-3])
            direction = _opposite(toward) if toward else direction
            to_compass = (doc[i], toward)
            i += 3
            continue
        elif low in _SKIP:
            pass
        elif low in _PATH_PREPS | {"up", "down"} and _from_soon(doc, i) is not None:
            i = _from_soon(doc, i)  # "80 km across the Gulf of Finland from Helsinki", "25 km up the Dnipro from"
            continue
        elif low == "of" and i + 1 < len(doc) and doc[i + 1].lemma_.lower() in _FILLER_NOUNS:
            i += 2
            continue
        elif low == "of" and (verb_k := _separating_verb_after(t)) is not None:
            # "60 km of Indonesian West Timor divide A from B": whatever fills the gap, named or not
            i = verb_k
            continue
        elif low == "of" and _filler_object(ps, t) is not None:
            # "separated by 30 km of Indian territory": what lies between, not an end
            i = _filler_object(ps, t).right_edge.i + 1
            continue
        elif low in ("across", "over", "by") and i + 2 < len(doc) and doc[i + 1].lower_ in ("the", "open") and \
                doc[i + 2].lemma_.lower() in _FILLER_NOUNS | {"channel", "bay", "gulf", "lagoon", "border"}:
            i += 3  # "90 km across the water from ...", "by sea"
            continue
        else:
            after = t
            break
        i += 1
    if after is not None and after.lower_ in _WIDTH_WORDS:
        # "separated from Y by the Strait of Z, N km wide", "The strait, N km wide, separates X from Y":
        # the width of what separates two places is their gap (though the figure is the strait's size)
        pair = _separated_by_width(ps, after, ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], how="separate")
    if why and not (after is not None and after.lemma_.lower() in _SEPARATE_VERBS):
        return Link(None, None, how="movement", not_claim=why)
    if after is not None and after.lower_ in ("by", "via") and after.i + 1 < len(doc) and \
            doc[after.i + 1].lemma_.lower() in _ROUTE_MODES:
        # "The distance from Odesa to Izmail is about 190 km by road"
        return Link(None, None, direction, how="route", not_claim=f"a route length ({after.text} "
                    f"{doc[after.i + 1].text}), not a straight-line distance between two places")
    if after is not None and (after.lower_ in _SIZE_WORDS or (
            after.lower_ == "in" and after.i + 1 < len(doc) and doc[after.i + 1].lower_ in _SIZE_NOUNS)):
        return Link(None, None, how="movement", not_claim=f"the figure is a size ({after.text!r}), "
                                                          "not a distance between two places")
    verb = unit
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    frm = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
    by_phrase = any(t.lower_ == "by" and t.i < span.start for t in unit.ancestors if t.i > verb.i)
    if verb.lemma_.lower() in _SEPARATE_VERBS and frm is not None and not (
            after is not None and after.lower_ in _TO_PREPS and not (by_phrase and after.lower_ == "of")):
        objs = [c for c in frm.children if c.dep_ == "pobj"]
        subj = _subject_of(verb)
        if objs and subj is not None:
            a, b = _end_of(ps, subj, ctx_country), _far_end(ps, objs[0], None, ctx_country)
            if a is not None and b is None:
                b = _rest_of(objs[0], a)
            if a is not None and b is not None:
                return Link(a, b, how="separate")
    if after is not None and after.lower_ in _TO_PREPS and _reciprocal(after):
        # "Italy and Tunisia lie within 70 km of each other": the coordinated subject
        pair = _apart_pair(ps, unit, span, ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], how="apart")
    inside = _inside_country_before(ps, span) if after is not None and after.lower_ in _TO_PREPS else None
    located: End | None = None
    if inside is not None:
        # "Sumy lies in Ukraine, 30 km from the Russian border": the subject a clause places in the country
        subj = _subject_of(inside)
        verb_of = inside.head.head
        located = _end_of(ps, subj, ctx_country) if subj is not None and verb_of.lemma_.lower() in \
            _LOCATIVE_VERBS | {"locate", "situate"} else None
        if located is None or located.res.place is None or located.res.place.layer == "countries":
            return Link(None, None, direction, how="inside", not_claim="the figure places something inside the "
                                                                       "country named before it, not the country")
    if after is not None and after.lower_ in _TO_PREPS:
        objs = [c for c in after.children if c.dep_ == "pobj"]
        if not objs:
            objs = [t for t in doc[after.i + 1:] if t.pos_ in ("NOUN", "PROPN")][:1]
        b = _end_of(ps, objs[0], ctx_country) if objs else None
        a = located or _near_end(ps, d, unit, span, after, ctx_country)
        subj = _subject_of(unit)
        if a is None and b is not None and after.lower_ == "from" and verb.lemma_.lower() == "be" and \
                subj is not None and (subj.lower_ == "it" or subj.lemma_.lower() == "distance"):
            # "It is about 200 km from Kherson to Simferopol": the "to" right after the "from" phrase
            to_end = _to_right_after(ps, objs[0], ctx_country)
            if to_end is not None and to_end[0].res is not b.res:
                route = _route_mode(doc, to_end[1])
                if route:
                    return Link(None, None, direction, how="route", not_claim=f"a route length ({route}), "
                                "not a straight-line distance between two places")
                return Link(b, to_end[0], direction, how="from/to")
        if a is None and b is not None:
            a = _anaphor_end(ps, unit, b)
        if a is None and after.lower_ == "to":
            # "From Odesa it is about 440 km to Kyiv": a fronted "from" names the near end
            starts = _fronted_from(verb, span.start)
            a = _end_of(ps, starts[0], ctx_country) if starts else None
        if b is None and objs and objs[0].lower_ == "it" and a is not None:
            b = _antecedent(ps, a)  # "..., and Mosul about 400 km north of it": the place named before
        if b is None and objs and a is not None:
            b = _rest_of(objs[0], a)
        if b is None and objs and a is not None:
            b = _bare_border(ps, objs[0], a, direction)
        if b is None:
            return Link(None, None, direction, how="far end", not_claim="the far end names no place")
        route = _route_mode(doc, objs[0])
        if route:
            return Link(None, None, direction, how="route",
                        not_claim=f"a route length ({route}), not a straight-line distance between two places")
        return Link(a, b, direction, how="subject", not_claim="" if a is not None else "no place at the near end")
    if to_compass is not None and to_compass[1] and (to_compass[0].i + 3 >= len(doc) or
                                                     doc[to_compass[0].i + 3].is_punct):
        # "Rebels took Goma; Bukavu, 100 km to the south, fell later": a place in apposition to the figure
        # lies that way from the place named just before it
        pair = _compass_from_previous(ps, d, unit, span, to_compass[0], ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], to_compass[1], how="apposition")
    if (after is None or after.is_punct or after.lower_ in ("than", "and", "but")) and \
            any(t.lower_ == "away" for t in doc[span.end - 1:span.end + 1]):
        pair = _away_apposition(ps, span, ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], how="apposition")
    if after is None or after.is_punct or after.lower_ in ("and", "but", "while"):
        # "From Belgorod, the Ukrainian border is less than 40 km away": the fronted "from"
        # names the near end, the subject the far one.
        subj = _subject_of(verb)
        objs = _fronted_from(verb, span.start)
        if objs and subj is None:
            # "From Kharkiv the Sea of Azov is 350 km": without a comma the parser makes the subject an apposition
            subj = next((c for c in objs[0].children if c.dep_ == "appos" and c.i < span.start), None)
        if objs and subj is not None:
            a, b = _end_of(ps, objs[0], ctx_country), _end_of(ps, subj, ctx_country)
            if a is not None and b is None:
                b = _rest_of(subj, a) or _bare_border(ps, subj, a)
            if a is not None and b is not None and a.res is not b.res:
                return Link(a, b, direction, how="fronted from")
    if after is not None and after.lower_ == "apart":
        pair = _apart_pair(ps, unit, span, ctx_country)
        if pair is not None:
            return Link(pair[0], pair[1], how="apart")
        return Link(None, None, how="apart", not_claim="could not tell which places are apart")
    if after is not None and after.lemma_.lower() in _SEPARATE_VERBS:
        objs = [c for c in after.children if c.dep_ in ("dobj", "nsubj") and not span.start <= c.i < span.end]
        x = objs[0] if objs else next((t for t in doc[after.i + 1:] if t.pos_ in ("NOUN", "PROPN")), None)
        frm = next((t for t in doc[after.i + 1:] if t.lower_ == "from"), None)
        y = next((c for c in frm.children if c.dep_ == "pobj"), None) if frm is not None else None
        if x is not None and y is not None:
            a, b = _end_of(ps, x, ctx_country), _end_of(ps, y, ctx_country)
            if a is not None and b is not None:
                return Link(a, b, how="separate")
        if x is not None and y is None:  # "150 km of sea separate Sicily and Tunisia"
            pair = _pair_from_conj(ps, x, ctx_country)
            if pair is not None:
                return Link(pair[0], pair[1], how="separate")
    # "X and Y are separated by N km", "X and Y lie N km apart" with other words after the figure.
    verb = unit
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.lemma_.lower() in ("separate", "lie", "be", "sit", "face", "stand") or any(
            t.lower_ == "apart" for t in doc[span.end:]):
        subj = _subject_of(unit)
        pair = _pair_from_conj(ps, subj, ctx_country) if subj is not None else None
        if pair is not None:
            return Link(pair[0], pair[1], how="apart")
    pair = _from_to(ps, ctx_country)
    if pair is not None:
        return Link(pair[0], pair[1], how="from/to")
    return Link(None, None, direction, how="none", not_claim="")


#: Most tokens a bridge between a name and its figure may have ("Taganrog, a port city 60 km west of ...").
_BRIDGE_MAX = 8


def _modifier_name(tok: Token, res: Resolution) -> bool:
    """A name that only qualifies the appositive's noun: "a *Turkish* border town", "a *Black Sea* oil port"."""
    return res.mention.kind == "demonym" or tok.dep_ in ("amod", "compound", "nmod", "poss")


def _fronted_from(verb: Token, before: int) -> list[Token]:
    """The objects of a "from" on ``verb`` that comes before token ``before`` ("From Belgorod, the
    border is 40 km away", "From Odesa it is 440 km to Kyiv"); empty when there is none."""
    fronted = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from" and c.i < before), None)
    return [c for c in fronted.children if c.dep_ == "pobj"] if fronted is not None else []


#: Words that lead a time phrase ("on Thursday", "late last week").
_TIME_LEADS = frozenset("on in at during since by late early last this".split())


def _before_time(ps: _Sentence, k: int) -> int:
    """Token ``k``, or the last token before the time phrase that ends at it: "an army post near
    Tillaberi on Thursday, about 100 km north-west of Niamey" measures from Tillaberi, not Thursday."""
    doc = ps.doc
    i = k
    while i >= 0 and ps.is_dated(*ps.chars(doc[i])):
        i -= 1
    if i == k:
        return k
    while i >= 0 and doc[i].lower_ in _TIME_LEADS:
        i -= 1
    return i if i >= 0 and doc[i].text not in (",", "(", ".", ";", ":") else k


def _bridge_start(ps: _Sentence, k: int) -> int:
    """Index of the comma or bracket that opens the phrase ending at token ``k``, or -1.

    The phrase between that comma and the figure must describe the name before the comma: nothing
    (``"Bryansk, about 100 km ..."``), an appositive noun phrase without a verb or another place
    (``"Taganrog, a port city 60 km west of ..."``, ``"Okhtyrka, a town of about 47,000 some 40 km
    from ..."``), a relative clause of placing (``"Mosul, which lies more than 1,000 km from ..."``),
    or a parenthesis (``"Pokrovsk (some 50 km south-west of ...)"``).
    """
    doc = ps.doc
    if k >= 1 and (doc[k].text in (",", "(") or _is_dash(doc, k)):
        return k
    j, bridge = k, []
    while j >= 1 and len(bridge) < _BRIDGE_MAX:
        t = doc[j]
        if t.text in (",", "(") or _is_dash(doc, j):
            break
        res = ps.mention_at(t)
        if t.text in (".", ";", ":", ")", "\"", "'") or (res is not None and not _modifier_name(t, res)):
            return -1
        if res is None and t.pos_ == "PROPN":
            return -1
        if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() not in _LOCATIVE_VERBS | {"locate", "situate"}:
            return -1
        bridge.append(t)
        j -= 1
    if j < 1 or not (doc[j].text in (",", "(") or _is_dash(doc, j)) or not bridge:
        return -1
    bridge.reverse()
    first = bridge[0]
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in bridge)
    if first.lower_ in _RELATIVE:
        return j  # "Mosul, which lies ...": a relative clause about the name
    if first.tag_ in ("VBN", "VBG") and first.lemma_.lower() in _LOCATIVE_VERBS | {"locate", "situate"} and \
            all(t.pos_ not in ("VERB", "AUX") for t in bridge[1:]):
        return j  # "Kupiansk, located about 40 km from ...": a participle placing the name
    if has_verb:
        return -1
    if first.pos_ in ("DET", "ADJ", "NOUN", "NUM"):
        return j  # an appositive noun phrase: "a port city", "the regional capital"
    return -1


#: Words of a distance's unit, as the parser sees them.
_UNIT_WORDS = {"km", "kilometre", "kilometres", "kilometer", "kilometers", "mile", "miles", "mi", "nmi", "metres",
               "meters", "m"}


def _far_end_of_figure(tok: Token) -> bool:
    """Whether ``tok`` heads the far end of another figure ("100 km from *the border*"): the object
    of a "from"/"of" that hangs (through a compass word) on a unit of distance."""
    prep = tok.head
    if tok.dep_ != "pobj" or prep.lower_ not in _TO_PREPS:
        return False
    h = prep.head
    for _ in range(3):
        if h.lower_ in _UNIT_WORDS and any(c.like_num for c in h.children):
            return True
        if h.head.i == h.i:
            break
        h = h.head
    return False


def _colon_head(ps: _Sentence, before: int, ctx_country: str | None) -> End | None:
    """The place a fact-sheet line names before its colon ("Sloviansk: 100 km from the Russian
    border, 12 km north of Kramatorsk"): the figure follows the colon with no verb between."""
    doc = ps.doc
    colon = next((t.i for t in reversed(doc[:before]) if t.text == ":"), None)
    if colon is None or colon < 1 or any(t.pos_ in ("VERB", "AUX") for t in doc[colon + 1:before]):
        return None
    name = doc[colon - 1]
    if ps.mention_at(name) is not None or name.pos_ == "PROPN":
        end = _end_of(ps, name, ctx_country)
    elif name.text[:1].isupper() and name.is_alpha and (colon == 1 or doc[colon - 2].is_punct):
        s, e = ps.chars(name)
        looked = _lookup(name.text, ps.sentence, s, e, ps.known)  # a one-word name the parser mistagged
        # only a country, sea, region or town of some size: "Range: 300 km" is no place called The Range
        big = looked is not None and looked.place is not None and (
            looked.place.layer in ("countries", "seas", "admin1") or
            looked.place.population >= int(settings.CLAIM_LOOKUP_MIN_TOWN_POPULATION))
        end = End(looked) if big and looked is not None else None
    else:
        return None
    if end is None or end.res.place is None or end.res.mention.kind == "demonym":
        return None
    return end


def _is_dash(doc: Doc, k: int) -> bool:
    """Whether token ``k`` is a dash that opens an aside ("Pokrovsk — roughly 70 km north-west of
    Donetsk — ..."): an em or en dash, or a hyphen with spaces on both sides."""
    t = doc[k]
    if t.text in ("\u2014", "\u2013", "--"):
        return True
    return t.text == "-" and k >= 1 and bool(doc[k - 1].whitespace_) and bool(t.whitespace_)


#: Nouns that refer back to a town named before ("the city lies 30 km from ...").
_TOWN_ANAPHORS = {"city", "town", "village", "port", "settlement"}
#: Nouns that refer back to a part of a country named before ("the enclave lies 360 km from ...").
_PART_ANAPHORS = {"enclave", "exclave", "island"}


def _anaphor_end(ps: _Sentence, unit: Token, far: End) -> End | None:
    """The place a clause's subject "it", "the city" or "the town" stands for, when that is plain.

    "Drones struck Sumy overnight. The city lies about 30 km from the Russian border": the subject
    names no place, so it is the one place named before it (in its sentence before the subject, else
    in the sentence before) that is not the far end, of the right kind (a town for "the city").
    When two or more such places are named, the reader cannot tell either: no end.
    """
    subj = _subject_of(unit)
    if subj is None or ps.mention_at(subj) is not None:
        return None
    lemma = subj.lemma_.lower()
    if subj.lower_ == "it" and subj.pos_ == "PRON":
        kind = "any"
    elif lemma == "capital" and any(c.lower_ in _SUBNATIONAL for c in subj.children if c.dep_ in ("amod", "compound")) \
            and any(c.lower_ in ("the", "this", "that") and c.dep_ == "det" for c in subj.children):
        kind = "town"  # "the regional capital": a town named before, not the country's capital
    elif lemma in _TOWN_ANAPHORS | _PART_ANAPHORS and \
            any(c.lower_ in ("the", "this", "that") and c.dep_ == "det" for c in subj.children) and \
            not any(c.dep_ in ("poss", "prep", "acl", "relcl", "appos") or (
                c.dep_ in ("compound", "amod", "nmod") and not _common_modifier(ps, c)) for c in subj.children):
        kind = "town" if lemma in _TOWN_ANAPHORS else "part"
    else:
        return None
    far_key = far.res.place.key if far.res.place is not None else None
    s0 = ps.chars(subj)[0]

    def fits(r: Resolution) -> bool:
        p = r.place
        if p is None or r.mention.kind == "demonym" or p.key == far_key or r.mention.qualifier:
            return False
        if kind == "town":
            return p.feature_class == "P"
        if kind == "part":  # "the enclave", "the island": a place inside a country, not a country or a sea
            return p.layer not in ("countries", "seas", "composites")
        return True

    for scope in ([r for r in ps.resolutions if r.mention.end <= s0], ps.previous):
        found = {r.place.key: r for r in scope if fits(r)}
        if len(found) == 1:
            return End(next(iter(found.values())), "part" if kind == "part" else "place")
        if found:
            return None  # two places named: either could be meant
    return None


#: Modifiers that place a town relative to something else or rank it ("the nearby town", "the
#: capital city", "the second city"): such a town need not be the one named before.
_RELATIONAL_MODIFIERS = {"other", "another", "next", "nearest", "closest", "neighbouring", "neighboring", "nearby",
                         "adjacent", "same", "capital", "main", "first", "second", "third", "largest", "biggest",
                         "smallest", "only", "former", "new", "twin", "sister", "rival"}


def _common_modifier(ps: _Sentence, tok: Token) -> bool:
    """A lowercase word that only describes a town ("the *resort* town", "the *port* city", "the
    *coastal* city"), not a name or a demonym that would say which town ("the Belarusian city"), nor
    a word that ranks it or places it relative to another ("the nearby town", "the capital city")."""
    return tok.is_lower and tok.is_alpha and ps.mention_at(tok) is None and \
        tok.lower_ not in _RELATIONAL_MODIFIERS and tok.tag_ not in ("JJS", "JJR", "CD") and not any(
            c.dep_ not in ("advmod",) for c in tok.children)


def _antecedent(ps: _Sentence, near: End) -> End | None:
    """The place "it" stands for in a far end: the nearest place named before the near end, in the
    same sentence ("Basra is 450 km south-east of Baghdad, and Mosul about 400 km north of it")."""
    before = [r for r in sorted(ps.resolutions, key=lambda r: r.mention.start)
              if r.mention.end <= near.res.mention.start and r.place is not None
              and r.mention.kind != "demonym" and (near.res.place is None or r.place.key != near.res.place.key)]
    return End(before[-1], "place") if before else None


#: Words of a comparison of distances ("closer to Darwin (720 km) than to Jakarta").
_COMPARATIVES = {"close", "near", "far"}
_COMPARATIVE_WORDS = {"closer", "nearer", "farther", "further"}


def _bracketed_after_place(ps: _Sentence, span: Span, ctx_country: str | None) -> tuple[End, End] | None:
    """ "Dili is closer to Darwin (720 km) than to Jakarta (1,900 km)": a figure in brackets right after a
    place named in a comparison of distances is that place's distance from the clause's subject."""
    doc = ps.doc
    if span.start < 2 or span.end >= len(doc) or doc[span.start - 1].text != "(" or doc[span.end].text != ")":
        return None
    x = doc[span.start - 2]
    if x.dep_ != "pobj" or x.head.lower_ not in ("to", "from") or ps.mention_at(x) is None:
        return None
    path = [x.head]
    while path[-1].head.i != path[-1].i and path[-1].pos_ not in ("VERB", "AUX") and len(path) < 6:
        path.append(path[-1].head)
    comparative = next((c for t in path for c in (t, *t.children) if c.tag_ in ("JJR", "RBR") and (
        c.lemma_.lower() in _COMPARATIVES or c.lower_ in _COMPARATIVE_WORDS)), None)
    if comparative is None:
        return None
    subj = _subject_of(comparative)
    a = _end_of(ps, subj, ctx_country) if subj is not None else None
    b = _end_of(ps, x, ctx_country)
    if a is None or b is None or a.res.place is None or a.res is b.res:
        return None
    return a, b


def _inside_country_before(ps: _Sentence, span: Span) -> Token | None:
    """The country the figure follows as "in <country>," ("4,000 troops in Congo, some 20 km from Goma",
    "fighting in Ukraine, 30 km from Kharkiv"), or None: the figure says where something is inside that
    country, not how far the country is."""
    k = span.start - 1
    while k >= 0 and ps.doc[k].lower_ in _QUANTIFIERS:
        k -= 1
    if k < 2 or ps.doc[k].text != ",":
        return None
    prev = ps.doc[k - 1]
    res = ps.mention_at(prev)
    if res is None or res.place is None or res.place.layer != "countries" or res.mention.kind == "demonym":
        return None
    inside = prev.dep_ == "pobj" and prev.head.lower_ in ("in", "inside", "into", "within", "throughout", "across")
    return prev if inside else None


def _compass_from_previous(ps: _Sentence, d: DistanceMention, unit: Token, span: Span, to: Token,
                           ctx_country: str | None) -> tuple[End, End] | None:
    """The two ends of "X, N km to the <way>," with no "of": X in apposition to the figure (a comma right
    before it) and the place named last before X, in this sentence or the one before ("M23 took Goma.
    Bukavu, some 100 km to the south, fell in February")."""
    k = span.start - 1
    while k >= 0 and ps.doc[k].lower_ in ("just", "only", "some", "about", "roughly", "around", "barely",
                                          "nearly", "almost", "approximately"):
        k -= 1
    if k < 1 or ps.doc[k].text != ",":
        return None
    a = _near_end(ps, d, unit, span, to, ctx_country)
    if a is None or a.res.place is None or a.res.mention.end > ps.chars(ps.doc[k])[0]:
        return None
    def usable(r: Resolution) -> bool:  # a town or feature, not a country or region that may hold X
        return r.place is not None and r.mention.kind != "demonym" and r.place.key != a.res.place.key and \
            r.place.layer not in ("countries", "admin1", "map_units", "composites")

    same = [r for r in sorted(ps.resolutions, key=lambda r: r.mention.start)
            if r.mention.end <= a.res.mention.start and usable(r)]
    prior = same or [r for r in sorted(ps.previous, key=lambda r: r.mention.start) if usable(r)]
    return (a, End(prior[-1], "place")) if prior else None


def _qualified_name(ps: _Sentence, tok: Token, end: End, ctx_country: str | None) -> End:
    """The place a written container qualifies: "Paris, Texas, about 160 km northeast of Dallas"
    is measured from Paris, not Texas. ``end`` (named at ``tok``) stands when the name before the
    comma is not a place inside it."""
    first = ps.doc[tok.left_edge.i] if tok.left_edge.i < tok.i else tok
    k = first.i - 1
    if k < 1 or ps.doc[k].text != "," or end.res.place is None or end.res.place.feature_class != "A":
        return end
    inner = _end_of(ps, ps.doc[k - 1], ctx_country)
    place = inner.res.place if inner is not None else None
    if place is None or place.key == end.res.place.key or inner.res.mention.kind == "demonym":
        return end
    area = geometry_of(end.res.place)
    if area is None or not area.covers(Point(place.lon, place.lat)):
        return end
    return inner


#: Prepositions placing a subject on the far side of something from a reference place ("across the border
#: from El Paso", "opposite Ivangorod").
_FACING_PREPS = {"across", "opposite", "over", "beyond"}


def _facing_reference(obj: Token) -> bool:
    """Whether a place is only the reference point of where the clause's subject lies ("Ciudad Juárez lies just
    across the border from El Paso, 560 km north of Chihuahua": the figure is Ciudad Juárez's)."""
    head = obj.head
    if head.lower_ not in ("from", "opposite"):
        return False
    if head.lower_ == "opposite":
        return True
    t = head.head
    for _ in range(4):
        if t.lower_ in _FACING_PREPS:
            return True
        if t.pos_ in ("VERB", "AUX"):  # "sits across the river from Ivangorod": both phrases on the verb
            return any(c.lower_ in _FACING_PREPS and c.i < head.i for c in t.children)
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _town_subject(ps: _Sentence, unit: Token, prev: Token, ctx_country: str | None) -> End | None:
    """The clause's subject when it names a place and ``prev`` lies inside that clause (not in its subject)."""
    verb = prev
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.lemma_.lower() not in _LOCATIVE_VERBS | {"locate", "situate"}:
        return None  # only a clause that places its subject ("X sits on ...", "X is a port, ...")
    subj = _subject_of(prev)
    if subj is None or subj.i == prev.i:
        return _mistagged_subject(ps, prev, prev.i, ctx_country)  # "Taganrog is a port, ..." read as an adverb
    if subj.left_edge.i <= prev.i <= subj.right_edge.i:
        return None
    end = _end_of(ps, subj, ctx_country)
    if end is None or end.res.place is None or end.res.mention.kind == "demonym":
        return None
    return end


def _mistagged_subject(ps: _Sentence, unit: Token, before: int, ctx_country: str | None) -> End | None:
    """A resolved name hanging on the governing verb before it, as an adverb or modifier, in a clause
    without a subject of its own (small parsers read an unknown sentence-initial name that way)."""
    verb = unit
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    for child in verb.children:
        if child.i >= verb.i or child.i >= before or child.dep_ not in ("advmod", "npadvmod", "dep", "nmod",
                                                                           "compound", "intj"):
            continue
        res = ps.mention_at(child)
        if res is not None and res.mention.kind != "demonym":
            return _end_of(ps, child, ctx_country)
    return None


def _path_to(tok: Token, top: Token) -> list[Token]:
    """The heads from ``tok`` up to ``top`` (included); just ``top`` if it is not one of them."""
    path = []
    for head in tok.ancestors:
        path.append(head)
        if head.i == top.i:
            return path
    return [top]


#: Participles that place a clause's subject ("Located 40 km north of Mandalay, Madaya ...").
_PLACING_PARTICIPLES = {"locate", "situate", "lie", "sit", "nestle", "perch", "set", "position", "station"}


def _fronted_placement_subject(ps: _Sentence, unit: Token, ctx_country: str | None) -> End | None:
    """The subject of the main clause after a fronted participle that places it ("Located 40 km north of
    Mandalay, Madaya was hit by an air strike": Madaya, whatever the main verb), or None."""
    t = unit
    for _ in range(6):
        if t.dep_ == "advcl" and t.lemma_.lower() in _PLACING_PARTICIPLES and t.tag_ in ("VBN", "VBG") \
                and t.i < t.head.i and t.i <= t.left_edge.i + 1:
            subj = next((c for c in t.head.children if c.dep_ in ("nsubj", "nsubjpass") and c.i > t.i), None)
            end = _end_of(ps, subj, ctx_country) if subj is not None else None
            return end if end is not None and end.res.place is not None else None
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def _near_end(ps: _Sentence, d: DistanceMention, unit: Token, span: Span, prep: Token,
              ctx_country: str | None) -> End | None:
    """The place a distance is measured from: the apposition's head, else the clause's subject."""
    doc = ps.doc
    placed = _fronted_placement_subject(ps, unit, ctx_country)
    if placed is not None:
        return placed
    # Apposition: "Bryansk, about 100 km north of ...", "Yuma, a farming town about 180 miles east of ..."
    k = span.start - 1
    while k >= 0 and doc[k].lower_ in ("just", "only", "some", "about", "roughly", "around", "barely",
                                       "nearly", "almost", "approximately", "less", "more", "than", "within"):
        k -= 1
    j = _bridge_start(ps, k)
    if j >= 1 and doc[j].text == "," and _far_end_of_figure(doc[j - 1]):
        j = -1  # "A: 100 km from the border, 12 km north of B": the border is the first figure's far end
    if j < 1:
        head = _colon_head(ps, span.start, ctx_country)
        if head is not None:
            return head
    if j >= 1:
        prev = doc[_before_time(ps, j - 1)]  # the parser may tag a sentence-initial name as an adverb: the resolved mention counts
        end = _end_of(ps, prev, ctx_country) if prev.pos_ in ("PROPN", "NOUN") or ps.mention_at(prev) else None
        if end is not None:
            end = _qualified_name(ps, prev, end, ctx_country)
        if end is None or prev.dep_ == "attr" or prev.dep_ == "pobj":
            # "Eilat sits at the tip of the Red Sea, 10 km from ...", "Basra is Iraq's only port, 50 km up ...":
            # a sea or region inside the clause's own phrase, or its predicate noun, stands for the town it is about
            town = _town_subject(ps, unit, prev, ctx_country)
            if town is not None and (end is None or prev.dep_ == "attr" or prev.dep_ == "pobj" and (
                    prev.lemma_.lower() in _FEATURE_NOUNS or _facing_reference(prev) or
                    (end.res.place is not None and end.res.place.feature_class != "P") or
                    # "Kherson lies on the Dnipro, ...": a town's name after "the" is its river or lake
                    (prev.pos_ == "PROPN" and any(c.dep_ == "det" and c.lower_ == "the" for c in prev.children)))):
                return town
        if end is not None:
            return end
    t = unit
    for _ in range(8):
        if t.pos_ in ("NOUN", "PROPN") and t.dep_ == "pobj" and t.head.lower_ in _TO_PREPS and t.i != unit.i and \
                any(x.dep_ == "conj" and x.head.i == t.i for x in [unit, *unit.ancestors]):
            break  # "15 km from the Polish border and 30 km from Lithuania": the first far end is not the near end
        if t.pos_ in ("NOUN", "PROPN") and t.i != unit.i and not (span.start <= t.i < span.end) and t.i < prep.i \
                and t.lower_ not in _COMPASS:
            end = _end_of(ps, t, ctx_country)
            if end is not None:
                return end
            if t.dep_ != "appos":
                break
        if t.pos_ in ("VERB", "AUX"):
            break
        if t.head.i == t.i:
            break
        t = t.head
    subj = _subject_of(unit)
    if subj is not None and _is_compass(subj) and subj.is_lower:
        subj = None  # "Bakhmut lies 90 km north-east of ...": a compass word the parser made the subject
    if subj is None or subj.i == unit.i:
        # "Bakhmut lies about 25 miles ...": a sentence-initial name the parser took for an adverb
        mis = _mistagged_subject(ps, unit, span.start, ctx_country)
        if mis is not None:
            return mis
    if subj is None:
        # "About 40 km north of Hokkaido lies the island of Sakhalin": the place after an inverted verb
        verb = unit
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        if verb.lemma_.lower() in _LOCATIVE_VERBS and verb.i > prep.right_edge.i:
            after = [c for c in verb.children if c.dep_ in ("dobj", "attr", "oprd") and c.i > verb.i]
            end = _end_of(ps, after[0], ctx_country) if after else None
            if end is not None:
                return end
    if subj is not None and any(v.lemma_.lower() in _SPEECH_VERBS | _MOVE_VERBS
                                for v in _path_to(unit, subj.head) if v.pos_ in ("VERB", "AUX")):
        return None  # "McKenzie told ... in this town about 60 miles from": the speaker or mover is no near end
    if subj is not None and subj.i != unit.i and not (prep.i <= subj.i <= prep.right_edge.i):
        # "Tartu, Estonia's university city, is ...": the subject is an apposition to the name before it
        left = subj.left_edge.i
        if subj.lemma_.lower() in _GENERIC and subj.i < span.start and left >= 2 and doc[left - 1].text == ",":
            before = _end_of(ps, doc[left - 2], ctx_country) if doc[left - 2].pos_ in ("PROPN", "NOUN", "ADV") \
                else None
            if before is not None:
                return before
        end = _end_of(ps, subj, ctx_country)
        if end is None:
            # "Rostov-on-Don, headquarters of ..., lies": a parser that hangs the name on the
            # appositive noun after its comma; the name before that comma is the subject
            comma = next((t.i for t in doc[left:subj.i] if t.text == ","), None)
            if comma is not None and comma > left and (doc[comma - 1].pos_ == "PROPN" or ps.mention_at(doc[comma - 1])):
                end = _end_of(ps, doc[comma - 1], ctx_country)
        if end is None and subj.head.dep_ == "relcl" and subj.head.head.pos_ in ("PROPN", "NOUN"):
            # "Cyprus, whose nearest coast is less than 100 km west of Syria": the noun the clause is about
            end = _end_of(ps, subj.head.head, ctx_country)
        return end
    return None


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: A wire dateline at the start of a story: "MINSK, March 3, 2022 - ", "KYIV (Reuters) -".
_DATELINE = re.compile(r"[A-Z][A-Z .'-]{1,40}(?:,[^\n]{0,40}?)?(?:\s*\([^)\n]{1,30}\))?\s+[-\u2013\u2014]+\s+")


def _clause_start(text: str, start: int, first_figure: int) -> int:
    """Where the part of a sentence that states a distance begins.

    A headline and a dateline that the sentence splitter left in front of the first
    sentence of a story ("Border tension rises\n\nMINSK, March 3 - Kharkiv lies ...") are
    not part of it: parse from after the last blank line before the figure, and after a
    dateline there.
    """
    for m in _BLANK_LINE.finditer(text, start, first_figure):
        start = m.end()
    m = _DATELINE.match(text, start, first_figure)
    return m.end() if m else start


def link_distances(ex: Extraction, by_sentence: dict[int, list[Resolution]], distances: Sequence[DistanceMention],
                   ctx_country: str | None = None) -> dict[int, Link]:
    """Link each distance (by index in ``distances``) to its two ends.

    Parameters
    ----------
    ex : Extraction
        The report's text and sentences.
    by_sentence : dict
        The report's resolutions by sentence index.
    distances : sequence of DistanceMention
        The distances to link.
    ctx_country : str or None
        ISO alpha-2 code of the country the report is about (for "the capital").

    Returns
    -------
    dict of int to Link
        Only for distances whose sentence could be parsed.
    """
    if not distances:
        return {}
    sentences = sorted({ex.sentence_of(d.start) for d in distances})
    starts = {s: _clause_start(ex.text, ex.sentences[s][0], min(d.start for d in distances
                                                              if ex.sentence_of(d.start) == s))
              for s in sentences}
    texts = [ex.text[starts[s]:ex.sentences[s][1]] for s in sentences]
    limit = int(settings.CLAIM_PARSE_MAX_CHARS)
    known: dict[str, Resolution] = {}
    for res in (r for s in sorted(by_sentence) for r in by_sentence[s]):
        if res.place is not None and res.mention.kind != "demonym":
            known.setdefault(normalize_name(res.mention.name), res)
    dated = [(d.start, d.end) for d in ex.dates]
    docs = {}
    for s, doc in zip(sentences, get_parser().pipe([t[:limit] for t in texts], batch_size=32)):
        lo, hi = starts[s], ex.sentences[s][1]
        docs[s] = _Sentence(doc, starts[s], s, by_sentence.get(s, []), known,
                            [(a, b) for a, b in dated if a < hi and lo < b], by_sentence.get(s - 1, []))
    out: dict[int, Link] = {}
    for k, d in enumerate(distances):
        ps = docs[ex.sentence_of(d.start)]
        if d.end - ps.offset > limit:
            continue
        out[k] = _link_one(ps, d, ctx_country)
    return out
