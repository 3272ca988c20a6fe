"""``fmt`` of a large directory (issue 20): the big list of each file read in bulk by yaml-rs and
written by ``fmt.Records``, the rest by ``fmt.format_text``. Whatever the layout, the text must be
byte for byte what the general path (every record composed by PyYAML) writes, ``--check`` must
say the same, and the cache is re-stamped in place rather than rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allygraph import cache, edit, synth
from allygraph.edit import canonical as fmt_module
from allygraph.edit import large
from allygraph.edit.canonical import ORDERS, Records, format_text
from allygraph.edit.doc import Doc
from allygraph.load import load, open_store
from allygraph.yamltext import flow, scalar
from helpers import general_and_large, large_pair

# --- the bulk path against the general one, text by text -------------------------------------

TEXT = st.one_of(
    st.sampled_from(["state_1", "State 1", "yes", "No", "null", "004", "1e5", "2023", "2023-01-05", "a: b", "x #y",
                     "-lead", " pad", "Türkiye", "it's", "[x]", "{y}", "", "true", "~", "0x1F", "a\nb", "tab\there"]),
    st.text(max_size=12),
)  # fmt: skip
SCALAR = st.one_of(TEXT, st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False),
                   st.booleans(), st.none())  # fmt: skip
VALUE = st.one_of(
    SCALAR,
    st.lists(TEXT, max_size=3),
    st.dictionaries(st.sampled_from(["iso3", "fiscal_year", "amount", "b"]), SCALAR, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["tier", "since"]), TEXT, min_size=1, max_size=2), max_size=2),
)
KEYS = st.sampled_from(["id", "from", "to", "type", "tier", "status", "since", "until", "via", "attributes",
                        "sources", "note", "name", "aliases", "zeta", "alpha"])  # fmt: skip
RECORD = st.dictionaries(KEYS, VALUE, min_size=1, max_size=6)


def _written(rec: dict, style: str, dash: int) -> str:
    """One record as a user might write it: one line in flow style, or a block in the given order."""
    pad = " " * dash
    if style == "flow":
        return f"{pad}- {flow(rec)}\n"
    lines = [f"{scalar(k)}: {flow(v)}" for k, v in rec.items()]
    if style == "quoted":  # single quotes where the canonical writer uses double ones
        lines = [line.replace('"', "'") if "\\" not in line and "'" not in line else line for line in lines]
    return (
        f"{pad}- " + "".join(line + "\n" + pad + "  " for line in lines).rstrip(" ") + ("\n" if style == "gap" else "")
    )


@st.composite
def files(draw) -> tuple[str, str]:
    section = draw(st.sampled_from(["relations", "entities"]))
    dash = draw(st.sampled_from([0, 2, 4]))
    recs = draw(st.lists(RECORD, min_size=1, max_size=6))
    body = "".join(_written(r, draw(st.sampled_from(["flow", "block", "quoted", "gap"])), dash) for r in recs)
    before = draw(
        st.sampled_from(["", "sources:\n  s1: {title: T, url: 'https://example.org/#a'}\n\n", "# a comment\n"])
    )
    after = draw(st.sampled_from(["", "tiers:\n- {id: t, name: T}\n", "\n\nladders: {}\n"]))
    text = f"{before}{section}:\n{body}{after}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return section, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=files(), fork=st.booleans(), piece=st.integers(1, 200))
def test_the_bulk_path_writes_what_the_general_path_writes(case, fork, piece, tmp_path_factory, monkeypatch):
    section, text = case
    d = tmp_path_factory.mktemp("fmt")
    name = f"{section}.yaml"
    (d / name).write_bytes(text.encode("utf-8"))
    try:
        doc = Doc.parse(name, text.encode("utf-8"))
    except Exception:  # noqa: BLE001 - text PyYAML refuses is not a data file
        return
    want = format_text(doc)
    monkeypatch.setattr(fmt_module, "_can_fork", lambda: fork)
    monkeypatch.setattr(fmt_module, "SMALL_PIECE", piece)  # records read a few at a time
    monkeypatch.setattr(large, "CHECK_FIRST", 16)  # the early look of --check on every file
    f = large.LargeFile(d, name, section)
    try:
        got = large._formatted(f, check=False)
    except large.Fallback:
        return  # a value yaml-rs may read differently, or a '#': the general path formats it
    assert (text if got is None else got.decode("utf-8")) == want
    checked = large._formatted(large.LargeFile(d, name, section), check=True)
    assert (checked is None) == (want == text)
    (d / name).write_bytes(want.encode("utf-8"))  # canonical now: both ways find nothing to change
    assert large._formatted(large.LargeFile(d, name, section), check=False) is None
    assert large._formatted(large.LargeFile(d, name, section), check=True) is None


def test_records_writes_each_record_as_record_does():
    """``Records`` against ``_record`` (through ``format_text``) on records of every value kind,
    the same keys in other orders and a field written over several lines."""
    recs = [{"id": f"r{i}", "from": "a", "to": f"b{i % 3}", "since": "2001", "sources": ["s"],
             "attributes": {"n": i, "x": 1.5}, "note": "yes" if i % 2 else "x: y"} for i in range(300)]  # fmt: skip
    recs.append({"tier": [{"since": "2001", "tier": "x"}], "id": "ladder"})
    recs += [{"to": "b", "id": "late", "from": "a"}, {"from": "a", "to": "b", "id": "again"}]
    text = "relations:\n" + "".join(f"  - {flow(r)}\n" for r in recs)
    records = Records(ORDERS["relations"])
    want = format_text(Doc.parse("relations.yaml", text.encode()))
    assert "relations:\n" + "\n\n".join(map(records, recs)) + "\n" == want


def test_a_record_with_a_key_that_is_not_text_is_left_to_the_general_path():
    assert Records(ORDERS["relations"])({1: "x"}) is None


# --- the command, on the synthetic layouts -----------------------------------------------------

LAYOUTS = ["synth", "plain"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fmtlarge")
    return {layout: synth.write(base / layout, 120, seed=5, layout=layout) for layout in LAYOUTS}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fmt_and_check_of_a_large_directory(dirs, layout, tmp_path, monkeypatch):
    monkeypatch.setattr(large, "CHECK_FIRST", 64)
    general, big = large_pair(dirs[layout], tmp_path, monkeypatch)
    want, got = general_and_large(general, big, monkeypatch, lambda d: edit.fmt(data=d, check=True))
    assert got == want and len(got["changed"]) == 2 and got["dry_run"] is True and "patch" not in got
    want, got = general_and_large(general, big, monkeypatch, lambda d: edit.fmt(data=d))
    assert got == want and [c["action"] for c in got["changed"]] == ["formatted", "formatted"]
    for name in ("entities.yaml", "relations.yaml"):
        assert (big / name).read_bytes() == (general / name).read_bytes(), name
    # canonical now: --check finds nothing, on either path
    want, got = general_and_large(general, big, monkeypatch, lambda d: edit.fmt(data=d, check=True))
    assert got == want == {"changed": []}
    # the cache, re-stamped, holds what compiling the new files gives, and is used as it is
    store = cache.get_sqlite(big.resolve())
    assert store is not None
    store.close()
    assert load(big).relations == load(big, use_cache=False).relations


def test_comments_in_the_records_take_the_general_path_and_are_kept(dirs, tmp_path, monkeypatch):
    general, big = large_pair(dirs["synth"], tmp_path, monkeypatch)
    for d in (general, big):
        text = (d / "relations.yaml").read_text()
        (d / "relations.yaml").write_text(text.replace("\n  - id: r3\n", "\n  # the third\n  - id: r3\n", 1))
    open_store(big).close()
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1 << 40)
    edit.fmt(data=general)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)
    assert large.fmt_large(big.resolve()) is None  # declined: the general path keeps the comment
    edit.fmt(data=big)
    assert (big / "relations.yaml").read_bytes() == (general / "relations.yaml").read_bytes()
    assert "  # the third\n  - id: r3\n" in (big / "relations.yaml").read_text()


def test_dry_run_shows_the_patch_from_the_general_path(dirs, tmp_path, monkeypatch):
    general, big = large_pair(dirs["plain"], tmp_path, monkeypatch)
    before = (big / "relations.yaml").read_bytes()
    out = edit.fmt(data=big, dry_run=True)
    assert out["dry_run"] is True and out["patch"].startswith("--- ")
    assert (big / "relations.yaml").read_bytes() == before


def _drop_cache(d: Path) -> None:
    """No cache for ``d`` (its file and seal; other directories' caches are left alone)."""
    path = cache._path_for(d.resolve(), "sqlite")
    for p in (path, Path(f"{path}.seal")):
        p.unlink(missing_ok=True)
    assert cache.get_sqlite(d.resolve()) is None


def test_without_a_current_cache_fmt_compiles_one_and_takes_the_large_path(dirs, tmp_path, monkeypatch):
    """A fresh clone has no cache: compiling it (a first load) and taking the large path costs
    seconds at a million relations, where the general path takes minutes."""
    from allygraph.edit import core

    general, big = large_pair(dirs["plain"], tmp_path, monkeypatch)
    _drop_cache(big)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1 << 40)
    edit.fmt(data=general)
    monkeypatch.setattr(cache, "SQLITE_BYTES", 1)

    def general_path(*args, **kwargs):
        raise AssertionError("the general path was taken")

    with monkeypatch.context() as m:
        m.setattr(core, "change", general_path)
        assert [c["action"] for c in edit.fmt(data=big)["changed"]] == ["formatted", "formatted"]
    for name in ("entities.yaml", "relations.yaml"):
        assert (big / name).read_bytes() == (general / name).read_bytes(), name
    store = cache.get_sqlite(big.resolve())
    assert store is not None  # compiled, then re-stamped after the write
    store.close()


def test_invalid_data_without_a_cache_is_reported_by_the_general_path(dirs, tmp_path, monkeypatch):
    from allygraph.errors import DataError

    _, big = large_pair(dirs["synth"], tmp_path, monkeypatch)
    _drop_cache(big)
    text = (big / "relations.yaml").read_text()
    (big / "relations.yaml").write_text(text.replace("from: state_1\n", "from: nobody_at_all\n", 1))
    with pytest.raises(DataError) as refused:
        edit.fmt(data=big)
    assert any("nobody_at_all" in p.message for p in refused.value.problems)
