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
the other, on the same files; each figure is the median of ``--runs`` runs.
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
PEER_SCRIPT = r'''
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
'''


def peer_python(venv: Path) -> Path:
    """The peer venv's interpreter, creating the venv with kuzu and yaml-rs on first use."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"installing kuzu and yaml-rs into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "kuzu", "yaml-rs"], check=True)
    return py


def timed(cmd: list[str], env: dict | None = None, ok: tuple[int, ...] = (0,)) -> float:
    """Seconds one whole process takes; exits with its stderr when it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "allygraph-bench")
    ap.add_argument("--peer-venv", type=Path, default=None, help="where Kùzu is installed (default: WORK/kuzu-venv)")
    args = ap.parse_args()

    import synth

    data = args.work / f"synth-{args.relations}"
    if not (data / "relations.yaml").exists():
        print(f"writing {args.relations:,} synthetic relations to {data} ...", file=sys.stderr)
        synth.write(data, args.relations)
    py = peer_python(args.peer_venv or args.work / "kuzu-venv")
    exe = shutil.which("allygraph", path=str(Path(sys.executable).parent)) or "allygraph"
    mb = sum((data / f).stat().st_size for f in ("entities.yaml", "relations.yaml")) / 1e6

    ours, peer = [], []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.work) as scratch:
            peer.append(timed([str(py), "-c", PEER_SCRIPT, str(data), scratch]))
            env = dict(os.environ, ALLYGRAPH_CACHE_DIR=os.path.join(scratch, "cache"))
            ours.append(timed([exe, "path", "state_0", "state_1", "--data", str(data)], env, ok=(0, 1)))
        print(f"run {i + 1}: allygraph {ours[-1]:.2f} s, kuzu {peer[-1]:.2f} s", file=sys.stderr)
    o, p = statistics.median(ours), statistics.median(peer)
    print(f"first load: {args.relations:,} relations ({mb:.0f} MB of YAML), median of {args.runs}")
    print(f"  allygraph (parse, validate, compile, answer)  {o:7.2f} s")
    print(f"  kuzu (yaml-rs parse, CSV, COPY; no checks)    {p:7.2f} s")
    print(f"  ratio allygraph / kuzu                        {o / p:7.2f}   (target <= 1.00)")


if __name__ == "__main__":
    main()
