"""Editing a large data directory: ``link`` time, and the next query's time, against the cache.

Usage: python benchmarks/edit.py DIR [--relations N]

DIR is made with ``benchmarks/synth.py`` when it holds no data (1,000,000 relations by default).
Every step is a real process, as a user runs it: the first query (which compiles the SQLite
cache), a warm query, ``link`` (checked against the cache, appended, cache row inserted and
re-stamped), the same query again (it must answer from the updated cache: the cache file keeps
its inode), then a second ``link``. Prints one line per step with seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(args: list[str]) -> tuple[float, str]:
    """Seconds and stdout of one allygraph command (``python -m allygraph ...``)."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "allygraph", *args], capture_output=True, text=True)
    took = time.perf_counter() - t
    if done.returncode != 0:
        sys.exit(f"allygraph {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return took, done.stdout


REPEAT = 5


def median(args: list[str]) -> tuple[float, str]:
    """The median seconds of ``REPEAT`` runs, and the output (the same each time)."""
    runs = [run(args) for _ in range(REPEAT)]
    times = sorted(t for t, _ in runs)
    return times[len(times) // 2], runs[-1][1]


def link(directory: Path, rid: str) -> float:
    """Seconds for one ``link`` (the CLI when it has the command, else the library in a process)."""
    help_text = subprocess.run([sys.executable, "-m", "allygraph", "--help"], capture_output=True, text=True).stdout
    if " link " in help_text:
        return run(["link", "state_1", "cooperates_with", "state_2", "--source", "https://example.org/bench",
                    "--since", "2026", "--id", rid, "--data", str(directory), "--json"])[0]  # fmt: skip
    code = ("from allygraph.edit import link; import sys; link('state_1', 'cooperates_with', 'state_2', "
            "sources=['https://example.org/bench'], since='2026', rid=sys.argv[2], data=sys.argv[1])")  # fmt: skip
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(directory), rid], check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--relations", type=int, default=1_000_000)
    args = ap.parse_args()
    d = args.directory
    if not (d / "relations.yaml").exists():
        sys.path.insert(0, str(HERE))
        import synth

        t = time.perf_counter()
        synth.write(d, args.relations)
        print(f"generate {args.relations:,} relations: {time.perf_counter() - t:.1f} s")
    size = sum((d / f).stat().st_size for f in ("entities.yaml", "relations.yaml")) / 1e6
    print(f"data: {size:.0f} MB")
    from allygraph import cache

    query = ["neighbors", "state_1", "--data", str(d), "--json"]
    first, _ = run(query)
    print(f"first query (compiles the cache when there is none): {first:.2f} s")
    warm, before = median(query)
    print(f"query, warm cache (median of {REPEAT}): {warm:.2f} s")
    sqlite = cache._path_for(d.resolve(), "sqlite")
    inode = sqlite.stat().st_ino
    for i in (1, 2):
        took = link(d, f"bench-link-{os.getpid()}-{i}")
        print(f"link #{i}: {took:.2f} s")
        right_t, after = run(query)
        print(f"query right after link #{i} (the new file is hashed while recent): {right_t:.2f} s")
        time.sleep(3)  # the background re-stamp (cache.settle_stamp) runs once the file is 2 s old
        after_t, after = median(query)
        same = sqlite.exists() and sqlite.stat().st_ino == inode
        grew = after != before
        print(f"query 3 s after link #{i} (median of {REPEAT}): {after_t:.2f} s (cache updated in place: {same}; answer changed: {grew})")  # fmt: skip
        before = after


if __name__ == "__main__":
    main()
