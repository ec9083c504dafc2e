"""Cues a careful reader uses to tell a person from a place of the same name: kind-model features.

"Washington Irving wrote", "Hamilton Jordan served", "Bristol Palin appeared", "his mother Victoria",
"Charlotte Church sang": the name lists (:func:`geo_app.text.spans.person_names`) say that a word can
be a person's name, the gazetteer that it can be a place; what decides is how the text uses it.
The features here (all named ``person_...``, so they stay in the person-name feature space of
:func:`geo_app.text.spans.candidate_features`) are word classes, never names:

* ``person_act`` -- the one-word name opens a pair "Name Surname" (the second word capitalised, a
  word of the name lists, no organisation, place or unit word, or a word that neither the lists nor the
  gazetteer hold and that is no English plural noun: "Berkeley Breathed") and the pair acts as a person: a
  verb people do follows it ("said", "wrote", "sang"; ``settings.PERSON_ACT_WORDS``), or a
  possessive "'s". After a head noun of a building or natural feature ("Church", "Hill") only a
  verb a building does not do counts (``settings.PERSON_ONLY_ACT_WORDS``: "sang", not "said"); the
  verb may come after an apposition headed by a role ("Hamilton Jordan, a retired diplomat, told";
  ``settings.PERSON_ROLE_NOUNS``, no place noun in it);
* ``person_act_last`` -- the same with the name as the pair's second word ("Hamilton Jordan served");
* ``person_kin`` -- a kinship noun after a possessive before the name ("his mother Victoria",
  "her brother, Austin,"; ``settings.KIN_NOUNS``);
* ``person_span`` -- the name is one word of a two-word person or organisation span of the NER whose
  other word is a name-list word and no organisation, place or unit word ("Washington Irving" as ORG);
* ``person_pair_acts_elsewhere`` -- the same pair acts as a person elsewhere in the report (one
  sense per discourse: "Charlotte Church sang ... Charlotte Church's album").

The per-report part (:func:`acting_pairs`) is one pass over the tokens; the per-candidate part
looks at a few tokens around the name. Word lists live in :mod:`geo_app.settings`, documented there.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from geo_app import settings

_POSSESSIVE_MARKS = frozenset({"'s", "’s", "'", "’"})


def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    return (frozenset(settings.PERSON_ACT_WORDS), frozenset(settings.PERSON_ONLY_ACT_WORDS),
            frozenset(settings.KIN_NOUNS), frozenset(settings.POSSESSIVE_DETERMINERS),
            frozenset(settings.ORGANISATION_HEAD_WORDS))


_ACT, _ONLY_ACT, _KIN, _POSS, _ORG = _lists()
_ROLES = frozenset(settings.PERSON_ROLE_NOUNS)
#: Words that open an apposition of a role after a name ("Jordan, a retired diplomat,", "Braden, the former pitcher,").
_APPOS_OPENERS = frozenset(("a", "an", "the", "former", "retired"))
#: Tokens an apposition of a role may span between its commas.
_APPOS_MAX = 10


def _after_apposition(k: int, lower: Sequence[str], sent_start: Sequence[bool], excluded: Collection[str]) -> int:
    """The token after an apposition of a role that opens at ``k`` (", a retired diplomat," -> the token
    after the second comma), or ``k`` itself when none opens there: the apposition names a role
    (``settings.PERSON_ROLE_NOUNS``) and no place or unit noun (``excluded``: "Hamilton, a city in Ontario,")."""
    n = len(lower)
    if k + 2 >= n or lower[k] != "," or sent_start[k + 1] or lower[k + 1] not in _APPOS_OPENERS:
        return k
    role = False
    for j in range(k + 1, min(n, k + 1 + _APPOS_MAX)):
        if sent_start[j]:
            return k
        w = lower[j]
        if w == ",":
            return j + 1 if role else k
        if w in excluded:
            return k
        role = role or w in _ROLES
    return k


def _name_word(k: int, words: Sequence[str], lower: Sequence[str], cap: Sequence[bool], punct: Sequence[bool],
               names: Mapping[str, tuple[int, int]], excluded: Collection[str]) -> bool:
    """Whether token ``k`` can be a word of a person's name: capitalised (not all capitals), in the
    name lists, and no organisation, place or unit word (``excluded``)."""
    w = words[k]
    return (cap[k] and not punct[k] and len(w) > 1 and not w.isupper() and lower[k] in names
            and lower[k] not in _ORG and lower[k] not in excluded)


def _acts(k: int, lower: Sequence[str], sent_start: Sequence[bool], building: bool) -> bool:
    """Whether the token at ``k`` (right after a pair) makes the pair act as a person."""
    if k >= len(lower) or sent_start[k]:
        return False
    w = lower[k]
    if w in _POSSESSIVE_MARKS:
        return not building
    return w in _ONLY_ACT if building else (w in _ACT or w in _ONLY_ACT)


def pair_acts(a: int, words: Sequence[str], lower: Sequence[str], cap: Sequence[bool], punct: Sequence[bool],
              sent_start: Sequence[bool], names: Mapping[str, tuple[int, int]], excluded: Collection[str],
              heads: Collection[str], surnames_at: Collection[int] = ()) -> bool:
    """Whether the tokens ``a``, ``a + 1`` form a pair "Name Surname" that acts as a person (see the
    module docstring); ``excluded``: place and unit nouns that end a place's name ("Washington
    State"); ``heads``: head nouns of buildings and natural features ("Church", "Hill"), which a
    person's surname may be but then only a verb a building does not do counts; ``surnames_at``:
    tokens that end a name though the lists lack them (unknown, non-English capitalised words)."""
    b = a + 1
    if b >= len(words) or sent_start[b] or (a > 0 and not sent_start[a] and lower[a - 1] == "the"):
        return False
    if not (_name_word(a, words, lower, cap, punct, names, excluded)
            and (b in surnames_at or _name_word(b, words, lower, cap, punct, names, excluded))):
        return False
    if b in surnames_at and (lower[b] in excluded or lower[b] in heads):
        return False
    return _acts(_after_apposition(b + 1, lower, sent_start, excluded), lower, sent_start,
                 lower[b] in heads or lower[a] in heads)


def acting_pairs(words: Sequence[str], lower: Sequence[str], cap: Sequence[bool], punct: Sequence[bool],
                 sent_start: Sequence[bool], names: Mapping[str, tuple[int, int]], excluded: Collection[str],
                 heads: Collection[str], surnames_at: Collection[int] = ()) -> frozenset[tuple[str, str]]:
    """The pairs "Name Surname" that act as a person somewhere in the report (one pass over the tokens)."""
    out = set()
    for a in range(len(words) - 2):
        if cap[a] and cap[a + 1] and pair_acts(a, words, lower, cap, punct, sent_start, names, excluded, heads,
                                               surnames_at):
            out.add((words[a], words[a + 1]))
    return frozenset(out)


def _kin_before(k: int, lower: Sequence[str], sent_start: Sequence[bool]) -> bool:
    """A kinship noun after a possessive right before token ``k`` ("his mother X", "her brother, X")."""
    j = k - 1
    if j > 0 and not sent_start[k] and lower[j] == ",":
        j -= 1
        if sent_start[j + 1]:
            return False
    if j < 1 or sent_start[j + 1] or sent_start[j] or lower[j] not in _KIN:
        return False
    return lower[j - 1] in _POSS or lower[j - 1] in _POSSESSIVE_MARKS


def person_cue_features(f: dict[str, float], start: int, end: int, words: Sequence[str], lower: Sequence[str],
                        cap: Sequence[bool], punct: Sequence[bool], sent_start: Sequence[bool],
                        names: Mapping[str, tuple[int, int]], excluded: Collection[str], heads: Collection[str],
                        enclosing: tuple[str, int, int] | None, acting: frozenset[tuple[str, str]],
                        surnames_at: Collection[int] = ()) -> None:
    """Add the ``person_...`` features of the one-word candidate ``start:end`` to ``f`` (see the module
    docstring); ``enclosing``: (label, start, end) of the NER span the candidate lies in, if any;
    ``acting``: :func:`acting_pairs` of the report; ``surnames_at``: see :func:`pair_acts`."""
    if end - start != 1:
        return
    k = start
    n = len(words)
    args = (words, lower, cap, punct, sent_start, names, excluded, heads, surnames_at)
    acts_here = False
    if pair_acts(k, *args):
        f["person_act"] = 1.0
        acts_here = True
    if k > 0 and not sent_start[k] and pair_acts(k - 1, *args):
        f["person_act_last"] = 1.0
        acts_here = True
    if _kin_before(k, lower, sent_start):
        f["person_kin"] = 1.0
    if enclosing is not None:
        label, a, b = enclosing
        if label in ("PERSON", "ORG") and b - a == 2 and a <= k < b:
            other = a if k == b - 1 else b - 1
            if (_name_word(other, words, lower, cap, punct, names, excluded) and lower[other] not in heads
                    and lower[k] not in _ORG):
                f["person_span"] = 1.0
    if not acts_here and acting:
        pairs = []
        if k + 1 < n and not sent_start[k + 1]:
            pairs.append((words[k], words[k + 1]))
        if k > 0 and not sent_start[k]:
            pairs.append((words[k - 1], words[k]))
        if any(p in acting for p in pairs):
            f["person_pair_acts_elsewhere"] = 1.0
