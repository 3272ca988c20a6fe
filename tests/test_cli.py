"""The command line: exit codes, JSON shapes, terminal manners. In-process (``invoke``) except
where a real process is the point: the installed entry point, a terminal, a closed pipe, a full disk."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from helpers import allygraph_exe, cli_commands, invoke, run, run_in_terminal, write_data
from test_terminal import piped

RELATION_KEYS = {"id", "from", "to", "type", "status"}


def test_main_job_from_any_directory(tmp_path):
    proc = run("path", "Japan", "Philippines", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Japan → Philippines: 1 hop" in proc.stdout
    assert "comprehensive_strategic_partnership" in proc.stdout and "mb-csp-2026" in proc.stdout
    assert "\x1b[" not in proc.stdout  # piped: plain


def test_json_shapes_follow_the_contract():
    p = json.loads(invoke("path", "Japan", "Philippines", "--json").stdout)
    assert p["from"] == "japan" and p["to"] == "philippines"
    assert p["paths"][0]["nodes"] == ["japan", "philippines"]
    assert all(set(e) >= RELATION_KEYS for e in p["paths"][0]["edges"])
    s = json.loads(invoke("show", "OSA", "--json").stdout)
    assert {"id", "name", "type", "aliases"} <= set(s["entity"]) and isinstance(s["relations"], list)
    n = json.loads(invoke("neighbors", "Japan", "--json").stdout)
    assert n["entity"] == "japan" and all(
        {"id", "name", "type", "depth", "relations"} <= set(x) for x in n["neighbors"]
    )
    t = json.loads(invoke("tiers", "Japan", "--json").stdout)
    assert t["entity"] == "japan" and [x["rank"] for x in t["partners"]] == sorted(x["rank"] for x in t["partners"])
    assert all({"id", "tier", "rank", "since"} <= set(x) for x in t["partners"])
    h = json.loads(invoke("tiers", "Japan", "Philippines", "--as-of", "2020", "--json").stdout)
    assert h["current"]["tier"] == "strengthened_strategic_partnership" and h["current"]["since"] == "2015-06-04"
    assert all({"tier", "since", "until", "sources"} <= set(x) for x in h["history"])
    q = json.loads(invoke("search", "phillipines", "--json").stdout)
    assert q["query"] == "phillipines" and q["matches"][0]["id"] == "philippines"
    c = json.loads(invoke("check", "--json").stdout)
    assert c == {"errors": [], "warnings": []}


def test_dates_print_as_written(tmp_path):
    h = json.loads(invoke("tiers", "Japan", "Vietnam", "--json").stdout)
    assert [x["since"] for x in h["history"]] == ["2009-04-20", "2014-03-18", "2023-11-27"]


def test_unknown_entity_exits_1_with_suggestion():
    proc = invoke("show", "Phillipines")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "allygraph: unknown entity 'Phillipines' — did you mean 'philippines'?"
    j = invoke("show", "Phillipines", "--json")
    assert j.returncode == 1 and json.loads(j.stdout)["error"]["suggestions"] == ["philippines"]


def test_no_path_exits_1(small_dir):
    proc = invoke("path", "Japan", "Philippines", "--type", "alliance", "--max-hops", "1", "--data", str(small_dir))
    assert proc.returncode == 1 and proc.stderr.startswith("allygraph: no path from Japan to Philippines within 1 hop")


def test_ambiguous_name_exits_2(tmp_path):
    d = write_data(tmp_path / "a", "entities:\n  - {id: a, name: Georgia, type: state}\n  - {id: b, name: Georgia, type: organization}\n", "relations: []\n")  # fmt: skip
    proc = invoke("show", "georgia", "--data", str(d))
    assert proc.returncode == 2 and "ambiguous name 'georgia': it could be a (Georgia), b (Georgia)" in proc.stderr


def test_bad_arguments_get_one_line_and_exit_2():
    for args in (["path", "Japan"], ["path", "Japan", "PH", "--max-hops", "many"], ["tiers", "Japan", "--as-of", "2024-13"],
                 ["path", "Japan", "PH", "--type", "aliance"], ["neighbors", "Japan", "--direction", "up"], ["frobnicate"]):  # fmt: skip
        proc = invoke(*args)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("allygraph: ")


def test_invalid_data_lists_every_problem_and_exits_2(tmp_path):
    from helpers import REPO

    proc = invoke("check", "--data", str(REPO / "tests" / "fixtures" / "broken"))
    assert proc.returncode == 2
    assert "9 error(s), 1 warning(s)" in proc.stdout
    q = invoke("path", "Japan", "Philippines", "--data", str(REPO / "tests" / "fixtures" / "broken"))
    assert q.returncode == 2 and "relations.yaml:8:9: error:" in q.stderr and "Traceback" not in q.stderr


def test_data_option_and_environment(small_dir, tmp_path):
    via_env = invoke("tiers", "Japan", "--json", env={"ALLYGRAPH_DATA": str(small_dir)})
    via_opt = invoke("tiers", "Japan", "--json", "--data", str(small_dir))
    assert json.loads(via_env.stdout) == json.loads(via_opt.stdout)
    assert {p["id"] for p in json.loads(via_opt.stdout)["partners"]} == {"philippines", "united_states"}
    proc = invoke("show", "Japan", "--data", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "is not a directory" in proc.stderr


def test_cache_is_never_stale(small_dir):
    first = json.loads(invoke("tiers", "Japan", "Philippines", "--json", "--data", str(small_dir)).stdout)
    assert first["current"]["tier"] == "strengthened_strategic_partnership"
    rel = small_dir / "relations.yaml"
    rel.write_text(
        rel.read_text().replace("tier: strengthened_strategic_partnership", "tier: comprehensive_strategic_partnership")
    )
    second = json.loads(invoke("tiers", "Japan", "Philippines", "--json", "--data", str(small_dir)).stdout)
    assert second["current"]["tier"] == "comprehensive_strategic_partnership"
    assert invoke("cache", "clear").stdout.startswith("removed ")


def test_terminal_gets_rich_tables_and_no_color_is_honoured():
    colored, _ = run_in_terminal(["tiers", "Japan"], cols=160)
    boxed, _ = run_in_terminal(["neighbors", "TC-90"], cols=160)
    assert "┃" in boxed or "│" in boxed or "━" in boxed  # a rich table, where it fits
    assert "\x1b[" in colored
    plain, _ = run_in_terminal(["tiers", "Japan"], cols=160, env={"NO_COLOR": "1"})
    assert "Philippines" in plain
    assert not any(f"\x1b[{c}" in plain for c in ("31m", "32m", "33m", "34m", "35m", "36m", "38;")), (
        "colour despite NO_COLOR"
    )


def test_python_module_entry_point():
    proc = subprocess.run([allygraph_exe().rsplit("/", 1)[0] + "/python", "-m", "allygraph", "search", "quad", "--json"],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0 and json.loads(proc.stdout)["matches"][0]["id"] == "quad"


def test_version_help_and_bare_command(capsys):
    from allygraph import __version__

    v = piped(capsys, "--version")
    assert v.returncode == 0 and v.stdout.strip() == f"allygraph {__version__}"
    for args in (["-h"], ["path", "-h"], []):
        proc = piped(capsys, *args)
        assert proc.returncode == 0, args
        assert "Usage: allygraph" in proc.stdout and proc.stderr == "", (args, proc.stderr)


def test_search_without_match_exits_1_and_limit_is_bounded(capsys):
    miss = piped(capsys, "search", "zzzqqqxx")
    assert miss.returncode == 1 and "No match for 'zzzqqqxx'" in miss.stdout
    assert piped(capsys, "search", "zzzqqqxx", "--json").returncode == 1
    for bad in ("0", "-5", "99999999999", "1000000000000000000000"):
        proc = piped(capsys, "search", "x", "--limit", bad)
        assert proc.returncode == 2, bad
        assert len(proc.stderr.strip().splitlines()) == 1 and "--limit" in proc.stderr


def test_tiers_of_one_party_with_itself_is_a_usage_error(capsys):
    proc = piped(capsys, "tiers", "Japan", "JPN")
    assert proc.returncode == 2 and proc.stderr.strip() == "allygraph: 'Japan' and 'JPN' are the same entity (japan)"


def test_as_of_far_future_and_padded(capsys):
    far = piped(capsys, "tiers", "Japan", "--as-of", "9999-12-31")
    assert far.returncode == 0 and "(as of 9999-12-31)" in far.stdout
    padded = piped(capsys, "tiers", "Japan", "--as-of", " 2015")
    assert padded.returncode == 0 and "(as of 2015)" in padded.stdout


def test_export_refuses_an_extension_of_another_format(tmp_path, capsys):
    proc = piped(capsys, "export", "graphml", "-o", str(tmp_path / "x.gexf"))
    assert proc.returncode == 2 and "extension of gexf" in proc.stderr
    assert not (tmp_path / "x.gexf").exists()
    ok = piped(capsys, "export", "cyjs", "-o", str(tmp_path / "x.json"))
    assert ok.returncode == 0 and json.loads((tmp_path / "x.json").read_text())
    helped = piped(capsys, "export", "--help").stdout
    assert all(f in helped for f in ("graphml", "gexf", "json", "cyjs", "csv", "cypher", "neo4j"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_full_device_is_a_clean_error_not_an_internal_one():
    with open("/dev/full", "w") as full:
        for args in (["path", "Japan", "Philippines"], ["show", "Japan", "--json"]):
            proc = subprocess.run([allygraph_exe(), *args], stdout=full, stderr=subprocess.PIPE, text=True)
            assert proc.returncode == 74, (args, proc.stderr)
            assert proc.stderr.strip() == "allygraph: cannot write the output: No space left on device"


def test_closed_pipe_ends_quietly():
    r, w = os.pipe()
    os.close(r)
    try:
        for args in (["show", "Japan"], ["show", "Japan", "--json"]):
            proc = subprocess.run([allygraph_exe(), *args], stdout=w, stderr=subprocess.PIPE, text=True)
            assert proc.returncode not in (0, 1, 2, 70), proc.returncode
            assert proc.stderr == ""
    finally:
        os.close(w)


# ---- the shape of the command line (issue 10) -------------------------------------------------------


def _options() -> list[tuple[str, str, str]]:
    """(command path, option name, help) for every option of every command, subcommands too."""
    import click

    out = []
    for path, command in cli_commands():
        for p in command.params:
            if isinstance(p, click.Option):
                out += [(" ".join(path), opt, p.help or "") for opt in p.opts if opt.startswith("--")]
    return out


def test_a_shared_option_has_one_help_text_everywhere():
    helps: dict[str, set[str]] = {}
    for where, opt, text in _options():
        if (where, opt) == ("add entity", "--type"):
            continue  # the entity's own type (issue 14 names it so), not the relation-type filter
        helps.setdefault(opt, set()).add(text)
    shared = {"--data", "--json", "--no-cache", "--type", "--as-of", "--depth"}
    assert {opt: texts for opt, texts in helps.items() if opt in shared and len(texts) != 1} == {}
    assert shared <= set(helps)


def test_every_library_error_carries_an_exit_code_of_the_one_enum():
    from allygraph import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.AllygraphError)]
    assert len(classes) >= 7
    assert [c.__name__ for c in classes if not isinstance(c.exit_code, errors.ExitCode)] == []


def test_click_errors_are_recognised_by_type_not_by_name(monkeypatch):
    """A subclass of click's Abort under another name is still an abort (130), not a bug (70)."""
    import click

    from allygraph import query

    class Cancelled(click.exceptions.Abort):
        pass

    def cancel(*args, **kwargs):
        raise Cancelled()

    monkeypatch.setattr(query, "search", cancel)
    got = invoke("search", "quad")
    assert (got.exit_code, got.stderr) == (130, "allygraph: aborted\n")


def test_export_graph_for_reads_the_store_it_is_given(small_dir, monkeypatch):
    from allygraph import cache
    from allygraph.export import NetworkxSource, StoreSource, graph_for

    small = graph_for(small_dir)
    assert isinstance(small, NetworkxSource) and small.number_of_nodes() == 5
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    graph_for(small_dir)  # compiles the SQLite cache
    assert isinstance(graph_for(small_dir), StoreSource)


def test_types_is_vocab_describe_of_the_data(small_dir):
    from allygraph.load import open_store
    from allygraph.vocab import describe

    got = invoke("types", "--json", "--data", str(small_dir))
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(json.dumps(describe(open_store(small_dir).registry)))
    assert [t["rank"] for t in json.loads(got.stdout)["tiers"]][:2] == [1, 2]


def test_closed_pipe_exit_without_click_deprecation(monkeypatch):
    """click's closed-pipe SystemExit is recognised by its stdout wrapper without the name click
    8.2 deprecated (and 9.0 removes): under -W error the old import raised DeprecationWarning."""
    import warnings

    import click.utils

    from allygraph.cli.errors import handle
    from allygraph.errors import ExitCode

    wrapper = getattr(click.utils, "_PacifyFlushWrapper", None)
    if wrapper is None:
        pytest.skip("this click has no _PacifyFlushWrapper")
    monkeypatch.setattr(sys, "stdout", wrapper(io.StringIO()))
    monkeypatch.setattr("allygraph.cli.errors._drop_stdout", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert handle(SystemExit(1)) == ExitCode.PIPE
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    with pytest.raises(SystemExit):
        handle(SystemExit(3))
