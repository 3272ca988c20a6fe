"""Merging imports into a data directory: hand-written data survives, re-import changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allygraph.importers import atop, cow, run, sipri
from allygraph.importers.merge import MARKER
from allygraph.load import load
from conftest import BUNDLED, check_errors, write_data

FIX = Path(__file__).parent / "fixtures"


def _all(data: Path) -> list:
    return [
        run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), data),
        run(lambda n: atop.read(FIX / "atop4_01m_excerpt.csv", FIX / "atop4_01a_excerpt.csv", n), data),
        run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), data),
    ]


@pytest.fixture
def copy(tmp_path) -> Path:
    for name in ("entities.yaml", "relations.yaml"):
        shutil.copy(BUNDLED / name, tmp_path / name)
    return tmp_path


def test_hand_written_text_survives_and_reimport_changes_nothing(copy):
    before = {n: (BUNDLED / n).read_text() for n in ("entities.yaml", "relations.yaml")}
    _all(copy)
    after = {n: (copy / n).read_text() for n in before}
    # every hand-written line, comments included, is still there, in order
    for name in before:
        hand = after[name].split(MARKER)[0]
        kept = iter(hand.splitlines())
        missing = [line for line in before[name].splitlines() if "attributes:" not in line and "aliases:" not in line
                   and "sources: [" not in line and not any(line == k for k in kept)]  # fmt: skip
        assert not missing, missing[:3]
    assert check_errors(copy) == []
    again = _all(copy)
    assert not any(s.written for s in again)
    assert all(s.report.count("add") == 0 and s.report.count("update") == 0 for s in again)
    assert {n: (copy / n).read_text() for n in before} == after


def test_hand_curated_entities_keep_names_and_gain_only_missing_fields(copy):
    _all(copy)
    ds = load(copy, use_cache=False)
    jp = ds.entities["japan"]
    assert jp["name"] == "Japan" and jp["aliases"][:3] == ["JPN", "JP", "Nippon"]
    assert jp["attributes"]["iso3"] == "JPN" and jp["attributes"]["cow_code"] == 740
    treaty = ds.entities["us_jp_security_treaty_1951"]
    assert treaty["since"] == "1952-04-28" and treaty["attributes"]["atop_id"] == 3220
    assert treaty["name"].startswith("Security Treaty between")
    # both claims about the 1951 alliance stay, each with its sources
    claims = [
        r for r in ds.relations.values() if r["type"] == "alliance" and r.get("via") == "us_jp_security_treaty_1951"
    ]
    assert {(r["since"], tuple(r["sources"])[:1]) for r in claims} >= {
        ("1952-04-28", ("worldjpn-us-jp-1951-text",)),
        ("1951-09-08", ("atop-4",)),
    }


def test_newer_export_updates_imported_records_in_place(copy, tmp_path):
    path = tmp_path / "newer.csv"
    text = (FIX / "sipri_trade_register_excerpt.csv").read_bytes().decode("latin-1")
    run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), copy)
    path.write_bytes(
        text.replace("J/FPS-3,air search radar,2,,2023; 2024", "J/FPS-3,air search radar,4,,2023; 2024; 2025").encode(
            "latin-1"
        )
    )
    s = run(lambda n: sipri.read(path, n), copy)
    assert s.report.count("update") == 1 and s.report.count("add") == 0
    rel = load(copy, use_cache=False).relations["sipri.japan.philippines.2020.j_fps_3"]
    assert rel["attributes"]["number_delivered"] == 4 and rel["until"] == "2026"
    assert (copy / "relations.yaml").read_text().count("id: sipri.japan.philippines.2020.j_fps_3\n") == 1


def test_dry_run_writes_nothing(copy):
    before = (copy / "relations.yaml").read_bytes()
    s = run(lambda n: sipri.read(FIX / "sipri_trade_register_excerpt.csv", n), copy, dry_run=True)
    assert not s.written and s.report.count("add") > 0
    assert (copy / "relations.yaml").read_bytes() == before


def test_record_moved_above_the_marker_becomes_hand_curated(copy):
    run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), copy)
    text = (copy / "entities.yaml").read_text()
    hand, gen = text.split("  " + MARKER)
    start = gen.index("  - id: netherlands\n")
    block = gen[start : gen.index("\n\n", start) + 2]
    block = block.replace("name: Netherlands", "name: Netherlands (curated)")
    rest = gen.replace(block.replace("Netherlands (curated)", "Netherlands"), "")
    (copy / "entities.yaml").write_text(hand.rstrip() + "\n\n" + block + "  " + MARKER + rest)
    run(lambda n: cow.read(FIX / "cow_states2016_excerpt.csv", n), copy)
    ds = load(copy, use_cache=False)
    assert ds.entities["netherlands"]["name"] == "Netherlands (curated)"
    assert (copy / "entities.yaml").read_text().count("id: netherlands\n") == 1


def test_empty_or_new_data_directory(tmp_path):
    write_data(tmp_path / "a", "entities: []\n", "relations: []\nsources: {}\n")
    for d in (tmp_path / "a", tmp_path / "b"):
        d.mkdir(exist_ok=True)
        _all(d)
        assert check_errors(d) == []
        ds = load(d, use_cache=False)
        assert "atop.3220.2-740" in ds.relations and ds.relations["atop.3220.2-740"]["via"] == "atop_3220"
