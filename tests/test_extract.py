"""Extract step: places, qualified places, groups, demonyms, distances and dates, with exact offsets."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app import InputError, LimitExceededError, settings
from geo_app.text.extract import extract

PUB = dt.date(2022, 2, 10)


def kinds(ex):
    return {(m.text, m.kind) for m in ex.mentions}


def test_offsets_are_exact():
    text = "Russian troops massed near the Ukrainian border, 100 km from Kyiv, on the 9th."
    ex = extract(text, PUB)
    for item in [*ex.mentions, *ex.distances, *ex.dates]:
        assert text[item.start:item.end] == item.text


def test_direction_qualified_places_are_one_mention():
    text = ("Drills are held in southern Belarus. Convoys moved south of Minsk toward the Ukrainian border. "
            "The distance from the southern border of Belarus to Kiev is short. Eastern Poland was calm.")
    ex = extract(text, PUB)
    found = {m.text: (m.kind, m.qualifier, m.name) for m in ex.mentions}
    assert found["southern Belarus"] == ("qualified", "south", "southern Belarus"[9:])
    assert found["south of Minsk"][:2] == ("qualified", "south of")
    assert found["the Ukrainian border"][:2] == ("qualified", "border")
    assert found["the southern border of Belarus"][:2] == ("qualified", "south border")
    assert ("Kiev", "place") in kinds(ex)
    assert found["Eastern Poland"][0] == "qualified"


def test_groups_seas_and_demonyms():
    text = ("NATO sent jets to the Baltic states and ships to the Baltic Sea. Belarusian and Russian units "
            "came from the Eastern Military District and the Far East. Eastern Europe is tense.")
    ex = extract(text, PUB)
    k = kinds(ex)
    assert ("Baltic states", "group") in k
    assert ("Baltic Sea", "place") in k
    assert ("Belarusian", "demonym") in k and ("Russian", "demonym") in k
    assert ("Eastern Military District", "group") in k
    assert ("Far East", "group") in k
    assert ("Eastern Europe", "group") in k
    demonym = next(m for m in ex.mentions if m.text == "Belarusian")
    assert demonym.country_code == "BY"


def test_person_and_common_words_are_not_places():
    text = "US Secretary of Defense Lloyd Austin spoke. Most recently, the Alliance Determination drill began."
    names = {m.text for m in extract(text, PUB).mentions}
    assert "Austin" not in names and "Most" not in names and "Alliance" not in names


def test_distances_are_linked_to_sentences():
    text = "Kyiv is as close as 100 km from the border. The district is more than 9000 km away."
    ex = extract(text, PUB)
    assert [(d.km, d.bound) for d in ex.distances] == [(100.0, "at_most"), (9000.0, "at_least")]
    assert ex.sentence_of(ex.distances[1].start) == 1


def test_sentence_dates_reach_mentions():
    from geo_app.resolve.resolver import resolve

    text = "Troops will drill in Belarus from February 10-20. Kyiv was calm."
    res = resolve(extract(text, PUB))
    belarus = next(r for r in res if r.mention.text == "Belarus")
    kyiv = next(r for r in res if r.mention.text == "Kyiv")
    assert (belarus.date_start, belarus.date_end, belarus.date_source) == (dt.date(2022, 2, 10), dt.date(2022, 2, 20), "sentence")
    assert (kyiv.date_start, kyiv.date_source) == (PUB, "published")


@pytest.mark.parametrize(
    ("bad", "error"),
    [(b"\xff\xfe\x00\x00garbage\xff", InputError), ("abc\x00def", InputError), (12345, InputError)],
)
def test_bad_input_is_a_clear_error(bad, error):
    with pytest.raises(error):
        extract(bad, PUB)


def test_limit_names_its_setting(monkeypatch):
    monkeypatch.setattr(settings, "MAX_REPORT_CHARS", 100)
    with pytest.raises(LimitExceededError, match="MAX_REPORT_CHARS"):
        extract("x" * 101, PUB)


def test_empty_and_placeless_text_give_empty_results():
    assert extract("", PUB).mentions == []
    ex = extract("the cat sat on the mat and purred for a while.", None)
    assert ex.mentions == [] and ex.distances == []


def test_five_megabytes_of_text_does_not_crash():
    text = ("Troops moved from Minsk toward the Ukrainian border on the 9th. " * 80_000)[: 5_000_000]
    ex = extract(text[:200_000], PUB)  # the full 5 MB is in the benchmark; here a 200 kB slice
    assert len(ex.mentions) > 1000


def test_long_reports_go_through_the_model_in_pieces_with_the_same_entities(monkeypatch) -> None:
    from geo_app import settings
    from geo_app.text.extract import extract

    text = " ".join(f"Troops from Minsk moved toward Gomel on day {i}, officials in Kyiv and Warsaw said; "
                    f"Lloyd Austin spoke in Brussels." for i in range(60))
    whole = [(m.start, m.end, m.kind) for m in extract(text).mentions]
    monkeypatch.setattr(settings, "NER_PIECE_MAX_TOKENS", 40)
    pieces = [(m.start, m.end, m.kind) for m in extract(text).mentions]
    assert whole and pieces == whole


def _news_like_texts() -> list[str]:
    """A few dozen short news-like texts: the sample reports cut into paragraphs, plus sentences
    that mix places, people, organisations and dates the way local news does."""
    from geo_app.text.reports import sample_reports

    texts = [p for r in sample_reports() for p in r.text.split("\n") if p.strip()]
    people = ["Mayor John Smith", "Sheriff Ann Lee", "Gov. Rick Perry", "Dr. Maria Lopez"]
    places = ["Fargo, N.D.", "Memphis", "Alexandria, Va.", "the Red River", "Gaza", "Lake County"]
    orgs = ["the Red Cross", "Fargo Police", "the National Weather Service", "Hamas"]
    for i in range(24):
        texts.append(f"{people[i % 4]} said on Monday that {orgs[i % 4]} sent 300 volunteers from "
                     f"{places[i % 6]} to {places[(i + 2) % 6]}. Water rose to 41 feet near "
                     f"{places[(i + 3) % 6]} in March 2009, {orgs[(i + 1) % 4]} said.")
    return texts


def test_the_ner_does_not_need_the_shared_tok2vec() -> None:
    """get_nlp() leaves out the ``tok2vec`` component: the NER embeds its own, so its entities
    on whole texts are those of the model with tok2vec run first."""
    import spacy

    from geo_app.text.extract import MODEL_NAME, get_nlp

    texts = _news_like_texts()
    assert len(texts) >= 24 and "tok2vec" not in get_nlp().pipe_names
    full = spacy.load(MODEL_NAME, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    assert full.pipe_names == ["tok2vec", "ner"]
    with full.select_pipes(enable=["ner"]):
        alone = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in full.pipe(texts)]
    both = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in full.pipe(texts)]
    assert sum(map(len, both)) > 3 * len(texts) and alone == both


def test_window_separators_keep_the_places(monkeypatch) -> None:
    """Fewer blank tokens between NER windows (settings.NER_WINDOW_SEPARATORS) find the same
    places on news-like texts as the CNN's full reach of 4."""
    from geo_app.text.extract import extract_many

    texts = [(t, PUB) for t in _news_like_texts()]
    found = [[(m.start, m.end, m.kind) for m in ex.mentions] for ex in extract_many(texts)]
    monkeypatch.setattr(settings, "NER_WINDOW_SEPARATORS", 4)
    reach = [[(m.start, m.end, m.kind) for m in ex.mentions] for ex in extract_many(texts)]
    assert sum(map(len, found)) > len(texts) and found == reach


def test_weekdays_and_the_pronoun_open_no_ner_window_of_their_own() -> None:
    from geo_app.text.extract import _ner_windows, get_nlp

    nlp = get_nlp()
    text = "We met on Monday and I left in March. Rain fell near Fargo on Tuesday."
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    covered = {doc[i].text for a, b in _ner_windows(doc, 2) for i in range(a, b)}
    assert "Fargo" in covered and "Tuesday" in covered  # within Fargo's window
    assert not {"Monday", "I", "March"} & covered


@pytest.mark.parametrize("demonym", ["Ugandan", "Nigerien", "southern Chadian"])
def test_a_rare_demonym_before_a_border_noun_names_that_border(demonym: str) -> None:
    ex = extract(f"The camp lies on the {demonym} border, officials said.")
    (m,) = [m for m in ex.mentions if m.qualifier and m.qualifier.endswith("border")]
    assert m.text.endswith(f"{demonym} border")
