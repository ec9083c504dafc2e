"""Run every benchmark script in turn and print its figures (``make bench``).

Each script runs in its own process so cold-start figures are honest. Scripts that need the
benchmark corpora or Chromium say so and are skipped when those are absent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "bench_cold_start.py", "bench_geoparser.py", "bench_text_scanners.py", "bench_geodesy.py", "bench_check.py",
    "bench_user_layers.py", "bench_distributed.py", "bench_app.py", "bench_hardening.py",
]


def main() -> int:
    failed = []
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += [p for p in sorted(HERE.glob("bench_*.py")) if p.name not in ORDER]
    for script in scripts:
        print(f"\n== {script.name} ==", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"({script.name}: exit {code}, {time.perf_counter() - start:.0f} s)", flush=True)
        if code != 0:
            failed.append(script.name)
    print("\nall benchmarks ran" if not failed else f"\nbenchmarks that failed or missed a target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
