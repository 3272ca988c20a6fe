"""Issue 9 (answers that were wrong, names a person types, narrowing a card) and the loader's
items of issue 8 (bad input ends cleanly and soon)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import allygraph
from allygraph import query, yamlsrc
from allygraph.cli import main
from allygraph.errors import AmbiguousName, NoPath
from allygraph.load import check, load
from helpers import entities_yaml, write_data

ENTS = entities_yaml(("osa", "Official Security Assistance", "program"))


def rels(body: str) -> str:
    return "sources:\n  s1: {title: T, url: 'https://e.org/s1'}\nrelations:\n" + body


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def warnings(problems):
    return [p for p in problems if p.severity == "warning"]


@pytest.fixture(scope="module")
def G():
    return allygraph.load_graph()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


# --- answers that were wrong ------------------------------------------------------------------


def test_path_steps_through_a_via_entity(G, capsys):
    r = query.path(G, "TC-90", "Philippines")
    assert r["paths"][0]["nodes"] == ["tc_90", "philippines"]
    assert {x["id"] for x in r["paths"][0]["hops"][0]["relations"]} >= {"jp-ph-tc90-transfer"}
    code, out, _ = run_cli(capsys, "path", "TC-90", "Philippines", "--json")
    assert code == 0 and json.loads(out)["paths"][0]["nodes"] == ["tc_90", "philippines"]


def test_directed_path_does_not_use_via_links(G):
    with pytest.raises(NoPath):
        query.path(G, "TC-90", "Philippines", directed=True)


def test_time_bound_relations_are_dated(G):
    osa_2020 = {n["id"] for n in query.neighbors(G, "OSA", as_of="2020")["neighbors"]}
    assert not osa_2020 & {"djibouti", "mongolia"}
    osa_2025 = {n["id"] for n in query.neighbors(G, "OSA", as_of="2025-06")["neighbors"]}
    assert {"djibouti", "mongolia"} <= osa_2025
    with pytest.raises(NoPath):
        query.path(G, "Japan", "Djibouti", as_of="1990")
    # a 2018 exercise is not in force in 2030, but it was in October 2018
    assert query.neighbors(G, "kamandag_2", as_of="2030")["neighbors"] == []
    assert {n["id"] for n in query.neighbors(G, "kamandag_2", as_of="2018-10-05")["neighbors"]} >= {"jgsdf", "afp"}


def test_check_warns_about_an_undated_time_bound_relation(tmp_path):
    d = write_data(tmp_path / "d", ENTS, rels("""
  - {id: grant, from: japan, to: philippines, type: provides, via: osa, sources: [s1]}
  - {id: dated, from: japan, to: philippines, type: provides, via: osa, since: 2024, sources: [s1]}
  - {id: rumour, from: japan, to: philippines, type: arms_transfer, status: reported, sources: [s1], note: "no date given"}
  - {id: tie, from: japan, to: philippines, type: cooperates_with, sources: [s1]}
"""))  # fmt: skip
    warned = warnings(check(d))
    assert len(warned) == 1, warned
    assert "'grant'" in warned[0].message and "no date" in warned[0].message
    assert warned[0].line == 5


def test_successive_stages_are_history_not_conflicts(G):
    for name in ("tc_90", "mrrv_97m", "jp_ph_information_security_agreement", "quad"):
        claims = [set(c["relations"]) for c in query.show(G, name)["conflicts"]]
        assert not any(c & {"jp-ph-tc90-transfer", "jp-pcg-mrrv-97m-phase2", "jp-isa-discussions",
                            "jp-quad-2007"} for c in claims), (name, claims)  # fmt: skip
    raa = query.show(G, "jp_ph_raa")["conflicts"]
    assert {frozenset(c["relations"]) for c in raa} == {
        frozenset({"jp-raa-negotiating-article", "jp-jp-ph-raa-signed", "jp-raa-in-force"}),
        frozenset({"ph-raa-negotiating-article", "ph-jp-ph-raa-signed", "ph-raa-in-force"}),
    }


def test_a_status_that_goes_backwards_is_a_conflict(tmp_path):
    d = write_data(tmp_path / "d", ENTS + "  - {id: pact, name: Pact, type: agreement}\n", rels("""
  - {id: a1, from: japan, to: pact, type: party_to, status: proposed, since: 2020, sources: [s1]}
  - {id: a2, from: japan, to: pact, type: party_to, status: in_force, since: 2022, sources: [s1]}
  - {id: b1, from: philippines, to: pact, type: party_to, status: in_force, since: 2022, sources: [s1]}
  - {id: b2, from: philippines, to: pact, type: party_to, status: negotiating, since: 2023, sources: [s1]}
"""))  # fmt: skip
    conflicts = query.show(allygraph.load_graph(d), "pact")["conflicts"]
    assert [sorted(c["relations"]) for c in conflicts] == [["b1", "b2"]]


def test_superseded_tiers_are_ended(G, tmp_path):
    for rid in ("jp-ph-strategic-partnership", "jp-ph-strengthened-strategic-partnership"):
        assert G.graph["dataset"].relations[rid]["status"] == "ended"
    body = """
  - {id: old, from: japan, to: philippines, type: partnership, tier: strategic_partnership, since: 2011, until: 2015, sources: [s1]STATUS}
  - {id: new, from: japan, to: philippines, type: partnership, tier: strengthened_strategic_partnership, since: 2015, sources: [s1]}
"""
    # no status written: the superseded tier reads as ended
    d = write_data(tmp_path / "d", ENTS, rels(body.replace("STATUS", "")))
    assert load(d, use_cache=False).relations["old"]["status"] == "ended"
    assert warnings(check(d)) == []
    # 'active' written: check warns
    d = write_data(tmp_path / "e", ENTS, rels(body.replace("STATUS", ", status: active")))
    [w] = warnings(check(d))
    assert "'old'" in w.message and "superseded by 'new'" in w.message and "status: ended" in w.message
    assert load(d, use_cache=False).relations["old"]["status"] == "active"


def test_check_reports_every_problem_of_a_record(tmp_path):
    d = write_data(tmp_path / "d", ENTS, rels("""
  - {id: r, from: japan, to: philippines, type: alliancee, since: "2024-02-30", sources: [s1]}
"""))  # fmt: skip
    messages = [p.message for p in errors(check(d))]
    assert any("unknown relation type 'alliancee'" in m for m in messages), messages
    assert any("2024-02 has no day 30" in m for m in messages), messages


@pytest.mark.parametrize("digits", ["٢٠٢٤", "２０２４", "2024-٠٧"])
def test_dates_in_non_ascii_digits_are_refused(tmp_path, digits):
    d = write_data(tmp_path / "d", ENTS, rels(f"""
  - {{id: r, from: japan, to: philippines, type: cooperates_with, since: "{digits}", sources: [s1]}}
"""))  # fmt: skip
    [e] = errors(check(d))
    assert "since" in e.message and "ASCII" in e.message and e.line == 5


# --- the same text, whichever parser reads it ---------------------------------------------------

PARITY_ENTS = """
entities:
  - id: japan
    name: Japan
    type: state
    attributes: {code: 004, octal: 0o17, neg: -007, hex: 0x1F, exp: 1e5, frac: +.5, under: 1_000, quoted: "004"}
  - id: philippines
    name: Philippines
    type: state
"""


def _pad(path, size: int) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        line = "# " + "padding " * 12 + "\n"
        fh.write(line * (size // len(line) + 1))


def test_same_value_whichever_parser(tmp_path, monkeypatch):
    small = write_data(tmp_path / "small", PARITY_ENTS, rels("  []\n").replace("relations:\n  []", "relations: []"))
    large = write_data(tmp_path / "large", PARITY_ENTS, rels("  []\n").replace("relations:\n  []", "relations: []"))
    _pad(large / "entities.yaml", 20_000)
    monkeypatch.setattr(yamlsrc, "FAST_BYTES", 10_000)
    a = load(small, use_cache=False).entities["japan"]["attributes"]
    b = load(large, use_cache=False).entities["japan"]["attributes"]
    assert a == b
    assert a == {"code": "004", "octal": "0o17", "neg": "-007", "hex": 31, "exp": 100000.0, "frac": 0.5,
                 "under": 1000, "quoted": "004"}  # fmt: skip


def test_same_value_at_the_real_threshold(tmp_path):
    assert yamlsrc.FAST_BYTES == 4 * 1024 * 1024 or "ALLYGRAPH_FAST_YAML_BYTES" in os.environ
    big = write_data(tmp_path / "big", PARITY_ENTS, "relations: []\n")
    _pad(big / "entities.yaml", yamlsrc.FAST_BYTES)
    assert (big / "entities.yaml").stat().st_size >= yamlsrc.FAST_BYTES
    attrs = load(big, use_cache=False).entities["japan"]["attributes"]
    assert attrs["code"] == "004" and attrs["octal"] == "0o17" and attrs["exp"] == 100000.0


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1e400"])
def test_non_finite_attributes_are_refused(tmp_path, monkeypatch, large, value):
    ents = ENTS.replace("    type: program\n", f"    type: program\n    attributes: {{budget: {value}}}\n")
    d = write_data(tmp_path / "d", ents, rels("  []\n").replace("relations:\n  []", "relations: []"))
    if large:
        _pad(d / "entities.yaml", 20_000)
        monkeypatch.setattr(yamlsrc, "FAST_BYTES", 10_000)
    [e] = errors(check(d))
    assert "attribute 'budget' must be a finite number" in e.message and e.line == 11


# --- names a person types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "eid"),
    [("Philippines RAA", "jp_ph_raa"), ("Philippines Reciprocal Access Agreement", "jp_ph_raa"),
     ("Abukuma", "abukuma_class"),
     ("Marcos", "ferdinand_marcos_jr"), ("Bongbong", "ferdinand_marcos_jr"), ("BBM", "ferdinand_marcos_jr")],
)  # fmt: skip
def test_show_resolves_words_of_one_name(G, typed, eid):
    assert query.show(G, typed)["entity"]["id"] == eid


def test_path_takaichi_bongbong(G, capsys):
    r = query.path(G, "Takaichi", "Bongbong")
    assert r["from"] == "sanae_takaichi" and r["to"] == "ferdinand_marcos_jr"
    code, out, _ = run_cli(capsys, "path", "Takaichi", "Bongbong", "--json")
    assert code == 0


def test_a_word_of_several_names_lists_the_choices(G, capsys):
    with pytest.raises(AmbiguousName) as exc:
        query.show(G, "coast guard")
    assert {"japan_coast_guard", "philippine_coast_guard"} <= {i for i, _ in exc.value.choices}
    code, _, err = run_cli(capsys, "show", "coast guard")
    assert code == 2 and "philippine_coast_guard" in err


def test_raa_alone_lists_japans_reciprocal_access_agreements(G, capsys):
    """With the regional data, "RAA" is no longer one obvious match: it lists the choices (exit 2)."""
    with pytest.raises(AmbiguousName) as exc:
        query.show(G, "RAA")
    assert {"jp_au_raa", "jp_uk_raa", "jp_ph_raa"} <= {i for i, _ in exc.value.choices}
    code, _, err = run_cli(capsys, "show", "RAA")
    assert code == 2 and "jp_ph_raa" in err and "jp_au_raa" in err


def test_word_resolution_in_the_sqlite_store(tmp_path):
    from allygraph.store import SQLiteStore, write_sqlite

    ds = load()
    path = tmp_path / "c.sqlite"
    write_sqlite(path, ds, {"tiers": ds.tiers, "directory": ds.directory})
    store = SQLiteStore(path)
    try:
        assert store.resolve("Philippines RAA") == "jp_ph_raa"
        assert store.resolve("Marcos") == "ferdinand_marcos_jr"
        with pytest.raises(AmbiguousName):
            store.resolve("coast guard")
    finally:
        store.close()


def test_search_keeps_a_tie_whole(G):
    ids = [m["id"] for m in query.search(G, "coast gard", limit=1)["matches"]]
    assert "philippine_coast_guard" in ids and "japan_coast_guard" in ids


# --- show --as-of and --type ------------------------------------------------------------------------


def test_show_narrowed_by_date_and_type(G, capsys):
    full = query.show(G, "Japan")
    r = query.show(G, "Japan", as_of="2012", types=["partnership"])
    assert r["relations"] and len(r["relations"]) < len(full["relations"])
    assert all(x["type"] == "partnership" for x in r["relations"])
    assert "jp-ph-strategic-partnership" in {x["id"] for x in r["relations"]}
    assert "jp-ph-comprehensive-strategic-partnership" not in {x["id"] for x in r["relations"]}
    code, out, _ = run_cli(capsys, "show", "Japan", "--as-of", "2012", "--type", "partnership", "-t", "alliance", "--json")  # fmt: skip
    assert code == 0
    types = {x["type"] for x in json.loads(out)["relations"]}
    assert types == {"partnership", "alliance"}
    code, _, err = run_cli(capsys, "show", "Japan", "--type", "alliances")
    assert code == 2 and "did you mean 'alliance'" in err


# --- bad input ends cleanly and soon -------------------------------------------------------------


def _check_subprocess(directory, env=None, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allygraph", "check", "--data", str(directory)],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_devices_and_fifos_are_refused_at_once(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "entities.yaml").symlink_to("/dev/zero")
    os.mkfifo(d / "relations.yaml")
    r = _check_subprocess(d, timeout=20)
    assert r.returncode == 2, r.stderr
    assert "entities.yaml:0:0: error: is a character device (through a symlink)" in r.stdout
    assert "relations.yaml:0:0: error: is a FIFO" in r.stdout
    assert "Traceback" not in r.stderr


def test_deep_block_nesting_in_a_large_file_is_a_clean_error(tmp_path, monkeypatch):
    d = write_data(tmp_path / "d", "entities:\n  " + "- " * 1000 + "x\n", "relations: []\n")
    small = errors(check(d))
    _pad(d / "entities.yaml", 20_000)
    monkeypatch.setattr(yamlsrc, "FAST_BYTES", 10_000)
    large = errors(check(d))
    assert [p.message for p in large] == [p.message for p in small]
    assert "nesting" in large[0].message and large[0].line == 2


def test_very_deep_nesting_in_a_large_file_does_not_crash(tmp_path):
    d = write_data(tmp_path / "d", "entities:\n  " + "- " * 100_000 + "x\n", "relations: []\n")
    r = _check_subprocess(d, env={"ALLYGRAPH_FAST_YAML_BYTES": "1000"})
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert "nesting" in r.stdout and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("where", "text"),
    [("name", "Evil\x1b]0;owned\x07 Corp"), ("name", "Abc\u202eJapan"), ("alias", "PH\u2066x"), ("alias", "tab\there")],
)  # fmt: skip
def test_control_characters_in_names_and_aliases_are_warned_about(tmp_path, where, text):
    field = f"name: {json.dumps(text)}" if where == "name" else f"name: Fine\n    aliases: [{json.dumps(text)}]"
    ents = ENTS + f"  - id: x\n    {field}\n    type: state\n"
    d = write_data(tmp_path / "d", ents, "relations: []\n")
    problems = check(d)
    assert errors(problems) == []
    [w] = warnings(problems)
    assert "control character U+" in w.message and ("alias" in w.message) == (where == "alias")
    assert w.line == (12 if where == "name" else 13)


def test_control_characters_in_ids_are_errors_and_bidi_marks_in_names_are_fine(tmp_path):
    ents = ENTS + '  - id: "x\\x1b"\n    name: Bad id\n    type: state\n'
    ents += '  - id: eg\n    name: "\u0645\u0635\u0631\\u200f \u0627\u0644\u0639\u0631\u0628\u064a\u0629"\n    type: state\n'
    d = write_data(tmp_path / "d", ents, "relations: []\n")
    problems = check(d)
    [e] = errors(problems)
    assert "invalid id" in e.message
    assert warnings(problems) == []
