"""A development trap set for people who are not places (issue 13, "people are not places"), written
for this task (no corpus sentences): people whose given name or surname is a place's name, named in
the ways a careful reader recognises (a pair acting as a person, a kinship noun after a possessive,
a possessive "'s"), and real places that look like people ("Jordan said on Monday ...", "Charlotte
police said"). Same case format and check as :mod:`tests.text.kind_cases`.

Run ``PYTHONPATH=$PWD python -m tests.text.person_cases`` for the score on every case.
"""

from __future__ import annotations

import sys

from tests.text.kind_cases import Case, run_groups

#: People whose names hold a place's name.
PEOPLE: list[Case] = [
    ("Houston Nutt said his team had played its best game of the season.", (), ("Houston",)),
    ("Dallas Green told reporters the pitchers needed more rest.", (), ("Dallas",)),
    ("Denver Pyle starred in the television series for seven years.", (), ("Denver",)),
    ("Her brother Austin had flown in from the coast for the funeral.", (), ("Austin",)),
    ("My sister Georgia wrote the letter herself and posted it.", (), ("Georgia",)),
    ("Lincoln Riley served as head coach for five seasons.", (), ("Lincoln",)),
    ("Chester Bennington sang with the band for nearly two decades.", (), ("Chester",)),
    ("Clinton Portis scored two touchdowns in the first half.", (), ("Clinton",)),
    ("Eugene Levy thanked the crew after the final episode.", (), ("Eugene",)),
    ("Orlando Bloom visited a children's hospital ward on Friday.", (), ("Orlando",)),
    ("His daughter Sydney has started school this autumn.", (), ("Sydney",)),
    ("Their son Brooklyn married last year in a small ceremony.", (), ("Brooklyn",)),
    ("Troy Aikman said the offense looked sharp all afternoon.", (), ("Troy",)),
    ("Warren Buffett's company bought more shares on Friday.", (), ("Warren",)),
    ("Hamilton Nolan wrote that the union had won the vote.", (), ("Hamilton",)),
    ("Madison Bumgarner said he felt fine after the start.", (), ("Madison",)),
    ("Jackson Pollock died in a car crash in 1956.", (), ("Jackson",)),
    ("Her husband, Raleigh, works night shifts at the plant.", (), ("Raleigh",)),
    ("Camden Smith appeared in court on Thursday charged with fraud.", (), ("Camden",)),
    ("Kingston Tate testified that he had never seen the contract.", (), ("Kingston",)),
]

#: Real places that look like people: a lone place name before a verb people do, a place before a
#: plain word or an office, places side by side.
PLACES: list[Case] = [
    ("Jordan said on Monday it would close the border with Syria.", ("Jordan", "Syria"), ()),
    ("Victoria announced new restrictions after a rise in cases.", ("Victoria",), ()),
    ("Washington warned Moscow against any further escalation.", ("Washington", "Moscow"), ()),
    ("Charlotte police said the suspect was arrested overnight.", ("Charlotte",), ()),
    ("Paris hosted the talks between the two delegations.", ("Paris",), ()),
    ("Georgia said it would hold a recount of the ballots in Atlanta.", ("Georgia", "Atlanta"), ()),
    ("Houston reported record rainfall as the storm stalled over Texas.", ("Houston", "Texas"), ()),
    ("Florence Mayor Dario Nardella said the museums would reopen.", ("Florence",), ()),
    ("Troops moved from Jordan to Iraq over the weekend.", ("Jordan", "Iraq"), ()),
    ("Sydney and Melbourne reported new cases on Tuesday.", ("Sydney", "Melbourne"), ()),
    ("Officials in Charlotte and Raleigh said schools would reopen.", ("Charlotte", "Raleigh"), ()),
    ("The president flew from Washington to Paris on Sunday.", ("Washington", "Paris"), ()),
    ("Hamilton, Ontario, said it would expand bus service.", ("Hamilton", "Ontario"), ()),
    ("Jackson, Mississippi, has been without clean water for a week.", ("Jackson", "Mississippi"), ()),
    ("Denver said it would open more shelters as temperatures fell.", ("Denver",), ()),
    ("Orlando told residents to stay indoors as the hurricane approached.", ("Orlando",), ()),
    ("Israel said its jets struck targets in Gaza overnight.", ("Israel", "Gaza"), ()),
    ("Chad and Niger signed a border agreement in Niamey.", ("Chad", "Niger", "Niamey"), ()),
    ("Austin and Dallas both reported power outages on Monday.", ("Austin", "Dallas"), ()),
    ("Jordan Valley farmers said the drought had cut their yields.", ("Jordan",), ()),
]

CASES: list[Case] = PEOPLE + PLACES


def run() -> dict[str, tuple[int, int]]:
    """Extract every case and print its failures; the number passed and the total per group."""
    return run_groups([("people", PEOPLE), ("places", PLACES)])


if __name__ == "__main__":
    run()
    sys.exit(0)
