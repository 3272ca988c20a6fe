"""The first load of a large directory reads its relations a piece at a time (``yamlsrc``'s
``StreamedList``): each piece is checked and handed to the SQLite writer before the next is read,
so the records are never all in memory. Forced on small data here, every problem (text, place,
order) and every record must be what the whole-file read gives."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allygraph import cache, dates, load, synth, yamlsrc
from allygraph.errors import DataError
from allygraph.store import DatasetStore, SQLiteStore
from allygraph.validate import relations as relations_mod
from allygraph.validate import validate
from helpers import REPO


class Recorder:
    """A sink that keeps what it is handed, as the SQLite writer would store it."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.done = self.abandoned = False

    def add(self, relations: list[dict]) -> None:
        self.rows.extend(dict(r) for r in relations)

    def changed(self, relations: list[tuple[int, dict]]) -> None:
        for n, rel in relations:
            assert self.rows[n]["id"] == rel["id"]
            self.rows[n] = dict(rel)

    def relations_done(self) -> None:
        self.done = True

    def abandon(self) -> None:
        self.abandoned, self.rows = True, []


@pytest.fixture
def pieces(monkeypatch):
    """Every file takes the fast path, and a relations file is read in pieces of ~1 KB."""
    monkeypatch.setattr(yamlsrc, "FAST_BYTES", 0)
    monkeypatch.setattr(yamlsrc, "PIECE_BYTES", 1000)
    monkeypatch.setattr(relations_mod, "BATCH", 7)


def _spoil(directory, seed: int = 0) -> None:
    """Put one of each kind of problem into a synthetic relations file, spread over its pieces."""
    path = directory / "relations.yaml"
    lines = path.read_text().split("\n")
    edits = [
        ("    to: ", "    to: nowhere_0"),  # unknown entity, with a suggestion
        ("    since: ", '    since: "2020-13"'),  # not a calendar date
        ("    tier: ", "    tier: strategic_partnershp"),  # unknown tier
        ("    type: ", "    type: alliancee"),  # a shape error (pydantic)
        ("    sources: ", "    sources: [nowhere]"),  # unknown source
        ("  - id: ", "  - id: r1"),  # a duplicate id
        ("    status: ", "    status: active\n    contradicted_by: [r999999, r3]"),  # unknown and known refs
        ("    since: ", '    since: "2030"\n    until: "2001"'),  # until before since (a duplicate key too)
        ("    sources: ", "    sources: []"),  # no source: a warning
    ]
    step = max(1, len(lines) // (len(edits) + 1))
    for n, (field, bad) in enumerate(edits):
        i = next(i for i in range((n + 1) * step, len(lines)) if lines[i].startswith(field))
        lines[i] = bad
    path.write_text("\n".join(lines))


def test_a_large_relations_file_is_read_in_pieces(tmp_path, pieces):
    d = synth.write(tmp_path / "s", 300, seed=1)
    text = (d / "relations.yaml").read_text()
    doc = yamlsrc._streamed(text, "relations")
    assert isinstance(doc, dict) and isinstance(doc["relations"], yamlsrc.StreamedList)
    chunks = list(doc["relations"].chunks())
    assert len(chunks) > 5 and [r for _, c in chunks for r in c] == yamlsrc._fast(text)["relations"]
    assert [start for start, _ in chunks] == [sum(len(c) for _, c in chunks[:k]) for k in range(len(chunks))]


def _both(directory):
    whole, whole_problems = validate(directory)
    sink = Recorder()
    streamed, streamed_problems = validate(directory, sink)
    return whole, whole_problems, streamed, streamed_problems, sink


def test_a_streamed_read_reports_what_the_whole_read_reports(tmp_path, pieces):
    d = synth.write(tmp_path / "s", 600, seed=7)
    _spoil(d)
    whole, wp, streamed, sp, sink = _both(d)
    assert whole is None and streamed is None
    assert [tuple(p) for p in sp] == [tuple(p) for p in wp]
    assert sum(p.severity == "error" for p in wp) >= 8 and not sink.abandoned


def test_a_streamed_read_hands_over_every_record_as_the_whole_read_keeps_it(tmp_path, pieces):
    """Valid data: the sink gets each relation in order, statuses a later tier sets included;
    the streamed dataset keeps none (the sink has them), the warnings are the same."""
    d = synth.write(tmp_path / "s", 600, seed=11)
    whole, wp, streamed, sp, sink = _both(d)
    assert whole is not None and streamed is not None and sink.done
    assert sink.rows == list(whole.relations.values())
    assert any(r["status"] == "ended" for r in sink.rows)  # a superseded tier reached the sink
    assert streamed.relations == {} and streamed.entities == whole.entities
    assert [tuple(p) for p in sp] == [tuple(p) for p in wp]


def test_the_broken_fixture_streams_to_the_same_problems(pieces):
    broken = REPO / "tests" / "fixtures" / "broken"
    whole, wp, streamed, sp, _ = _both(broken)
    assert whole is None and streamed is None
    assert [tuple(p) for p in sp] == [tuple(p) for p in wp]


@pytest.mark.parametrize("failure", ["count", "raise"])
def test_a_piece_that_reads_otherwise_sends_the_file_back_to_a_whole_read(tmp_path, pieces, monkeypatch, failure):
    """A piece that does not parse, or parses to another number of items than its text holds,
    is never trusted: the sink's rows are dropped and the file is read whole."""
    d = synth.write(tmp_path / "s", 400, seed=3)
    _spoil(d)
    expected = validate(d)[1]
    real = yamlsrc._parse_piece
    calls = []

    def odd(text, key):
        calls.append(1)
        if len(calls) == 3:
            if failure == "raise":
                raise ValueError("not YAML")
            return real(text, key)[:-1]
        return real(text, key)

    monkeypatch.setattr(yamlsrc, "_parse_piece", odd)
    sink = Recorder()
    dataset, problems = validate(d, sink)
    assert sink.abandoned and dataset is None and len(calls) >= 3
    assert [tuple(p) for p in problems] == [tuple(p) for p in expected]


def test_open_store_streams_into_the_cache_and_answers_like_memory(tmp_path, pieces, monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    d = synth.write(tmp_path / "s", 500, seed=2)
    store = load.open_store(d)
    assert isinstance(store, SQLiteStore)
    ds = load.load(d, use_cache=False)
    mem = DatasetStore(ds)
    assert list(store.iter_relations()) == list(ds.relations.values())
    for eid in list(ds.entities)[:50]:
        assert store.out_rels(eid) == mem.out_rels(eid) and store.via_rels(eid) == mem.via_rels(eid)


def test_open_store_after_a_broken_stream_still_compiles_the_cache(tmp_path, pieces, monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(yamlsrc, "_parse_piece", lambda text, key: None)
    d = synth.write(tmp_path / "s", 300, seed=4)
    store = load.open_store(d)
    assert isinstance(store, SQLiteStore)
    assert store.relation_count() == len(load.load(d, use_cache=False).relations)


def test_invalid_streamed_data_raises_and_leaves_no_cache(tmp_path, pieces, monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    monkeypatch.setenv("ALLYGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    d = synth.write(tmp_path / "s", 300, seed=5)
    _spoil(d)
    with pytest.raises(DataError):
        load.open_store(d)
    assert not list((tmp_path / "cache").glob("*.sqlite*"))


_days = st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(9999, 12, 31))
_partial = st.builds(lambda d, n: d.isoformat()[:n], _days, st.sampled_from([4, 7, 10]))


@given(_partial, _partial)
def test_the_loops_date_order_is_the_calendars(since, until):
    """The loader compares a relation's checked dates as padded ISO text: the same answer as
    ``dates.ordered`` for every pair of partial dates."""
    fast = (until + "-01-01")[:10] >= (since + "-01-01")[:10]
    assert fast == dates.ordered(since, until)


def test_until_before_since_is_still_found_at_every_precision(tmp_path):
    d = synth.write(tmp_path / "s", 60, seed=1)
    rel = d / "relations.yaml"
    text = rel.read_text()
    head, rest = text.split("relations:\n", 1)
    extra = "".join(
        f"  - {{id: bad{n}, from: state_0, to: state_1, type: alliance, since: '{s}', until: '{u}', sources: [synth]}}\n"
        for n, (s, u) in enumerate(
            [
                ("2001", "2000-12-31"),
                ("2001-02", "2001-01"),
                ("2001-02-02", "2001-02-01"),
                ("2001-01-01", "2001-01"),
                ("2001-03", "2001"),
            ]
        )  # fmt: skip
    )
    rel.write_text(head + "relations:\n" + extra + rest)
    found = [p.message for p in validate(d)[1] if "is before since" in p.message]
    assert [m.split("'")[1] for m in found] == ["bad0", "bad1", "bad2", "bad4"]
