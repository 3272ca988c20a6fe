"""The three importers on the full real exports (kept out of the test suite: about 20 s).

Usage: python benchmarks/import_real.py [REAL_DIR]   (default: /work/shared/data/real)

Imports COW, ATOP and the SIPRI excerpt into a copy of the bundled data, checks the counts,
the directory, the 1990 treaty path and the records on Japan's and the TC-90's cards, that a
re-import changes nothing, and prints each import's wall time. Exits non-zero on a mismatch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def allygraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allygraph", *args], capture_output=True, text=True, timeout=600)


def main(real: Path) -> None:
    cow_f = real / "cow-state-system-v2016" / "states2016.csv"
    atop_m, atop_a = real / "atop-v4.01" / "atop4_01m.csv", real / "atop-v4.01" / "atop4_01a.csv"
    sipri_f = real / "sipri-excerpt" / "trade-register-excerpt.csv"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        copy.mkdir()
        for name in ("entities.yaml", "relations.yaml"):
            shutil.copy(REPO / "data" / name, copy / name)
        os.environ["ALLYGRAPH_CACHE_DIR"] = str(Path(tmp) / "cache")
        imports = {"cow": ["cow-states", str(cow_f)], "atop": ["atop", str(atop_m), str(atop_a)],
                   "sipri": ["sipri", str(sipri_f)]}  # fmt: skip
        runs = {}
        for name, args in imports.items():
            start = time.perf_counter()
            p = allygraph("import", *args, "--data", str(copy), "--json")
            assert p.returncode == 0, p.stderr
            runs[name] = json.loads(p.stdout)
            r = runs[name]
            print(f"{name}: {time.perf_counter() - start:.1f} s wall, {r['seconds']} s in import; {r['read']} read, "
                  f"{r['imported']} imported, {r['rejected']} rejected; {r['records']} records: {r['added']} new, "
                  f"{r['updated']} updated, {r['unchanged']} unchanged, {r['kept_edited']} kept")  # fmt: skip
        c, a, s = runs["cow"], runs["atop"], runs["sipri"]
        assert (c["read"], c["imported"], c["rejected"], c["entities"]) == (243, 243, 0, 217)
        assert (a["read"], a["imported"], a["rejected"], a["entities"]) == (2398 + 745, 2398 + 745 - 1, 1, 745)
        assert a["rejects"][0]["line"] == "203" and "8152" in a["rejects"][0]["reason"]
        assert (s["read"], s["imported"], s["rejected"], s["relations"]) == (336, 336, 0, 336)
        assert allygraph("check", "--data", str(copy)).returncode == 0
        path = json.loads(
            allygraph(
                "path", "Japan", "Philippines", "--as-of", "1990", "--type", "alliance", "--data", str(copy), "--json"
            ).stdout
        )
        assert path["paths"][0]["nodes"] == ["japan", "united_states", "philippines"]
        assert all(e["type"] == "alliance" for e in path["paths"][0]["edges"])
        shown = json.loads(allygraph("show", "Japan", "--data", str(copy), "--json").stdout)
        atop_ids = {r["attributes"]["atop_id"] for r in shown["relations"]
                    if r["type"] == "party_to" and "atop-4" in r.get("sources", [])}  # fmt: skip
        assert {3220, 3375, 3755}.issubset(atop_ids) and len(atop_ids) == 18
        rels = json.loads(allygraph("show", "tc_90", "--data", str(copy), "--json").stdout)["via"]
        king = [r for r in rels if r.get("attributes", {}).get("import_id") == "sipri.japan.philippines.2016.king_air"]
        assert [r["id"] for r in king] == ["jp-ph-tc90-transfer"]  # merged into the hand-written transfer
        assert king[0]["attributes"]["delivery_years"] == "2017; 2018"
        for args in imports.values():
            again = json.loads(allygraph("import", *args, "--data", str(copy), "--json").stdout)
            assert not again["written"] and again["added"] == 0 and again["updated"] == 0
    print("all checks passed")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/real"))
