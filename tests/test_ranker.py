"""The trained resolution ranker: its committed model, how it is loaded, and the places it must get
right (issue 13, "Which place"), each with a text written for the test."""

from __future__ import annotations

import datetime as dt
from collections import Counter
import json
from pathlib import Path

import numpy as np
import pytest

from geo_app import settings
from geo_app._errors import InputError
from geo_app.places.gazetteer import get_gazetteer
from geo_app.resolve.features import FEATURE_NAMES
from geo_app.resolve.ranker import MODEL_FORMAT, Ranker, get_ranker, load_ranker
from geo_app.resolve.resolver import Resolver, place_within, resolve
from geo_app.text.extract import extract
from tests.resolve.rows import feature_rows

PUB = dt.date(2024, 3, 5)


def resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


# --- the committed model ----------------------------------------------------------------------


def test_committed_model_loads_with_json_and_numpy():
    raw = json.loads(settings.RANKER_MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["format"] == MODEL_FORMAT
    model = get_ranker()
    assert model.features == FEATURE_NAMES
    assert model.coef.shape == (len(FEATURE_NAMES),) and np.isfinite(model.coef).all()
    p = model.probabilities(np.random.default_rng(0).normal(size=(5, len(FEATURE_NAMES))))
    assert p.shape == (5,) and abs(p.sum() - 1) < 1e-9 and (p > 0).all()


def test_committed_model_records_cross_validated_figures_close_to_in_sample():
    meta = get_ranker().meta
    for corpus in ("LGL", "GeoWebNews"):
        in_sample, cv = meta["acc161_gold_spans_in_sample"][corpus], meta["acc161_gold_spans_cv"][corpus]
        assert 0.5 < cv <= 1 and abs(in_sample - cv) < 0.03


def _write(tmp_path: Path, **changes: object) -> Path:
    data = get_ranker().to_dict() | changes
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("changes", [
    {"format": "something/else"},
    {"features": list(FEATURE_NAMES[:-1])},
    {"features": list(reversed(FEATURE_NAMES))},
    {"scale": [0.0] * len(FEATURE_NAMES)},
    {"coef": [1.0, 2.0]},
])
def test_a_model_that_does_not_fit_the_code_is_refused(tmp_path, changes):
    with pytest.raises(InputError):
        load_ranker(_write(tmp_path, **changes))


def test_a_missing_model_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_ranker(tmp_path / "absent.json")


def test_the_resolver_ranks_with_the_model_it_is_given():
    n = len(FEATURE_NAMES)
    flat = Ranker(FEATURE_NAMES, np.zeros(n), np.ones(n), np.zeros(n), {})
    text = "She drove to Springfield for the state fair."
    r = next(r for r in Resolver(ranker=flat).resolve(extract(text, PUB)) if r.mention.text == "Springfield")
    cands = get_gazetteer().lookup("Springfield")
    assert all(nm.place.feature_class == "P" for nm in cands)  # no region of that name: no hard constraint
    # All weights zero: every candidate the hard constraints keep (not the towns that bear the name
    # only as an alias of a longer own name, "Springfield Gardens", nor towns of unknown population
    # outside the report's leading country) equally likely.
    _, X = _rows(text, "Springfield")
    unknown_kept = (X[:, FEATURE_NAMES.index("unknown_population")] == 0) | (X[:, FEATURE_NAMES.index("focus_top")] > 0)
    kept = int(((X[:, FEATURE_NAMES.index("alias_rival_town")] == 0) & unknown_kept).sum())
    assert len(cands) > kept > 2 and r.confidence == pytest.approx(1 / kept)
    assert resolved(text)["Springfield"].confidence > 2 / len(cands)


# --- which place (issue 13) ---------------------------------------------------------------------


def test_ontario_alone_is_the_province_not_a_us_town():
    r = resolved("Forest fires spread across Ontario, and crews from Manitoba and Quebec flew in.")["Ontario"]
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "CA")


def test_london_in_a_story_set_in_ontario_is_london_ontario():
    text = ("The Ontario government said hospitals in Toronto, Hamilton and London had run out of beds, "
            "and patients were sent to Windsor and Kitchener.")
    r = resolved(text)["London"]
    assert r.place.country_code == "CA"


def test_london_alone_is_the_capital():
    assert resolved("The prime minister returned to London on Monday.")["London"].place.country_code == "GB"


def test_georgia_in_a_us_story_is_the_state():
    text = "Voters in Georgia and Alabama queued for hours, and officials in Atlanta and Birmingham extended polling."
    r = resolved(text)["Georgia"]
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "US")


def test_georgia_beside_its_neighbours_is_the_country():
    text = "Armenia, Azerbaijan and Georgia signed a transit deal; trucks will cross from Tbilisi to Yerevan."
    assert resolved(text)["Georgia"].place.feature_code == "PCLI"


@pytest.mark.parametrize("text", [
    "Flights out of Heathrow were cancelled as snow fell across southern England.",
    "Passengers waited at Heathrow for six hours on Friday.",
])
def test_heathrow_is_the_airport_not_a_us_hamlet(text):
    r = resolved(text)["Heathrow"]
    assert (r.place.feature_code, r.place.country_code) == ("AIRP", "GB")


@pytest.mark.parametrize("text", [
    # The NER labels this 'Kherson' PERSON; the kind classifier keeps it (a well-known place no one is called).
    "Russian artillery struck Kherson overnight, and people in the city queued for bread and water.",
    "Drones hit a power plant in Kherson on Sunday, Ukrainian officials said; Odesa and Mykolaiv were also targeted.",
])
def test_kherson_in_a_war_report_is_the_city(text):
    r = resolved(text)["Kherson"]
    assert (r.place.feature_class, r.place.country_code) == ("P", "UA")
    assert any(a.feature_code == "ADM1" for a in r.alternatives)  # the oblast stays an alternative


@pytest.mark.parametrize("text", [
    "Ukrainian troops pushed forward across the Kherson region as villages on the left bank were shelled.",
    "Evacuation buses left villages across Kherson Oblast on Monday.",
])
def test_kherson_region_said_outright_is_the_oblast(text):
    r = next(r for r in resolve(extract(text, PUB)) if r.mention.text.startswith("Kherson"))
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "UA")


def test_border_towns_in_a_us_mexico_story_are_the_us_cities():
    text = ("Asylum seekers waited on bridges from Ciudad Juarez to El Paso, and shelters in San Diego "
            "filled as Tijuana's camps grew, US officials said.")
    res = resolved(text)
    assert (res["El Paso"].place.country_code, res["El Paso"].place.admin1_code) == ("US", "TX")
    assert (res["San Diego"].place.country_code, res["San Diego"].place.admin1_code) == ("US", "CA")


def test_windsor_in_a_detroit_story_is_windsor_ontario():
    text = ("Trucks backed up on the Ambassador Bridge between Detroit and Windsor as protesters blocked "
            "the crossing into Ontario for a third day.")
    r = resolved(text)["Windsor"]
    assert r.place.country_code == "CA"


def test_georgia_beside_atlanta_and_savannah_is_the_state():
    text = "Floods closed roads between Atlanta and Savannah, and Georgia's governor called up the National Guard."
    r = resolved(text)["Georgia"]
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "US")


def test_a_river_bank_city_counts_as_inside_its_region():
    # Kherson's point lies a few hundred metres outside the generalised outline of its oblast.
    gaz = get_gazetteer()
    city = next(nm.place for nm in gaz.lookup("Kherson") if nm.place.feature_class == "P" and nm.place.country_code == "UA")
    oblast = next(nm.place for nm in gaz.lookup("Kherson") if nm.place.feature_code == "ADM1")
    odesa = next(nm.place for nm in gaz.lookup("Odesa") if nm.place.feature_class == "P")
    assert place_within(city, oblast)
    assert not place_within(odesa, oblast)


@pytest.mark.parametrize("name", ["England", "Scotland"])
def test_nations_of_the_uk_are_their_own_places(name):
    cands = get_gazetteer().lookup(name)
    if not any(nm.place.country_code == "GB" and nm.place.feature_code != "PCLI" for nm in cands):
        pytest.skip(f"the gazetteer has no {name} of its own (only the United Kingdom)")
    r = resolved(f"Rain fell across {name} on Sunday and rivers rose.")[name]
    assert r.place.country_code == "GB" and r.place.feature_code != "PCLI"


# --- event dates across sentences --------------------------------------------------------------


def _dates(text: str, published: dt.date = PUB) -> dict[str, tuple]:
    """Dates by mention text (the last mention of a text wins)."""
    return {r.mention.text: (r.date_start, r.date_end, r.date_source) for r in resolve(extract(text, published))}


def test_a_sentence_continuing_the_event_takes_its_date():
    text = ("Russia and Belarus will hold joint military exercises from February 10-20. "
            "The maneuver is to be held in southern Belarus.")
    res = resolve(extract(text, PUB))
    second = [r for r in res if r.mention.sentence == 1]
    assert second and "Belarus" in second[0].mention.text
    assert (second[0].date_start, second[0].date_end, second[0].date_source) == (
        dt.date(2024, 2, 10), dt.date(2024, 2, 20), "continued")
    first = [r for r in res if r.mention.sentence == 0]
    assert first and all(r.date_source == "sentence" for r in first)


def test_the_continued_date_carries_along_a_chain_of_sentences():
    text = ("Navies will drill off the coast from June 3 to June 9. The drills will start near Crete. "
            "The exercise then moves west to Palermo.")
    dates = _dates(text)
    assert dates["Crete"][2] == "continued" and dates["Palermo"][2] == "continued"
    assert dates["Palermo"][:2] == (dt.date(2024, 6, 3), dt.date(2024, 6, 9))


@pytest.mark.parametrize(("second", "day"), [
    ("Two days later, jets were scrambled from Siauliai.", dt.date(2024, 3, 3)),
    ("The next day, jets were scrambled from Siauliai.", dt.date(2024, 3, 2)),
    ("A week earlier, jets were scrambled from Siauliai.", dt.date(2024, 2, 23)),
])
def test_a_date_stated_relative_to_the_previous_event_moves_its_day(second, day):
    dates = _dates(f"On March 1, bombers flew over Kaliningrad. {second}")
    assert dates["Siauliai"] == (day, day, "sentence")


def test_a_day_relative_to_another_event_is_not_moved_from_the_previous_one():
    dates = _dates("On March 1, bombers flew over Kaliningrad. Two days after the vote, jets left Siauliai.")
    assert dates["Siauliai"] == (PUB, PUB, "published")


@pytest.mark.parametrize("second", [
    "Officials in Kyiv said nothing.",                   # a new subject, not a reference back
    "The Pentagon in Washington said little.",           # a proper name, not a definite noun phrase
])
def test_a_new_subject_falls_back_to_the_publication_date(second):
    dates = _dates(f"Troops will drill in Belarus from February 10-20. {second}")
    place = "Kyiv" if "Kyiv" in second else "Washington"
    assert dates[place] == (PUB, PUB, "published")


def test_a_new_paragraph_ends_the_event():
    dates = _dates("Troops will drill in Belarus from February 10-20.\n\nThe talks were held in Vienna.")
    assert dates["Vienna"][2] == "published"


# --- features ---------------------------------------------------------------------------------


def _rows(text: str, name: str) -> tuple[list, np.ndarray]:
    return feature_rows(text, name, PUB)


def test_a_local_institution_after_the_name_marks_the_towns():
    col = FEATURE_NAMES.index("institution_town")
    cands, X = _rows("Springfield Police Department arrested two men on Monday near Decatur.", "Springfield")
    towns = np.array([nm.place.feature_class == "P" for nm in cands])
    assert towns.any() and (X[towns, col] == 1).all() and (X[~towns, col] == 0).all()
    cands, X = _rows("Two men were arrested in Springfield on Monday near Decatur.", "Springfield")
    assert (X[:, col] == 0).all()


def test_a_newspaper_named_after_its_seat_marks_the_towns():
    # "The Washington Post" is the capital's paper, not the state's.
    col = FEATURE_NAMES.index("institution_town")
    cands, X = _rows("The senator told The Washington Post that the vote was close.", "Washington")
    towns = np.array([nm.place.feature_class == "P" for nm in cands])
    assert towns.any() and (X[towns, col] == 1).all() and (X[~towns, col] == 0).all()


def test_report_wide_distances_equal_per_mention_distances():
    from geo_app.resolve.features import MentionContext, candidate_features

    text = "Crews from Portland and Salem fought the fire near Eugene, Oregon, while Springfield sent trucks."
    ex = extract(text, PUB)
    resolver = Resolver()
    cands = resolver.all_candidates(ex)
    best = [max(c, key=lambda nm: nm.place.population).place if c else None for c in cands]
    Xs = resolver.features(ex, cands, best, {})
    i = next(i for i, m in enumerate(ex.mentions) if m.text == "Springfield")
    anchors = resolver._anchors(ex.mentions, best, cands)
    ctx = MentionContext(focus=Counter(), country_hint=None, named_countries=set(), named_regions=[],
                         container=None, context="", anchors=anchors, within=place_within, own_name="springfield")
    alone = candidate_features(ex.mentions[i], cands[i], ctx, lambda nm: 0.0)
    for name in ("near", "regional"):
        col = FEATURE_NAMES.index(name)
        assert np.allclose(alone[:, col], Xs[i][:, col]) and alone[:, col].max() > 0.1


# --- issue 13, "which place": a region and its town, namesakes, alternate names -------------------


@pytest.mark.parametrize("text", [
    "Storms tore through Oklahoma on Tuesday, and the governor declared an emergency in twenty counties.",
    "Oklahoma voters approved the measure, and Arkansas voters rejected a similar one.",
])
def test_oklahoma_alone_is_the_state_not_oklahoma_city(text):
    r = resolved(text)["Oklahoma"]
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "US")
    assert r.alternatives  # the city, the county and the hamlets named Oklahoma were weighed and lost


def test_new_york_alone_stays_the_city():
    r = resolved("Rents in New York rose again this spring, the report said.")["New York"]
    assert (r.place.feature_class, r.place.name) == ("P", "New York City")


@pytest.mark.parametrize("text", [
    "Gunmen attacked a market in the town of Tillaberi, killing six people, officials in Niamey said.",
    "Residents of downtown Tillaberi fled after the attack, a local official in Niamey said.",
])
def test_a_town_said_outright_is_the_town_not_its_region(text):
    r = resolved(text)["Tillaberi"]
    assert (r.place.feature_class, r.place.country_code) == ("P", "NE")


@pytest.mark.parametrize("text", [
    "Attacks have displaced thousands across the Tillaberi region of western Niger.",
    "Aid convoys reached the Tillaberi region after weeks of attacks.",
])
def test_a_region_said_outright_is_the_region_not_its_town(text):
    res = resolve(extract(text, PUB))
    r = next(r for r in res if r.mention.text.startswith("Tillaberi"))
    assert (r.place.feature_code, r.place.country_code) == ("ADM1", "NE")
    # "the X region of Y" does not make Y a region: Niger stays the country.
    assert all(r.place.feature_code == "PCLI" for r in res if "Niger" in r.mention.text)


def test_the_words_right_around_a_name_say_town_or_region():
    from geo_app.resolve.features import written_level

    assert written_level("attacked a market in the town of ", " killing") == "town"
    assert written_level("people fled ", " city on Monday") == "town"
    assert written_level("the mayor of ", " said") == "town"
    assert written_level("across the province of ", " on Monday") == "region"
    assert written_level("the governor of ", " said") == "region"
    assert written_level("across the ", " region of western Niger") == "region"
    assert written_level("thousands across the Tillaberi region of ", "") == ""
    assert written_level("Ohio ", " State University") == ""


@pytest.mark.parametrize("text", [
    "Russian forces pressed toward Pokrovsk on Tuesday, Ukrainian commanders said.",
    "Shelling hit Pokrovsk again as civilians queued for evacuation trains.",
])
def test_a_towns_own_name_beats_another_towns_old_name(text):
    # Engels (Russia, 200,000 people) was once called Pokrovsk; Pokrovsk, Ukraine bears the name now.
    r = resolved(text)["Pokrovsk"]
    assert (r.place.name, r.place.country_code) == ("Pokrovsk", "UA")


def test_part_of_a_longer_name_and_another_candidates_own_name_are_features():
    cands, X = _rows("Storms tore through Oklahoma on Tuesday.", "Oklahoma")
    partial, rival = FEATURE_NAMES.index("partial_name"), FEATURE_NAMES.index("primary_rival")
    okc = next(k for k, nm in enumerate(cands) if nm.place.name == "Oklahoma City")
    state = next(k for k, nm in enumerate(cands) if nm.place.feature_code == "ADM1")
    assert X[okc, partial] == 1 and X[okc, rival] == 1
    assert X[state, partial] == 0 and X[state, rival] == 0


@pytest.mark.parametrize("text", [
    "Lawmakers in Washington failed to pass the budget, and the White House blamed Congress.",
    "WASHINGTON (AP) — The Senate passed the spending bill late on Friday.",
])
def test_washington_in_a_politics_story_is_the_capital(text):
    r = next(r for r in resolve(extract(text, PUB)) if r.mention.text.lower() == "washington")
    assert (r.place.feature_code, r.place.admin1_code) == ("PPLC", "DC")


def test_only_a_countrys_most_populous_capital_coded_town_counts_as_its_capital():
    cands, X = _rows("Lawmakers in Washington failed to pass the budget.", "Washington")
    col = FEATURE_NAMES.index("type_PPLC")
    capitals = [cands[k].place for k in np.flatnonzero(X[:, col])]
    assert [(p.country_code, p.admin1_code) for p in capitals] == [("US", "DC")]


@pytest.mark.parametrize("text", [
    "Athens, a college town in Georgia, reported record heat on Tuesday.",
    "A new stadium opened in Athens in Georgia on Saturday.",
])
def test_a_written_hierarchy_a_few_words_long_picks_the_namesake(text):
    r = resolved(text)["Athens"]
    assert (r.place.country_code, r.place.admin1_code) == ("US", "GA")


def test_a_written_hierarchy_a_few_words_long_is_found():
    from geo_app.resolve.features import FEATURE_NAMES as names

    cands, X = _rows("Athens, a college town in Georgia, reported record heat on Tuesday.", "Athens")
    inside = X[:, names.index("hierarchy_in")] > 0
    assert {(cands[k].place.country_code, cands[k].place.admin1_code) for k in np.flatnonzero(inside)} == {("US", "GA")}
    assert (X[~inside, names.index("hierarchy_out")] == 1).all()


@pytest.mark.parametrize("text, country", [
    ("Protesters filled the streets of Santiago as Chile's president promised a new constitution.", "CL"),
    ("Ferries to Zanzibar were cancelled as Tanzanian authorities warned of storms.", "TZ"),
])
def test_namesakes_follow_the_country_the_report_names(text, country):
    name = text.split(" of ")[1].split()[0] if "Santiago" in text else "Zanzibar"
    assert resolved(text)[name].place.country_code == country


def test_a_dateline_is_a_town():
    from geo_app.resolve.features import is_dateline

    assert is_dateline("", "WASHINGTON", " (AP) — The Senate passed the bill.")
    assert is_dateline("Headline here\n", "Kyiv", " — Ukrainian officials said")
    assert not is_dateline("Lawmakers in ", "Washington", " failed to pass the budget")
    cands, X = _rows("WASHINGTON (AP) — The Senate passed the bill late on Friday.", "WASHINGTON")
    col = FEATURE_NAMES.index("dateline_town")
    assert all((X[k, col] == 1) == (nm.place.feature_class == "P") for k, nm in enumerate(cands))


def test_washington_beside_ohio_is_not_an_ohio_town_known_as_washington():
    # GeoNames lists "Washington" as an alternate name of Washington Court House and Piqua, Ohio.
    text = "Lawmakers in Washington failed to pass the budget, and governors in Ohio and Texas warned of cuts."
    r = resolved(text)["Washington"]
    assert r.place.name == "Washington" and r.place.admin1_code != "OH"


def test_a_town_known_by_the_name_only_as_an_alias_is_flagged():
    cands, X = _rows("Lawmakers in Washington failed to pass the budget.", "Washington")
    col = FEATURE_NAMES.index("alias_rival_town")
    flagged = {cands[k].place.name for k in np.flatnonzero(X[:, col])}
    assert {"Washington Court House", "Piqua"} <= flagged
    assert not any(cands[k].place.name == "Washington" for k in np.flatnonzero(X[:, col]))
    cands, X = _rows("Units moved closer to Gomel on Monday.", "Gomel")
    assert not X[:, col].any()  # Homyel' is a spelling of Gomel, not an alias


def test_the_before_a_name_marks_a_river_once_the_gazetteer_has_one():
    # The gazetteer holds no river Dnipro yet (only the city): "the Dnipro" stays the city until a river
    # of that name is a candidate; then "the" counts for the river (feature ``article_natural``).
    from geo_app.places.gazetteer import NameMatch, Place
    from geo_app.resolve.features import MentionContext, candidate_features

    text = "Troops dug in on the left bank of the Dnipro before the winter."
    ex = extract(text, PUB)
    m = next(m for m in ex.mentions if m.text == "Dnipro")
    city = get_gazetteer().lookup("Dnipro")[0]
    river = NameMatch(Place("test:dnipro-river", "Dnipro", 46.5, 32.3, "H", "STM", "UA"), True)
    ctx = MentionContext(focus=Counter(), country_hint=None, named_countries=set(), named_regions=[],
                         container=None, context="", anchors=(), within=place_within, own_name="dnipro",
                         before=text[max(0, m.start - 40):m.start], after=text[m.end:m.end + 40])
    X = candidate_features(m, [city, river], ctx, lambda nm: 0.0)
    natural, town = FEATURE_NAMES.index("article_natural"), FEATURE_NAMES.index("article_town")
    assert (X[0, natural], X[0, town], X[1, natural], X[1, town]) == (0, 1, 1, 0)
    from geo_app.resolve.resolver import _constrain
    p = _constrain(X, get_ranker().probabilities(X))
    assert p[1] == pytest.approx(1.0)  # the river


# --- the vectorised tree walk -------------------------------------------------------------------


def _walk_one(ranker: Ranker, x: np.ndarray) -> float:
    """Reference score of one row: each tree walked node by node, plus the linear part."""
    s = float(((x - ranker.mean) / ranker.scale) @ ranker.coef)
    for feature, threshold, left, right, value in ranker.trees:
        i = 0
        while feature[i] >= 0:
            i = left[i] if x[feature[i]] <= threshold[i] else right[i]
        s += float(value[i])
    return s


def test_the_committed_trees_score_as_a_node_by_node_walk():
    ranker = get_ranker()
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, len(FEATURE_NAMES))) * rng.integers(0, 2, size=(40, len(FEATURE_NAMES)))
    assert np.allclose(ranker.scores(X), [_walk_one(ranker, x) for x in X])


def test_trees_of_different_depths_score_as_a_node_by_node_walk():
    k = len(FEATURE_NAMES)
    leaf = tuple(np.asarray(a) for a in ([-1], [0.0], [0], [0], [0.5]))
    # root: feature 0 <= 0 -> leaf -1; else feature 1 <= 1 -> leaf 2, else leaf 3
    deep = tuple(np.asarray(a) for a in ([0, -1, 1, -1, -1], [0.0, 0, 1.0, 0, 0], [1, 0, 3, 0, 0],
                                         [2, 0, 4, 0, 0], [0.0, -1.0, 0.0, 2.0, 3.0]))
    ranker = Ranker(FEATURE_NAMES, np.zeros(k), np.ones(k), np.zeros(k), {}, (leaf, deep))
    X = np.zeros((4, k))
    X[:, 0] = [-1.0, 1.0, 1.0, 0.0]
    X[:, 1] = [5.0, 0.5, 2.0, 9.0]
    assert ranker.scores(X).tolist() == [-0.5, 2.5, 3.5, -0.5]  # x <= threshold goes left
    assert ranker.scores(X).tolist() == [_walk_one(ranker, x) for x in X]


@pytest.mark.parametrize("opening", [
    "TBILISI, June 14 (AP) -",
    "TBILISI, Georgia, 14 June 2024 —",
])
def test_the_dateline_date_is_when_the_report_was_filed_not_the_event(opening):
    # Filed on Friday June 14; the events the sentence dates itself happened on Tuesday June 11.
    dates = _dates(f"{opening} Protesters gathered outside parliament in Tbilisi on Tuesday, police said.",
                   published=dt.date(2024, 6, 14))
    assert dates["Tbilisi"] == (dt.date(2024, 6, 11), dt.date(2024, 6, 11), "sentence")


def test_a_dateline_date_still_dates_a_sentence_that_states_no_other():
    dates = _dates("BATUMI, June 14 (AP) - Storms flooded Batumi overnight.", published=dt.date(2024, 6, 14))
    assert dates["Batumi"][:2] == (dt.date(2024, 6, 14), dt.date(2024, 6, 14))


def test_a_relative_date_counts_from_the_last_dated_event_across_undated_sentences():
    dates = _dates("On March 1, bombers flew over Kaliningrad. Officials in Vilnius called it a provocation.\n\n"
                   "Two days later, jets were scrambled from Siauliai.")
    assert dates["Siauliai"] == (dt.date(2024, 3, 3), dt.date(2024, 3, 3), "sentence")
    assert dates["Vilnius"][2] == "published"


@pytest.mark.parametrize("text, name, school", [
    ("Mississippi State started the game against Louisville.", "Mississippi", True),
    ("A professor at the University of California said so.", "California", True),
    ("Ohio State Buckeyes fans filled the stadium.", "Ohio", True),
    ("Storms crossed Mississippi on Monday.", "Mississippi", False),
    ("The governor of California signed the bill.", "California", False),
])
def test_a_region_named_inside_a_school_s_name_is_told(text, name, school):
    from geo_app.resolve.features import names_a_school

    start = text.index(name)
    assert names_a_school(text, start, start + len(name)) is school
