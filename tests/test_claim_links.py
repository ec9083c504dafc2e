"""Distance claims linked by the sentence's parse (issue 12): ends, distances, bearings, non-claims, verdicts.

The sentences are written for these tests (the issue's examples in other words); the
expected figures are geodesic distances on Natural Earth 1:10m and GeoNames points,
measured independently in tests/data/claims (build_truth.py) for the same ends.
"""

from __future__ import annotations

import pytest

from geo_app.check.model import VERDICT_DEFINITION
from geo_app.pipeline import analyze

KHARKIV, BELGOROD, KYIV, MINSK, MARIUPOL, KALININGRAD = 706483, 578072, 703448, 625144, 701822, 554234


def distances(text: str) -> list:
    return [c for c in analyze(text, "2024-05-01").claims if c.claim_type == "distance"]


def one(text: str):
    found = distances(text)
    assert len(found) == 1, [c.summary() for c in found]
    return found[0]


def ends(claim) -> set:
    return {claim.from_key, claim.to_key} | {claim.from_geonameid, claim.to_geonameid}


@pytest.mark.parametrize("text", [
    "Kharkiv, the country's second city, sits roughly 40 km from the Russian border.",
    "Some 40 kilometres from the border with Russia, Kharkiv has been shelled almost daily.",
])
def test_point_to_border_from_the_city_not_its_country(text: str) -> None:
    c = one(text)
    assert KHARKIV in ends(c) and "country:RUS" in ends(c)
    assert c.measured_km == pytest.approx(32.6, abs=1.0)
    assert c.line is not None


def test_compass_word_is_measured_and_its_bearing_checked() -> None:
    right = one("Belgorod lies about 40 km north of the Ukrainian border, officials said.")
    assert BELGOROD in ends(right) and "country:UKR" in ends(right)
    assert right.measured_km == pytest.approx(35.4, abs=1.0)
    assert right.verdict == "consistent" and "north of the nearest point" in right.reason
    wrong = one("Belgorod lies about 40 km south of the Ukrainian border.")
    assert wrong.verdict == "contradicted" and "not south" in wrong.reason


@pytest.mark.parametrize("text", [
    "Minsk and Kyiv lie roughly 430 km apart.",
    "From Kyiv to Minsk is about 430 km.",
])
def test_city_to_city_pairs(text: str) -> None:
    c = one(text)
    assert {KYIV, MINSK} <= ends(c)
    assert c.measured_km == pytest.approx(433.4, abs=2.0)


def test_gap_between_two_territories_with_an_exclave() -> None:
    c = one("NATO planners worry about the 65-km corridor between Belarus and Russia's Kaliningrad exclave.")
    assert "country:BLR" in ends(c) and "country:RUS" in ends(c)
    assert c.measured_km == pytest.approx(66.0, abs=2.0)
    assert "Kaliningrad" in (c.from_name or "") + (c.to_name or "")


def test_miles_with_km_in_brackets_is_one_claim() -> None:
    c = one("The port city of Mariupol lies about 31 miles (50 km) from the Russian border.")
    assert MARIUPOL in ends(c) and "country:RUS" in ends(c)
    assert c.measured_km == pytest.approx(48.9, abs=1.5)
    assert c.verdict == "consistent"


def test_kaliningrad_the_city() -> None:
    c = one("The city of Kaliningrad is only about 30 km from the Polish border.")
    assert KALININGRAD in ends(c)
    assert c.measured_km == pytest.approx(32.9, abs=1.5)


def test_island_and_mainland_are_parts_of_one_country() -> None:
    c = one("Sakhalin is only about 8 km from the Russian mainland.")
    # Sakhalin is a gazetteer island (its own polygon); the mainland is Russia's largest polygon
    assert {c.from_key, c.to_key} == {"island:sakhalin", "country:RUS"} and "mainland" in (c.to_name or "")
    assert c.measured_km == pytest.approx(7.8, abs=1.0)


@pytest.mark.parametrize("text", [
    "Gazprom built a 1,200-km pipeline from Russia to Germany.",
    "The convoy drove 300 km through Belarus to reach Kyiv.",
    "Ukraine's front line runs for about 1,000 km from Kharkiv to Kherson.",
    "The missile has a range of 500 km, enough to reach Minsk.",
    "The Dnipro flows 2,200 km from Russia through Belarus and Ukraine to the Black Sea.",
])
def test_lengths_and_movements_are_no_measured_claim(text: str) -> None:
    assert all(c.measured_km is None for c in distances(text))
    assert analyze(text).extraction.distances  # the distance mention is kept


def test_membership_outside_geo_apps_definition_depends_on_definition() -> None:
    text = "Allies will send ships to Eastern European countries such as Lithuania and Romania."
    members = {c.from_name: c for c in analyze(text).claims if c.claim_type == "membership"}
    assert members["Lithuania"].verdict == VERDICT_DEFINITION
    assert "common usage" in members["Lithuania"].reason and "UN M49" in members["Lithuania"].reason
    assert members["Romania"].verdict == "consistent"
    assert all(c.primary_geometry() is not None for c in members.values())


def test_membership_no_definition_counts_is_contradicted() -> None:
    text = "Allies will send ships to Eastern European countries such as Brazil."
    (c,) = [c for c in analyze(text).claims if c.claim_type == "membership"]
    assert c.verdict == "contradicted" and "no definition in use" in c.reason


def test_every_relation_claim_has_a_geometry() -> None:
    text = ("Belarus, which borders Ukraine, held drills. Brest, in western Belarus, hosted troops. "
            "Mariupol, on the Sea of Azov, was besieged. Kaliningrad, wedged between Poland and Lithuania, "
            "was on alert.")
    claims = [c for c in analyze(text).claims if c.claim_type != "region"]
    claims += analyze("Mariupol, on the Sea of Azov, was besieged.").claims
    assert {c.claim_type for c in claims} >= {"adjacency", "containment", "coastal"}
    assert all(c.primary_geometry() is not None for c in claims), [c.summary() for c in claims]
    adj = [c for c in claims if c.claim_type == "adjacency"]
    assert all(c.verdict == "consistent" for c in adj), [c.summary() for c in adj]
    assert all(c.measured_km == 0.0 and c.shared_border_km > 100 for c in adj)


def test_a_sentence_initial_port_after_other_sentences_gives_a_coastal_claim() -> None:
    """The NER labels this sentence-initial 'Mariupol' ORG; the kind classifier keeps the place (issue 13)."""
    text = "Brest, in western Belarus, hosted troops. Mariupol, on the Sea of Azov, was besieged."
    assert "coastal" in {c.claim_type for c in analyze(text).claims}


def test_the_capital_is_the_capital_of_the_reports_country() -> None:
    text = "Ukraine said drones flew over Ukraine overnight. Chernihiv is about 130 km from the capital."
    c = one(text)
    assert KYIV in ends(c) and c.measured_km == pytest.approx(128.6, abs=2.0)


def test_a_name_the_extract_step_missed_is_looked_up() -> None:
    c = one("Kursk is less than 100 km from the Ukrainian border.")
    assert 538560 in ends(c) and c.measured_km == pytest.approx(96.1, abs=2.0)


def test_seeds_lithuania_is_not_contradicted(seed_analyses) -> None:
    """Seed 000: "Eastern European countries such as Lithuania" is ordinary usage, never "contradicted"."""
    (name,) = [n for n in seed_analyses if n.startswith("000_")]
    lithuania = [c for c in seed_analyses[name].claims if c.claim_type == "membership" and c.from_name == "Lithuania"]
    assert lithuania and all(c.verdict == VERDICT_DEFINITION for c in lithuania)
    for analysis in seed_analyses.values():
        assert all(c.primary_geometry() is not None for c in analysis.claims
                   if c.claim_type != "region" and (c.from_key or c.to_key))


def test_a_fronted_from_names_the_near_end_of_an_away_distance() -> None:
    c = one("From Belgorod, the Ukrainian border is less than 40 km away.")
    assert BELGOROD in ends(c) and "country:UKR" in ends(c)
    assert c.measured_km == pytest.approx(35.4, abs=1.0) and c.verdict == "consistent"


def test_a_thing_is_where_its_locative_phrase_puts_it_not_its_owner() -> None:
    c = one("Zaporizhzhia's nuclear plant at Enerhodar is about 50 km south-west of the city of Zaporizhzhia.")
    assert c.from_name != c.to_name and c.measured_km is not None
    assert c.measured_km == pytest.approx(52.7, abs=2.0)


def test_a_written_container_after_the_name_is_not_the_near_end() -> None:
    c = one("Paris, Texas, about 160 km northeast of Dallas, was hit by a tornado.")
    assert c.from_name == "Paris" and c.to_name == "Dallas"
    assert c.measured_km == pytest.approx(152, abs=3) and c.verdict == "consistent"


def test_it_as_a_far_end_is_the_place_named_before() -> None:
    found = distances("Basra is 450 km south-east of Baghdad, and Mosul about 400 km north of it.")
    pairs = {(c.from_name, c.to_name): c for c in found}
    mosul = next(c for (a, b), c in pairs.items() if a == "Mosul")
    assert mosul.to_name == "Baghdad" and mosul.measured_km == pytest.approx(352, abs=3)
    assert mosul.verdict == "overstated"


def test_a_name_settled_elsewhere_in_the_report_keeps_its_place_when_a_claim_names_it_again() -> None:
    # GeoNames also calls Çermik (Turkey) "Jermuk"; the report's own Jermuk is in Armenia.
    text = ("Drones struck two villages near Jermuk on Tuesday night, the ministry said. "
            "Jermuk, a spa town about 170 km south-east of Yerevan, lies barely 10 km from the Azerbaijani border.")
    for c in distances(text):
        assert "Çermik" not in (c.from_name, c.to_name)
        assert c.verdict != "understated"
