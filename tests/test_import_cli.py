"""`allygraph import` as a user runs it, and excerpts of the real exports end to end (the full
files: ``benchmarks/import_real.py``).

Imports go into copies of the bundled data, as a user's first import does; the bundled files are
checked to stay as they were."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import BUNDLED, invoke

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture
def copy(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for name in ("entities.yaml", "relations.yaml"):
        shutil.copy(BUNDLED / name, d / name)
    return d


def test_cli_summary_json_rejects_and_dry_run(copy, tmp_path):
    p = invoke(
        "import", "sipri", str(FIX / "sipri_trade_register_excerpt.csv"), "--data", str(copy), "--dry-run", "--json"
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["read"], out["imported"], out["rejected"], out["dry_run"], out["written"]) == (20, 20, 0, True, False)
    assert any(c["id"] == "sipri.japan.philippines.2016.king_air" for c in out["changes"])
    bad = tmp_path / "bad.csv"
    lines = (FIX / "atop4_01m_excerpt.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",2,", ",8152,", 1)
    bad.write_text("\n".join(lines) + "\n")
    p = invoke("import", "atop", str(bad), "--data", str(copy), "--rejects", str(tmp_path / "rej.csv"))
    assert p.returncode == 0, p.stderr
    first, second = p.stdout.splitlines()[:2]
    assert first == "atop: 9 records read: 8 imported, 1 rejected"
    m = re.fullmatch(r"(\d+) relations and (\d+) entities: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) kept as edited by hand; 1 source\(s\) added", second)  # fmt: skip
    outcomes = [int(x) for x in m.groups()[2:]]
    assert int(m[1]) + int(m[2]) == sum(outcomes) == 17  # each record counted once: they add up
    assert f"{bad}:2: member 8152" in p.stderr
    assert (tmp_path / "rej.csv").read_text().splitlines()[1].startswith(f"{bad},2,member 8152")


def test_cli_bad_input_is_one_line_exit_2(copy, tmp_path):
    (tmp_path / "x.csv").write_text("ccode,stateabb\n1,A\n")
    p = invoke("import", "cow-states", str(tmp_path / "x.csv"), "--data", str(copy))
    assert p.returncode == 2 and "missing columns 'statenme'" in p.stderr and "Traceback" not in p.stderr
    p = invoke("import", "sipri", str(tmp_path / "nope.csv"), "--data", str(copy))
    assert p.returncode == 2 and "no such file" in p.stderr


def test_real_export_excerpts_end_to_end(copy, capsys):
    """The three importers one after the other on excerpts of the real files, in-process: counts,
    a directory that checks, the treaty path of 1990, the ATOP and SIPRI records on the cards,
    and a re-import that changes nothing. (The full files: ``python benchmarks/import_real.py``.)"""
    from allygraph.cli import main

    def cli(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as ended:
            main(list(args))
        out = capsys.readouterr()
        assert ended.value.code == 0, out.err
        return ended.value.code, out.out

    imports = {
        "cow": ["cow-states", str(FIX / "cow_states2016_excerpt.csv")],
        "atop": ["atop", str(FIX / "atop4_01m_excerpt.csv"), str(FIX / "atop4_01a_excerpt.csv")],
        "sipri": ["sipri", str(FIX / "sipri_trade_register_excerpt.csv")],
    }
    runs = {name: json.loads(cli("import", *args, "--data", str(copy), "--json")[1]) for name, args in imports.items()}
    c, a, s = runs["cow"], runs["atop"], runs["sipri"]
    assert (c["read"], c["imported"], c["rejected"], c["entities"]) == (13, 13, 0, 11)
    assert (a["read"], a["imported"], a["rejected"], a["entities"], a["relations"]) == (13, 13, 0, 4, 15)
    assert (s["read"], s["imported"], s["rejected"], s["relations"]) == (20, 20, 0, 20)

    cli("check", "--data", str(copy))
    path = json.loads(
        cli("path", "Japan", "Philippines", "--as-of", "1990", "--type", "alliance", "--data", str(copy), "--json")[1]
    )
    assert path["paths"][0]["nodes"] == ["japan", "united_states", "philippines"]
    assert all(e["type"] == "alliance" for e in path["paths"][0]["edges"])
    shown = json.loads(cli("show", "Japan", "--data", str(copy), "--json")[1])
    atop_ids = {
        r["attributes"]["atop_id"]
        for r in shown["relations"]
        if r["type"] == "party_to" and "atop-4" in r.get("sources", [])
    }
    assert atop_ids == {3220, 3375}
    rels = json.loads(cli("show", "tc_90", "--data", str(copy), "--json")[1])["via"]
    king = [r for r in rels if r.get("attributes", {}).get("import_id") == "sipri.japan.philippines.2016.king_air"]
    assert [r["id"] for r in king] == ["jp-ph-tc90-transfer"]  # merged into the hand-written transfer
    assert king[0]["attributes"]["delivery_years"] == "2017; 2018" and "sipri-arms-transfers" in king[0]["sources"]
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    for args in imports.values():  # re-importing the same files changes nothing
        again = json.loads(cli("import", *args, "--data", str(copy), "--json")[1])
        assert not again["written"] and again["added"] == 0 and again["updated"] == 0
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before


def test_run_writes_the_rejects_csv_and_refuses_one_in_the_data_before_reading(copy, tmp_path):
    from allygraph.fsutil import WriteRefused
    from allygraph.importers import run, sipri

    calls = []

    def read(namer):
        calls.append(1)
        return sipri.read(FIX / "sipri_trade_register_excerpt.csv", namer)

    with pytest.raises(WriteRefused):
        run(read, copy, dry_run=True, rejects=copy / "rejects.csv")
    assert calls == [] and not (copy / "rejects.csv").exists()
    summary = run(read, copy, dry_run=True, rejects=tmp_path / "rej.csv")
    assert calls == [1] and summary.written is False
    assert (tmp_path / "rej.csv").read_text() == "file,line,reason\n"


def test_readme_says_where_each_import_file_comes_from_and_names_the_excerpts():
    from helpers import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Import: COW, ATOP, SIPRI") : text.index("## Analysis and pictures")]
    for site in ("correlatesofwar.org", "atopdata.org", "armstrade.sipri.org"):
        assert site in section, site
    named = set(re.findall(r"tests/fixtures/[\w.]+\.csv", section))
    assert named == {f"tests/fixtures/{p.name}" for p in FIX.glob("*_excerpt.csv")}
    assert all((REPO / path).is_file() for path in named)
    assert "20 records read: 20 imported, 0 rejected" in section  # the summary as it is printed
