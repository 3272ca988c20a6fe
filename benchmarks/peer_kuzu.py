"""First load of a large directory: allygraph against Kùzu, measured side by side in one run.

Usage:
    python benchmarks/peer_kuzu.py                         # 1,000,000 relations, 3 runs each
    python benchmarks/peer_kuzu.py --relations 100000 --runs 1

Kùzu is what a power user would pick instead of allygraph for a large graph: an embedded graph
database. Its side is the fastest honest load we could write for it: parse the same YAML with
yaml-rs (the parser allygraph uses), write node and relationship CSV files, ``COPY`` them into
node and relationship tables. It validates nothing. allygraph's side is a whole
``allygraph path A B`` process on a cold cache: parse, every check of ``allygraph check``, compile
the SQLite cache, answer.

Kùzu is installed into its own virtual environment (``--peer-venv``, made on first use), so it
never shares a process or an install with allygraph. Both sides run as whole processes, one after
the other, on the same files, alternating (A B, then B A); the report gives each side's median
time and peak memory (``wait4``), the median of the per-pair ratios, and the load average before
and after every run: a figure taken above load 1.0 is flagged as not a result. ``--compare SRC``
adds another allygraph (its ``src/`` folder) as a third side, for a change's new/old ratio.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The peer's whole job, run by the peer venv's interpreter: DIR and a scratch folder as arguments.
PEER_SCRIPT = r"""
import csv, os, sys, time
import yaml_rs, kuzu
src, work = sys.argv[1], sys.argv[2]
def parse(name):
    with open(os.path.join(src, name), encoding="utf-8") as fh:
        return yaml_rs.loads(fh.read(), parse_datetime=False)
ents = parse("entities.yaml")["entities"]
rels = parse("relations.yaml")["relations"]
nodes, edges = os.path.join(work, "nodes.csv"), os.path.join(work, "edges.csv")
with open(nodes, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerows((e["id"], e["name"], e["type"]) for e in ents)
with open(edges, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerows((r["from"], r["to"], r.get("id") or "", r["type"], str(r.get("since") or ""),
                 str(r.get("until") or ""), r.get("tier") or "", r.get("status") or "",
                 ";".join(r.get("sources") or [])) for r in rels)
db = kuzu.Database(os.path.join(work, "db"))
conn = kuzu.Connection(db)
conn.execute("CREATE NODE TABLE Entity(id STRING, name STRING, type STRING, PRIMARY KEY(id))")
conn.execute("CREATE REL TABLE Rel(FROM Entity TO Entity, rid STRING, type STRING, since STRING, "
             "until STRING, tier STRING, status STRING, sources STRING)")
conn.execute(f"COPY Entity FROM '{nodes}' (HEADER=false)")
conn.execute(f"COPY Rel FROM '{edges}' (HEADER=false)")
n = conn.execute("MATCH ()-[r:Rel]->() RETURN count(r)").get_next()[0]
assert n == len(rels), (n, len(rels))
"""


def peer_python(venv: Path) -> Path:
    """The peer venv's interpreter, creating the venv with kuzu and yaml-rs on first use."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"installing kuzu and yaml-rs into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "kuzu", "yaml-rs"], check=True)
    return py


def timed(cmd: list[str], env: dict | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one whole process (reaped with ``wait4`` for its own peak);
    exits with its stderr when it fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"{' '.join(cmd)} exited {code}: {err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def load1() -> float:
    """The one-minute load average now."""
    return os.getloadavg()[0]


QUIET = 1.0  # above this load average a figure is not a result (the machine is shared)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3, help="pairs of runs (each pair: one of each side, alternating)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "allygraph-bench")
    ap.add_argument("--peer-venv", type=Path, default=None, help="where Kùzu is installed (default: WORK/kuzu-venv)")
    ap.add_argument("--data", type=Path, default=None, help="the data directory (default: WORK/synth-N, written once)")
    ap.add_argument("--compare", type=Path, default=None,
                    help="another allygraph's src/ folder (e.g. a checkout of main): timed as a third side, "
                         "so a change's new/old ratio is measured in the same minute")  # fmt: skip
    ap.add_argument("--no-peer", action="store_true", help="skip Kùzu (with --compare: new against old only)")
    args = ap.parse_args()

    import synth

    data = args.data or args.work / f"synth-{args.relations}"
    if not (data / "relations.yaml").exists():
        print(f"writing {args.relations:,} synthetic relations to {data} ...", file=sys.stderr)
        synth.write(data, args.relations)
    py = None if args.no_peer else peer_python(args.peer_venv or args.work / "kuzu-venv")
    exe = shutil.which("allygraph", path=str(Path(sys.executable).parent)) or "allygraph"
    mb = sum((data / f).stat().st_size for f in ("entities.yaml", "relations.yaml")) / 1e6
    args.work.mkdir(parents=True, exist_ok=True)

    sides: dict[str, list[tuple[float, float, float, float]]] = {}  # side -> (s, MB, load before, after)

    def side(name: str, scratch: str) -> None:
        before = load1()
        if name == "kuzu":
            assert py is not None
            seconds, peak = timed([str(py), "-c", PEER_SCRIPT, str(data), scratch])
        else:
            env = dict(os.environ, ALLYGRAPH_CACHE_DIR=os.path.join(scratch, "cache"))
            cmd = [exe, "path", "state_0", "state_1", "--data", str(data)]
            if name == "old":
                env["PYTHONPATH"] = str(args.compare)
                cmd = [sys.executable, "-m", "allygraph", *cmd[1:]]
            seconds, peak = timed(cmd, env, ok=(0, 1))
        sides.setdefault(name, []).append((seconds, peak, before, load1()))

    names = ["allygraph"] + (["old"] if args.compare else []) + ([] if args.no_peer else ["kuzu"])
    for i in range(args.runs):
        order = names if i % 2 == 0 else names[::-1]  # A B, then B A: neither side always goes first
        for name in order:
            with tempfile.TemporaryDirectory(dir=args.work) as scratch:
                side(name, scratch)
        line = ", ".join(f"{n} {sides[n][-1][0]:.2f} s {sides[n][-1][1]:,.0f} MB (load {sides[n][-1][2]:.2f}->"
                         f"{sides[n][-1][3]:.2f})" for n in names)  # fmt: skip
        print(f"pair {i + 1}: {line}", file=sys.stderr)

    busy = [load for runs in sides.values() for r in runs for load in r[2:]]
    print(f"first load: {args.relations:,} relations ({mb:.0f} MB of YAML), {args.runs} alternating runs per side")
    print(
        f"  load average during the runs: {min(busy):.2f} to {max(busy):.2f} (now {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    for name in names:
        times, peaks = [r[0] for r in sides[name]], [r[1] for r in sides[name]]
        what = {"allygraph": "allygraph (parse, validate, compile, answer)", "old": f"allygraph from {args.compare}",
                "kuzu": "kuzu (yaml-rs parse, CSV, COPY; no checks)"}[name]  # fmt: skip
        print(f"  {what:46s} {statistics.median(times):7.2f} s  peak {statistics.median(peaks):7,.0f} MB")

    def ratio(a: str, b: str, what: int) -> float:
        return statistics.median(x[what] / y[what] for x, y in zip(sides[a], sides[b], strict=True))

    for other, target in (("kuzu", 1.0), ("old", None)):
        if other in sides:
            tip = f"   (target <= {target:.2f})" if target else ""
            print(
                f"  time   allygraph / {other:5s} (median of per-pair ratios) {ratio('allygraph', other, 0):7.2f}{tip}"
            )
            print(
                f"  memory allygraph / {other:5s} (median of per-pair ratios) {ratio('allygraph', other, 1):7.2f}{tip}"
            )
    if max(busy) > QUIET:
        print(
            f"  NOT A RESULT: the load average rose above {QUIET} (others were running); absolute figures "
            "and ratios against kuzu are not results. A ratio between two allygraphs of the same pairs "
            "is indicative only."
        )


if __name__ == "__main__":
    main()
