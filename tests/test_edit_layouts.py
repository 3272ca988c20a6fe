"""Editing finds a record wherever and however it is written: block or flow style, a flow record
spanning lines, comments and blank lines between records, other indents, quoted ids, a dash
alone on its line, CRLF. A change touches only the bytes of the record it names."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allygraph import edit
from allygraph.load import load

ENTITIES = "entities:\n  - {id: a, name: A, type: state}\n  - {id: b, name: B, type: state}\n  - {id: c, name: C, type: state}\n"  # fmt: skip


def write(d: Path, relations: str, entities: str = ENTITIES) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "entities.yaml").write_bytes(entities.encode())
    (d / "relations.yaml").write_bytes(relations.encode())
    return d


def edited(d: Path, relations: str, rid: str, **change: list[str]) -> Path:
    """``d`` holding ``relations``, after ``edit.edit(rid, **change)``."""
    edit.edit(rid, **change, data=write(d, relations))
    return d


def relations_of(d: Path) -> dict:
    return load(d, use_cache=False).relations


# --- the reported cases ------------------------------------------------------------------------


def test_edit_of_a_flow_record_after_a_block_record_changes_that_record_only(tmp_path):
    """`edit r2 --set status=ended` wrote `status: ended` under r1 (whose keys happened to sit in
    the column of r2's first key), reported "changed r2" and exited 0."""
    relations = (
        "relations:\n"
        "-  id: r1\n   from: a\n   to: b\n   type: alliance\n   sources: [https://x.org/1]\n"
        "- {id: r2, from: a, to: b, type: exercises_with, sources: [https://x.org/2]}\n"
    )
    d = edited(tmp_path / "d", relations, "r2", set=["status=ended"])
    rels = relations_of(d)
    assert rels["r2"]["status"] == "ended"
    assert rels["r1"]["status"] == "active"
    assert (d / "relations.yaml").read_text().startswith(relations.split("- {id: r2")[0])


@pytest.mark.parametrize(
    "record",
    [
        "  - {id: r2, from: a, to: b, type: exercises_with, sources: [https://x.org/2]}",
        "  - {id: r2, from: a, to: b,\n     type: exercises_with, sources: [https://x.org/2]}",
        "  - {id: r2,\n    from: a, to: b, type: exercises_with, sources: [https://x.org/2]}  # r2",
    ],
)
def test_edit_of_a_flow_record_is_not_refused_as_invalid_yaml(tmp_path, record):
    """Other layouts were refused with a misleading "not valid YAML" (the new line went inside or
    after the braces)."""
    head = "relations:\n  - id: r1\n    from: a\n    to: b\n    type: alliance\n    sources: [https://x.org/1]\n"
    d = write(tmp_path / "d", head + record + "\n")
    edit.edit("r2", set=["status=ended", "note=a note"], unset=["sources"], data=d)
    text = (d / "relations.yaml").read_text()
    assert text.startswith(head)
    rels = relations_of(d)
    assert rels["r2"]["status"] == "ended" and rels["r2"]["note"] == "a note" and "sources" not in rels["r2"]
    assert rels["r1"]["status"] == "active"


def test_every_command_works_on_flow_sections(tmp_path):
    """A file written all in flow style: add entity, source add, link, edit, rename and rm each
    change their record in place."""
    ents = "entities: [{id: a, name: A, type: state}, {id: b, name: B, type: state},\n  {id: c, name: C, type: state}]\n"  # fmt: skip
    rels = (
        "sources: {s1: {title: One, url: 'https://x.org/1'}}\n"
        "relations: [{id: r1, from: a, to: b, type: alliance, sources: [s1]},\n"
        "  {id: r2, from: b, to: c, type: alliance, sources: [s1, 'https://x.org/2']}]\n"
    )
    d = write(tmp_path / "d", rels, ents)
    edit.add_entity("e", "E", "state", data=d)
    edit.add_source("s2", "Two", "https://x.org/s2", data=d)
    edit.link("a", "exercises_with", "e", sources=["s2"], rid="r3", data=d)
    edit.edit("r1", set=["status=ended", "attributes.k=1"], data=d)
    edit.rename("r2", "r2b", data=d)
    edit.rename("s1", "one", data=d)
    edit.rm("r3", data=d)
    ds = load(d, use_cache=False)
    assert set(ds.entities) == {"a", "b", "c", "e"}
    assert set(ds.sources) == {"one", "s2"}
    assert set(ds.relations) == {"r1", "r2b"}
    assert ds.relations["r1"]["status"] == "ended" and ds.relations["r1"]["attributes"] == {"k": 1}
    assert ds.relations["r2b"]["sources"] == ["one", "https://x.org/2"]
    assert (d / "relations.yaml").read_text().count("\n") == 3  # still flow: no line was added


def test_block_records_with_the_dash_alone_on_its_line(tmp_path):
    """`-` alone on a line (or with a comment after it): removing the record removes its dash,
    and a field can be removed even when it is the record's first."""
    relations = (
        "relations:\n"
        "  -  # the first\n    id: r1\n    from: a\n    to: b\n    type: alliance\n    sources: [https://x.org/1]\n"
        "  -\n    note: first\n    id: r2\n    from: b\n    to: c\n    type: alliance\n    sources: [https://x.org/2]\n"
    )
    d = edited(tmp_path / "d", relations, "r2", unset=["note"])
    assert "note" not in relations_of(d)["r2"]
    edit.rm("r1", data=d)
    assert (d / "relations.yaml").read_text().startswith("relations:\n  -\n    id: r2\n")
    assert set(relations_of(d)) == {"r2"}


def test_edit_replaces_a_block_scalar_and_keeps_the_next_line(tmp_path):
    relations = (
        "relations:\n  - id: r1\n    from: a\n    to: b\n    type: alliance\n    note: |\n      line one\n\n"
        "    sources: [https://x.org/1]\n"
    )
    d = edited(tmp_path / "d", relations, "r1", set=["note=short"])
    assert relations_of(d)["r1"]["note"] == "short"
    assert (d / "relations.yaml").read_text().endswith("note: short\n\n    sources: [https://x.org/1]\n")


# --- the property: any layout, any record, only that record changes ------------------------------

STATUSES = ["active", "signed", "ended", "suspended"]
WORDS = ["plain words", "a: colon", "it's"]


def _relation(draw, i: int) -> dict:
    ends = draw(st.permutations("abc"))
    rec = {"id": f"r{i}", "from": ends[0], "to": ends[1],
           "type": draw(st.sampled_from(["alliance", "exercises_with", "cooperates_with"]))}  # fmt: skip
    if draw(st.booleans()):
        rec["status"] = draw(st.sampled_from(STATUSES))
    if draw(st.booleans()):
        rec["since"] = str(draw(st.integers(1990, 2020)))
    if draw(st.booleans()):
        rec["note"] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        rec["attributes"] = draw(st.sampled_from([{"k": 1}, {"k": 1, "j": "two"}]))
    rec["sources"] = [f"https://x.org/{i}"] + (["https://y.org/z"] if draw(st.booleans()) else [])
    return rec


def _entity(draw, i: int) -> dict:
    rec = {"id": f"e{i}", "name": f"Entity {i}", "type": draw(st.sampled_from(["state", "organization"]))}
    if draw(st.booleans()):
        rec["aliases"] = [f"E{i}"] + ([f"Ent{i}"] if draw(st.booleans()) else [])
    if draw(st.booleans()):
        rec["description"] = draw(st.sampled_from(WORDS))
    if draw(st.booleans()):
        rec["since"] = str(draw(st.integers(1900, 2020)))
    if draw(st.booleans()):
        rec["attributes"] = draw(st.sampled_from([{"k": 1}, {"k": 1, "j": "two"}]))
    return rec


@st.composite
def layouts(draw, section: str = "relations"):
    """A data file holding ``section`` in a random layout: (text, spans of each record, the
    records' plain values)."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    dash = draw(st.sampled_from([0, 2, 4]))
    gap = draw(st.sampled_from([1, 2, 3]))  # spaces after the dash
    n = draw(st.integers(2, 4))
    records, spans, out = [], [], []
    out.append(draw(st.sampled_from(["", f"# {section}, by hand" + nl])) + f"{section}:" + nl)
    for i in range(n):
        rec = _relation(draw, i) if section == "relations" else _entity(draw, i)
        keys = draw(st.permutations(list(rec)))
        quote = draw(st.sampled_from(["", "'", '"']))
        style = draw(st.sampled_from(["block", "block", "dash-alone", "flow", "flow-lines"]))
        if draw(st.booleans()):
            out.append(nl)
        if draw(st.booleans()):
            out.append(" " * draw(st.sampled_from([0, dash])) + f"# about record {i}" + nl)
        start = sum(map(len, out))
        out.append(_record(rec, keys, quote, style, dash, gap, nl, draw))
        spans.append((start, sum(map(len, out))))
        records.append(rec)
    text = "".join(out)
    if draw(st.booleans()):
        text = text[: -len(nl)]
        spans[-1] = (spans[-1][0], len(text))
    return text, spans, records


def _value(key: str, value, quote: str, flow: bool, col: int, nl: str, draw) -> str:
    if key == "id" and quote:
        return f"{quote}{value}{quote}"
    if key == "since":
        return f'"{value}"'
    if key in ("note", "description"):
        if not flow and draw(st.booleans()):
            return "|" + nl + " " * (col + 2) + value + nl + nl  # a block scalar, with a blank line
        return f"'{value}'" if ":" in value else f'"{value}"' if "'" in value else value
    if isinstance(value, dict):
        if not flow and draw(st.booleans()):
            return "".join(nl + " " * (col + 2) + f"{k}: {v}" for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        if not flow and draw(st.booleans()):
            return "".join(nl + " " * (col + 2) + f"- {v}" for v in value)
        return "[" + ", ".join(value) + "]"
    return str(value)


def _record(rec, keys, quote, style, dash, gap, nl, draw) -> str:
    pad = " " * dash
    if style.startswith("flow"):
        parts = [f"{k}: {_value(k, rec[k], quote, True, 0, nl, draw)}" for k in keys]
        text = pad + "- {"
        for j, part in enumerate(parts):
            if j:
                text += "," + (nl + pad + "    " if style == "flow-lines" and draw(st.booleans()) else " ")
            text += part
        return text + "}" + draw(st.sampled_from(["", "  # trailing"])) + nl
    col = dash + 1 + gap
    lines = []
    for k in keys:
        v = _value(k, rec[k], quote, False, col, nl, draw)
        lines.append(f"{k}:{'' if v.startswith(nl) else ' '}{v}")
    body = [line if line.endswith(nl) else line + nl for line in lines]
    if style == "dash-alone":
        return pad + "-" + draw(st.sampled_from(["", "  # c"])) + nl + "".join(" " * col + line for line in body)
    return pad + "-" + " " * gap + body[0] + "".join(" " * col + line for line in body[1:])


COMMON = [("set", "since=2021"), ("set", "attributes.k=5"), ("set", "attributes.new=x"), ("unset", "since"),
          ("unset", "attributes"), ("unset", "attributes.k"), ("rm", None), ("rename", "renamed")]  # fmt: skip
OPS = {
    "relations": [
        *COMMON,
        ("set", "status=ended"),
        ("set", "status=suspended"),
        ("set", "note=new words"),
        ("set", "sources=https://n.org/1,https://n.org/2"),
        ("unset", "status"),
        ("unset", "note"),
        ("append", "new-link"),
    ],  # fmt: skip
    "entities": [
        *COMMON,
        ("set", "description=new words"),
        ("set", "aliases=X1,X2"),
        ("set", "name=Other name"),
        ("unset", "description"),
        ("unset", "aliases"),
        ("append", "new-entity"),
    ],  # fmt: skip
}
NEW = {
    "relations": {
        "id": "new-link",
        "from": "a",
        "to": "c",
        "type": "exercises_with",
        "status": "active",
        "sources": ["https://l.org/1"],
    },  # fmt: skip
    "entities": {"id": "new-entity", "name": "New", "type": "state"},
}
EMPTY_RELATIONS = "relations: []\n"


def _applies(rec: dict, op: str, arg: str | None) -> bool:
    if op == "unset":
        head, _, sub = arg.partition(".")
        return head in rec and (not sub or sub in rec[head])
    return True


def _check_record(old: dict, new: dict, op: str, arg: str) -> None:
    """The loaded record after the change: the named field as asked, every other one as it was."""
    if op == "rename":
        assert new == {**old, "id": arg}
        return
    key, _, value = arg.partition("=")
    head, _, sub = key.partition(".")
    assert {k: v for k, v in new.items() if k != head} == {k: v for k, v in old.items() if k != head}
    got = new.get(head)
    if op == "set" and sub:
        assert got == {**(old.get(head) or {}), sub: 5 if value == "5" else value}
    elif op == "set":
        assert got == (value.split(",") if head in ("sources", "aliases") else value)
    elif sub:
        rest = {k: v for k, v in old[head].items() if k != sub}
        assert got == rest if rest else not got
    else:
        assert not got or (head == "status" and got == "active")


_counter = itertools.count()


def _compile_if(large: bool, d: Path, monkeypatch) -> None:
    """Count every directory as large and compile ``d``'s SQLite cache (``large``)."""
    if large:
        from allygraph import cache
        from allygraph.load import open_store

        monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
        open_store(d).close()


def _cache_current(large: bool, d: Path) -> None:
    """A cache the change left current holds what compiling the directory afresh gives."""
    if not large:
        return
    import marshal

    from allygraph import cache

    store = cache.get_sqlite(d.resolve())
    if store is None:  # the general path: the next query rebuilds it
        return
    try:
        ds = load(d, use_cache=False)
        rows = store.db.execute("SELECT id, doc FROM relations ORDER BY rowid")
        assert [(rid, marshal.loads(doc)) for rid, doc in rows] == list(ds.relations.items())
        assert {eid: marshal.loads(doc) for eid, doc in store.db.execute("SELECT id, doc FROM entities")} == ds.entities
    finally:
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(section=st.sampled_from(["relations", "entities"]), data=st.data(), pick=st.integers(0, 3))
@pytest.mark.parametrize("large", [False, True])
def test_a_change_touches_only_its_record_in_any_layout(tmp_path, section, data, pick, large, monkeypatch):
    """``large``: the directory counts as large and its SQLite cache is compiled first, so the
    change takes the large path (``edit.large``) where it can; the cache must then be current."""
    text, spans, records = data.draw(layouts(section))
    op, arg = data.draw(st.sampled_from(OPS[section]))
    i = pick % len(records)
    if not _applies(records[i], op, arg):
        return
    name = f"{section}.yaml"
    d = tmp_path / f"ex{next(_counter)}"
    write(d, text) if section == "relations" else write(d, EMPTY_RELATIONS, text)
    kind = "relations" if section == "relations" else "entities"
    before = getattr(load(d, use_cache=False), kind)
    rid = records[i]["id"]
    _compile_if(large, d, monkeypatch)
    if op == "rm":
        edit.rm(rid, data=d)
    elif op == "rename":
        edit.rename(rid, arg, data=d)
    elif op == "append" and section == "relations":
        edit.link("a", "exercises_with", "c", sources=["https://l.org/1"], rid=arg, data=d)
    elif op == "append":
        edit.add_entity(arg, "New", "state", data=d)
    else:
        edit.edit(rid, **{op: [arg]}, data=d)
    new = (d / name).read_bytes().decode()
    start, end = spans[i]
    head, tail = text[:start], text[end:]
    if op == "rm":  # only the record's own bytes went, and perhaps one blank line beside them
        cut = len(text) - len(new)
        assert any(
            new == text[:s] + text[s + cut :] and not text[s:start].strip() and not text[end : s + cut].strip()
            for s in range(start, -1, -1)
            if s + cut >= end
        ), (text, new)
    elif op == "append":  # every byte before stays (blank lines a block scalar ends with may follow the new record)
        assert new.startswith(text.rstrip()) and new.count("\n") > text.count("\n"), (text, new)
    else:  # only the record's own bytes changed
        assert new.startswith(head) and new.endswith(tail) and len(new) >= len(head) + len(tail), (text, new)
    after = getattr(load(d, use_cache=False), kind)
    untouched = {k: v for k, v in before.items() if k != rid}
    assert {k: v for k, v in after.items() if k not in (rid, arg)} == untouched
    _cache_current(large, d)
    if op == "rm":
        assert rid not in after
    elif op == "append":
        assert after[rid] == before[rid] and {k: v for k, v in after[arg].items() if v not in (None, [], {})} == NEW[section]  # fmt: skip
    else:
        _check_record(before[rid], after[arg if op == "rename" else rid], op, arg)


def test_link_on_a_large_directory_writes_in_the_files_own_indentation(tmp_path, monkeypatch):
    """The fast path of `link` (a large directory, checked against its cache) wrote every new
    record at a dash column of 2, breaking a file whose records start at column 0."""
    from allygraph import cache
    from allygraph.load import open_store

    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)  # every directory counts as large
    monkeypatch.setenv("ALLYGRAPH_SETTLE", "0")
    text = "relations:\n# the first\n- id: r1\n  from: a\n  to: b\n  type: alliance\n  sources:\n  - https://x.org/1\n"
    d = write(tmp_path / "d", text)
    open_store(d).close()  # compile the cache, so that link takes the fast path
    edit.link("a", "exercises_with", "c", sources=["https://x.org/2"], rid="r2", data=d)
    new = (d / "relations.yaml").read_text()
    assert new.startswith(text) and "\n- id: r2\n  from: a\n" in new
    assert set(relations_of(d)) == {"r1", "r2"}


def test_rm_cascade_removes_neighbouring_flow_records(tmp_path):
    """Two removals that share the comma between them (the last two items of a flow list) are one
    removal, not "two changes overlap"."""
    ents = "entities: [{id: a, name: A, type: state}, {id: b, name: B, type: state}, {id: c, name: C, type: state}]\n"
    rels = (
        "relations: [{id: r0, from: a, to: b, type: alliance, sources: ['https://x.org/0']},\n"
        "  {id: r1, from: b, to: c, type: alliance, sources: ['https://x.org/1']},\n"
        "  {id: r2, from: a, to: c, type: alliance, sources: ['https://x.org/2']}]\n"
    )
    d = write(tmp_path / "d", rels, ents)
    result = edit.rm("c", cascade=True, data=d)
    assert [(c["id"], c["action"]) for c in result["changed"]] == [
        ("c", "removed"),
        ("r1", "removed"),
        ("r2", "removed"),
    ]
    ds = load(d, use_cache=False)
    assert list(ds.relations) == ["r0"] and list(ds.entities) == ["a", "b"]


def test_an_empty_flow_section_becomes_a_block_list(tmp_path):
    d = write(tmp_path / "d", "sources: {}\nrelations: []\n")
    edit.add_source("s1", "One", "https://x.org/1", data=d)
    edit.link("a", "alliance", "b", sources=["s1"], rid="r1", data=d)
    text = (d / "relations.yaml").read_text()
    assert "sources:\n  s1:\n" in text and "relations:\n  - id: r1\n" in text
    assert list(relations_of(d)) == ["r1"]


def test_fmt_keeps_a_comment_after_a_lone_dash(tmp_path):
    text = "relations:\n  -  # the first\n    id: r1\n    from: a\n    to: b\n    type: alliance\n    sources: [https://x.org/1]\n"
    d = write(tmp_path / "d", text)
    edit.fmt(data=d)
    assert (d / "relations.yaml").read_text().startswith("relations:\n  # the first\n  - id: r1\n")


def _norm(rec: dict) -> dict:
    """A loaded record without its empty fields and the default status."""
    return {k: v for k, v in rec.items() if v not in (None, [], {}) and not (k == "status" and v == "active")}


def _apply(old: dict, op: str, arg: str) -> dict:
    new = {k: (dict(v) if isinstance(v, dict) else v) for k, v in old.items()}
    key, _, value = arg.partition("=")
    head, _, sub = key.partition(".")
    if op == "set" and sub:
        new[head] = {**(new.get(head) or {}), sub: 5 if value == "5" else value}
    elif op == "set":
        new[head] = value.split(",") if head in ("sources", "aliases") else value
    elif sub:
        new[head].pop(sub)
    else:
        new.pop(head)
    return new


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(section=st.sampled_from(["relations", "entities"]), data=st.data(), pick=st.integers(0, 3))
@pytest.mark.parametrize("large", [False, True])
def test_several_changes_to_one_record_in_any_layout(tmp_path, section, data, pick, large, monkeypatch):
    """One `edit` with several --set/--unset, in a flow record too (whose commas interleave)."""
    text, spans, records = data.draw(layouts(section))
    i = pick % len(records)
    ops = [o for o in OPS[section] if o[0] in ("set", "unset") and _applies(records[i], *o)]
    chosen = data.draw(st.lists(st.sampled_from(ops), min_size=2, max_size=4, unique_by=lambda o: o[1].partition("=")[0]))  # fmt: skip
    keys = [o[1].partition("=")[0] for o in chosen]
    if "attributes" in keys and any(k.startswith("attributes.") for k in keys):
        return
    d = tmp_path / f"ex{next(_counter)}"
    write(d, text) if section == "relations" else write(d, EMPTY_RELATIONS, text)
    before = getattr(load(d, use_cache=False), section)
    rid = records[i]["id"]
    _compile_if(large, d, monkeypatch)
    edit.edit(rid, set=[a for o, a in chosen if o == "set"], unset=[a for o, a in chosen if o == "unset"], data=d)
    _cache_current(large, d)
    new = (d / f"{section}.yaml").read_bytes().decode()
    start, end = spans[i]
    assert new.startswith(text[:start]) and new.endswith(text[end:]), (text, new)
    after = getattr(load(d, use_cache=False), section)
    assert {k: v for k, v in after.items() if k != rid} == {k: v for k, v in before.items() if k != rid}
    want = before[rid]
    for op, arg in chosen:
        want = _apply(want, op, arg)
    assert _norm(after[rid]) == _norm(want)
