"""Sentence forms the ninth fresh claims batch (fresh9) showed unlinked or misread; sentences written for these tests.

Each test fails without the change it covers (checked against the linker before it). Expected figures are
independent truths measured with tests/data/claims/build_truth.py's geodesic methods (GeoNames points, Natural
Earth 1:10m polygons), not geo_app: Foz do Iguaçu to Argentina 2.8 km, Vila do Conde to Porto 25.4 km, Alaska to
the rest of the United States 820.2 km, Nakhchivan's part of Azerbaijan to the rest of it 26.9 km, Pechenga to
Norway 10.8 km, Kinmen to Xiamen (both as Natural Earth polygons) 9.6 km, Sardinia to mainland Italy
190.5 km, Palermo to Tunisia 234.4 km, Gozo to Malta's main island 4.9 km, Okinawa (island) to Kyushu 512.9 km, Pemba
to Unguja (Zanzibar's island) 49.2 km, Cox's Bazar to Chattogram 101.2 km, Ciudad Juárez to Chihuahua 343.9 km, Narva to
Tallinn 195.3 km, Tskhinvali to Tbilisi 93.3 km, Moscow to Ukraine 453.0 km, Paris to Belgium 179.7 km, Phu Quoc
island (Vietnam's polygon holding the town) to Cambodia 10.7 km, Bahir Dar to Addis Ababa 320.6 km, Quelimane to
Beira 306.5 km, Okhtyrka to Sumy 68.1 km, Belgorod to Kharkiv 73.0 km, Tumbes to Ecuador 20.5 km, Trieste to Slovenia
5.5 km, the Falkland Islands to Argentina 347.2 km, Port Moresby to the Solomon Islands 949.2 km, Sumy to Russia
27.7 km, Madaya to Mandalay 26.3 km, Bila Tserkva to Kyiv 78.5 km, Tbilisi to Yerevan 170.3 km and to Baku 449.6 km,
Lviv to Kyiv 469.5 km.
"""

from __future__ import annotations

import pytest

from tests.test_claim_links import distances, one

FOZ, VILA_DO_CONDE, PORTO = 3463030, 2732649, 2735943


def ends(c) -> set:
    return {c.from_key, c.to_key} | {c.from_geonameid, c.to_geonameid}


@pytest.mark.parametrize(("text", "a", "b", "km"), [
    # the tagger takes "Foz" for a common noun and "do" for a verb: the particle still joins the name
    ("Foz do Iguaçu lies roughly 3 km from the Argentine border.", FOZ, "country:ARG", 2.8),
    ("Vila do Conde is some 25 km north of Porto.", VILA_DO_CONDE, PORTO, 25.4),
])
def test_a_lowercase_particle_joins_a_name_the_report_did_not_mark(text: str, a: object, b: object,
                                                                  km: float) -> None:
    c = one(text)
    assert a in ends(c) and b in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)


@pytest.mark.parametrize(("text", "km"), [
    ("Roughly 800 km of British Columbia separate Alaska from the rest of the United States.", 820.2),
    ("Barely 30 km of Armenia's Syunik province divide Nakhchivan from the rest of Azerbaijan.", 26.9),
])
def test_a_named_filler_before_a_verb_of_separating_is_no_end(text: str, km: float) -> None:
    c = one(text)
    assert c.measured_km == pytest.approx(km, abs=1.5)
    assert c.from_key == c.to_key  # two parts of one country


def test_a_named_filler_does_not_make_a_movement_a_claim() -> None:
    # no verb of separating after the of-phrase: the figure is a drive through the named land
    assert all(c.measured_km is None for c in distances("Convoys drove 800 km of British Columbia to reach Alaska."))


def test_the_norwegian_border_is_norway() -> None:
    # data/gazetteer_extras.yaml had Norway's demonyms under a bare NO, which YAML reads as false
    c = one("Pechenga lies about 10 km from the Norwegian border.")
    assert c.measured_km == pytest.approx(10.8, abs=1.5)


KINMEN_XIAMEN_KM, SARDINIA_MAINLAND_KM, PALERMO_TUNISIA_KM = 9.6, 190.5, 234.4


def test_an_island_named_as_written_is_the_island_though_read_as_its_town() -> None:
    # the resolver reads "Kinmen" as its county seat (Jincheng); measured off a coast it is the island
    c = one("Kinmen sits barely 10 km off the coast of Xiamen.")
    assert "island:kinmen" in ends(c)
    assert c.measured_km == pytest.approx(KINMEN_XIAMEN_KM, abs=1.5)


def test_a_town_on_an_island_measured_against_its_own_country_is_the_gap_to_the_rest() -> None:
    # Cagliari lies inside Italy's polygons: the island it is on against the mainland, not its own shore
    c = one("Cagliari lies some 200 km off the Italian coast.")
    assert c.from_key == c.to_key == "country:ITA"
    assert c.measured_km == pytest.approx(SARDINIA_MAINLAND_KM, abs=2.0)


def test_a_town_inside_its_countrys_border_stays_a_point() -> None:
    c = one("Lviv lies 70 km from the Ukrainian border.")
    assert 702550 in ends(c) and "country:UKR" in ends(c)


def test_a_sentence_initial_name_tagged_as_a_noun_is_looked_up() -> None:
    c = one("Palermo lies about 150 km from Tunisia.")
    assert 2523920 in ends(c) and "country:TUN" in ends(c)
    assert c.measured_km == pytest.approx(PALERMO_TUNISIA_KM, abs=1.5)


@pytest.mark.parametrize("text", [
    "Police patrol 5 km from Kherson.",
    "Shelling continued 5 km from Kyiv.",
    "Residents live within 10 km of Zaporizhzhia.",
    # common nouns that are also towns' names (El Progreso, As Salt) as subjects of no verb of placing
    "Progress was made 5 km from Kyiv.",
    "Salt was found 5 km from the coast of Crimea.",
])
def test_a_sentence_initial_common_noun_is_no_place(text: str) -> None:
    assert all(c.measured_km is None for c in distances(text))


GOZO_MALTA_KM, OKINAWA_KYUSHU_KM, PEMBA_UNGUJA_KM = 4.9, 512.9, 49.2


def test_a_town_named_like_an_island_with_its_word_for_island_is_the_island() -> None:
    # the gazetteer's island is "Okinawa Island"; measured against an island, "Okinawa" is that island
    c = one("Okinawa sits roughly 500 km south-west of Kyushu.")
    assert "island:okinawa-island" in ends(c)
    assert c.measured_km == pytest.approx(OKINAWA_KYUSHU_KM, abs=2.0)


def test_a_town_on_a_small_island_against_another_island_is_its_island() -> None:
    c = one("Zanzibar lies some 45 km south of Pemba Island.")
    assert "island:pemba-island" in ends(c) and "country:TZA" in ends(c)
    assert c.measured_km == pytest.approx(PEMBA_UNGUJA_KM, abs=1.5)


def test_an_island_against_its_own_whole_country_is_the_gap_to_the_rest() -> None:
    c = one("Gozo lies about 5 km from Malta.")
    assert c.measured_km == pytest.approx(GOZO_MALTA_KM, abs=1.0)


TAIWAN_MAIN_TO_CHINA_MAINLAND_KM = 134.6  # build_truth: country:TWN@gn:1668341 to country:CHN@gn:1816670


def test_a_country_against_another_countrys_mainland_is_its_main_body() -> None:
    # Taiwan's Kinmen lies 2 km off Xiamen; "off mainland China" sets the main bodies against each other
    c = one("Taiwan sits some 180 km off mainland China.")
    assert c.measured_km == pytest.approx(TAIWAN_MAIN_TO_CHINA_MAINLAND_KM, abs=3.0)


COXS_BAZAR, COXS_BAZAR_CHATTOGRAM_KM = 1336134, 101.2


def test_a_possessive_inside_a_name_is_looked_up_whole() -> None:
    # not "Bazar" alone (Bazar-Korgon in Kyrgyzstan, 2,700 km away)
    c = one("Cox's Bazar sits roughly 100 km south of Chittagong.")
    assert COXS_BAZAR in ends(c)
    assert c.measured_km == pytest.approx(COXS_BAZAR_CHATTOGRAM_KM, abs=1.5)


@pytest.mark.parametrize("text", [
    "Kargil lies barely 10 km from the Line of Control.",
    "Leh sits about 160 km from the Line of Actual Control.",
])
def test_a_named_line_the_gazetteer_lacks_is_no_town(text: str) -> None:
    # "Line" alone is a Czech village (Líně): a capitalised feature noun is its whole name or nothing
    assert all(c.measured_km is None for c in distances(text))


@pytest.mark.parametrize(("text", "town", "km"), [
    # the reference place after "across the border from" is not what the figure after the comma is about
    ("Ciudad Juárez sits just across the border from El Paso, some 340 km north of Chihuahua.", 4013708, 343.9),
    ("Narva lies across the river from Ivangorod, about 200 km east of Tallinn.", 590031, 195.3),
])
def test_a_figure_after_a_facing_reference_is_the_subjects(text: str, town: int, km: float) -> None:
    c = one(text)
    assert town in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)


def test_a_sentence_initial_name_tagged_as_an_adjective_is_looked_up_by_its_alternate_name() -> None:
    # GeoNames' own name is "Ts'khinvali"; "Tskhinvali" is an alternate one
    c = one("Tskhinvali, capital of breakaway South Ossetia, is barely 100 km north-west of Tbilisi.")
    assert 611403 in ends(c) and 611717 in ends(c)
    assert c.measured_km == pytest.approx(93.3, abs=1.5)


@pytest.mark.parametrize(("text", "capital", "country", "km"), [
    ("The Kremlin is some 450 km from the nearest Ukrainian territory.", 524901, "country:UKR", 453.0),
    ("The Élysée is about 300 km from the Belgian border.", 2988507, "country:BEL", 179.7),
])
def test_a_seat_of_government_stands_for_its_capital(text: str, capital: int, country: str, km: float) -> None:
    c = one(text)
    assert capital in ends(c) and country in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)


def test_a_seat_of_government_with_a_thing_near_it_is_still_no_claim() -> None:
    assert all(c.measured_km is None for c in distances("Drones came within 15 km of the Kremlin on Sunday."))


def test_an_unresolved_border_named_by_its_adjective_is_that_countrys_border() -> None:
    # a headline without an article: the extract step leaves "Ugandan border" unresolved as a name
    c = one("Fighting in Bunia, 40 km from Ugandan border")
    assert "country:UGA" in ends(c)


def test_a_town_said_to_lie_off_a_coast_is_its_island() -> None:
    c = one("Phu Quoc sits roughly 10 km off the Cambodian coast.")
    assert "country:VNM" in ends(c) and "country:KHM" in ends(c)
    assert c.measured_km == pytest.approx(10.7, abs=1.5)


def test_a_lake_placed_by_a_town_in_its_name_is_no_end() -> None:
    # the resolver places "Lake Tana" by "Tana" (Antananarivo, 3,600 km away); nothing may be measured to it
    assert all(c.measured_km is None for c in distances("Gondar lies some 40 km north of Lake Tana."))


def test_a_figure_after_a_lake_placed_by_a_town_is_the_subjects() -> None:
    c = one("Bahir Dar lies on the southern shore of Lake Tana, 500 km from Addis Ababa.")
    assert 342884 in ends(c) and 344979 in ends(c)
    assert c.measured_km == pytest.approx(320.6, abs=1.5)


@pytest.mark.parametrize(("text", "a", "b", "km"), [
    # the place named just before, in the same sentence or the one before, is the other end
    ("The cyclone struck Beira first; Quelimane, some 300 km to the north, was spared.", 1028434, 1052373, 306.5),
    ("Shelling hit Sumy overnight. Okhtyrka, 70 km to the south, lost power.", 713749, 692194, 68.1),
])
def test_a_place_n_km_to_a_compass_way_lies_that_way_from_the_place_named_before(text: str, a: int, b: int,
                                                                                  km: float) -> None:
    c = one(text)
    assert a in ends(c) and b in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)
    assert c.verdict == "consistent"  # the way is read the right way round: a lies that way from b


def test_a_thing_n_km_to_a_compass_way_is_no_claim() -> None:
    assert all(c.measured_km is None for c in distances("Shelling hit Sumy overnight; troops, 10 km to the "
                                                        "south, dug in."))


def test_n_km_away_is_from_the_town_named_before_in_the_sentence() -> None:
    # not from the capital of the country the report mentions most (Kyiv, 430 km)
    c = one("Residents of Kharkiv could hear explosions in Belgorod, 40 km away.")
    assert 578072 in ends(c) and 706483 in ends(c)
    assert c.measured_km == pytest.approx(73.0, abs=1.5)


def test_the_first_word_of_an_unknown_name_is_not_dropped_like_a_modifier() -> None:
    # "Jan Mayen" (no town of the gazetteer) is not Mayen, a German town 2,000 km away
    assert all(c.measured_km is None for c in distances("Jan Mayen lies some 600 km north-east of Iceland."))


@pytest.mark.parametrize(("text", "town", "country", "km"), [
    # adjectives the gazetteer's demonyms lack, read from their form
    ("Tumbes lies some 25 to 30 km from the Ecuadorian border.", 3691148, "country:ECU", 20.5),
    ("Trieste lies about 10 km from the Slovenian border.", 3165185, "country:SVN", 5.5),
])
def test_a_countrys_adjective_missing_from_the_demonyms_is_read_from_its_form(text: str, town: int, country: str,
                                                                              km: float) -> None:
    c = one(text)
    assert town in ends(c) and country in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)


def test_an_adjective_of_no_country_names_none() -> None:
    from geo_app.check.links import _country_of_adjective
    assert _country_of_adjective("Siberian") is None and _country_of_adjective("Caribbean") is None
    assert _country_of_adjective("Icelandic").key == "country:ISL"


@pytest.mark.parametrize(("text", "group", "other", "km"), [
    ("The Falklands lie some 350 km east of the Argentine coast.", "country:FLK", "country:ARG", 347.2),
    # not Solomons, Maryland
    ("The Solomons lie some 900 km east of Port Moresby.", "country:SLB", 2088122, 949.2),
])
def test_an_island_group_by_its_short_plural_name(text: str, group: str, other: object, km: float) -> None:
    c = one(text)
    assert group in ends(c) and other in ends(c)
    assert c.measured_km == pytest.approx(km, abs=1.5)


@pytest.mark.parametrize("text", [
    "Rwanda's army keeps 4,000 troops in Congo, some 20 km from Goma.",
    "Fighting erupted in Ukraine, 30 km from Kharkiv.",
])
def test_a_figure_after_in_a_country_places_a_thing_not_the_country(text: str) -> None:
    assert all(c.measured_km is None for c in distances(text))


def test_a_town_a_clause_places_in_a_country_keeps_its_figure() -> None:
    c = one("Sumy lies in Ukraine, 30 km from the Russian border.")
    assert 692194 in ends(c) and "country:RUS" in ends(c)
    assert c.measured_km == pytest.approx(27.7, abs=1.5)


def test_a_fronted_placing_participle_places_the_main_clauses_subject() -> None:
    # the main verb ("hit") is no verb of placing, but "Located ..." places Madaya
    c = one("Located 40 km north of Mandalay, Madaya was hit by an air strike.")
    assert 1312649 in ends(c) and 1311874 in ends(c)
    assert c.measured_km == pytest.approx(26.3, abs=1.5)


def test_n_km_away_from_an_unnamed_viewpoint_is_not_measured_to_the_capital() -> None:
    # seen from somewhere the report does not name: not measured to Kyiv as "the report's main place"
    found = distances("Smoke rose over Kherson and could be seen 40 km away.")
    assert found and all(c.measured_km is None for c in found)


def test_n_km_away_in_a_datelined_report_is_from_the_dateline() -> None:
    c = one("KYIV, March 3 (Reuters) - Explosions were heard overnight. Residents said smoke over Bila Tserkva, "
            "80 km away, could be seen for hours.")
    assert 712165 in ends(c) and 703448 in ends(c)
    assert c.measured_km == pytest.approx(78.5, abs=1.5)


def test_bracketed_figures_in_a_comparison_are_each_places_distance_from_the_subject() -> None:
    found = {frozenset(ends(c)): c for c in distances("Tbilisi is nearer to Yerevan (170 km) than to Baku (450 km).")
             if c.measured_km is not None}
    yerevan = next(c for k, c in found.items() if 616052 in k and 611717 in k)
    baku = next(c for k, c in found.items() if 587084 in k and 611717 in k)
    assert yerevan.claimed_km == 170 and yerevan.measured_km == pytest.approx(170.3, abs=1.5)
    assert baku.claimed_km == 450 and baku.measured_km == pytest.approx(449.6, abs=1.5)


def test_a_bracketed_figure_after_farther_from_is_that_places() -> None:
    found = [c for c in distances("Lviv is farther from Kyiv (470 km) than from Warsaw (330 km).")
             if c.claimed_km == 470]
    assert found and 703448 in ends(found[0]) and 702550 in ends(found[0])
    assert found[0].measured_km == pytest.approx(469.5, abs=1.5)


def test_a_country_named_before_is_no_reference_for_n_km_to_a_compass_way() -> None:
    # Ukraine holds Kharkiv: "30 km to the south" is not measured from it
    assert all(c.measured_km is None for c in distances("Troops entered Ukraine; Kharkiv, 30 km to the south, "
                                                        "was shelled."))
