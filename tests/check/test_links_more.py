"""More sentence forms linked by the parse (issue 12, second round); sentences written for these tests.

Expected figures: geodesic distances between GeoNames points (Kyiv-Minsk 433.4 km) and from
Mariupol to Russia's Natural Earth 1:10m polygon (48.9 km), as measured in tests/data/claims.
"""

from __future__ import annotations

import pytest

from geo_app.pipeline import analyze

KYIV, MINSK, MARIUPOL = 703448, 625144, 701822


def distance(text: str):
    found = [c for c in analyze(text, "2024-05-01").claims if c.claim_type == "distance"]
    assert len(found) == 1, [c.summary() for c in found]
    return found[0]


def test_inverted_locative_verb() -> None:
    c = distance("About 430 km south of Minsk lies the city of Kyiv.")
    assert {c.from_geonameid, c.to_geonameid} == {KYIV, MINSK}
    assert c.measured_km == pytest.approx(433.4, abs=2.0)
    assert c.verdict == "consistent" and "south" in c.reason


def test_generic_apposition_is_the_name_not_its_adjective() -> None:
    c = distance("Mariupol, the Ukrainian port besieged for weeks, is about 50 km from the Russian border.")
    assert MARIUPOL in (c.from_geonameid, c.to_geonameid) and "country:RUS" in (c.from_key, c.to_key)
    assert c.measured_km == pytest.approx(48.9, abs=1.5)


def test_width_of_a_channel_that_separates_nothing_named_is_no_claim() -> None:
    found = [c for c in analyze("The channel, 2 km wide, silted up last year.").claims if c.measured_km is not None]
    assert found == []
