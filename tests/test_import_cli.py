"""`allygraph import` as a user runs it, and the full real exports when they are present."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BUNDLED, run

FIX = Path(__file__).parent / "fixtures"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
# Until `import` is registered in cli.py, add it here; afterwards this is a no-op.
_BOOT = (
    "from allygraph.cli import app, main\n"
    "from allygraph.cli_import import import_app\n"
    "if not any(g.name == 'import' for g in app.registered_groups):\n"
    "    app.add_typer(import_app, name='import')\n"
    "main()\n"
)


def imp(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", _BOOT, "import", *args], capture_output=True, text=True, env=full, timeout=600
    )


@pytest.fixture
def copy(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for name in ("entities.yaml", "relations.yaml"):
        shutil.copy(BUNDLED / name, d / name)
    return d


def test_cli_summary_json_rejects_and_dry_run(copy, tmp_path):
    p = imp("sipri", str(FIX / "sipri_trade_register_excerpt.csv"), "--data", str(copy), "--dry-run", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["read"], out["imported"], out["rejected"], out["dry_run"], out["written"]) == (20, 20, 0, True, False)
    assert any(c["id"] == "sipri.japan.philippines.2016.king_air" for c in out["changes"])
    bad = tmp_path / "bad.csv"
    lines = (FIX / "atop4_01m_excerpt.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",2,", ",8152,", 1)
    bad.write_text("\n".join(lines) + "\n")
    p = imp("atop", str(bad), "--data", str(copy), "--rejects", str(tmp_path / "rej.csv"))
    assert p.returncode == 0, p.stderr
    assert "atop: read 9, imported 8, merged" in p.stdout and "rejected 1" in p.stdout
    assert f"{bad}:2: member 8152" in p.stderr
    assert (tmp_path / "rej.csv").read_text().splitlines()[1].startswith(f"{bad},2,member 8152")


def test_cli_bad_input_is_one_line_exit_2(copy, tmp_path):
    (tmp_path / "x.csv").write_text("ccode,stateabb\n1,A\n")
    p = imp("cow-states", str(tmp_path / "x.csv"), "--data", str(copy))
    assert p.returncode == 2 and "missing columns 'statenme'" in p.stderr and "Traceback" not in p.stderr
    p = imp("sipri", str(tmp_path / "nope.csv"), "--data", str(copy))
    assert p.returncode == 2 and "no such file" in p.stderr


def _real(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path


def test_full_real_exports(copy):
    cow_f = _real("cow-state-system-v2016", "states2016.csv")
    atop_m, atop_a = _real("atop-v4.01", "atop4_01m.csv"), _real("atop-v4.01", "atop4_01a.csv")
    sipri_f = _real("sipri-excerpt", "trade-register-excerpt.csv")
    runs = {}
    for name, args in (
        ("cow", ["cow-states", str(cow_f)]),
        ("atop", ["atop", str(atop_m), str(atop_a)]),
        ("sipri", ["sipri", str(sipri_f)]),
    ):
        start = time.perf_counter()
        p = imp(*args, "--data", str(copy), "--json")
        assert p.returncode == 0, p.stderr
        runs[name] = json.loads(p.stdout)
        runs[name]["wall"] = time.perf_counter() - start
    c, a, s = runs["cow"], runs["atop"], runs["sipri"]
    assert (c["read"], c["imported"], c["rejected"], c["entities"]) == (243, 243, 0, 217)
    assert (a["read"], a["imported"], a["rejected"], a["entities"]) == (2398 + 745, 2398 + 745 - 1, 1, 745)
    assert a["rejects"][0]["line"] == "203" and "8152" in a["rejects"][0]["reason"]
    assert (s["read"], s["imported"], s["rejected"], s["relations"]) == (336, 336, 0, 336)

    assert run("check", "--data", str(copy)).returncode == 0
    p = run("path", "Japan", "Philippines", "--as-of", "1990", "--data", str(copy), "--json")
    assert p.returncode == 0, p.stderr
    path = json.loads(p.stdout)["paths"][0]
    assert path["nodes"] == ["japan", "united_states", "philippines"]
    assert all(e["type"] == "alliance" for e in path["edges"])
    shown = json.loads(run("show", "Japan", "--data", str(copy), "--json").stdout)
    atop_ids = {
        r["attributes"]["atop_id"]
        for r in shown["relations"]
        if r["type"] == "party_to" and "atop-4" in r.get("sources", [])
    }
    assert {3220, 3375, 3755}.issubset(atop_ids) and len(atop_ids) == 18
    rels = json.loads(run("show", "tc_90", "--data", str(copy), "--json").stdout)["via"]
    king = [r for r in rels if r["id"] == "sipri.japan.philippines.2016.king_air"]
    assert king and king[0]["attributes"]["delivery_years"] == "2017; 2018"
    # re-importing the same files changes nothing
    for args in (["cow-states", str(cow_f)], ["atop", str(atop_m), str(atop_a)], ["sipri", str(sipri_f)]):
        again = json.loads(imp(*args, "--data", str(copy), "--json").stdout)
        assert not again["written"] and again["added"] == 0 and again["updated"] == 0
