"""Cold start of geo_app: gazetteer + borders (+ model), time and peak RSS, in a fresh process.

Run: python benchmarks/bench_cold_start.py
Targets: issue 16, gazetteer + model + borders <= 1.5 s (and the peak RSS on LGL <= 600 MB, printed by
bench_geoparser.py); issue 2/3, gazetteer + borders <= 3 s and <= 800 MB RSS.
``--importtime`` also prints the ten slowest imports of the full start (``python -X importtime``).
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = r"""
import json, resource, time
t0 = time.perf_counter()
from geo_app.places.gazetteer import get_gazetteer
from geo_app.places import borders
gaz = get_gazetteer(); gaz.lookup("Kyiv")
borders.countries(); borders.seas()
t_data = time.perf_counter() - t0
rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if WITH_MODEL:
    from geo_app.text.extract import get_nlp
    get_nlp()("Kyiv is in Ukraine.")
t_all = time.perf_counter() - t0
print(json.dumps({"data_s": t_data, "data_rss_mb": rss_data, "all_s": t_all,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def probe(with_model: bool) -> dict:
    code = _PROBE.replace("WITH_MODEL", str(with_model))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    probe(False)  # warm the OS file cache and build the gazetteer index if missing
    data = min((probe(False) for _ in range(3)), key=lambda r: r["data_s"])
    full = min((probe(True) for _ in range(3)), key=lambda r: r["all_s"])
    print(f"cold start, gazetteer + borders: {data['data_s']:.2f} s, peak RSS {data['data_rss_mb']:.0f} MB "
          "(target <= 3 s, <= 800 MB)")
    print(f"cold start, gazetteer + borders + spaCy model: {full['all_s']:.2f} s, peak RSS {full['peak_rss_mb']:.0f} MB "
          "(target <= 1.5 s, issue 16)")
    if "--importtime" in sys.argv:
        code = _PROBE.replace("WITH_MODEL", "True")
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True,
                             text=True).stderr
        rows = []
        for line in err.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2].rstrip()))
        print("slowest imports (cumulative us, module):")
        for us, mod in sorted(rows, reverse=True)[:10]:
            print(f"  {us:>9,} {mod}")


if __name__ == "__main__":
    main()
