"""The two real seed reports (../shared/seeds, when present) yield what issue 3 asks for."""

from __future__ import annotations

import datetime as dt



def _all(seed_analyses):
    for analysis in seed_analyses.values():
        yield from analysis.resolutions


def test_seed_places(seed_analyses):
    found = {(r.mention.text, r.place.name if r.place else None) for r in _all(seed_analyses)}
    names = {t for t, _ in found}
    for expected in ["southern Belarus", "Black Sea", "Baltic Sea", "Mediterranean Sea", "Eastern Europe",
                     "Lithuania", "Romania", "Bulgaria", "Eastern Military District", "Minsk"]:
        assert expected in names, expected
    assert any("Far East" in t for t in names)


def test_seed_kiev_is_kyiv(seed_analyses):
    found = {(r.mention.text, r.place.name if r.place else None) for r in _all(seed_analyses)}
    assert ("Kiev", "Kyiv") in found


def test_southern_belarus_is_one_qualified_mention(seed_analyses):
    qualified = [r for r in _all(seed_analyses) if r.mention.text == "southern Belarus"]
    assert qualified and all(r.mention.kind == "qualified" and r.mention.qualifier == "south" for r in qualified)
    assert qualified[0].place.key == "country:BLR"


def test_seed_distances(seed_analyses):
    distances = {(d.km, d.bound) for a in seed_analyses.values() for d in a.extraction.distances}
    assert (100.0, "at_most") in distances and (9000.0, "at_least") in distances


def test_seed_exercise_dates(seed_analyses):
    dates = {(d.text, d.date_start, d.date_end) for a in seed_analyses.values() for d in a.extraction.dates}
    assert ("February 10-20", dt.date(2022, 2, 10), dt.date(2022, 2, 20)) in dates
    assert ("the 10th to the 20th", dt.date(2022, 2, 10), dt.date(2022, 2, 20)) in dates
