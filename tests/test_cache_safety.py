"""Issue 8, the cache: a planted file cannot run code, untrusted folders and files are refused,
permissions are tight whatever the umask, stale answers cannot be served, damage is rebuilt."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from allygraph import cache, query
from allygraph.load import load, open_store
from helpers import SMALL_ENTITIES, SMALL_RELATIONS, write_data


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "data", SMALL_ENTITIES, SMALL_RELATIONS)


class _Payload:
    """Unpickling this creates a file: the proof that a planted cache ran code."""

    def __init__(self, proof: Path):
        self.proof = proof

    def __reduce__(self):
        return (Path.write_text, (self.proof, "ran"))


def test_a_planted_pickle_never_runs(data, tmp_path):
    proof = tmp_path / "pwned"
    load(data)  # a genuine cache first, so the planted file sits where a real one does
    planted = pickle.dumps((cache.stamp(data), _Payload(proof)))
    for path in cache.cache_dir().iterdir():
        path.write_bytes(planted)
    ds = load(data)
    assert not proof.exists()
    assert ds.entities["japan"]["name"] == "Japan"


def test_an_untrusted_cache_folder_is_refused(data, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # a world-writable place: anyone could plant files here
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(shared))
    load(data)
    assert list(shared.iterdir()) == []  # nothing written into it
    assert "others can write" in cache.refusal()


def test_an_untrusted_cache_file_is_not_read(data):
    real = load(data)
    fake = load(data)
    fake.entities["japan"]["name"] = "Planted"
    path = next(cache.cache_dir().iterdir())
    path.unlink()
    cache.put(data, fake, cache.stamp(data))
    path = next(cache.cache_dir().iterdir())
    assert load(data).entities["japan"]["name"] == "Planted"  # our own file is used
    path.chmod(0o666)  # ... but not once others could have written it
    assert load(data).entities["japan"]["name"] == real.entities["japan"]["name"] == "Japan"


def test_folder_0700_and_files_0600_whatever_the_umask(data, tmp_path, monkeypatch):
    folder = tmp_path / "fresh" / "cache"
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(folder))
    old = os.umask(0)
    try:
        load(data)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_a_same_size_edit_with_its_mtime_restored_is_seen(data):
    assert load(data).entities["japan"]["name"] == "Japan"
    path = data / "entities.yaml"
    st = path.stat()
    path.write_text(path.read_text().replace("name: Japan", "name: Jopan"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert load(data).entities["japan"]["name"] == "Jopan"


def test_an_edit_within_the_timestamp_granularity_is_seen(data, monkeypatch):
    """Same size, same times, same inode (as a coarse file system would show): the hash decides."""
    assert load(data).entities["japan"]["name"] == "Japan"
    path = data / "entities.yaml"
    real_stat = os.stat
    frozen = {str(p): real_stat(p) for p in data.iterdir()}
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: frozen.get(str(p)) or real_stat(p, *a, **k))
    path.write_text(path.read_text().replace("name: Japan", "name: Jopan"))
    assert load(data).entities["japan"]["name"] == "Jopan"


def test_a_digest_given_for_a_file_just_written_is_the_one_read(data):
    """``stamp(digests=...)`` (a large edit hashes what it writes while writing it) gives the stamp
    that reading the file gives, and a file changed by someone else is read again by the next stamp."""
    path = data / "relations.yaml"
    written = path.read_bytes() + b"\n"
    path.write_bytes(written)
    given = cache.stamp(data, digests={"relations.yaml": cache.digest_of(written)})
    assert given == cache.stamp(data)
    path.write_bytes(written + b"\n")  # someone else: the stamp given before no longer holds
    assert cache.stamp(data) != given


def _answers(store) -> list:
    return [query.show(store, eid) for eid in ("japan", "philippines", "united_states", "osa", "tc_90")]


def _sqlite_store(data, monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    store = open_store(data)
    assert type(store).__name__ == "SQLiteStore"
    return store


@pytest.mark.parametrize("damage", ["truncate", "bad page"])
def test_a_damaged_sqlite_cache_is_rebuilt_never_trusted(data, monkeypatch, damage):
    expected = _answers(open_store(data, use_cache=False))
    _sqlite_store(data, monkeypatch).close()
    path = next(cache.cache_dir().glob("*.sqlite"))
    raw = bytearray(path.read_bytes())
    if damage == "truncate":  # the end of the last page (where SQLite keeps its rows) is lost
        path.write_bytes(raw[:-1000])
    else:  # the rows at the end of the last page are overwritten
        raw[-1000:-10] = b"A" * 990
        path.write_bytes(raw)
    store = open_store(data)
    assert _answers(store) == expected
    store.close()
    assert _answers(open_store(data)) == expected  # and the rebuilt cache serves them too
