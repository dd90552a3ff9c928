"""Two checkouts under bench_web.py in one run, alternating A B B A ..., so that the shared box's
drift reaches both alike: prints each run's mix throughput, p95 and mix / baseline ratio, and
the medians per checkout.

Each checkout needs its own .venv (`make install` in it): bench_web.py starts the gunicorn of the
checkout it lives in. Both read the database bench_seed.py left (BENCH_SQLITE_PATH or
BENCH_SCALE_DATABASE_URL).

    .venv/bin/python bench/compare_web.py --before /tmp/before --after . [--pairs 2]
        [bench_web options, e.g. --duration 20 --no-breakdown]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROW = re.compile(r"^(mix|baseline) \(\d+ slices\)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", re.M)
RATIO = re.compile(r"mix / baseline throughput: ([\d.]+)")


def one_run(checkout: Path, extra: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "bench/bench_web.py", *extra],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = {m.group(1): m for m in ROW.finditer(done.stdout)}
    ratio = RATIO.search(done.stdout)
    if done.returncode != 0 or "mix" not in rows or ratio is None:
        sys.exit(f"bench_web.py failed in {checkout}:\n{done.stdout}\n{done.stderr}")
    return {
        "mix_rps": float(rows["mix"].group(3)),
        "mix_p95": float(rows["mix"].group(5)),
        "base_rps": float(rows["baseline"].group(3)),
        "ratio": float(ratio.group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=2, help="A B rounds (order flips each pair)")
    args, extra = parser.parse_known_args()
    order: list[tuple[str, Path]] = []
    for i in range(args.pairs):
        pair = [("before", args.before.resolve()), ("after", args.after.resolve())]
        order += pair if i % 2 == 0 else pair[::-1]
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    print(f"{'run':<8}{'mix req/s':>10}{'mix p95 ms':>12}{'baseline req/s':>16}{'ratio':>7}")
    for name, checkout in order:
        r = one_run(checkout, extra)
        results[name].append(r)
        print(
            f"{name:<8}{r['mix_rps']:>10.1f}{r['mix_p95']:>12.1f}{r['base_rps']:>16.1f}"
            f"{r['ratio']:>7.2f}",
            flush=True,
        )
    print("medians:")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{name:<8}{med['mix_rps']:>10.1f}{med['mix_p95']:>12.1f}{med['base_rps']:>16.1f}"
            f"{med['ratio']:>7.2f}"
        )


if __name__ == "__main__":
    main()
