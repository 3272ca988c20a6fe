"""Merging an import into hand-written data: this tree against another checkout, alternately.

Usage: python benchmarks/import_merge.py [--compare SRC_DIR] [--pairs N]

Each run copies the bundled data directory, then merges the three test excerpts into it (COW,
ATOP, SIPRI: additions to hand-written records, new registry entries, generated sections) with
``dry_run`` (the files are computed and validated, nothing is written). With ``--compare`` the
same run is timed with SRC_DIR's ``src`` first on the path (e.g. a checkout of the commit before
the merge went through ``edit.core``'s splices; that one needs ruamel.yaml installed), A B A B,
and the median of the per-pair ratios (this tree / the other) is printed with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from loadavg import loadavg  # benchmarks/loadavg.py, beside this script

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

ONE_RUN = r"""
import shutil, sys, tempfile, time
from pathlib import Path
from allygraph.importers import atop, cow, run, sipri
fix, bundled = Path(sys.argv[1]) / "tests" / "fixtures", Path(sys.argv[1]) / "data"
d = Path(tempfile.mkdtemp(prefix="allygraph-bench-import-"))
try:
    for n in ("entities.yaml", "relations.yaml"):
        shutil.copy(bundled / n, d / n)
    t = time.perf_counter()
    run(lambda n: cow.read(fix / "cow_states2016_excerpt.csv", n), d, dry_run=True)
    run(lambda n: atop.read(fix / "atop4_01m_excerpt.csv", fix / "atop4_01a_excerpt.csv", n), d, dry_run=True)
    run(lambda n: sipri.read(fix / "sipri_trade_register_excerpt.csv", n), d, dry_run=True)
    print(time.perf_counter() - t)
finally:
    shutil.rmtree(d)
"""


def once(src: Path | None) -> float:
    """Seconds of one merge run in a fresh process (``src``: another checkout's ``src`` first)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(REPO)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"the merge run failed: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip())


def main() -> None:
    """Time this tree's merge, and with ``--compare`` the other tree's, alternately."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", type=Path, help="another checkout (its src/ is put first on the path)")
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    print(f"load average before: {loadavg()}")
    other = args.compare / "src" if args.compare else None
    ratios, ours, theirs = [], [], []
    for _ in range(args.pairs):
        a = once(None)
        ours.append(a)
        if other is not None:
            b = once(other)
            theirs.append(b)
            ratios.append(a / b)
    print(f"this tree: median {statistics.median(ours):.3f} s over {len(ours)} runs")
    if ratios:
        print(f"{args.compare}: median {statistics.median(theirs):.3f} s")
        print(f"ratio this / other, median of {len(ratios)} A-B pairs: {statistics.median(ratios):.3f}")
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
