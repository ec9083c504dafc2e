"""Membership in a group whose extent depends on who defines it is never "contradicted" (issue 12).

Sentences written for these tests; the definitions are those of data/composites.yaml.
"""

from __future__ import annotations

import pytest

from geo_app.check.model import VERDICT_DEFINITION
from geo_app.pipeline import analyze


def memberships(text: str) -> dict[str, object]:
    return {c.from_name: c for c in analyze(text, "2024-05-01").claims if c.claim_type == "membership"}


@pytest.mark.parametrize("text, member, named", [
    ("Finland, one of the Baltic states, closed its border.", "Finland", "interwar"),
    ("The EU pledged aid to Eastern European countries such as Georgia and Moldova.", "Georgia",
     "Eastern Partnership"),
    ("Gulf states such as Iran and Qatar met in Doha.", "Iran", "littoral"),
    ("Western Balkan countries such as Croatia and Serbia signed the pact.", "Croatia", "older EU usage"),
    ("Central Asian states such as Afghanistan and Kazakhstan met.", "Afghanistan", "UNESCO"),
])
def test_outside_geo_apps_definition_depends_on_definition(text: str, member: str, named: str) -> None:
    found = memberships(text)
    c = found[member]
    assert c.verdict == VERDICT_DEFINITION, c.summary()
    assert named in c.reason and "not by geo_app's" in c.reason
    assert all(other.verdict != "contradicted" for other in found.values())


def test_a_treaty_group_and_no_definition_at_all_are_contradicted() -> None:
    gcc = memberships("GCC states such as Iran and Qatar met in Doha.")
    assert gcc["Iran"].verdict == "contradicted" and gcc["Qatar"].verdict == "consistent"
    baltic = memberships("NATO sent jets to the Baltic states such as Lithuania and Poland.")
    assert baltic["Poland"].verdict == "contradicted" and "no definition in use" in baltic["Poland"].reason
