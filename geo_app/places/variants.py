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


#: Words that open or join Arabic place names, in the spellings English-language news and
#: GeoNames use, each mapped to one form (after :func:`transliteration_key`'s letter folds):
#: "Tal/Tall/Tel/Tell" (hill), "Deir/Dayr" (monastery), "Beit/Bayt" (house), "Ain/Ayn/Ein"
#: (spring), "Jabal/Jebel" (mountain), "Kafr/Kfar" (village), "Ras" (cape), "Abu", "Umm",
#: "Wadi", "Qasr/Ksar", "Sheikh/Shaykh", "Khirbet", "Souq/Suq", "Qalaat". Why by hand: no
#: offline romanisation library maps between the BGN/PCGN forms GeoNames keeps and the press's.
ARABIC_NAME_WORDS: dict[str, str] = {
    **dict.fromkeys(("tal", "tel"), "tal"),
    **dict.fromkeys(("deir", "dayr", "dair", "deyr"), "dayr"),
    **dict.fromkeys(("beit", "bayt", "bait", "beyt"), "bayt"),
    **dict.fromkeys(("ain", "ayn", "ein"), "ayn"),
    **dict.fromkeys(("jabal", "jebel", "djebel", "jbel", "jabel", "jebal"), "jabal"),
    **dict.fromkeys(("kafr", "kfar", "kafar"), "kafr"),
    **dict.fromkeys(("ras", "ra's"), "ras"),
    **dict.fromkeys(("abu", "abou"), "abu"),
    **dict.fromkeys(("um", "umm", "om", "oum"), "um"),
    **dict.fromkeys(("wadi", "wadi", "oued", "ouadi"), "wadi"),
    **dict.fromkeys(("qasr", "kasr", "ksar"), "qasr"),
    **dict.fromkeys(("sheikh", "shaykh", "shaikh", "cheikh", "shekh"), "shaykh"),
    **dict.fromkeys(("khirbet", "khirbat", "khirba"), "khirbat"),
    **dict.fromkeys(("suq", "souq", "souk", "suk"), "suq"),
    **dict.fromkeys(("qalat", "qalaat", "kalaat"), "qalat"),
}
#: The Arabic article in its transliterated forms (sun letters assimilated: "ar-Raqqah", "ash-Sham").
_ARTICLES = frozenset({"al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az", "ed", "en", "er",
                       "es", "et", "ez", "il"})
#: Marks for the letters 'ayn and hamza ("Ra’s al ‘Ayn"), and hyphens: left out or a space.
_MARKS = re.compile(r"['‘’ʿʾ`]")
_DOUBLED = re.compile(r"([a-z])\1")


def transliteration_key(norm: str) -> str | None:
    """One key for the romanisations of an Arabic place name, or None for a name without their signs.

    "Tal Abyad" (press) and "Tall Abyaḑ" (GeoNames) both give ``"tal abyad"``; "Deir al-Balah"
    and "Dayr al Balaḩ" give ``"dayr al bala"``; "Ras al-Ain" and "Ra’s al ‘Ayn" give
    ``"ras al ayn"``. The folds: 'ayn/hamza marks left out, hyphens as spaces, the article in
    any of its forms as "al" (not as a name's last word), the words of :data:`ARABIC_NAME_WORDS`
    in one form, doubled letters single, "ou" as "u" and a closing "ah"/"eh" as "a"
    ("Hassakeh", "Hasakah"). A name is folded only when it carries one of these signs: an
    article or a name word, an 'ayn or hamza mark, or a closing "ah"/"eh" (a plain English name,
    or a hyphenated one, "Miami-Dade", has no key).

    Parameters
    ----------
    norm
        The name's lookup key (:func:`geo_app._text.normalize_name`).

    Examples
    --------
    >>> transliteration_key("tal abyad"), transliteration_key("tall abyad")
    ('tal abyad', 'tal abyad')
    >>> transliteration_key("springfield") is None
    True
    """
    words = _MARKS.sub("", norm.replace("-", " ")).split()
    if not words or not norm.lstrip("'‘’ʿʾ`")[:1].isalpha():
        return None  # "-dade" is a piece of "Miami-Dade", no name
    signed = _MARKS.search(norm) is not None or any(
        w in ARABIC_NAME_WORDS or _DOUBLED.sub(r"\1", w) in ARABIC_NAME_WORDS or (w in _ARTICLES and i < len(words) - 1)
        for i, w in enumerate(words)) or any(len(w) > 4 and w.endswith(("ah", "eh")) for w in words)
    if not signed:
        return None
    out = []
    for i, word in enumerate(words):
        if word in _ARTICLES and i < len(words) - 1:
            out.append("al")
            continue
        word = _DOUBLED.sub(r"\1", word)
        word = ARABIC_NAME_WORDS.get(word, word)
        word = word.replace("ou", "u")
        if len(word) > 3 and word.endswith(("ah", "eh")):
            word = word[:-2] + "a"
        out.append(word)
    return " ".join(out)
