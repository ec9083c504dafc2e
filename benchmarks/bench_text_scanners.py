"""Speed of the rule-based scanners (dates, distances): typical reports and adversarial input.

Run: python benchmarks/bench_text_scanners.py
Prints ms per 500-word report and the growth factor for 8x more adversarial text (linear ~8x).
"""

from __future__ import annotations

import datetime as dt
import time

from geo_app.text.dates import find_dates
from geo_app.text.quantities import find_distances

PUB = dt.date(2022, 2, 10)
REPORT = ("Russian troops massed more than 100 km from Kyiv on the 9th, and drills run from February 10-20 "
          "in southern Belarus, about 60 miles from the border, officials said last November. ") * 20


def best(fn, text: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    words = len(REPORT.split())
    print(f"dates on a {words}-word report: {best(lambda t: find_dates(t, PUB), REPORT) * 1000:.2f} ms")
    print(f"distances on a {words}-word report: {best(find_distances, REPORT) * 1000:.2f} ms")
    for name, fn, units in (
        ("dates", lambda t: find_dates(t, PUB), ["the 10th the ", "1 ", "March May ", "in 2014 ", "February 10 "]),
        ("distances", find_distances, ["one hundred and ", "between 1 and ", "1 to ", "as close as ", "5m "]),
    ):
        for unit in units:
            small = best(fn, unit * (40_000 // len(unit)), 2)
            large = best(fn, unit * (320_000 // len(unit)), 2)
            print(f"{name} {unit!r:20} 40 kB {small:.3f} s, 320 kB {large:.3f} s, growth x{large / small:.1f} (linear: ~8)")


if __name__ == "__main__":
    main()
