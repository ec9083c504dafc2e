"""A bare figure is read as rounded to its last non-zero digit (sentences written for these tests)."""

from __future__ import annotations

import pytest

from geo_app import pipeline
from geo_app.check.model import stated_rounding_km


@pytest.mark.parametrize(("text", "km", "rounding"), [
    ("400 km", 400.0, 40.0),      # half of 100 is 50, capped at the "about" tolerance (10 %)
    ("395 km", 395.0, 0.5),
    ("1,084 km", 1084.0, 0.5),
    ("2.5 km", 2.5, 0.05),
    ("exactly 400 km", 400.0, 0.0),
])
def test_rounding_of_a_stated_figure(text: str, km: float, rounding: float) -> None:
    assert stated_rounding_km(text, km) == pytest.approx(rounding)


def test_a_round_figure_a_few_km_off_is_consistent_and_an_exact_one_is_not() -> None:
    # Dnipro to Kyiv is 395 km between the GeoNames points
    (bare,) = pipeline.analyze("Dnipro lies 400 km south-east of Kyiv.").claims
    (exact,) = pipeline.analyze("Dnipro lies exactly 400 km south-east of Kyiv.").claims
    assert bare.measured_km == pytest.approx(395, abs=3)
    assert bare.verdict == "consistent"
    assert exact.verdict == "overstated"
