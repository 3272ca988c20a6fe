"""The naive baseline of issue 5: PyYAML (CSafeLoader), then a networkx MultiDiGraph, then a
shortest path, all in one process. Prints one JSON line: seconds per stage and peak RSS.

Usage: python benchmarks/naive.py DATA_DIR FROM_ID TO_ID
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    directory, a, b = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    import networkx as nx
    import yaml

    with open(directory / "entities.yaml", encoding="utf-8") as fh:
        ents = yaml.load(fh, Loader=yaml.CSafeLoader)
    with open(directory / "relations.yaml", encoding="utf-8") as fh:
        rels = yaml.load(fh, Loader=yaml.CSafeLoader)
    t1 = time.perf_counter()
    G = nx.MultiDiGraph()
    for e in ents["entities"]:
        G.add_node(e["id"], **e)
    for r in rels["relations"]:
        G.add_edge(r["from"], r["to"], key=r.get("id"), **r)
    t2 = time.perf_counter()
    path = nx.shortest_path(G.to_undirected(as_view=True), a, b)
    t3 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"parse_s": t1 - t0, "graph_s": t2 - t1, "query_s": t3 - t2, "total_s": t3 - t0,
                      "peak_rss_mb": peak_kb / 1024, "path": path}))  # fmt: skip


if __name__ == "__main__":
    main()
