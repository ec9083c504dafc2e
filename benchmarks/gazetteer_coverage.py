"""How many gold toponyms of the development corpora the gazetteer lacks.

For LGL and GeoWebNews (``../shared/bench``), counts the resolvable gold toponyms whose
surface name the gazetteer does not know at all ("missing name"), and those whose name is
known but no candidate lies within 161 km of the gold point ("no right candidate"). Both are
errors no resolver can fix; a coverage addition should lower them.

Usage::

    PYTHONPATH=$PWD python benchmarks/gazetteer_coverage.py [--index PATH] [--list N]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from pyproj import Geod

from geo_app.batch.eval import read_corpus
from geo_app.places.gazetteer import Gazetteer

_GEOD = Geod(ellps="WGS84")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=Path("/work/shared/bench"))
    parser.add_argument("--index", type=Path, default=None, help="gazetteer index (default: the cached one)")
    parser.add_argument("--list", type=int, default=0, help="print the N most frequent missing names")
    args = parser.parse_args(argv)
    gaz = Gazetteer(args.index)
    for corpus, fname in (("LGL", "LGL/lgl.xml"), ("GeoWebNews", "GeoWebNews/GWN.xml")):
        docs = read_corpus(args.bench / fname)
        total = missing = no_right = 0
        missing_names: Counter[str] = Counter()
        for doc in docs:
            for top in doc.toponyms:
                if not top.resolvable:
                    continue
                total += 1
                matches = gaz.lookup(top.name)
                if not matches:
                    missing += 1
                    missing_names[top.name] += 1
                    continue
                n = len(matches)
                _, _, dist = _GEOD.inv([top.lon] * n, [top.lat] * n, [m.place.lon for m in matches], [m.place.lat for m in matches])
                if min(dist) > 161_000:
                    no_right += 1
        print(f"{corpus}: {total} resolvable gold toponyms; name missing {missing}; "
              f"name known but no candidate within 161 km {no_right}; covered {total - missing - no_right}")
        for name, count in missing_names.most_common(args.list):
            print(f"  {count:3d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
