"""A development set for the kind of thing a name is (issue 13), written for this project (no
corpus sentences): people and organisations whose names hold a place name, places next to
capitalised words, and big places the NER mislabels. Each case is ``(text, places, not_places)``:
``places`` are names that must each lie inside an extracted place mention (their first occurrence); ``not_places`` are
names no place mention may be or lie inside.

Run ``PYTHONPATH=$PWD python -m tests.text.kind_cases`` for the score on every case.
"""

from __future__ import annotations

import datetime as dt
import sys

Case = tuple[str, tuple[str, ...], tuple[str, ...]]

#: People whose given name is a place name (invented people, real-looking names).
PEOPLE: list[Case] = [
    ("Jordan Henderson scored twice in the second half, and Henderson later thanked the fans.", (), ("Jordan",)),
    ("Georgia Whitfield, the state's attorney general, said the ruling would be appealed.", (), ("Georgia",)),
    ("Paris Jackson arrived at the premiere in a silver dress on Saturday.", (), ("Paris",)),
    ("Austin Butler won the award for best actor, beating two veterans.", (), ("Austin",)),
    ("Sydney Sweeney and Chelsea Handler hosted the gala in Los Angeles.", ("Los Angeles",), ("Sydney", "Chelsea")),
    ("Striker Jordan Larsson joined the club from Copenhagen last summer.", ("Copenhagen",), ("Jordan",)),
    ("Mayor Phoenix Harper opened the new library and thanked the volunteers.", (), ("Phoenix",)),
    ("Dakota Johnson and Brooklyn Beckham attended the show in Milan.", ("Milan",), ("Dakota", "Brooklyn")),
    ("Madison Keys beat her opponent in straight sets in Melbourne.", ("Melbourne",), ("Madison",)),
    ("Florence Pugh stars in the new film, which was shot in Budapest.", ("Budapest",), ("Florence",)),
    ("Israel Adesanya will defend his title in Perth next month.", ("Perth",), ("Israel",)),
    ("Chad Ochocinco, a former receiver, now lives in Miami.", ("Miami",), ("Chad",)),
    ("Secretary of State Lincoln Hart flew to Tokyo for talks.", ("Tokyo",), ("Lincoln",)),
    ("Lloyd Austin, the defense secretary, visited troops in Kuwait.", ("Kuwait",), ("Austin",)),
    ("Kenya Moore said she would not return to the show next season.", (), ("Kenya",)),
    ("Actress Victoria Hale said the script had changed. Hale declined to say more.", (), ("Victoria",)),
    ("Senator Carolina Mendez voted against the measure on Thursday.", (), ("Carolina",)),
    ("Goalkeeper Denver Mills saved a penalty, and Mills was named man of the match.", (), ("Denver",)),
    ("Houston Rockets guard Jalen Green scored 30 points against the Lakers.", (), ()),
    ("Brazil's coach praised midfielder Savannah Cole after the win.", (), ("Savannah",)),
]

#: Places beside capitalised words, organisations seated in a place, countries and cities that
#: are also given names used as places.
PLACES: list[Case] = [
    ("Georgia Gov. Brian Kemp said the storm hit Savannah on Tuesday.", ("Georgia", "Savannah"), ()),
    ("Paris police arrested two men near the Louvre.", ("Paris",), ()),
    ("Farmers in the Jordan Valley said the drought was the worst in decades.", ("Jordan",), ()),
    ("Washington Post reporters in Kabul described the scene at the airport.", ("Kabul",), ()),
    ("Jordan closed its border with Syria on Monday.", ("Jordan", "Syria"), ()),
    ("King Abdullah of Jordan met the president in Amman.", ("Jordan", "Amman"), ()),
    ("Austin police said the suspect fled toward San Antonio.", ("Austin", "San Antonio"), ()),
    ("Officials in Chad and Niger said the convoy was attacked.", ("Chad", "Niger"), ()),
    ("Israel struck targets in Gaza overnight, the army said.", ("Israel", "Gaza"), ()),
    ("Victoria's premier announced new restrictions in Melbourne.", ("Victoria", "Melbourne"), ()),
    ("Florence was flooded after heavy rain across Tuscany.", ("Florence", "Tuscany"), ()),
    ("Residents of Phoenix endured a record heat wave this week.", ("Phoenix",), ()),
    ("The New York Times said the Red Cross sent trucks from Warsaw to Lviv.", ("New York", "Warsaw", "Lviv"), ()),
    ("Sydney residents were told to stay indoors as smoke covered the harbour.", ("Sydney",), ()),
    ("Kenya and Uganda agreed to share the cost of the railway.", ("Kenya", "Uganda"), ()),
    ("Madison police closed State Street after the protest.", ("Madison",), ()),
    ("Lincoln, Nebraska, reported its coldest night of the year.", ("Lincoln", "Nebraska"), ()),
    ("Carolina Panthers fans packed a bar in Charlotte.", ("Charlotte",), ()),
    ("Georgia and Armenia signed a transit deal in Tbilisi.", ("Georgia", "Armenia", "Tbilisi"), ()),
    ("Denver firefighters were sent to Boulder as the fire spread.", ("Denver", "Boulder"), ()),
]

#: Big, well-known places the NER mislabels or misses (sentence-initial, unfamiliar to it).
BIG_PLACES: list[Case] = [
    ("Fighting continued around Hodeidah and Taiz.", ("Hodeidah", "Taiz"), ()),
    ("Brest, in western Belarus, hosted troops. Mariupol, on the Sea of Azov, was besieged.", ("Mariupol",), ()),
    ("Russian artillery struck Kherson overnight, and people in the city queued for bread and water.",
     ("Kherson",), ()),
    ("Airstrikes hit Idlib and Raqqa on Tuesday, monitors said.", ("Idlib", "Raqqa"), ()),
    ("Protesters gathered in Mandalay and Yangon despite the curfew.", ("Mandalay", "Yangon"), ()),
    ("Aid convoys finally reached Mekelle after weeks of delay.", ("Mekelle",), ()),
    ("Floods cut off Sylhet and Sunamganj from the rest of the country.", ("Sylhet",), ()),
    ("Cholera cases rose in Maiduguri, health workers said.", ("Maiduguri",), ()),
    ("The ferry left Mombasa at dawn. Zanzibar was its first stop.", ("Mombasa", "Zanzibar"), ()),
    ("Shelling hit Kharkiv overnight. Zaporizhzhia was struck hours later.", ("Kharkiv", "Zaporizhzhia"), ()),
]

#: Written after the features were chosen and never tuned on: a fresh check of the same kinds.
FRESH: list[Case] = [
    ("Dallas Keuchel pitched seven innings against Seattle.", ("Seattle",), ("Dallas",)),
    ("Chelsea Clinton spoke at the launch in New York.", ("New York",), ("Chelsea",)),
    ("Brooklyn Decker and her husband moved to Austin last year.", ("Austin",), ("Brooklyn",)),
    ("Adelaide Kane starred in the series, which was filmed in Toronto.", ("Toronto",), ("Adelaide",)),
    ("Virginia Giuffre's lawyers filed papers in Manhattan.", ("Manhattan",), ("Virginia",)),
    ("India Walton lost the mayoral race in Buffalo.", ("Buffalo",), ("India",)),
    ("Tennessee Williams wrote the play while living in New Orleans.", ("New Orleans",), ("Tennessee",)),
    ("Troy Aikman called the game for the network.", (), ("Troy",)),
    ("Dallas police said the shooting happened downtown.", ("Dallas",), ()),
    ("Virginia lawmakers passed the bill in Richmond.", ("Virginia", "Richmond"), ()),
    ("India and Pakistan exchanged fire along the border.", ("India", "Pakistan"), ()),
    ("Tennessee floods forced hundreds from their homes.", ("Tennessee",), ()),
    ("Cuba released the prisoners on Friday, officials in Havana said.", ("Cuba", "Havana"), ()),
    ("Adelaide hosted the final, and Brisbane will host it next year.", ("Adelaide", "Brisbane"), ()),
]

CASES: list[Case] = PEOPLE + PLACES + BIG_PLACES + FRESH



def one_word_features(text: str, name: str) -> dict[str, float]:
    """The kind-model features of the one-word candidate ``name`` (its first occurrence) in ``text``
    (none when no one-word candidate is there)."""
    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.text.extract import _COMMON_WORDS, _GENERIC_WORDS, get_nlp
    from geo_app.text.spans import candidate_features, candidates

    doc = get_nlp()(text)
    gaz = get_gazetteer()
    cands = candidates(doc, gaz)
    candidate_features(doc, cands, gaz, _COMMON_WORDS, _GENERIC_WORDS)
    at = [t.i for t in doc if t.text == name][0]
    return next((c.feats for c in cands if (c.start, c.end) == (at, at + 1)), {})

def check(text: str, places: tuple[str, ...], not_places: tuple[str, ...],
          mentions: list[tuple[int, int, str]]) -> list[str]:
    """The failures of one case: ``mentions`` are the extracted places as (start, end, text)."""
    errors = []
    for name in places:
        at = text.index(name)
        if not any(s <= at and at + len(name) <= e for s, e, _ in mentions):
            errors.append(f"missed {name!r}")
    for name in not_places:
        at = 0
        while (at := text.find(name, at)) >= 0:
            if any(s <= at and at + len(name) <= e for s, e, _ in mentions):
                errors.append(f"kept {name!r}")
            at += len(name)
    return errors


def case_errors(cases: list[Case], published: dt.date = dt.date(2024, 3, 14)) -> list[list[str]]:
    """Extract every case (batched) and return each one's errors (:func:`check`), in order."""
    from geo_app.text.extract import extract_many

    exs = extract_many([(t, published) for t, _, _ in cases])
    return [check(text, places, not_places, [(m.start, m.end, m.text) for m in ex.mentions if m.kind != "demonym"])
            for (text, places, not_places), ex in zip(cases, exs)]


def run_groups(groups: list[tuple[str, list[Case]]]) -> dict[str, tuple[int, int]]:
    """Print each group's failures and its score; the number passed and the total per group."""
    out = {}
    for group, cases in groups:
        ok = 0
        for (text, _, _), errors in zip(cases, case_errors(cases)):
            ok += not errors
            if errors:
                print(f"  [{group}] {'; '.join(errors)}: {text}")
        out[group] = (ok, len(cases))
        print(f"{group}: {ok}/{len(cases)}")
    return out


def run() -> dict[str, tuple[int, int]]:
    """Extract every case and print its failures; the number passed and the total per group."""
    return run_groups([("people", PEOPLE), ("places", PLACES), ("big places", BIG_PLACES),
                       ("fresh (not tuned on)", FRESH)])


if __name__ == "__main__":
    run()
    sys.exit(0)
