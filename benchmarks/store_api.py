"""What reading every relation through the Store interface costs, against reaching into the data.

Usage: python benchmarks/store_api.py DIR [--rounds R]

DIR is a data directory (e.g. a copy of a ``benchmarks/synth.py`` directory; it is loaded into
memory once, untimed). Alternating A B A B (``--rounds`` pairs), each pair with the 1-minute load
average when it started (above 1: the machine was busy, the figure is not a result):

- graph: A is ``G.graph["dataset"].relations.values()`` (what ``analysis.common.all_relations``
  read for a networkx graph before the interface had ``iter_relations``); B is
  ``as_store(G).iter_relations()``, which reads the graph's own edges (a selected part of a graph
  is read as itself) in the data's order. The ratio B/A is the price of that correctness.
- memory: A the Dataset's relations directly, B ``DatasetStore.iter_relations()``: should be ~1.

Prints the median of the per-pair ratios B/A.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterable


def _drain(it: Iterable[dict]) -> int:
    n = 0
    for rel in it:  # a reader reads each record: touch it
        n += rel["id"] is not None
    return n


def _time(f: Callable[[], Iterable[dict]]) -> float:
    t0 = time.perf_counter()
    _drain(f())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import allygraph
    from allygraph.store import DatasetStore, as_store

    G = allygraph.load_graph(args.dir, use_cache=False)
    ds = G.graph["dataset"]
    S, M = as_store(G), DatasetStore(ds)
    print(f"{len(ds.relations)} relations; load before: {os.getloadavg()}")
    cases = {
        "graph": (lambda: ds.relations.values(), S.iter_relations),
        "memory": (lambda: ds.relations.values(), M.iter_relations),
    }
    for name, (a, b) in cases.items():
        ratios = []
        for _ in range(args.rounds):
            load = os.getloadavg()[0]
            ta, tb = _time(a), _time(b)
            ratios.append(tb / ta)
            flag = "" if load < 1 else "  (load above 1: not a result)"
            print(f"{name}: A {ta:.4f}s  B {tb:.4f}s  B/A {tb / ta:.2f}  load {load:.2f}{flag}")
        print(f"{name}: median B/A {statistics.median(ratios):.2f}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
