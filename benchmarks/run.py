"""Issue 5's figures, each measured against the naive baseline in the same run.

Usage:
    python benchmarks/run.py                      # 1,000,000 relations, 3 runs of everything
    python benchmarks/run.py --relations 100000 --runs 3 --baseline-runs 1   # a quicker look

It writes a synthetic data directory (benchmarks/synth.py) once, then times whole processes:

- the naive baseline (benchmarks/naive.py: PyYAML CSafeLoader, networkx, shortest_path);
- `allygraph path A B` on the bundled data against `python -c "import networkx, typer"`;
- the first `allygraph path A B` on the synthetic data (parse, validate, compile the cache,
  answer), with peak memory;
- later `path`, `show`, `neighbors`, `tiers` on the unchanged directory;
- `allygraph check` on a copy with four errors planted deep in the file.

Every figure is the median of repeated runs; peak memory is the largest resident set of the
process (``wait4``). Ratios are ours / baseline; the targets are the issue's.
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


def run_peak(cmd: list[str], env: dict, expect: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one process, reaped with wait4 for its own peak."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        sys.exit(f"{' '.join(cmd)} exited {code}: {err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(runs: int, fn) -> tuple[float, float]:
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def plant_errors(src: Path, dst: Path) -> int:
    """A copy of ``src`` with errors planted at 30%, 60%, 90% and 95% of relations.yaml."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / "entities.yaml", dst / "entities.yaml")
    lines = (src / "relations.yaml").read_text(encoding="utf-8").split("\n")
    plans = [(0.30, "    to: ", lambda s: s.replace("to: ", "to: nowhere_")),
             (0.60, "    since: ", lambda s: '    since: "2021-13"'),
             (0.90, "  - id: ", lambda s: "  - id: r5"),
             (0.95, "    type: ", lambda s: "    type: aliance")]  # fmt: skip
    for share, prefix, change in plans:
        i = int(len(lines) * share)
        while not lines[i].startswith(prefix):
            i += 1
        lines[i] = change(lines[i])
    (dst / "relations.yaml").write_text("\n".join(lines), encoding="utf-8")
    return len(plans)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each allygraph figure (median)")
    ap.add_argument("--baseline-runs", type=int, default=3, help="runs of the naive baseline (median)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "allygraph-bench")
    args = ap.parse_args()

    exe = str(Path(sys.executable).parent / "allygraph")
    if not Path(exe).exists():
        exe = shutil.which("allygraph") or sys.exit("allygraph is not installed (pip install .)")
    data = args.work / f"synth-{args.relations}"
    if not (data / "relations.yaml").exists():
        print(f"writing {args.relations:,} synthetic relations to {data} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "synth.py"), str(data), "--relations", str(args.relations)], check=True
        )
    size_mb = sum(f.stat().st_size for f in data.glob("*.yaml")) / 2**20
    bad = args.work / f"synth-{args.relations}-errors"
    planted = plant_errors(data, bad)
    env = dict(os.environ, ALLYGRAPH_PROGRESS="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # keep bytecode, as on a user's machine
    a, b = "state_0", "state_1"
    rows = []

    def row(name, ours, base, target, absolute=None):
        ratio = ours / base
        ok = ratio <= target and (absolute is None or ours <= absolute)
        rows.append((name, ours, base, ratio, target, absolute, ok))

    print(
        f"machine: {os.cpu_count()} cores; data: {args.relations:,} relations, {size_mb:.0f} MB of YAML",
        file=sys.stderr,
    )
    print(f"naive baseline x{args.baseline_runs} ...", file=sys.stderr)
    base_t, base_mem = median_of(
        args.baseline_runs, lambda: run_peak([sys.executable, str(HERE / "naive.py"), str(data), a, b], env)
    )

    print("startup ...", file=sys.stderr)
    cache_small = tempfile.mkdtemp(prefix="allygraph-cache-")
    small_env = dict(env, ALLYGRAPH_CACHE_DIR=cache_small)
    run_peak([exe, "path", "Japan", "Philippines"], small_env)
    imp = [sys.executable, "-c", "import networkx, typer"]
    st_base = median_of(max(15, args.runs * 5), lambda: run_peak(imp, small_env))[0]
    st_ours = median_of(max(15, args.runs * 5), lambda: run_peak([exe, "path", "Japan", "Philippines"], small_env))[0]
    row("startup: path Japan Philippines (bundled) vs import networkx, typer", st_ours, st_base, 0.5)

    print(f"first load x{args.runs} ...", file=sys.stderr)

    def first_load():
        cache = tempfile.mkdtemp(prefix="allygraph-cache-")
        try:
            return run_peak([exe, "path", a, b, "--data", str(data)], dict(env, ALLYGRAPH_CACHE_DIR=cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    first_t, first_mem = median_of(args.runs, first_load)
    row("first load + first query (seconds)", first_t, base_t, 0.15)
    row("first load + first query (peak MB)", first_mem, base_mem, 0.5)

    warm = dict(env, ALLYGRAPH_CACHE_DIR=tempfile.mkdtemp(prefix="allygraph-cache-"))
    run_peak([exe, "path", a, b, "--data", str(data)], warm)
    for name, cmd in (("path", ["path", a, b]), ("show", ["show", a]), ("neighbors", ["neighbors", a, "--depth", "2"]),
                      ("tiers", ["tiers", a]), ("tiers X Y", ["tiers", a, b])):  # fmt: skip
        t, _ = median_of(max(5, args.runs), lambda cmd=cmd: run_peak([exe, *cmd, "--data", str(data)], warm))
        row(f"later query: {name}", t, base_t, 0.01, absolute=1.5)

    print(f"check with {planted} planted errors x{args.runs} ...", file=sys.stderr)
    check_t, _ = median_of(args.runs, lambda: run_peak([exe, "check", "--data", str(bad)], env, expect=(2,)))
    row("check (errors with line numbers)", check_t, base_t, 0.15)

    print(f"\nallygraph benchmarks: {args.relations:,} relations ({size_mb:.0f} MB YAML), median of "
          f"{args.runs} (baseline {args.baseline_runs}); baseline {base_t:.1f} s, {base_mem:.0f} MB peak\n")  # fmt: skip
    print(f"{'figure':<68} {'ours':>10} {'baseline':>10} {'ratio':>8} {'target':>8}  ")
    for name, ours, base, ratio, target, absolute, ok in rows:
        fmt = (lambda x: f"{x:>8.0f}MB") if "MB" in name else (lambda x: f"{x:>9.3f}s")
        extra = f" and <= {absolute} s" if absolute else ""
        print(
            f"{name:<68} {fmt(ours)} {fmt(base)} {ratio:>8.4f} {'<= ' + str(target):>8}{extra}  {'ok' if ok else 'MISSED'}"
        )
    shutil.rmtree(cache_small, ignore_errors=True)
    shutil.rmtree(warm["ALLYGRAPH_CACHE_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
