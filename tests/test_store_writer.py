"""The SQLite cache compiled while validation runs (``store.SQLiteWriter``): it holds exactly what
the memory store holds, and a directory that proves invalid leaves no cache file behind.

The bundled data is a realistic input: the compiled cache is compared with the memory store, never
with facts of the data."""

from __future__ import annotations

import os
import time

import pytest

from allygraph import cache, load
from allygraph.errors import DataError
from allygraph.store import DatasetStore, SQLiteStore
from allygraph.validate import relations as relations_mod
from helpers import SMALL_ENTITIES, SMALL_RELATIONS, write_data


@pytest.fixture
def force_sqlite(monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    monkeypatch.setenv("ALLYGRAPH_SQLITE_THREAD", "1")  # the writer beside validation, however busy the machine
    monkeypatch.setattr(relations_mod, "BATCH", 3)  # many batches, even on small data


def _everything(store) -> dict:
    ids = sorted({i for found in store.labels().values() for i in found})
    return {
        "entities": {i: store.entity(i) for i in ids},
        "out": {i: store.out_rels(i) for i in ids},
        "in": {i: store.in_rels(i) for i in ids},
        "via": {i: store.via_rels(i) for i in ids},
        "sources": {
            s: store.source(s) for r in (x for i in ids for x in store.out_rels(i)) for s in r.get("sources", ())
        },
        "labels": store.labels(),
        "tiers": store.tiers,
        "registry": (store.registry.tier_rank, store.directory),
    }


@pytest.mark.parametrize("thread", ["1", "0", None])
def test_the_sqlite_cache_holds_what_memory_holds(force_sqlite, monkeypatch, thread):
    """On the bundled data: every entity, relation (by each end and by via), source and label,
    compiled beside validation on a thread (1), after it (0), or as validation goes (default)."""
    if thread is None:
        monkeypatch.delenv("ALLYGRAPH_SQLITE_THREAD")
    else:
        monkeypatch.setenv("ALLYGRAPH_SQLITE_THREAD", thread)
    sql = load.open_store()
    assert isinstance(sql, SQLiteStore)
    ds = load.load(use_cache=False)
    assert _everything(sql) == _everything(DatasetStore(ds))
    assert sorted(r["id"] for r in sql.iter_relations()) == sorted(ds.relations)
    assert sql.relation_count() == len(ds.relations) and sql.entity_count() == len(ds.entities)


def test_a_status_set_after_the_insert_reaches_the_cache(force_sqlite, small_dir):
    """A tier a later one supersedes reads as ended: the loader sets that status after the
    relation went to the writer, and the cache has the changed record."""
    rel = small_dir / "relations.yaml"
    rel.write_text(rel.read_text().replace("    since: 2011-09\n", "    since: 2011-09\n    until: 2015\n"))
    sql = load.open_store(small_dir)
    assert isinstance(sql, SQLiteStore)
    mem = DatasetStore(load.load(small_dir, use_cache=False))
    assert [r["status"] for r in mem.out_rels("japan") if r["id"] == "jp-ph-sp"] == ["ended"]
    assert _everything(sql) == _everything(mem)


BAD_LAST = "  - {id: bad, from: japan, to: atlantis, type: alliance, sources: [https://example.org]}\n"


def test_invalid_data_leaves_no_cache_file(force_sqlite, small_dir):
    """Relations valid so far are inserted while the loop goes on; an error found later discards
    the whole file (and its temporary name), and the corrected directory compiles."""
    rel = small_dir / "relations.yaml"
    good = rel.read_text()
    rel.write_text(good + BAD_LAST)
    with pytest.raises(DataError) as err:
        load.open_store(small_dir)
    assert ["unknown entity 'atlantis'" in p.message for p in err.value.errors] == [True]
    assert [p for p in os.listdir(cache.cache_dir()) if "sqlite" in p] == []
    rel.write_text(good)
    store = load.open_store(small_dir)
    assert isinstance(store, SQLiteStore)
    assert store.relation_count() == len(load.load(small_dir, use_cache=False).relations)


def test_without_sqlite_json_functions_the_rows_are_the_same(force_sqlite, small_dir, monkeypatch):
    """Batches go in as one statement through SQLite's JSON functions; an SQLite without them
    gets the same rows one by one."""
    from allygraph.store import sqlite as sqlite_mod

    monkeypatch.setattr(sqlite_mod, "_has_json", lambda db: False)
    sql = load.open_store(small_dir)
    assert isinstance(sql, SQLiteStore)
    assert _everything(sql) == _everything(DatasetStore(load.load(small_dir, use_cache=False)))


@pytest.mark.parametrize("thread", ["1", "0", "default"])
def test_the_sqlite_cache_is_written_through_fsutil(force_sqlite, small_dir, monkeypatch, thread):
    """``fsutil`` is the one write path: the cache's temporary file comes from ``fsutil.temp_beside``
    and is renamed into place by ``fsutil.publish`` (no temp-and-rename of the store's own)."""
    from allygraph import fsutil

    monkeypatch.setenv("ALLYGRAPH_SQLITE_THREAD", thread)
    made, published = [], []
    real_temp, real_publish = fsutil.temp_beside, fsutil.publish

    def temp_beside(path, exact_mode=0o600):
        made.append(real_temp(path, exact_mode))
        return made[-1]

    def publish(tmp, path):
        published.append((tmp, path))
        real_publish(tmp, path)

    monkeypatch.setattr(fsutil, "temp_beside", temp_beside)
    monkeypatch.setattr(fsutil, "publish", publish)
    store = load.open_store(small_dir)
    assert isinstance(store, SQLiteStore)
    assert published == [(made[0], store.path)] and len(made) == 1 and not os.path.exists(made[0])


def test_cache_module_holds_no_sql():
    """The cache decides; ``store.sqlite`` holds every statement that touches the SQLite file."""
    import inspect
    import re

    text = inspect.getsource(cache)
    assert not re.search(r"\b(SELECT|UPDATE|INSERT|DELETE)\b|\.execute\(|sqlite_connect", text)


def test_cache_clear_leaves_a_pickle_named_like_a_cache(tmp_path, monkeypatch):
    """No allygraph writes pickle caches: a ``data-<hash>.pickle`` is not ours to remove."""
    folder = tmp_path / "cachedir"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(folder))
    pickle_like = folder / f"data-{'0' * 20}.pickle"
    pickle_like.write_bytes(b"\x80\x04K\x01.")
    ours = folder / f"data-{'0' * 20}.cache"
    ours.write_bytes(cache.MAGIC + b"stale\n")
    assert cache.clear() == 1
    assert pickle_like.exists() and not ours.exists()


def test_a_file_written_just_before_a_long_load_still_gets_its_cache(tmp_path, monkeypatch):
    """A data file written moments before a load is hashed into the stamp; when the load outlasts
    ``RECENT_NS`` the stamp taken after it must hash the same files to compare. Before, it did
    not: the cache was dropped and a large directory read twice (44 s instead of 25 s at 1M)."""
    import types

    d = write_data(tmp_path / "d", SMALL_ENTITIES, SMALL_RELATIONS)
    monkeypatch.setattr(cache, "HASH_BYTES", 0)  # as for a large directory: hashed only when recent
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    real, calls = time.time_ns, []

    def clock() -> int:  # the first stamp sees the files as just written; every later one, 10 s on
        calls.append(1)
        return real() + (0 if len(calls) == 1 else 10 * cache.RECENT_NS)

    monkeypatch.setattr(cache, "time", types.SimpleNamespace(time_ns=clock))
    store = load.open_store(d)
    assert type(store).__name__ == "SQLiteStore"
    assert cache.get_sqlite(d) is not None  # and the next command opens it
