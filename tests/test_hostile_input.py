"""Hostile and broken input (issue 17): the same text gets the same errors whichever parser reads
it; a file that does not parse is reported alone; only web and DOI links in sources; dates Python
cannot represent are data errors; a forged cache is discarded, never trusted; devices, FIFOs and
endless inputs are refused before they are read, through one read path; no MemoryError trace."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allygraph import yamlsrc
from allygraph.load import check
from helpers import entities_yaml, invoke, write_data

ENTS = entities_yaml(start="")
RELS = """\
sources:
  s1:
    title: A source
    url: https://example.org/s1
relations:
  - id: jp-ph
    from: japan
    to: philippines
    type: alliance
    since: 2020
    sources: [s1]
"""


def _both_paths(tmp_path: Path, monkeypatch, entities: str | bytes, relations: str = RELS) -> tuple[list, list]:
    """The problems ``check`` reports for the same two files read by the positioned PyYAML path
    and by the fast path (yaml-rs), with the threshold lowered so the files stay small."""
    got = []
    for fast in (False, True):
        d = tmp_path / ("fast" if fast else "slow")
        d.mkdir(exist_ok=True)
        for name, text in (("entities.yaml", entities), ("relations.yaml", relations)):
            (d / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        monkeypatch.setattr(yamlsrc, "FAST_BYTES", 1 if fast else 10**9)
        got.append([(Path(p.file).name, p.line, p.column, p.message, p.severity) for p in check(d)])
    return got[0], got[1]


# each: entities.yaml text, and what the first error must say (None: no error)
BAD = {
    "nul in a comment": (
        ENTS.replace("  - id: philippines", "  # a \x00 comment\n  - id: philippines"),
        "U+0000 (NUL)",
    ),
    "nul in a value": (ENTS.replace("name: Japan", "name: Ja\x00pan"), "U+0000 (NUL)"),
    "bell": (ENTS.replace("name: Japan", 'name: "Japan\x07"'), "U+0007"),
    "escape": (ENTS.replace("name: Japan", "name: Japan\x1b[31m"), "U+001B"),
    "delete": (ENTS.replace("name: Japan", "name: Jap\x7fan"), "U+007F"),
    "c1 control": (ENTS.replace("name: Japan", "name: Jap\x9ban"), "U+009B"),
    "next line": (ENTS.replace("name: Japan", "name: Jap\x85an"), "U+0085 (NEXT LINE)"),
    "line separator": (ENTS.replace("name: Japan", "name: Jap\u2028an"), "U+2028"),
    "paragraph separator": (ENTS.replace("name: Japan", 'name: "Jap\u2029an"'), "U+2029"),
    "noncharacter": (ENTS.replace("name: Japan", "name: Jap\uffffan"), "U+FFFF"),
    "null key": (ENTS.replace("    type: state\n", "    type: state\n    ~: x\n", 1), "key"),
    "null word key": (ENTS.replace("    type: state\n", "    type: state\n    null: x\n", 1), "key"),
    "empty key": (ENTS.replace("    type: state\n", "    type: state\n    : x\n", 1), None),
    "int key": (ENTS.replace("    type: state\n", "    type: state\n    1: x\n", 1), "key"),
    "float key": (ENTS.replace("    type: state\n", "    type: state\n    1.5: x\n", 1), "key"),
    "bool key": (ENTS.replace("    type: state\n", "    type: state\n    true: x\n", 1), "key"),
    "int attribute name": (ENTS.replace("    type: state\n", "    type: state\n    attributes: {1: x}\n", 1), "key"),
    "null attribute name": (
        ENTS.replace("    type: state\n", "    type: state\n    attributes:\n      ~: x\n", 1),
        "key",
    ),
    "list key": (ENTS.replace("    type: state\n", "    type: state\n    [1]: x\n", 1), "plain name"),
    "explicit key": (ENTS.replace("    type: state\n", "    type: state\n    ? [a, b]\n    : x\n", 1), "plain name"),
    "merge key": ("base: &b {type: state}\n" + ENTS.replace("    type: state\n", "    <<: *b\n", 1), None),
    "top-level int key": (ENTS + "1: x\n", "unknown top-level key"),
    "duplicate key": (ENTS.replace("    type: state\n", "    type: state\n    name: Again\n", 1), "duplicate key"),
    "tab indent": (ENTS.replace("  - id: philippines", "\t- id: philippines"), "tab"),
    "tab after colon": (ENTS.replace("name: Japan", "name:\tJapan"), None),
    "bom": ("\ufeff" + ENTS, None),
    "bom inside": (ENTS.replace("name: Japan", "name: Ja\ufeffpan"), None),
    "unclosed brace": (ENTS.replace("    type: state\n", "    type: state\n    attributes: {a: 1\n", 1), "not closed"),
    "unclosed quote": (ENTS.replace("name: Japan", 'name: "Japan'), "not valid YAML"),
    "lone carriage returns": (ENTS.replace("\n", "\r"), None),
    "crlf": (ENTS.replace("\n", "\r\n"), None),
    "custom tag": (ENTS.replace("name: Japan", "name: !!python/object Japan"), "tag"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_same_text_gets_the_same_errors_whichever_parser_reads_it(tmp_path, monkeypatch, case):
    text, expect = BAD[case]
    slow, fast = _both_paths(tmp_path, monkeypatch, text)
    assert slow == fast
    errors = [p for p in slow if p[4] == "error"]
    if expect is None:
        return
    assert errors, slow
    assert expect in errors[0][3], errors
    assert errors[0][1] > 0, "every error has its line"


def test_bad_utf8_is_the_same_error_whichever_parser(tmp_path, monkeypatch):
    slow, fast = _both_paths(tmp_path, monkeypatch, ENTS.replace("Japan", "Jap?an").encode().replace(b"?", b"\xff"))
    assert slow == fast and "not UTF-8 (byte 0xff)" in slow[0][3] and slow[0][1] == 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from(["name: Japan", "type: state\n", "  - id: philippines", "entities:\n"]),
    junk=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6),
)
def test_any_inserted_text_gets_the_same_problems_from_both_parsers(tmp_path, monkeypatch, where, junk):
    slow, fast = _both_paths(tmp_path, monkeypatch, ENTS.replace(where, where + junk, 1))
    assert slow == fast


def test_nul_in_a_large_file_no_longer_drops_every_entity_after_it(tmp_path, monkeypatch):
    """The issue's case: above the threshold, a NUL in a comment made check report 0 errors while
    everything after it was silently dropped."""
    many = "".join(f"  - id: e{i}\n    name: E{i}\n    type: state\n" for i in range(300))
    text = ENTS + "  # \x00\n" + many
    slow, fast = _both_paths(tmp_path, monkeypatch, text)
    assert slow == fast
    [err] = [p for p in fast if p[4] == "error"]
    assert err[:3] == ("entities.yaml", 8, 5) and "U+0000 (NUL)" in err[3]


# --- 2. one typo, one error -------------------------------------------------------------------


def test_a_file_that_does_not_parse_is_reported_alone_with_a_hint(tmp_path):
    rels = RELS.replace("  - id: jp-ph\n", "  - {id: jp-ph, note: x\n  - id: other\n")
    d = write_data(tmp_path / "d", ENTS, rels)
    problems = check(d)
    assert len(problems) == 1, problems
    [p] = problems
    assert p.file.endswith("relations.yaml") and p.line == 7
    assert "not valid YAML" in p.message and "the '{' opened at line 6, column 5 is not closed" in p.message
    r = invoke("check", "--data", str(d))
    assert r.exit_code == 2 and "1 error(s)" in r.stdout


def test_an_unreadable_file_stops_the_check_too(tmp_path):
    d = write_data(tmp_path / "d", ENTS, RELS)
    (d / "entities.yaml").write_text("entities:\n  - id: a\n\t- id: b\n", encoding="utf-8")
    (d / "relations.yaml").write_text(RELS.replace("to: philippines", "to: nowhere"), encoding="utf-8")
    [p] = check(d)
    assert p.file.endswith("entities.yaml") and p.line == 3 and "tab" in p.message


# --- 3. only web and DOI links in sources --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript://%0aalert(document.domain)", "data:text/html,<script>x</script>",
     "file:///etc/passwd", "vbscript:msgbox", "https://", "https://exa mple.org", "https://x.org/\u202egpj.exe"],
)  # fmt: skip
def test_sources_link_only_to_the_web_or_a_doi(tmp_path, url):
    registry = RELS.replace("url: https://example.org/s1", f"url: {json_str(url)}")
    d = write_data(tmp_path / "registry", ENTS, registry)
    # a warning: data that holds one still loads (the renderers never link it); the relation that
    # rests on it alone is also told it rests on a weak source (allygraph.grades)
    [warn] = [p for p in check(d) if "weak" not in p.message]
    assert (
        warn.severity == "warning" and warn.line == 4 and "source 's1': url" in warn.message and "link" in warn.message
    )
    inline = RELS.replace("sources: [s1]", f"sources: [{json_str(url)}]")
    d = write_data(tmp_path / "inline", ENTS, inline)
    [warn] = [p for p in check(d) if "weak" not in p.message]
    assert warn.severity == "warning" and warn.line == 11 and "relation 'jp-ph': source" in warn.message
    r = invoke("check", "--data", str(d))
    assert "error(s)" in r.stdout and "0 error(s)" in r.stdout


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://example.org", "HTTPS://EXAMPLE.ORG/x",
                                 "doi:10.1000/182"])  # fmt: skip
def test_web_and_doi_links_pass(tmp_path, url):
    d = write_data(tmp_path / "d", ENTS, RELS.replace("sources: [s1]", f"sources: [s1, {json_str(url)}]"))
    assert check(d) == []


def json_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


# --- 4. dates Python cannot represent; forged caches ---------------------------------------------


@pytest.mark.parametrize("date", ["0000", "0000-06", "0000-01-01"])
def test_year_zero_is_a_data_error_with_its_place(tmp_path, date):
    d = write_data(tmp_path / "d", ENTS, RELS.replace("since: 2020", f'since: "{date}"'))
    [err] = [p for p in check(d) if p.severity == "error"]
    assert (err.line, err.column) == (10, 12) and "there is no year 0000" in err.message
    for args in (["timeline", "japan"], ["path", "japan", "philippines"], ["viz", "japan", "-o", str(tmp_path / "v.svg")],
                 ["export", "graphml", "-o", str(tmp_path / "g.graphml")]):  # fmt: skip
        r = invoke(*args, "--data", str(d))
        assert r.exit_code == 2 and "there is no year 0000" in r.stderr, (args, r)


def test_link_refuses_year_zero(tmp_path):
    d = write_data(tmp_path / "d", ENTS, RELS)
    r = invoke("link", "japan", "exercises_with", "philippines", "--since", "0000", "-s", "s1", "--data", str(d))
    assert r.exit_code == 2 and "0000" in r.stderr and "internal error" not in r.stderr
    assert "0000" not in (d / "relations.yaml").read_text(encoding="utf-8")


def _plant_marshal(directory: Path, change) -> None:
    """Rewrite the marshal cache of ``directory`` with ``change`` applied to its fields, with a
    valid stamp and digest (as anyone who can write the cache folder could)."""
    import hashlib
    import marshal

    from allygraph import cache

    path = cache._path_for(directory)
    raw = path.read_bytes()
    head, stamp_line, _digest, body = raw.split(b"\n", 3)
    fields = dict(zip(cache._DATASET_FIELDS, marshal.loads(body), strict=True))
    change(fields)
    body = marshal.dumps(tuple(fields[k] for k in cache._DATASET_FIELDS))
    digest = hashlib.blake2b(body, digest_size=16).hexdigest().encode()
    path.write_bytes(b"\n".join([head, stamp_line, digest, body]))


MARSHAL_FORGERIES = {
    "entity not a mapping": lambda f: f["entities"].__setitem__("japan", "x"),
    "name not text": lambda f: f["entities"]["japan"].__setitem__("name", 7),
    "year zero": lambda f: f["relations"]["jp-ph"].__setitem__("since", "0000"),
    "day 31 of february": lambda f: f["relations"]["jp-ph"].__setitem__("since", "2020-02-31"),
    "relation to nowhere": lambda f: f["relations"]["jp-ph"].__setitem__("to", "ghost"),
    "index to nowhere": lambda f: f["index"]["exact"].__setitem__("japan", ["ghost"]),
    "tiers not a list": lambda f: f.__setitem__("tiers", 5),
    "warnings of two fields": lambda f: f.__setitem__("warnings", [("a", 1)]),
    "attribute of bytes": lambda f: f["entities"]["japan"].__setitem__("attributes", {"a": b"x"}),
    "code object": lambda f: f.__setitem__("directory", compile("1", "x", "eval")),
}


@pytest.mark.parametrize("forgery", sorted(MARSHAL_FORGERIES))
def test_a_forged_marshal_cache_is_discarded_and_rebuilt(tmp_path, forgery):
    d = write_data(tmp_path / "d", ENTS, RELS)
    expected = invoke("show", "Japan", "--json", "--data", str(d))
    assert expected.exit_code == 0
    _plant_marshal(d, MARSHAL_FORGERIES[forgery])
    for args in (["show", "Japan"], ["path", "japan", "philippines"], ["timeline"], ["tiers", "japan"]):
        r = invoke(*args, "--json", "--data", str(d))
        assert r.exit_code == 0, (args, r)
    assert invoke("show", "Japan", "--json", "--data", str(d)).stdout == expected.stdout


def test_a_planted_marshal_cache_larger_than_any_real_one_is_not_read(tmp_path, monkeypatch):
    from allygraph import cache

    d = write_data(tmp_path / "d", ENTS, RELS)
    invoke("show", "Japan", "--data", str(d))
    read = []
    real = cache.blake2b

    def spy(data=b"", **kw):
        read.append(len(data))
        return real(data, **kw)

    _plant_marshal(d, lambda f: f.__setitem__("directory", "x" * (cache.max_body(d) + 10)))
    monkeypatch.setattr(cache, "blake2b", spy)
    assert invoke("show", "Japan", "--data", str(d)).exit_code == 0
    assert max(read) <= cache.max_body(d) + 1


def _forge_sqlite(directory: Path, sql: str, params: tuple = ()) -> None:
    """Change the SQLite cache of ``directory`` and forge its seal to match."""
    import sqlite3

    from allygraph import cache

    path = cache._path_for(directory, "sqlite")
    db = sqlite3.connect(path)
    with db:
        db.execute(sql, params)
    db.close()
    Path(f"{path}.seal").write_bytes(cache._seal_of(os.stat(path)))


def _marshal(value) -> bytes:
    import marshal

    return marshal.dumps(value)


SQLITE_FORGERIES = {
    "entity doc not a mapping": ("UPDATE entities SET doc = ? WHERE id = 'japan'", (_marshal([1, 2]),)),
    "entity without a name": (
        "UPDATE entities SET doc = ? WHERE id = 'japan'",
        (_marshal({"id": "japan", "type": "state"}),),
    ),
    "relation without its parties": ("UPDATE relations SET doc = ?", (_marshal({"id": "jp-ph", "type": "alliance"}),)),
    "entity doc garbage": ("UPDATE entities SET doc = ? WHERE id = 'japan'", (b"\xff\x00garbage",)),
    "relation to nowhere": (
        "UPDATE relations SET doc = ?",
        (_marshal({"id": "jp-ph", "from": "japan", "to": "ghost", "type": "alliance", "status": "active"}),),
    ),  # fmt: skip
    "year zero": (
        "UPDATE relations SET doc = ?",
        (
            _marshal(
                {
                    "id": "jp-ph",
                    "from": "japan",
                    "to": "philippines",
                    "type": "alliance",
                    "status": "active",
                    "since": "0000",
                }
            ),
        ),
    ),  # fmt: skip
    "tiers not a list": ("UPDATE meta SET value = ? WHERE key = 'tiers'", (_marshal(5),)),
    "label to nowhere": ("UPDATE labels SET id = 'ghost'", ()),
    "label not text": ("UPDATE labels SET id = 5", ()),
    "a table dropped": ("DROP TABLE sources", ()),
    "a trigger added": ("CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END", ()),
    "a doc of 20 MB": ("UPDATE entities SET doc = zeroblob(20000000) WHERE id = 'japan'", ()),
}


@pytest.mark.parametrize("forgery", sorted(SQLITE_FORGERIES))
def test_an_sqlite_cache_with_a_forged_seal_is_discarded_and_rebuilt(tmp_path, monkeypatch, forgery):
    """Lookups check every record they read: their answers are the YAML's. Streams (timeline,
    exports, clusters, rank) decode at full speed and are retried when a forged record breaks
    them: they never crash (a record forged to look right gives the forger's answer, as a
    forged name would)."""
    from allygraph import cache

    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    d = write_data(tmp_path / "d", ENTS, RELS)
    expected = {}
    queries = (["show", "Japan"], ["path", "japan", "philippines"], ["tiers", "japan"], ["search", "japan"],
               ["neighbors", "philippines"])  # fmt: skip
    for args in queries:
        expected[args[0]] = invoke(*args, "--json", "--data", str(d)).stdout
    assert cache._path_for(d, "sqlite").exists()
    _forge_sqlite(d, *SQLITE_FORGERIES[forgery])
    for args in queries:
        r = invoke(*args, "--json", "--data", str(d))
        assert (r.exit_code, r.stdout) == (0, expected[args[0]]), (args, r.stderr)
        _forge_sqlite(d, *SQLITE_FORGERIES[forgery]) if cache._path_for(d, "sqlite").exists() else None
    for fmt in ("graphml", "gexf", "json", "cypher"):
        out = tmp_path / f"g.{fmt}"
        r = invoke("export", fmt, "-o", str(out), "--data", str(d))
        assert r.exit_code == 0 and out.exists(), (fmt, r.stderr)
        _forge_sqlite(d, *SQLITE_FORGERIES[forgery]) if cache._path_for(d, "sqlite").exists() else None
    for args in (["timeline"], ["clusters"], ["rank", "--by", "degree"]):
        r = invoke(*args, "--json", "--data", str(d))
        assert r.exit_code == 0, (args, r.stderr)
        _forge_sqlite(d, *SQLITE_FORGERIES[forgery]) if cache._path_for(d, "sqlite").exists() else None


# --- 5. devices, FIFOs, endless inputs: one read path ---------------------------------------------

SRC = Path(yamlsrc.__file__).resolve().parent  # the package under test


def _by_place(table: str) -> dict[tuple[str, str, str], str]:
    """A table of ``file  function  call  why`` lines as {(file, function, call): why}."""
    rows = (line.split(None, 3) for line in table.strip().splitlines())
    return {(file, function, call): why for file, function, call, why in rows}


# Every call that opens a file to read it, outside inputs.py, and why it may: none of these is a
# data file or an import input. A new one fails this test: route it through inputs.open_input.
READ_OPENS_ALLOWED = _by_place("""
load.py              available_memory  open             the kernel's /proc/meminfo
importers/common.py  mapping           read_text        a data file inside the package (importlib.resources)
viz/network.py       html              read_text        the page template inside the package
edit/init.py         init              read_bytes       the bundled data files inside the package, copied by init
fsutil.py            lock_data         os.open          the data directory itself, to lock it
fsutil.py            _fsync_dir        os.open          a directory, to flush it
store/sqlite.py      __init__          sqlite3.connect  the SQLite cache, opened by cache.get_sqlite after _open_ours
store/sqlite.py      _schema           sqlite3.connect  an in-memory database
cli/errors.py        _drop_stdout      os.open          /dev/null, for writing
fsutil.py            _read_journal     os.open          the commit journal: O_NOFOLLOW|O_NONBLOCK, then checked to be a small regular file of the user's
fsutil.py            publish           os.open          a cache file this process just wrote, to flush it
fsutil.py            scratch_folder    os.open          a new file in a private temporary folder, for writing (O_EXCL)
fsutil.py            sqlite_connect    sqlite3.connect  the SQLite cache after cache.get_sqlite checked it, or a new private temporary file
""")
_WRITE_MODES = set("wax")


def _read_opens() -> list[tuple[str, str, str, int]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "inputs.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner: dict[int, str] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    owner[id(node)] = fn.name  # the innermost function wins (walked later)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            base = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ""
            if name == "open" and base in ("", "io", "builtins", "codecs"):
                mode = (
                    node.args[1]
                    if len(node.args) > 1
                    else next((k.value for k in node.keywords if k.arg == "mode"), None)
                )
                if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and _WRITE_MODES & set(mode.value):
                    continue  # opened to write: fsutil's business
                found.append((rel, owner.get(id(node), ""), "open", node.lineno))
            elif name == "open" and base == "os":
                found.append((rel, owner.get(id(node), ""), "os.open", node.lineno))
            elif name in ("read_bytes", "read_text", "fromfile", "loadtxt") and isinstance(f, ast.Attribute):
                found.append((rel, owner.get(id(node), ""), name, node.lineno))
            elif name == "connect" and base == "sqlite3":
                found.append((rel, owner.get(id(node), ""), "sqlite3.connect", node.lineno))
            elif name == "load" and base in ("yaml_rs", "json", "marshal", "pickle", "csv", "tomllib"):
                found.append((rel, owner.get(id(node), ""), f"{base}.load", node.lineno))
    return found


def test_nothing_but_inputs_opens_a_file_to_read_it():
    """The architecture rule behind item 5: data files, import inputs and cache files are opened
    through inputs.open_input (which refuses devices and FIFOs unread); the few other reads are
    listed above with their reason."""
    stray = [
        f"{rel}:{line} {fn}: {call}"
        for rel, fn, call, line in _read_opens()
        if (rel, fn, call) not in READ_OPENS_ALLOWED
    ]
    assert stray == [], "route these through allygraph.inputs.open_input / read_input:\n" + "\n".join(stray)
    seen = {(rel, fn, call) for rel, fn, call, _ in _read_opens()}
    assert set(READ_OPENS_ALLOWED) <= seen, "an allowed read that no longer exists: drop it from the list"


def _run(args: list[str], timeout: float = 30, **env) -> subprocess.CompletedProcess:
    """The real entry point, in a subprocess with a timeout: a hang fails the test, never the run."""
    return subprocess.run([sys.executable, "-m", "allygraph", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env}, stdin=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture
def zero_dir(tmp_path) -> Path:
    d = write_data(tmp_path / "zero", None, RELS)
    (d / "entities.yaml").symlink_to("/dev/zero")
    return d


@pytest.fixture
def fifo_dir(tmp_path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    d = write_data(tmp_path / "fifo", ENTS, None)
    os.mkfifo(d / "relations.yaml")
    return d


COMMANDS = {
    "check": ["check"],
    "path": ["path", "japan", "philippines"],
    "show": ["show", "japan"],
    "timeline": ["timeline"],
    "export": ["export", "graphml", "-o", "{tmp}/g.graphml"],
    "link": ["link", "japan", "exercises_with", "philippines", "-s", "https://example.org/x"],
    "fmt": ["fmt", "--check"],
    "import": ["import", "cow-states", str(Path(__file__).parent / "fixtures" / "cow_states2016_excerpt.csv")],
}


@pytest.mark.parametrize("kind", ["zero_dir", "fifo_dir"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_devices_and_fifos_are_refused_by_every_command(request, tmp_path, kind, command):
    d = request.getfixturevalue(kind)
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    r = _run([*args, "--data", str(d)], timeout=20)
    assert r.returncode == 2, (r.returncode, r.stderr[-400:])
    what = "a character device (through a symlink)" if kind == "zero_dir" else "a FIFO (named pipe)"
    assert what in r.stdout + r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["zero_dir", "fifo_dir"])
def test_diff_refuses_devices_and_fifos(request, tmp_path, kind):
    d = request.getfixturevalue(kind)
    good = write_data(tmp_path / "good", ENTS, RELS)
    for pair in ([str(d), str(good)], [str(good), str(d)]):
        r = _run(["diff", *pair], timeout=20)
        assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr[-400:]


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_an_import_input_that_is_a_device_or_fifo_is_refused_unread(tmp_path, target):
    d = write_data(tmp_path / "d", ENTS, RELS)
    src = tmp_path / "input.csv"
    if target == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs FIFOs")
        os.mkfifo(src)
    else:
        src.symlink_to(target)
    r = _run(["import", "sipri", str(src), "--data", str(d)], timeout=20)
    assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_an_import_reads_no_more_than_its_maximum(tmp_path, monkeypatch):
    from allygraph import inputs

    d = write_data(tmp_path / "d", ENTS, RELS)
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "1,2\n" * 5000, encoding="utf-8")
    monkeypatch.setattr(inputs, "MAX_IMPORT_BYTES", 10_000)
    r = invoke("import", "cow-states", str(big), "--data", str(d))
    assert r.exit_code == 2 and "is larger than 10,000 bytes" in r.stderr and "ALLYGRAPH_MAX_IMPORT_BYTES" in r.stderr
    # and it stops reading there: a file that never ends is refused in bounded memory and time
    with pytest.raises(inputs.InputError, match="larger than"):
        inputs.read_input(big, limit=100)


def test_open_input_refuses_devices_before_reading():
    from allygraph import inputs

    with pytest.raises(inputs.InputError, match="a character device"):
        inputs.read_input("/dev/zero", limit=10)
    with pytest.raises(inputs.InputError, match="is a directory"):
        inputs.read_input(SRC)


# --- MemoryError ------------------------------------------------------------------------------

MEMORY_CHILD = textwrap.dedent(
    """
    import os, resource, sys
    import allygraph.validate, allygraph.validate.records, allygraph.yamlsrc, yaml, pydantic  # warm: the limit is for the data
    from allygraph.cli import main
    pages = int(open("/proc/self/statm").read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    main(["check", "--data", sys.argv[1]])
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/statm")
def test_running_out_of_memory_is_one_line_not_a_traceback(tmp_path):
    from allygraph import synth

    d = synth.write(tmp_path / "big", n_relations=20_000, seed=3)
    env = {
        **os.environ,
        "ALLYGRAPH_MEMORY_CHECK": "0",
        "MALLOC_ARENA_MAX": "1",
        "ALLYGRAPH_CACHE_DIR": str(tmp_path / "c"),
    }
    r = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(d), str(40 * 1024 * 1024)], capture_output=True,
                       text=True, timeout=120, env=env)  # fmt: skip
    assert r.returncode == 2, (r.returncode, r.stderr[-800:])
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    assert "memory" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_bug_is_not_taken_for_a_damaged_cache():
    """retry_on_damage runs a command twice only when it used a cache: a bug elsewhere is raised
    from the first run (and still ends as exit 70, one line)."""
    from allygraph import cache

    calls = []

    def buggy():
        calls.append(1)
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        cache.retry_on_damage(buggy)
    assert calls == [1]
