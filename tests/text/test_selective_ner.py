"""Selective NER (issue 16): the statistical model reads only the windows a cheap first stage
leaves undecided, and finds the places the full path (a window around every capitalised word)
finds: people named like places, organisations, sentence-initial names. Own texts, no corpora."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app import settings
from geo_app.text.extract import annotate, extract_many
from geo_app.text.kinds import get_model

PUB = dt.date(2024, 3, 14)

TEXTS = [
    # people named like places
    "Paris Hilton flew to Paris on Tuesday, her publicist said.",
    "Georgia Rivers, a teacher from Atlanta, said Georgia schools would close.",
    "Senator Jordan Kessler met officials in Amman, Jordan, before returning to Washington.",
    "Austin Reed, who coaches in Dallas, said Austin had grown fast.",
    # organisations holding place names
    "The Chicago Tribune reported that Boston officials met in Chicago on Monday.",
    "Texas Instruments opened a plant near Lubbock, and the University of Texas welcomed it.",
    "The New York Times said the Red Cross sent trucks from Warsaw to Lviv.",
    # sentence-initial names
    "Mariupol was shelled again overnight. Kherson residents fled to Odesa.",
    "Denver police closed Colfax Avenue. Aurora and Boulder reported flooding.",
    "Kabul airport reopened on Friday. Flights to Doha resumed.",
]


def _places(selective: bool, monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[int, int, str, str]]]:
    monkeypatch.setattr(settings, "NER_SELECTIVE", selective)
    return [[(m.start, m.end, m.kind, m.name) for m in ex.mentions]
            for ex in extract_many([(t, PUB) for t in TEXTS])]


def test_the_kind_model_has_a_first_stage_with_a_band() -> None:
    model = get_model()
    assert model.stage1 is not None
    assert 0.0 < model.stage1.low < model.stage1.high <= 1.0
    assert model.stage1.meta["ner_share_cv"] < 0.5  # the NER reads under half the full path's windows


def test_selective_path_finds_the_places_the_full_path_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    full = _places(False, monkeypatch)
    selective = _places(True, monkeypatch)
    assert sum(map(len, full)) >= 2 * len(TEXTS)
    assert selective == full


def test_selective_path_reads_fewer_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The windows the NER read are kept on the doc; a report of plain names the gazetteer
    settles alone sends the model far fewer tokens than a window per capitalised word."""
    from geo_app.text.extract import _ner_windows

    monkeypatch.setattr(settings, "NER_SELECTIVE", True)
    text = " ".join(TEXTS)
    doc = next(annotate([text]))
    read = sum(b - a for a, b in doc.user_data["geo_app_ner_windows"])
    every = sum(b - a for a, b in _ner_windows(doc, settings.NER_WINDOW_MARGIN))
    assert 0 < read < every
