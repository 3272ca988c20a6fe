"""Whole-process cost of `allygraph path Japan Philippines` against `python -c "import networkx, typer"`.

Usage: python benchmarks/startup.py [--runs N]
Prints the median wall time of each (after one warm-up run that also fills the cache) and the
ratio. Target (issue 2): ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_time(cmd: list[str], runs: int, env: dict) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "allygraph")
    if not Path(exe).exists():
        exe = shutil.which("allygraph") or sys.exit("allygraph is not installed")
    env = dict(os.environ, ALLYGRAPH_CACHE_DIR=tempfile.mkdtemp(prefix="allygraph-bench-"))
    # Let Python keep its bytecode, as on a user's machine (some sandboxes turn it off).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # interleave the two so that machine noise hits both alike
    base, ours = [], []
    for _ in range(3):
        base.append(median_time([sys.executable, "-c", "import networkx, typer"], args.runs // 3 or 1, env))
        ours.append(median_time([exe, "path", "Japan", "Philippines"], args.runs // 3 or 1, env))
    b, o = statistics.median(base), statistics.median(ours)
    print(f"baseline  python -c 'import networkx, typer'   {b * 1000:7.1f} ms")
    print(f"allygraph path Japan Philippines (cached)      {o * 1000:7.1f} ms")
    print(f"ratio                                          {o / b:7.2f}x  (target <= 1.15x)")


if __name__ == "__main__":
    main()
