"""Build ``data/person_names.tsv``: common US given names and surnames with their frequency rank.

Run: PYTHONPATH=$PWD python scripts/build_names.py [--surnames 30000]

Source: the 1990 US Census name frequency lists (``dist.male.first``, ``dist.female.first``,
``dist.all.last``; public domain) as shipped in the PyPI package ``names==0.3.0`` (MIT; build time
only: ``pip install --require-hashes names==0.3.0 --hash=sha256:...`` with the hash below). The kind classifier
(:mod:`geo_app.text.spans`) reads the file for its person-name features: "Jordan Henderson" is a
common given name before a common surname, whatever the gazetteer says of "Jordan".

Each row: the name in lower case, its rank among given names (the better of the male and female
lists; 0 when not a given name) and its rank among surnames (0 when not among the first
``--surnames``). Ranks, not frequencies: the lists round rare names' shares to 0.000 %.
"""

from __future__ import annotations

import argparse
import hashlib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "names==0.3.0"
#: sha256 of names-0.3.0.tar.gz on PyPI (the only file of that release).
SHA256 = "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"
#: sha256 of the three lists as that sdist ships them: a changed install fails the build.
LIST_SHA256 = {
    "dist.male.first": "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b",
    "dist.female.first": "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358",
    "dist.all.last": "b0e2b3743ccbad641ca48b344c24cdebcd1d9a1f76dc6dbf05986f2919f0b4e1",
}


def read_ranks(text: str) -> dict[str, int]:
    """``NAME  pct  cum_pct  rank`` rows -> lower-case name: rank."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].isdigit():
            out.setdefault(parts[0].lower(), int(parts[3]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--surnames", type=int, default=30_000, help="keep the surnames of this rank or better")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "person_names.tsv")
    args = ap.parse_args(argv)
    files = resources.files("names")
    texts = {}
    for name, digest in LIST_SHA256.items():
        raw = files.joinpath(name).read_bytes()
        got = hashlib.sha256(raw).hexdigest()
        if got != digest:
            raise SystemExit(f"{name}: sha256 {got}, expected {digest} (install {PACKAGE} by hash)")
        texts[name] = raw.decode("ascii")
    male, female = read_ranks(texts["dist.male.first"]), read_ranks(texts["dist.female.first"])
    last = {k: r for k, r in read_ranks(texts["dist.all.last"]).items() if r <= args.surnames}
    given = {k: min(r for r in (male.get(k), female.get(k)) if r) for k in male.keys() | female.keys()}
    rows = sorted(given.keys() | last.keys())
    lines = [
        "# Common US given names and surnames with their frequency rank (0: not in that list).",
        f"# Source: 1990 US Census name lists (public domain) via PyPI {PACKAGE} (sha256 {SHA256});",
        f"# built by scripts/build_names.py --surnames {args.surnames}. Columns: name, given-name rank, surname rank.",
    ]
    lines += [f"{k}\t{given.get(k, 0)}\t{last.get(k, 0)}" for k in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(given)} given names, {len(last)} surnames, {len(rows)} rows "
          f"({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
