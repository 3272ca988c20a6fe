"""Whole-process cost of `allygraph path Japan Philippines` (cache warm) against `python -c "import networkx, typer"`.

Usage: python benchmarks/startup.py [--pairs N] [--compare SRC_DIR]

The two commands run alternately (A B A B ...), so that the load of the machine falls on both
alike; the result is the median of the per-pair ratios B/A (target: <= 0.5), printed with the
load average before and after. With --compare SRC_DIR (the src/ folder of another checkout, e.g.
`git archive HEAD~1 src | tar -x -C /some/dir`), that tree's `allygraph path` runs in the same
rotation, both trees through `python -c "from allygraph.cli import main; main()"`, and the ratio
of this tree to that one is printed too (below 1: this tree starts faster).
Python keeps its bytecode cache here (some sandboxes turn it off: every module would be
recompiled on every run, which is not what a user's machine does).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadavg import loadavg  # benchmarks/loadavg.py, beside this script

TARGET = 0.5
ARGS = ["path", "Japan", "Philippines"]
VIA_SOURCE = "import sys; sys.argv[0] = 'allygraph'; from allygraph.cli import main; main()"


def wall(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds one run of ``cmd`` takes, output thrown away: wall-clock, and CPU (user + system,
    which waiting for a busy processor does not inflate)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Time the commands in rotation and print each one's median, the per-pair ratios' median, the load."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20, help="rotations (default 20)")
    parser.add_argument("--compare", type=Path, metavar="SRC_DIR", help="another checkout's src/ folder")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "allygraph")
    if not Path(exe).exists():
        exe = shutil.which("allygraph") or sys.exit("allygraph is not installed")
    env = dict(os.environ, ALLYGRAPH_CACHE_DIR=tempfile.mkdtemp(prefix="allygraph-bench-"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ALLYGRAPH_DATA", None)
    here = Path(__file__).resolve().parents[1] / "src"
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        "baseline": ([sys.executable, "-c", "import networkx, typer"], env),
        "allygraph": ([exe, *ARGS], env),
    }
    if args.compare:
        runs["this tree"] = ([sys.executable, "-c", VIA_SOURCE, *ARGS], dict(env, PYTHONPATH=str(here)))
        # its own cache folder: another version's cache is stale to this one, and each would rebuild the other's
        own = dict(env, PYTHONPATH=str(args.compare), ALLYGRAPH_CACHE_DIR=tempfile.mkdtemp(prefix="allygraph-bench-"))
        runs["compared"] = ([sys.executable, "-c", VIA_SOURCE, *ARGS], own)
    for cmd, e in runs.values():  # warm-up: bytecode written, the cache filled
        wall(cmd, e)
    load_before = loadavg()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(args.pairs):
        for name, (cmd, e) in runs.items():
            times[name].append(wall(cmd, e))
    load_after = loadavg()
    for name, ts in times.items():
        print(f"{name:10s} wall median {statistics.median(t[0] for t in ts) * 1000:7.1f} ms,"
              f" CPU median {statistics.median(t[1] for t in ts) * 1000:7.1f} ms")  # fmt: skip

    def ratio(a: str, b: str, i: int) -> float:
        return statistics.median(x[i] / y[i] for x, y in zip(times[a], times[b], strict=True))

    what = f"allygraph {' '.join(ARGS)} (cached) / python -c 'import networkx, typer'"
    print(f"{what}: {ratio('allygraph', 'baseline', 0):.2f}x wall, {ratio('allygraph', 'baseline', 1):.2f}x CPU"
          f"  (median of {args.pairs} per-pair ratios; target <= {TARGET}x)")  # fmt: skip
    if args.compare:
        print(f"this tree / {args.compare}: {ratio('this tree', 'compared', 0):.2f}x wall,"
              f" {ratio('this tree', 'compared', 1):.2f}x CPU  (median of {args.pairs} per-pair ratios)")  # fmt: skip
    print(f"load average: {load_before} before, {load_after} after  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
