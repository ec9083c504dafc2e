"""One spelling per place on the map, the PNG and the table: the name an English reader knows.

GeoNames' main name of a town is its local romanisation ("Homyel'", "Mykolayiv"), and Natural
Earth's first-level regions carry theirs ("Kiev City", "L'viv"). Shown beside the report's own
words ("Gomel") that reads as two places. The rule, for every drawn name:

* a first-level region takes Natural Earth's ``name_en`` ("Kyiv", "Lviv");
* a town or city whose gazetteer name is a transliteration with marks (an apostrophe for a
  soft sign, diacritics: "Homyel'", "Adré") takes the spelling the reports used for it, when
  that spelling is plain, is one of the gazetteer's names *of that very place* (so a wrong
  resolution is never hidden behind the report's words) and is written as a name
  (capitalised, not a shouted dateline); if several reports spell it differently, the
  commonest wins. A plain gazetteer name ("Kyiv", the basemap's spelling too) is kept even
  where a report wrote "Kiev";
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

#: Layers whose points are towns and cities (their names may take the reports' spelling).
TOWN_LAYERS = ("places",)


@lru_cache(maxsize=1)
def _admin1_english() -> dict[str, str]:
    a = borders.admin1()
    return {str(k): str(v) for k, v in zip(a["iso_3166_2"], a["name_en"]) if isinstance(v, str) and v.strip()}


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
    out = [english.get(str(k), n) if isinstance(k, str) else n for k, n in zip(keys, names)]
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
            out = [chosen.get(str(k), n) if isinstance(k, str) else n for k, n in zip(keys, out)]
    return pd.Series(out, index=gdf.index, dtype=object)
