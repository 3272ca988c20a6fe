"""Edits of a large directory (issue 20): the record is located by a line scan and checked
against the SQLite cache, the file is spliced, and the cache's rows are updated in place. Every
test runs the same change twice, once on the general path (the whole directory composed and
validated) and once on the large path (the size threshold lowered, the general path forbidden),
on both layouts of ``allygraph.synth``, and asserts the same bytes, the same result, and a cache
equal to one compiled afresh."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allygraph import cache, edit, synth
from allygraph.errors import InvalidChange, UsageError
from allygraph.load import load, open_store
from allygraph.store.sqlite import tie_columns
from helpers import general_and_large, large_pair, same_data_files

LAYOUTS = ["synth", "plain"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("large")
    return {layout: synth.write(base / layout, 80, seed=4, layout=layout) for layout in LAYOUTS}


def _counted(patch: str) -> tuple:
    lines = patch.splitlines()
    return lines[:2], sorted(x for x in lines[2:] if x[:1] in "+-"), len([x for x in lines if x.startswith("@@")])


def _cache_is_fresh(large: Path) -> None:
    """The cache, updated in place, holds what compiling the directory afresh gives."""
    store = cache.get_sqlite(large.resolve())
    assert store is not None
    try:
        ds = load(large, use_cache=False)
        rows = [
            (rid, marshal.loads(doc)) for rid, doc in store.db.execute("SELECT id, doc FROM relations ORDER BY rowid")
        ]
        assert rows == list(ds.relations.items())
        assert [(s, d, v) for s, d, v in store.db.execute("SELECT src, dst, via FROM relations ORDER BY rowid")] == [
            (r["from"], r["to"], r.get("via")) for r in ds.relations.values()
        ]
        # the columns the analyses filter on in SQL (type, status, since, until) follow the edit too
        assert list(store.db.execute("SELECT type, status, since, until FROM relations ORDER BY rowid")) == [
            tie_columns(r) for r in ds.relations.values()
        ]
        ents = {eid: marshal.loads(doc) for eid, doc in store.db.execute("SELECT id, doc FROM entities")}
        assert ents == ds.entities
        # each entity keeps one number of its own, and each row's ends are its entities' numbers
        # (``rank --by degree`` reads only those: ``SQLiteStore.tie_codes``)
        codes = dict(store.db.execute("SELECT id, code FROM entities"))
        assert len(set(codes.values())) == len(codes) and all(type(c) is int for c in codes.values())
        assert list(store.db.execute("SELECT a, b FROM relations ORDER BY rowid")) == [
            (codes[r["from"]], codes[r["to"]]) for r in ds.relations.values()
        ]
        labels = sorted(store.db.execute("SELECT key, loose, id FROM labels"))
        assert labels == sorted(
            (key, loose, eid)
            for loose, table in ((0, ds.index["exact"]), (1, ds.index["loose"]))
            for key, ids in table.items()
            for eid in ids
        )
    finally:
        store.close()


def _a_relation(d: Path, layout: str, kinds=("exercises_with", "provides", "member_of", "leads")) -> str:
    ds = load(d, use_cache=False)
    return next(rid for rid, r in ds.relations.items() if r["type"] in kinds and rid != next(iter(ds.relations)))


def _check(dirs, layout, tmp_path, monkeypatch, op) -> None:
    general, large = large_pair(dirs[layout], tmp_path, monkeypatch)
    rid = _a_relation(general, layout)
    for dry_run in (True, False):
        want, got = general_and_large(
            general, large, monkeypatch, lambda d, rid=rid, dry_run=dry_run: op(d, rid, dry_run)
        )
        if dry_run:  # a diff of repeated lines may align either way: the same lines go and come
            assert _counted(got.pop("patch")) == _counted(want.pop("patch"))
        assert got == want
    same_data_files(general, large)
    _cache_is_fresh(large)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_edit_of_a_relation(dirs, layout, tmp_path, monkeypatch):
    _check(dirs, layout, tmp_path, monkeypatch,
           lambda d, rid, dry: edit.edit(rid, set=["note=edited at scale", "since=2001-02"], data=d, dry_run=dry))  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS)
def test_edit_unsets_a_field(dirs, layout, tmp_path, monkeypatch):
    _check(
        dirs, layout, tmp_path, monkeypatch, lambda d, rid, dry: edit.edit(rid, unset=["since"], data=d, dry_run=dry)
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rm_of_a_relation(dirs, layout, tmp_path, monkeypatch):
    _check(dirs, layout, tmp_path, monkeypatch, lambda d, rid, dry: edit.rm(rid, data=d, dry_run=dry))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rename_of_a_relation(dirs, layout, tmp_path, monkeypatch):
    _check(
        dirs, layout, tmp_path, monkeypatch, lambda d, rid, dry: edit.rename(rid, "renamed-rel", data=d, dry_run=dry)
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rename_of_an_entity_changes_every_reference(dirs, layout, tmp_path, monkeypatch):
    _check(
        dirs,
        layout,
        tmp_path,
        monkeypatch,
        lambda d, rid, dry: edit.rename("state_1", "state_one", data=d, dry_run=dry),
    )
    assert "state_one" in (tmp_path / "large" / "relations.yaml").read_text()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_link(dirs, layout, tmp_path, monkeypatch):
    _check(dirs, layout, tmp_path, monkeypatch,
           lambda d, rid, dry: edit.link("state_1", "exercises_with", "state_2", sources=["https://example.org/x"],
                                         since="2026", data=d, dry_run=dry))  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_invalid_edit_is_refused_and_nothing_is_written(dirs, layout, tmp_path, monkeypatch):
    general, large = large_pair(dirs[layout], tmp_path, monkeypatch)
    rid = _a_relation(large, layout)
    before = {f.name: f.read_bytes() for f in large.iterdir()}
    with pytest.raises(InvalidChange) as exc:
        edit.edit(rid, set=["to=nobody_at_all"], data=large)
    (error,) = exc.value.errors
    assert "'nobody_at_all'" in error.message and error.message.endswith("(in the change, which was not written)")
    assert error.file == str(large / "relations.yaml") and error.line > 1
    with pytest.raises(UsageError, match="already exists"):
        edit.rename("state_1", "state_2", data=large)
    assert {f.name: f.read_bytes() for f in large.iterdir()} == before
    _cache_is_fresh(large)


def test_a_tier_takes_the_general_path(dirs, tmp_path, monkeypatch):
    """A partnership's status follows from later tiers of the same pair: changing one is not
    local, so the large path leaves it to the general path (which gives the same bytes)."""
    general, large = large_pair(dirs["plain"], tmp_path, monkeypatch)
    rid = _a_relation(large, "plain", kinds=("partnership",))
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1 << 40)
    edit.edit(rid, set=["note=x"], data=general)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    edit.edit(rid, set=["note=x"], data=large)
    same_data_files(general, large)


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    """Records are counted per chunk of the file: chunks of a few bytes make every test cross
    many chunk boundaries."""
    from allygraph.edit import large

    monkeypatch.setattr(large, "CHUNK", 61)


RECORD_FORMS = st.sampled_from(["  - {id: r, from: a}\n", "  -\n    id: r\n", "  - id: r\n    to: b\n",
                                "  - id: r # c\n\n", "  -\tid: r\n", "  # - not a record\n  - id: r\n"])  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(forms=st.lists(RECORD_FORMS, min_size=1, max_size=30), chunk=st.integers(1, 40))
def test_records_are_counted_and_found_across_chunks(tmp_path_factory, forms, chunk):
    """The scan finds the same record starts as a plain regex over the whole file, wherever
    the chunk boundaries fall (a dash alone on its line, a tab after the dash, comments)."""
    import re

    from allygraph.edit import large

    text = "sources: {}\nrelations:\n" + "".join(forms) + "tiers: []\n"
    d = tmp_path_factory.mktemp("scan")
    (d / "relations.yaml").write_text(text)
    old = large.CHUNK
    large.CHUNK = chunk
    try:
        f = large.LargeFile(d, "relations.yaml", "relations")
    finally:
        large.CHUNK = old
    section = text.index("relations:\n") + len("relations:\n")
    want = [
        m.start() + 1 for m in re.finditer(r"\n  -[ \t\n]", text) if section <= m.start() + 1 < text.index("tiers:")
    ]
    assert want[0] == f.first or text[f.first :].startswith("  # ")
    starts = [f.start(k) for k in range(f.total)]
    assert f.total == len(want) and starts == want and f.start(f.total) == text.index("tiers:")
    for k, at in enumerate(starts):
        assert f.index_of(at + 4) == k


def test_a_new_tier_that_ends_an_older_one_is_seen_by_the_next_query(tmp_path, monkeypatch):
    """``link`` of a partnership on a large directory appended its row to the cache, leaving the
    older tier of the same pair in force there though the loader ends it (``status: ended``)."""

    d = synth.write(tmp_path / "d", 60, seed=2, layout="plain")
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    older = dict(sources=["https://example.org/t"], data=d)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1 << 40)
    edit.link("state_1", "partnership", "state_2", tier="strategic_partnership", since="2001", until="2010", **older)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    open_store(d).close()
    edit.link("state_1", "partnership", "state_2", tier="comprehensive_strategic_partnership", since="2005", **older)
    store = open_store(d)
    try:
        want = load(d, use_cache=False).relations
        got = {r["id"]: r for r in store.out_rels("state_1") if r["to"] == "state_2"}
        assert got and all(got[rid] == want[rid] for rid in got)
        assert "ended" in {r["status"] for r in got.values()}
    finally:
        store.close()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_unknown_id_is_refused_from_the_cache_and_a_name_is_resolved(dirs, layout, tmp_path, monkeypatch):
    """An id that names nothing is refused with close ids by the large path (the general path
    loads the whole directory to say so); an entity named by its name is renamed."""
    from allygraph.edit import core
    from allygraph.errors import UnknownRecord

    general, large = large_pair(dirs[layout], tmp_path, monkeypatch)
    monkeypatch.setattr(core, "change", lambda *a, **k: pytest.fail("the general path ran"))
    for change in (lambda: edit.rename("state_99999", "x", data=large), lambda: edit.rm("state_99999", data=large),
                   lambda: edit.edit("state_99999", set=["note=x"], data=large)):  # fmt: skip
        with pytest.raises(UnknownRecord, match="no entity, relation or source with id 'state_99999'"):
            change()
    result = edit.rename("State 3", "state_three", data=large)
    assert result["changed"][0] == {"file": str(large / "entities.yaml"), "id": "state_three", "action": "renamed", "old": "state_3"}  # fmt: skip
    _cache_is_fresh(large)
