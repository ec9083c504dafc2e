"""Written variants of a place name that the gazetteer does not list: abbreviated words and
trailing kind-of-place words, leading direction words.

Reports abbreviate the words of names ("Mt. Pleasant", "Ft. Worth", "W. Columbia", "Loudon
Co.") and add the kind of place to a name ("Readington Township", "Oaxaca State", "Nenagh
Municipal District", "Guma LGA"); GeoNames lists some of these forms for some places, none for
most. :func:`name_variants` derives, from a name's lookup key (:func:`geo_app._text.normalize_name`),
the keys to try when the name itself is unknown: each abbreviated word written out ("mt." ->
"mount") and each written-out word abbreviated ("saint" -> "st."), the name without a
trailing kind-of-place word, with the feature classes that kind of place belongs to, and the
name without a leading direction word ("South Florida" is in Florida: within 161 km of it, or
inside its polygon).

The gazetteer tries them for the resolver only (``Gazetteer.lookup(..., weak=True)``), once a
span is already taken as a place: recognition never sees a name because of a variant.
"""

from __future__ import annotations

import re

#: Abbreviated words of place names, written with a dot, and the word in full ("mt." -> "mount").
#: A single letter is a compass point only as the first word ("W. Columbia"; not "Harry S. Truman").
ABBREVIATED_WORDS: dict[str, str] = {
    "mt.": "mount", "mtn.": "mountain", "mts.": "mountains", "ft.": "fort", "st.": "saint", "ste.": "sainte",
    "pt.": "point", "co.": "county", "twp.": "township", "hts.": "heights", "spgs.": "springs",
    "jct.": "junction", "is.": "island", "lk.": "lake", "ctr.": "center", "vlg.": "village",
}
#: Abbreviations that are also written without a dot ("Mt Pleasant", "Ft Worth", "Twp").
UNDOTTED = frozenset({"mt", "mtn", "ft", "st", "ste", "twp", "hts", "spgs", "jct"})
#: Compass points abbreviated to one letter, as a name's first word only, before a word ("W. Columbia";
#: not "N. Y").
FIRST_WORD_LETTERS: dict[str, str] = {"n.": "north", "s.": "south", "e.": "east", "w.": "west"}
#: Words in full that names also carry abbreviated ("Saint Marys" for GeoNames' "St. Marys").
CONTRACTIONS: dict[str, str] = {"saint": "st.", "sainte": "ste.", "mount": "mt.", "fort": "ft."}

#: Trailing words naming a kind of place, longest first, and the GeoNames feature classes of the
#: places they belong to ("" for any): "Oaxaca State" is a region (A), "Birmingham City" a town (P).
KIND_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("local government area", "A"), ("municipal district", "AP"), ("district municipality", "A"),
    ("regional municipality", "A"), ("metropolitan borough", "A"), ("lga", "A"), ("mdc", "AP"),
    ("township", "AP"), ("twp.", "AP"), ("twp", "AP"), ("municipality", "AP"), ("borough", "AP"),
    ("district", "A"), ("governorate", "A"), ("prefecture", "A"), ("province", "A"), ("state", "A"),
    ("region", "AL"), ("oblast", "A"), ("county", "A"), ("co.", "A"), ("parish", "A"),
    ("city", "P"), ("town", "P"), ("village", "P"),
)
#: Abbreviations written without their closing dot: dotted letters ("n. y") or one short word
#: whose dotted form is a known abbreviation ("calif" for "Calif.").
_CLIPPED = re.compile(r"^(?:(?:\w\. )+\w|[a-z]{3,5})$")
#: A direction or part word before a name: the name's place holds that part ("South Florida",
#: "East Cambridgeshire", "Western US"). Areas only: a town's part is a neighbourhood, and a
#: village often bears the bare word ("West Wing" is not the village of Wing).
_PART_PREFIX = re.compile(
    r"^(?:north|south|east|west|northern|southern|eastern|western|central|north-?east(?:ern)?|north-?west(?:ern)?"
    r"|south-?east(?:ern)?|south-?west(?:ern)?|upper|lower|inner|outer|downtown|greater)\s+(.+)$")
PART_CLASSES = "AHL"
_SUFFIX = re.compile(r"^(.+?)\s+(" + "|".join(re.escape(s) for s, _ in KIND_SUFFIXES) + r")$")
_SUFFIX_CLASSES = dict(KIND_SUFFIXES)


def _word_variants(words: list[str]) -> list[list[str]]:
    """The word lists with every abbreviated word written out, and with every full word abbreviated."""
    expanded = [ABBREVIATED_WORDS.get(w) or (ABBREVIATED_WORDS.get(w + ".") if w in UNDOTTED else None) or w
                for w in words]
    if len(words) > 1 and words[0] in FIRST_WORD_LETTERS and len(words[1].rstrip(".")) > 1:
        expanded[0] = FIRST_WORD_LETTERS[words[0]]
    contracted = [CONTRACTIONS.get(w, w) for w in words]
    return [v for v in (expanded, contracted) if v != words]


def name_variants(norm: str) -> list[tuple[str, str]]:
    """Other lookup keys for a name the gazetteer does not know, with the feature classes a
    place found under each must have ("" for any).

    Parameters
    ----------
    norm
        The name's lookup key (:func:`geo_app._text.normalize_name`).

    Returns
    -------
    list of (str, str)
        In order of trial: the name with its words written out or abbreviated (or with its
        closing dot); then the name without a trailing kind-of-place word (and that core's word
        variants), with the classes of that kind; then the name without a leading direction or
        part word ("south florida" -> "florida", classes :data:`PART_CLASSES`). Empty when the
        name has none of these; never the key itself.

    Examples
    --------
    >>> name_variants("mt. pleasant")
    [('mount pleasant', '')]
    >>> name_variants("oaxaca state")
    [('oaxaca', 'A')]
    """
    out: list[tuple[str, str]] = []
    words = norm.split()
    for variant in _word_variants(words):
        out.append((" ".join(variant), ""))
    if _CLIPPED.match(norm):  # "n. y" for "N.Y.", "calif" for "Calif.": the closing dot left out
        out.append((norm + ".", ""))
    match = _SUFFIX.match(norm)
    if match and not match.group(1).endswith(" of"):  # "Bank of ... State"? keep the name whole
        core, classes = match.group(1), _SUFFIX_CLASSES[match.group(2)]
        out.append((core, classes))
        out += [(" ".join(v), classes) for v in _word_variants(core.split())]
    match = _PART_PREFIX.match(norm)
    if match:
        out.append((match.group(1), PART_CLASSES))
    seen = {norm}
    unique = []
    for key, classes in out:
        if key not in seen:
            seen.add(key)
            unique.append((key, classes))
    return unique
