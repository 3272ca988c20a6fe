"""Every edit of a large data directory, and the next query, on more than one layout (issue 20).

Usage: python benchmarks/edit.py [DIR ...] [--relations N] [--work FOLDER] [--old] [--timeout S]
                                [--rounds R] [--cache FOLDER] [--skip STEP ...]

Without DIR, writes ``allygraph.synth``'s two layouts of N relations (1,000,000 by default) into
FOLDER: ``synth`` (relation ids, a ``sources:`` registry, block records) and ``plain`` (no ids,
inline URL sources, flow records). A DIR is used as it is: copy a shared one first (it is edited).

Each step is a real process, as a user runs it, with its own cache folder: the first query
(compiles the SQLite cache), then ``link``, ``edit``, ``rename`` (an entity: every reference),
``rm``, ``fmt --check`` (a file not in the canonical layout), ``fmt`` (rewrites both files) and
``fmt --check`` again (a canonical file: every record read), each followed by the next query
(which must answer from the cache the edit updated in place). With ``--old`` each edit also runs with ``ALLYGRAPH_LARGE_EDITS=0`` (the
general path: the whole directory composed and validated, as before issue 20), alternating new
and old, and the ratio is printed; an old run's next query rebuilds the cache, so it is timed too.
A step that runs past ``--timeout`` is stopped and reported as ``> S``. Every line carries the
load average, since a loaded machine stretches every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadavg import loadavg  # benchmarks/loadavg.py, beside this script

ENV = dict(os.environ)


def run(args: list[str], timeout: float, env: dict | None = None) -> tuple[float | None, str]:
    """Seconds (None past ``timeout``) and stdout of one ``python -m allygraph`` command."""
    t = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "allygraph", *args], capture_output=True, text=True,
                              timeout=timeout, env=env or ENV)  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, ""
    took = time.perf_counter() - t
    if done.returncode != 0 and not (done.returncode == 1 and args[:2] == ["fmt", "--check"]):  # 1: not canonical
        sys.exit(f"allygraph {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return took, done.stdout


def fmt_s(t: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if t is None else f"{t:.2f} s"


def relations_of(d: Path, entity: str, timeout: float) -> list[dict]:
    """The relations of ``entity`` (a query through the cache)."""
    _, out = run(["neighbors", entity, "--data", str(d), "--json"], timeout)
    ids = [rid for n in json.loads(out)["neighbors"] for rid in n["relations"]]
    code = ("import json, sys; from allygraph.load import open_store; s = open_store(sys.argv[1]); "
            "print(json.dumps([r for r in s.out_rels(sys.argv[2]) if r['id'] in set(sys.argv[3:])]))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code, str(d), entity, *ids], capture_output=True, text=True,
                         check=True, env=ENV).stdout  # fmt: skip
    return json.loads(out)


def steps(d: Path, turn: int, timeout: float) -> list[tuple[str, list[str]]]:
    """The edits of one turn (a round of one variant: new or old): (name, arguments). Each turn
    changes records of its own, and renames back what the one before renamed."""
    rels = [r for r in relations_of(d, "state_1", timeout) if r["type"] not in ("alliance", "partnership")]
    a, b = rels[0]["id"], rels[1]["id"]
    old, new = ("state_7", "state_seven") if turn % 2 == 0 else ("state_seven", "state_7")
    data = ["--data", str(d), "--json"]
    return [
        (
            "link",
            [
                "link",
                "state_1",
                "exercises_with",
                f"state_{20 + turn}",
                "--source",
                "https://example.org/bench",
                "--since",
                f"{1900 + os.getpid() % 100}-{1 + turn % 12:02d}",
                *data,
            ],
        ),  # fmt: skip
        ("edit", ["edit", a, "--set", f"note=bench turn {turn}", *data]),
        ("rename", ["rename", old, new, *data]),
        ("rm", ["rm", b, *data]),
        ("fmt --check", ["fmt", "--check", *data]),
        ("fmt", ["fmt", *data]),
        ("fmt --check, after fmt", ["fmt", "--check", *data]),
    ]


def bench(d: Path, old: bool, timeout: float, rounds: int, skip: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    size = sum((d / f).stat().st_size for f in ("entities.yaml", "relations.yaml")) / 1e6
    print(f"\n== {d} ({size:.0f} MB) load {loadavg()}")
    query = ["neighbors", "state_1", "--data", str(d), "--json"]
    t, _ = run(query, timeout * 4)
    print(f"first query (compiles the cache): {fmt_s(t, timeout * 4)}  load {loadavg()}")
    t, _ = run(query, timeout)
    print(f"query, warm cache: {fmt_s(t, timeout)}  load {loadavg()}")
    times: dict[tuple[str, str], list[float | None]] = {}
    for r in range(rounds):
        for variant in ("new", "old") if old else ("new",):
            env = dict(ENV, ALLYGRAPH_LARGE_EDITS="0") if variant == "old" else ENV
            turn = 2 * r + (variant == "old") if old else r
            for name, args in steps(d, turn, timeout):
                if (name.startswith("fmt") and variant == "old") or name.split()[0] in skip:
                    continue  # the general path of fmt takes minutes at this size
                t, _ = run(args, timeout, env)
                q, _ = run(query, timeout * 4)
                times.setdefault((name, variant), []).append(t)
                times.setdefault((name + ": next query", variant), []).append(q)
                print(f"{name} [{variant}]: {fmt_s(t, timeout)}; next query {fmt_s(q, timeout * 4)}  load {loadavg()}")
    print(f"-- summary for {d.name} (median of {rounds}; load {loadavg()})")
    for (name, variant), ts in times.items():
        if variant != "new":
            continue
        known = sorted(t for t in ts if t is not None)
        new = known[len(known) // 2] if len(known) == len(ts) else None
        line = f"{name}: {fmt_s(new, timeout)}"
        olds = times.get((name, "old"))
        if olds:
            known_old = sorted(t for t in olds if t is not None)
            o = known_old[len(known_old) // 2] if len(known_old) == len(olds) else None
            ratio = f"{o / new:.1f}x" if o and new else f">= {timeout / new:.0f}x" if new else "?"
            line += f" (old {fmt_s(o, timeout)}, old/new {ratio})"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directories", type=Path, nargs="*")
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=None, help="where the generated directories go")
    ap.add_argument("--old", action="store_true", help="also time the general path, alternating")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=None, help="the cache folder (default: a new one)")
    ap.add_argument("--skip", action="append", default=[], help="a step not to run (link, edit, rename, rm, fmt)")
    args = ap.parse_args()
    cache = str(args.cache) if args.cache else tempfile.mkdtemp(prefix="allygraph-bench-cache-")
    ENV["ALLYGRAPH_CACHE_DIR"] = cache
    dirs = list(args.directories)
    if not dirs:
        from allygraph import synth

        work = args.work or Path(tempfile.mkdtemp(prefix="allygraph-bench-edit-"))
        for layout in synth.LAYOUTS:
            d = work / f"{layout}-{args.relations}"
            if not (d / "relations.yaml").exists():
                t = time.perf_counter()
                synth.write(d, args.relations, layout=layout)
                print(f"generate {layout} {args.relations:,}: {time.perf_counter() - t:.1f} s")
            dirs.append(d)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {loadavg()}, cache {cache}")
    for d in dirs:
        bench(d, args.old, args.timeout, args.rounds, set(args.skip))


if __name__ == "__main__":
    main()
