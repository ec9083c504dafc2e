"""The fast paths of issue 16 give what the plain ones give: sentence starts set with array
operations against spaCy's own sentencizer, ranker rows from the memoised name part against rows
built afresh, and the finer Dask chunks keep every report once and in order. Texts written for
the test, none from the corpora."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from spacy.attrs import SENT_START

from geo_app.batch.distributed import _finer
from geo_app.resolve import features
from geo_app.resolve.resolver import Resolver
from geo_app.text.extract import _sentencize, extract, get_nlp

PUB = dt.date(2024, 5, 2)

_TEXTS = [
    "",
    ".",
    "...!?",
    "Troops left Minsk. They reached Brest!! Then? \"Nothing.\" he said... and went on",
    "Mr. Smith went to Washington. (He stayed.) 'Yes.' — No. ; Done",
    "A line without a full stop\n\nA second paragraph. And a third sentence!",
    "Numbers: 3.5 km. 4. Five. ?! .. ... . end",
]


@pytest.mark.parametrize("text", _TEXTS)
def test_array_sentence_starts_equal_spacy_sentencizer(text: str) -> None:
    nlp = get_nlp()
    sentencizer = nlp.get_pipe("sentencizer")
    spacy_doc = sentencizer(nlp.make_doc(text))
    ours = _sentencize(sentencizer, nlp.make_doc(text))
    assert ours.to_array([SENT_START]).tolist() == spacy_doc.to_array([SENT_START]).tolist()


def test_memoised_ranker_rows_equal_rows_built_afresh() -> None:
    # "Georgia" twice with different words around it, and "Athens": the name part is shared, the
    # context columns ("the state of", "the city of") are not.
    text = ("Officials in the state of Georgia met on Monday. Storms hit the city of Athens, "
            "and Georgia declared an emergency. Athens schools closed.")
    ex = extract(text, PUB)
    resolver = Resolver()
    cands = resolver.all_candidates(ex)
    best = [max(c, key=lambda nm: nm.place.population).place if c else None for c in cands]
    features._NAMES.clear()
    first = resolver.features(ex, cands, best, {})
    assert features._NAMES, "the name parts were not memoised"
    again = resolver.features(ex, cands, best, {})  # from the memo
    features._NAMES.clear()
    fresh = resolver.features(ex, cands, best, {})  # built afresh
    assert len(first) == len(fresh) == len(again)
    for a, b, c in zip(first, again, fresh):
        assert np.array_equal(a, c) and np.array_equal(b, c)
    say_region = features.FEATURE_NAMES.index("says_region")
    georgias = [i for i, m in enumerate(ex.mentions) if m.text == "Georgia" and len(cands[i]) > 1]
    assert len(georgias) == 2
    # Same candidates, different words around: only the first says "state".
    assert fresh[georgias[0]][:, say_region].any() and not fresh[georgias[1]][:, say_region].any()


def test_a_memoised_name_part_is_not_used_for_other_candidates() -> None:
    ex = extract("Flooding closed roads around Springfield on Tuesday.", PUB)
    resolver = Resolver()
    cands = resolver.all_candidates(ex)
    i = next(i for i, m in enumerate(ex.mentions) if m.text == "Springfield")
    assert len(cands[i]) > 2
    best = [c[0].place if c else None for c in cands]
    other = list(cands)
    other[i] = list(reversed(cands[i]))  # the same name and number of candidates, in another order
    features._NAMES.clear()
    afresh = resolver.features(ex, other, best, {})[i]
    features._NAMES.clear()
    resolver.features(ex, cands, best, {})  # memoises the name part of the first order
    assert np.array_equal(resolver.features(ex, other, best, {})[i], afresh)


def test_finer_chunks_keep_every_report_once_in_order() -> None:
    chunks = [list(range(k, min(k + 32, 300))) for k in range(0, 300, 32)]
    finer = _finer(chunks, 16)
    assert len(finer) >= 16
    assert [i for c in finer for i in c] == list(range(300))
    assert max(len(c) for c in finer) - min(len(c) for c in finer) <= 16
    big = [list(range(k, k + 32)) for k in range(0, 32 * 100, 32)]
    assert _finer(big, 16) == big  # a big run keeps its chunks


def test_near_features_without_far_pairs_equal_measuring_every_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """prepare_near leaves pairs whose chord through the earth is longer than NEAR_KM unmeasured: the
    answers must be those of measuring every referent against every anchor (a slack so large that
    every pair is measured)."""
    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.text import place_context

    gaz = get_gazetteer()
    named = [(n, gaz.lookup(n)) for n in ("Ukraine", "Kyiv", "Texas", "Paris", "Georgia", "Peru")]
    names = ["Kharkiv", "Paris", "Georgia", "Athens", "Springfield", "Lima", "Odessa", "Home", "Kyiv"]
    items = [(n, gaz.lookup(n), frozenset(m.place.country_code for m in gaz.lookup(n))) for n in names]
    countries = frozenset({"UA", "US"})
    pruned = place_context.anchors(named)
    place_context.prepare_near(pruned, items, countries)
    monkeypatch.setattr(place_context, "_CHORD_SLACK_KM", 1e9)
    full = place_context.anchors(named)
    place_context.prepare_near(full, items, countries)
    assert pruned.memo == full.memo
    assert any(k.startswith("near<=") for f in full.memo.values() for k in f)  # the case is exercised


def test_token_view_words_and_text_equal_spacy() -> None:
    """The token view's words come from a hash table and its text from make_doc's input."""
    from geo_app.text import spans
    from geo_app.text.extract import annotate

    text = "Troops left   Minsk on Monday.\n\nThey reached Brest, near the Polish border; ÉLAN café."
    doc = next(annotate([text]))
    view = spans.token_view(doc)
    assert view.words == [t.text for t in doc]
    assert view.text == doc.text
    assert view.lower == [t.lower_ for t in doc]
