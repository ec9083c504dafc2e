"""A development trap set for names that are not places and places that look like names (issue 13,
"a person or organisation span the model is sure of wins over a place inside it unless the place is
its seat"), written for this task (no corpus sentences): organisations, treaties and brands named
after a place that is not their seat or not a place at all, lexicalised compounds of a place's
name and a product, food or garment noun, places the NER takes for people, people the person cues
miss, and real places that look like each of them. Same case format and check as
:mod:`tests.text.kind_cases`.

Run ``PYTHONPATH=$PWD python -m tests.text.org_cases`` for the score on every case.
"""

from __future__ import annotations

import sys

from tests.text.kind_cases import Case, run_groups

#: Organisations, treaties and brands whose name holds a place's name that is not their seat.
ORGS: list[Case] = [
    ("Delta Air Lines cancelled hundreds of flights after the storm.", (), ("Delta",)),
    ("Amazon shipped the parcels from its warehouse in Leipzig.", ("Leipzig",), ("Amazon",)),
    ("The Paris Agreement commits rich countries to deeper cuts in emissions.", (), ("Paris",)),
    ("Delegates in Bonn argued over the Kyoto Protocol for a week.", ("Bonn",), ("Kyoto",)),
    ("The Geneva Conventions protect prisoners of war, the lawyers said.", (), ("Geneva",)),
    ("Victoria's Secret closed a dozen stores in Britain this year.", ("Britain",), ("Victoria",)),
    ("Canada Goose jackets sold out in Seoul within hours.", ("Seoul",), ("Canada",)),
    ("Columbia Records signed the band after a show in Nashville.", ("Nashville",), ("Columbia",)),
    ("The Marshall Plan paid for new factories across Europe.", ("Europe",), ("Marshall",)),
    ("Virgin Atlantic added a daily flight to Lagos.", ("Lagos",), ("Atlantic",)),
    ("Jersey Mike's opened its first restaurant in Dublin last week.", ("Dublin",), ("Jersey",)),
    ("Shares of Sierra Nevada Brewing and Arizona Beverages rose on Friday.", (), ("Nevada", "Arizona")),
]

#: A place's name joined to a product, food, garment or breed noun: the thing, not the place.
COMPOUNDS: list[Case] = [
    ("She wore a Panama hat to the races.", (), ("Panama",)),
    ("He never liked Brussels sprouts as a child.", (), ("Brussels",)),
    ("Add a spoon of Dijon mustard to the dressing.", (), ("Dijon",)),
    ("The shop sells Cheddar cheese and Parma ham.", (), ("Cheddar", "Parma")),
    ("A Labrador puppy was found in the flooded basement.", (), ("Labrador",)),
    ("Bermuda shorts are back in fashion this summer.", (), ("Bermuda",)),
    ("Exports of Bordeaux wine to China fell by a third.", ("China",), ("Bordeaux",)),
    ("She added Worcestershire sauce and a pinch of Cayenne pepper.", (), ("Worcestershire", "Cayenne")),
    ("A Jerusalem artichoke soup opened the menu.", (), ("Jerusalem",)),
    ("The Boston terrier won best in show in Birmingham.", ("Birmingham",), ("Boston",)),
]

#: Places the NER takes for people (or misses) where the text says plainly that they are places.
NER_PEOPLE: list[Case] = [
    ("Drones struck Sumy overnight; the town's mayor said three people were hurt.", ("Sumy",), ()),
    ("There were no flights between Charlotte and Raleigh on Sunday.", ("Charlotte", "Raleigh"), ()),
    ("Sicily's regional government declared a state of emergency.", ("Sicily",), ()),
    ("Missiles hit Kramatorsk late on Tuesday, the regional governor said.", ("Kramatorsk",), ()),
    ("Shelling struck Nikopol again; the city's mayor said the water supply was cut.", ("Nikopol",), ()),
    ("Mykolaiv's governor said the port had been hit twice.", ("Mykolaiv",), ()),
    ("Lucknow's district magistrate ordered schools to close.", ("Lucknow",), ()),
    ("Rockets hit Avdiivka and Pokrovsk as the offensive went on.", ("Avdiivka", "Pokrovsk"), ()),
]

#: People the person cues must still recognise: an apposition between the pair and its verb, a
#: surname no list holds.
PEOPLE: list[Case] = [
    ("Hamilton Jordan, a retired diplomat, told reporters the talks had failed.", (), ("Hamilton", "Jordan")),
    ("Berkeley Breathed drew the comic strip for almost a decade.", (), ("Berkeley",)),
    ("Kingston Coleman, an analyst at the bank, said the risks were rising.", (), ("Kingston",)),
    ("Dallas Braden, the former pitcher, said he had no regrets.", (), ("Dallas",)),
    ("Denver Riggleman, a former congressman, wrote a book about the campaign.", (), ("Denver",)),
    ("Florence Welch, the band's singer, thanked the crowd in Glasgow.", ("Glasgow",), ("Florence",)),
]

#: Real places that look like the traps above: a place before an office or a plain noun, a place
#: that acts, a place after a verb people do, a place in an apposition.
PLACES: list[Case] = [
    ("Panama closed the canal to the largest ships during the drought.", ("Panama",), ()),
    ("Delta state police said gunmen had abducted six oil workers.", ("Delta",), ()),
    ("Brussels said on Monday it would fine the company.", ("Brussels",), ()),
    ("Jordan said it would reopen the border crossing on Sunday.", ("Jordan",), ()),
    ("Sumy's mayor said the city had been without power for a day.", ("Sumy",), ()),
    ("Dijon police arrested two men after the robbery.", ("Dijon",), ()),
    ("Fires spread across the Amazon as the drought worsened.", ("Amazon",), ()),
    ("The Kyoto city council approved the new tourist tax.", ("Kyoto",), ()),
    ("Protesters marched through Paris against the pension reform.", ("Paris",), ()),
    ("Geneva hosted the talks between the two delegations.", ("Geneva",), ()),
    ("Victoria police said the driver had been arrested.", ("Victoria",), ()),
    ("Columbia, South Carolina, opened cooling centres as the heat rose.", ("Columbia", "South Carolina"), ()),
    ("Canada recalled its ambassador to Beijing.", ("Canada", "Beijing"), ()),
    ("Tabasco floods forced thousands from their homes.", ("Tabasco",), ()),
    ("Bermuda officials said the hurricane would pass to the west.", ("Bermuda",), ()),
    ("Hamilton, a port city in Ontario, said it would expand bus service.", ("Hamilton", "Ontario"), ()),
    ("Boston residents were told to stay off the roads.", ("Boston",), ()),
    ("Flights to Jersey resumed after the fog lifted.", ("Jersey",), ()),
]

#: Written after the model was retrained and never tuned on: a fresh check of the same kinds.
FRESH: list[Case] = [
    ("American Airlines and Alaska Airlines cut flights to Mexico.", ("Mexico",), ("Alaska",)),
    ("The Oslo Accords were signed in Washington.", ("Washington",), ("Oslo",)),
    ("Idaho potatoes are shipped to Chicago every week.", ("Chicago",), ("Idaho",)),
    ("Turkey sandwiches were handed out at the shelter in Dallas.", ("Dallas",), ("Turkey",)),
    ("Kentucky Fried Chicken opened its first restaurant in Lagos.", ("Lagos",), ("Kentucky",)),
    ("Scotland Yard detectives questioned the suspect in London.", ("London",), ("Scotland",)),
    ("He ordered a Philly cheesesteak on his first night in Philadelphia.", ("Philadelphia",), ("Philly",)),
    ("Jackson Browne, the singer, played two nights in Memphis.", ("Memphis",), ("Jackson",)),
    ("Madrid's mayor said the metro would reopen on Monday.", ("Madrid",), ()),
    ("Rockets struck Kharkiv again, the city's governor said.", ("Kharkiv",), ()),
    ("Mumbai police arrested three men after the raid.", ("Mumbai",), ()),
    ("Turkey closed its airspace to the flights.", ("Turkey",), ()),
]

CASES: list[Case] = ORGS + COMPOUNDS + NER_PEOPLE + PEOPLE + PLACES + FRESH


def run() -> dict[str, tuple[int, int]]:
    """Extract every case and print its failures; the number passed and the total per group."""
    return run_groups([("orgs", ORGS), ("compounds", COMPOUNDS), ("ner people", NER_PEOPLE), ("people", PEOPLE),
                       ("places", PLACES), ("fresh (not tuned on)", FRESH)])


if __name__ == "__main__":
    run()
    sys.exit(0)
