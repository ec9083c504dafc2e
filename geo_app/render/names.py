"""One spelling per place on the map, the PNG and the table: the name an English reader knows.

GeoNames' main name of a town is its local romanisation ("Homyel'", "Mykolayiv"), and Natural
Earth's first-level regions carry theirs ("Kiev City", "L'viv"). Shown beside the report's own
words ("Gomel") that reads as two places. The rule, for every drawn name:

* a first-level region takes Natural Earth's ``name_en`` ("Kyiv", "Lviv");
* a town, city, region or country whose gazetteer name is not plain (an apostrophe for a
  soft sign, diacritics: "Homyel'", "Adré", "Tillabéri"; "People's Republic of China") takes the spelling the reports used for it, when
  that spelling is plain, is one of the gazetteer's names *of that very place* (so a wrong
  resolution is never hidden behind the report's words) and is written as a name
  (capitalised, not a shouted dateline); if several reports spell it differently, the
  commonest wins. A plain gazetteer name ("Kyiv", the basemap's spelling too) is kept even
  where a report wrote "Kiev";
* a claim's name ("A → B", perhaps "A (the part of C holding it) → B") takes, for each end,
  the spelling that end has as a town on the same map, else the plain capitalised words of the
  claim's own sentence that are a gazetteer name of a place with that very name (the origin:
  of the claim's own place), so "Andéranboukan → Ménaka" reads as the report wrote it,
  "Anderamboukane → Menaka"; an end the report does not name (the checker's "?") reads
  "unnamed place";
* everything else keeps its name.

The words each mention used stay in ``text`` (the table's "As written" column and the popups).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo_app.places import borders
from geo_app.places.gazetteer import get_gazetteer

_PLAIN = re.compile(r"[A-Za-z][A-Za-z .\-]*")
#: Runs of capitalised words in a sentence (up to four, "of"/"de"/"al" inside): candidate spellings.
_NAME_RUN = re.compile(r"\b[A-Z][A-Za-z\-]*(?:\s+(?:(?:of|de|del|al|el|la|le)\s+)?[A-Z][A-Za-z\-]*){0,3}")
_ARROW = " → "
#: How a claim's end that the report does not name is shown (the checker writes "?").
UNNAMED_END = "unnamed place"

#: Layers whose points may take the reports' spelling: towns and cities, first-level regions and
#: countries ("Tillaberi" for "Tillabéri", "China" for Natural Earth's "People's Republic of China").
TOWN_LAYERS = ("places", "regions", "countries")


@lru_cache(maxsize=1)
def _admin1_english() -> dict[str, str]:
    a = borders.admin1()
    return {str(k): str(v) for k, v in zip(a["iso_3166_2"], a["name_en"]) if isinstance(v, str) and v.strip()}


@lru_cache(maxsize=4096)
def _is_name_of_a(text: str, name: str) -> bool:
    """Whether the gazetteer knows ``text`` as a name of some place whose main name is ``name``."""
    return any(m.place.name == name for m in get_gazetteer().lookup(text))


def _runs(sentence: str) -> list[str]:
    """The plain capitalised word runs of ``sentence`` and their sub-runs, longest first."""
    out: list[str] = []
    for m in _NAME_RUN.finditer(sentence):
        words = m.group(0).split()
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                run = " ".join(words[i:i + n])
                if is_plain(run) and run not in out:
                    out.append(run)
    return out


def _claim_end(end: str, quote: str, key: str | None, towns: dict[str, str]) -> str:
    """One end of a claim's name in the report's spelling (see the module docstring)."""
    head, sep, tail = end.partition(" (")
    for raw, shown in towns.items():  # "(the part of People's Republic of China holding it)"
        tail = tail.replace(raw, shown)
    if head == "?":  # the checker's mark for an end the report does not name
        return f"{UNNAMED_END}{sep}{tail}"
    better = None
    if head and not is_plain(head):
        better = towns.get(head)
        if better is None:
            test = (lambda t: _is_name_of(t, key)) if key else (lambda t: _is_name_of_a(t, head))
            better = next((t for t in _runs(quote) if _written_as_name(t) and test(t)), None)
    return f"{better or head}{sep}{tail}"


def _claim_names(names: list[str], gdf: gpd.GeoDataFrame, towns: dict[str, str]) -> list[str]:
    out = list(names)
    kinds = gdf["kind"].to_numpy()
    quotes = gdf["quote"].to_numpy() if "quote" in gdf.columns else [""] * len(gdf)
    keys = gdf["place_key"].to_numpy()
    for i, (kind, name) in enumerate(zip(kinds, names)):
        if kind != "claim" or not isinstance(name, str) or _ARROW not in name:
            continue
        quote = quotes[i] if isinstance(quotes[i], str) else ""
        ends = name.split(_ARROW)
        key = keys[i] if isinstance(keys[i], str) else None
        out[i] = _ARROW.join(_claim_end(e, quote, key if j == 0 else None, towns) for j, e in enumerate(ends))
    return out


@lru_cache(maxsize=4096)
def _is_name_of(text: str, place_key: str) -> bool:
    """Whether the gazetteer knows ``text`` as a name of the place ``place_key``."""
    return any(m.place.key == place_key for m in get_gazetteer().lookup(text))


def is_plain(name: str) -> bool:
    """ASCII letters, spaces, hyphens and full stops only: a name an English text would print."""
    return bool(_PLAIN.fullmatch(name))


def _written_as_name(text: str) -> bool:
    words = text.split()
    return bool(words) and all(w[:1].isupper() for w in words) and not text.isupper() and len(text) <= 60


def english_names(gdf: gpd.GeoDataFrame) -> pd.Series:
    """The display name of each feature (see the module docstring), by feature id.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features with ``name``, ``place_key``, ``layer``, ``kind`` and ``text`` columns.

    Returns
    -------
    pandas.Series
        One name per row of ``gdf``, same index.
    """
    english = _admin1_english()
    names = gdf["name"].to_numpy()
    keys = gdf["place_key"].to_numpy()
    claims = (gdf["kind"] == "claim").to_numpy()  # a claim's key is one end's: its name is "A → B"
    out = [english.get(str(k), n) if isinstance(k, str) and not c else n for k, n, c in zip(keys, names, claims)]
    towns = (gdf["layer"].isin(TOWN_LAYERS) & (gdf["kind"] == "place") & gdf["place_key"].notna()).to_numpy()
    if towns.any():
        spellings: dict[str, Counter[str]] = {}
        own: dict[str, str] = {}
        for key, name, text in zip(keys[towns], names[towns], gdf["text"].to_numpy()[towns]):
            own[str(key)] = str(name)
            if is_plain(str(name)):
                continue
            if isinstance(text, str) and is_plain(text.strip()) and _written_as_name(text.strip()):
                spellings.setdefault(str(key), Counter())[text.strip()] += 1
        chosen: dict[str, str] = {}
        for key, counts in spellings.items():
            if own[key] in counts:
                continue
            best = [t for t, _ in counts.most_common() if _is_name_of(t, key)]
            if best:
                chosen[key] = best[0]
        if chosen:
            out = [chosen.get(str(k), n) if isinstance(k, str) and not c else n for k, n, c in zip(keys, out, claims)]
    town_names = {str(n): str(o) for n, o, t in zip(names, out, towns) if t and o != n}
    if claims.any():
        out = _claim_names(out, gdf, town_names)
    return pd.Series(out, index=gdf.index, dtype=object)
