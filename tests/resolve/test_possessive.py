"""A place's possessive names the container of the place after it (issue 13, "Which place"):
"New Zealand's West Coast" is New Zealand's region, not the US West Coast. Texts written for the test."""

from __future__ import annotations

import datetime as dt

from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract

PUB = dt.date(2025, 3, 2)


def _resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def test_the_possessor_holds_the_place_after_it():
    nz = _resolved("Rain closed roads on New Zealand's West Coast on Sunday.")["West Coast"].place
    assert nz.country_code == "NZ", nz


def test_without_a_possessor_the_report_decides():
    us = _resolved("Tech firms on the West Coast, from Seattle to San Diego, cut jobs.")["West Coast"].place
    assert us.country_code == "US" and us.feature_code == "GROUP", us
