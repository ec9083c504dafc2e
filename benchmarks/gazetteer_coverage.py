"""How many gold toponyms of the development corpora the gazetteer cannot place, and of what kind.

For LGL and GeoWebNews (``../shared/bench``), each resolvable gold toponym (gold point and
GeoNames id) falls in one of:

* **covered**: some place the gazetteer knows by the gold surface name lies within 161 km of
  the gold point, or is an area (country, region, sea, composite, island) whose polygon holds it;
* **demonym**: not covered, but the name is a known demonym ("Russian"), which the resolver
  maps to its country;
* **name known, no right candidate**: the name is known, but none of its places is right;
* **name missing**: no place is known by that name.

The last two are errors no resolver can fix; a coverage addition should turn them into covered.
They are grouped by why they are missing, first match wins, so one sees which source or
mechanism is worth adding:

* **name variant**: the gold GeoNames id is a gazetteer place, known by other names (a spelling,
  an abbreviation or a suffix the gazetteer lacks: "Mt. Pleasant", "Readington Township");
* **abbreviation** ("L.A.", "Phila.", "T&T") and **demonym-like** names ("Ontarians", "Abkhaz",
  "Sinhalese") the gazetteer's demonyms do not know;
* else the kind of place: LGL's gold GeoNames feature code; for GeoWebNews, which has none, the
  words of the name ("River", "County", "University", "Southeast Asia"...).

Each kind is printed with its most frequent names.

Usage::

    PYTHONPATH=$PWD python benchmarks/gazetteer_coverage.py [--index PATH] [--list N] [--examples N]
"""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import shapely

from geo_app._errors import NotFoundError
from geo_app.batch.eval import read_corpus
from geo_app.geo.geodesy import geodesic_km
from geo_app.places.composites import geometry_of
from geo_app.places.gazetteer import Gazetteer, Place

#: GeoNames feature codes -> kind of place, for LGL's gold.
_CODE_KINDS = {
    "town or village": ("PPL", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLC", "PPLL", "PPLS", "PPLF", "PPLR"),
    "neighbourhood (PPLX)": ("PPLX",),
    "country": ("PCLI", "PCLD", "PCLS", "PCLF", "PCL", "TERR", "PCLIX"),
    "first-order division": ("ADM1", "ADM1H"),
    "second-order division": ("ADM2", "ADM2H"),
    "township, district (ADM3+, ADMD)": ("ADM3", "ADM4", "ADM5", "ADMD"),
    "river, stream": ("STM", "STMI", "STMS", "CNL", "STMX"),
    "lake, reservoir": ("LK", "LKS", "RSV", "LKI", "LGN", "PND", "LKN"),
    "sea, bay, strait, ocean": ("SEA", "BAY", "GULF", "STRT", "OCN", "CHN", "SD", "HBR", "INLT", "COVE"),
    "region, area, zone": ("RGN", "AREA", "ZN", "RGNE", "CONT", "PRSH", "DSRT", "PLN", "PLAT", "DLTA"),
    "mountain, valley, island, cape": ("MT", "MTS", "VAL", "ISL", "ISLS", "CAPE", "PT", "HLL", "PK", "OVF", "PASS"),
    "park, reserve": ("PRK", "RSV", "RESN", "RES", "RESF", "RESW", "CMN"),
}
_KIND_OF_CODE = {code: kind for kind, codes in _CODE_KINDS.items() for code in codes}
_INSTITUTION = "building, institution, venue"
#: Words of a name -> kind of place, for GeoWebNews (no gold feature code). First match wins.
_WORD_KINDS = (
    ("river, stream", r"\b(?:River|Creek|Brook|Canal)\b|^River\b"),
    ("lake, reservoir", r"\b(?:Lake|Lagoon|Reservoir|Dam)\b"),
    ("sea, bay, strait, ocean", r"\b(?:Sea|Bay|Gulf|Strait|Ocean|Harbou?r|Sound|Channel)\b"),
    ("street, square", r"\b(?:Street|St\.|Road|Avenue|Ave|Boulevard|Square|Lane|Highway|Bridge|Way)\b"),
    (_INSTITUTION,
     r"\b(?:University|College|School|Academy|Hospital|Church|Cathedral|Basilica|Center|Centre|Stadium|Tower|"
     r"Castle|Palace|Prison|Embassy|House|Hotel|Office|Court|Council|Bank|Commission|Senate|Congress|Capitol|"
     r"Museum|Library|Mall|Station|Airport|Racecourse|Circuit|Park|Estate|Cottage|Hall|Wing|FC|City)\b"),
    ("township, district (ADM3+, ADMD)", r"\b(?:Township|Twp|District|Municipal|LGA|Agency|Borough|Area)\b"),
    ("second-order division", r"\b(?:County|Co\.|Parish)\b"),
    ("mountain, valley, island, cape", r"\b(?:Mount|Mountains?|Mt\.|Valley|Island|Islands|Cape|Point|Hill|Heights)\b"),
    ("region, area, zone", r"\b(?:North|South|East|West|Northern|Southern|Eastern|Western|Central|Delta|Coast)\b"),
    ("continent part, macro-region",
     r"\b(?:Asia|Africa|Europe|America|Americas|Middle East|Near East|Balkans|Caucasus|Sahel|Scandinavia|"
     r"Arctic|Antarctic|Pacific Rim|Maghreb|Levant)\b"),
    ("neighbourhood", r"\b(?:Quarter|Faubourg|Barangay|Chinatown|Downtown|Uptown|Side|Village)\b"),
)
#: Abbreviations: capitals, dots, ampersands ("L.A.", "T&T", "BC") or a word cut by a dot ("Phila.").
_ABBREVIATION = re.compile(r"^(?:[A-Z&.]{1,6}|[A-Z][a-z]{1,5}\.)$")
#: Names shaped like demonyms or adjectives ("Ontarians", "South Ossetian", "Dagestani", "Sinhalese").
_DEMONYM_LIKE = re.compile(r"(?:ians?|eans?|ese|ish|ans|ani|iotes?|ites|ers|az)$")


def _gold_kinds(bench: Path) -> dict[tuple[str, str, int], str]:
    """``(corpus, doc_id, start) -> kind`` for the toponyms whose kind the corpus file says
    (LGL's GeoNames feature code)."""
    kinds: dict[tuple[str, str, int], str] = {}
    for art in ET.parse(bench / "LGL" / "lgl.xml").getroot().iter("article"):
        for top in art.iter("toponym"):
            code = top.findtext("gaztag/fcode") or ""
            kinds[("LGL", art.get("docid") or "", int(top.findtext("start") or -1))] = (
                _KIND_OF_CODE.get(code, f"other ({code})" if code else "unknown"))
    return kinds


def kind_of(name: str, code_kind: str | None, *, variant_of: Place | None = None) -> str:
    """Why a gold toponym is not covered, or the kind of place it is.

    Parameters
    ----------
    name
        The gold surface name.
    code_kind
        The kind its gold feature code says (LGL), or None.
    variant_of
        The gazetteer place with the gold GeoNames id, when there is one: the name is then a
        variant the gazetteer lacks.
    """
    if _ABBREVIATION.match(name):
        return "abbreviation"
    if _DEMONYM_LIKE.search(name) and " " not in name.removeprefix("South ").removeprefix("North "):
        return "demonym-like"
    word_kind = next((kind for kind, pattern in _WORD_KINDS if re.search(pattern, name)), None)
    if word_kind == _INSTITUTION and not code_kind:
        return word_kind  # "Colorado State University" for Colorado: a metonym, not a variant
    if variant_of is not None:
        return f"name variant of a known place ({variant_of.feature_class}.{variant_of.feature_code})"
    return code_kind or word_kind or "other (town, region, or not found by its words)"


def is_right(place: Place, lon: float, lat: float, km: float) -> bool:
    """A candidate is right when within 161 km of the gold point, or an area holding it."""
    if km <= 161.0:
        return True
    geom = geometry_of(place) if place.layer else None
    return geom is not None and bool(shapely.intersects(geom, shapely.Point(lon, lat)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=Path("/work/shared/bench"))
    parser.add_argument("--index", type=Path, default=None, help="gazetteer index (default: the cached one)")
    parser.add_argument("--list", type=int, default=0, help="print the N most frequent uncovered names")
    parser.add_argument("--examples", type=int, default=6, help="names shown beside each kind")
    args = parser.parse_args(argv)
    gaz = Gazetteer(args.index)
    gold_kinds = _gold_kinds(args.bench)
    print(f"index: {gaz.path.name}")
    for corpus, fname in (("LGL", "LGL/lgl.xml"), ("GeoWebNews", "GeoWebNews/GWN.xml")):
        docs = read_corpus(args.bench / fname)
        outcome: Counter[str] = Counter()
        by_kind: Counter[str] = Counter()
        uncovered: Counter[tuple[str, str, str]] = Counter()
        examples: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for doc in docs:
            for top in doc.toponyms:
                if not top.resolvable:
                    continue
                matches = gaz.lookup(top.name, weak=True)  # what the resolver sees
                right = False
                if matches:
                    n = len(matches)
                    kms = geodesic_km([top.lon] * n, [top.lat] * n, [m.place.lon for m in matches],
                                      [m.place.lat for m in matches])
                    right = any(is_right(m.place, top.lon, top.lat, float(km)) for m, km in zip(matches, kms))
                if right:
                    outcome["covered"] += 1
                    continue
                if gaz.demonym(top.name):
                    outcome["demonym"] += 1
                    continue
                status = "name known, no right candidate" if matches else "name missing"
                outcome[status] += 1
                try:
                    known: Place | None = gaz.by_geonameid(int(top.geonameid or 0))
                except NotFoundError:
                    known = None
                kind = kind_of(top.name, gold_kinds.get((corpus, doc.doc_id, top.start)), variant_of=known)
                by_kind[kind] += 1
                examples[kind][top.name] += 1
                uncovered[(top.name, kind, status)] += 1
        total = sum(outcome.values())
        print(f"\n{corpus}: {total} resolvable gold toponyms: covered {outcome['covered']} "
              f"({outcome['covered'] / total:.3f}); demonym {outcome['demonym']}; "
              f"name known, no right candidate {outcome['name known, no right candidate']}; "
              f"name missing {outcome['name missing']}")
        print("  not covered, by kind:")
        for kind, count in by_kind.most_common():
            names = ", ".join(f"{n} {c}" if c > 1 else n for n, c in examples[kind].most_common(args.examples))
            print(f"    {count:4d}  {kind}: {names}")
        if args.list:
            print(f"  {args.list} most frequent not covered:")
            for (name, kind, status), count in uncovered.most_common(args.list):
                print(f"    {count:3d}  {name}  [{kind}; {status}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
