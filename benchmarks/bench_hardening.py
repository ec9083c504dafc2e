"""Figures of the hardening work, for the README table: inputs tried, examples fuzzed, crashes,
outbound connections, scripts executed, reports lost.

The figures come from the tests themselves: this script runs ``tests/test_hostile.py`` and
``tests/test_fuzz.py`` in a fresh pytest process with ``GEO_APP_HARDENING_LOG`` set, so every
hostile row, every property (with its example count), the browser check and the store checks
append what they saw; the netguard plugin prints the outbound connections it blocked. Run::

    .venv/bin/python benchmarks/bench_hardening.py             # default suite: a few hundred examples
    .venv/bin/python benchmarks/bench_hardening.py --fuzz      # + the >= 10,000-example run per property
    .venv/bin/python benchmarks/bench_hardening.py --suite     # + the whole test suite under netguard

Exit status 0 when unexpected crashes, outbound connections, scripts executed and reports lost are all 0
(known open issues, the xfail rows of the table, are counted apart).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NETGUARD = re.compile(r"netguard: outbound connections attempted and blocked: (\d+)")
_OUTCOMES = re.compile(r"(\d+) (passed|failed|xfailed|xpassed|skipped|errors?|deselected)")


def run_pytest(args: list[str], log: Path | None) -> tuple[Counter[str], int, float, str]:
    """Run pytest in a fresh process: (outcome counts, outbound connections, seconds, output tail)."""
    env = {**os.environ}
    if log is not None:
        env["GEO_APP_HARDENING_LOG"] = str(log)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    counts: Counter[str] = Counter()
    summary = [line for line in out.splitlines() if re.search(r"\b(passed|failed|error)", line) and " in " in line]
    for n, what in _OUTCOMES.findall(summary[-1] if summary else ""):
        counts["errors" if what.startswith("error") else what] += int(n)
    blocked = _NETGUARD.findall(out)
    return counts, int(blocked[-1]) if blocked else -1, seconds, "\n".join(out.splitlines()[-15:])


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", action="store_true", help="also the >= 10,000-example run of every property")
    parser.add_argument("--suite", action="store_true", help="also run the whole default suite under netguard")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "hardening.jsonl"
        marker = "fuzz or not fuzz" if opts.fuzz else "not fuzz"
        counts, blocked, seconds, tail = run_pytest(["-m", marker, "tests/test_hostile.py", "tests/test_fuzz.py"], log)
        events = read_log(log)

    rows = [e for e in events if e["kind"] == "row"]
    row_outcomes = Counter(e["outcome"] for e in rows)
    examples = sum(e["examples"] for e in events if e["kind"] == "fuzz")
    by_property = Counter()
    for e in events:
        if e["kind"] == "fuzz":
            by_property[e["property"]] += e["examples"]
    browser = [e for e in events if e["kind"] == "browser"]
    scripts = sum(e["scripts_executed"] for e in browser) if browser else None
    stores = [e for e in events if e["kind"] == "store"]
    lost = sum(e["good"] - e["stored"] for e in stores)
    unexpected = counts["failed"] + counts["errors"]  # any input without its promised outcome
    # Rows marked xfail are known open issues in modules owned elsewhere: counted apart, never hidden.
    known_crashes = row_outcomes["crash"] if counts["xfailed"] else 0
    not_run = counts["xfailed"] - row_outcomes["crash"] - row_outcomes["wrong"]
    suite_blocked = None
    if opts.suite:
        _, suite_blocked, suite_seconds, _ = run_pytest(["-m", "not fuzz"], None)

    print(f"hardening run: {seconds:.0f} s; pytest {dict(counts)}")
    print(f"  hostile rows run {len(rows)} {dict(row_outcomes)}; known open issues (xfail) {counts['xfailed']}")
    print(f"  examples by property {dict(by_property)}")
    if opts.suite:
        print(f"  whole suite: {suite_seconds:.0f} s, outbound connections blocked {suite_blocked}")
    if counts["failed"] or counts["errors"]:
        print(tail)
    print()
    print("| figure | value | how |")
    print("|---|---|---|")
    print(f"| inputs tried (hostile table rows) | {len(rows)} | `tests/test_hostile.py` |")
    print(f"| examples fuzzed | {examples:,} | `tests/test_fuzz.py`{' -m fuzz' if opts.fuzz else ''} |")
    known = (f" (+ known open issues, xfail: {known_crashes} crashes, {not_run} hangs not run, "
             f"{row_outcomes['wrong']} wrong outcomes)") if counts["xfailed"] else ""
    print(f"| crashes | {unexpected}{known} | failed tests in both files |")
    outbound = suite_blocked if suite_blocked is not None else blocked
    print(f"| outbound connections | {outbound} | `tests/netguard.py` "
          f"({'whole suite' if suite_blocked is not None else 'these tests'}) |")
    print(f"| scripts executed | {scripts if scripts is not None else 'n/a (no chromium)'} | "
          "hostile report's exported HTML map in Chromium |")
    print(f"| reports lost | {lost} | good reports in hostile batches not stored |")
    ok = unexpected == 0 and outbound == 0 and (scripts or 0) == 0 and lost == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
