"""The large-data machinery: the SQLite cache, the fast YAML path, bidirectional search, streaming
export and the memory guard. Each is forced on small data and compared with the ordinary path."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allygraph
from allygraph import cache, load, query, synth, yamlsrc
from allygraph.errors import TooLarge
from allygraph.export import NetworkxSource, StoreSource, graph_for, select
from allygraph.store import DatasetStore, SQLiteStore
from helpers import REPO, invoke, write_data


@pytest.fixture
def force_sqlite(monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)


QUERIES = [
    lambda S: query.path(S, "Japan", "Philippines"),
    lambda S: query.path(S, "India", "Philippines", all_paths=True, exclude=["partnership"]),
    lambda S: query.path(S, "Japan", "Philippines", types=["alliance"], as_of="1990"),
    lambda S: query.show(S, "OSA"),
    lambda S: query.show(S, "jp_ph_raa"),
    lambda S: query.neighbors(S, "TC-90", depth=2),
    lambda S: query.tiers(S, "Japan", as_of="2026-11-25"),
    lambda S: query.tier_history(S, "Japan", "Vietnam"),
    lambda S: query.search(S, "philipine coast gard"),
]


def test_sqlite_store_answers_like_memory(force_sqlite):
    sql = load.open_store()
    assert isinstance(sql, SQLiteStore)
    mem = DatasetStore(load.load(use_cache=False))
    graph = allygraph.load_graph(use_cache=False)
    for q in QUERIES:
        assert q(sql) == q(mem) == q(graph)


def test_sqlite_cache_is_reused_and_never_stale(force_sqlite, small_dir):
    first = load.open_store(small_dir)
    assert isinstance(first, SQLiteStore)
    assert query.tier_history(first, "japan", "philippines")["current"]["tier"] == "strengthened_strategic_partnership"
    again = cache.get_sqlite(small_dir)
    assert again is not None and again.stamp() == first.stamp()
    rel = small_dir / "relations.yaml"
    rel.write_text(
        rel.read_text().replace("tier: strengthened_strategic_partnership", "tier: comprehensive_strategic_partnership")
    )
    assert cache.get_sqlite(small_dir) is None  # stale: the stamp changed
    fresh = load.open_store(small_dir)
    assert query.tier_history(fresh, "japan", "philippines")["current"]["tier"] == "comprehensive_strategic_partnership"


def test_cli_on_the_sqlite_cache(small_dir, monkeypatch):
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    one = invoke("tiers", "Japan", "Philippines", "--json", "--data", str(small_dir))
    assert list(cache.cache_dir().glob("*.sqlite"))
    two = invoke("tiers", "Japan", "Philippines", "--json", "--data", str(small_dir))
    assert one.returncode == two.returncode == 0 and json.loads(one.stdout) == json.loads(two.stdout)
    assert invoke("show", "Phillipines", "--data", str(small_dir)).returncode == 1
    assert invoke("cache", "clear").stdout.startswith("removed ")


def _problems(directory: Path) -> list:
    return [tuple(p) for p in load.check(directory)]


def test_fast_yaml_path_reports_the_same_problems(monkeypatch):
    broken = REPO / "tests" / "fixtures" / "broken"
    slow = _problems(broken)
    monkeypatch.setattr(yamlsrc, "FAST_BYTES", 0)
    fast = _problems(broken)
    # the duplicate key is refused by yaml-rs, so that file falls back to the positioned path
    assert fast == slow


def test_fast_yaml_path_locates_errors_in_large_files(tmp_path, monkeypatch):
    d = synth.write(tmp_path / "s", 3000, seed=3)
    lines = (d / "relations.yaml").read_text().split("\n")
    hits = {}
    for want, field, bad in (("to", "    to: ", "    to: nowhere"), ("since", "    since: ", '    since: "2020-13"'),
                             ("tier", "    tier: ", "    tier: strategic_partnershp")):  # fmt: skip
        i = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith(field) and i not in hits.values())
        lines[i] = bad
        hits[want] = i
    (d / "relations.yaml").write_text("\n".join(lines))
    slow = _problems(d)
    monkeypatch.setattr(yamlsrc, "FAST_BYTES", 0)
    monkeypatch.setattr(yamlsrc, "SPLIT_BYTES", 0)  # and parse in two threads
    fast = _problems(d)
    assert fast == slow
    assert sorted(p[1] for p in fast if p[4] == "error") == sorted(i + 1 for i in hits.values())


def test_two_thread_parse_matches_one(tmp_path, monkeypatch):
    d = synth.write(tmp_path / "s", 2000, seed=5)
    text = (d / "relations.yaml").read_text()
    whole = yamlsrc._fast(text)
    monkeypatch.setattr(yamlsrc, "SPLIT_BYTES", 0)
    assert yamlsrc._split_last_list(text) is not None
    assert yamlsrc._fast(text) == whole


graphs = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from(["alliance", "arms_transfer", "member_of"])),
                  min_size=1, max_size=40)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edges=graphs, a=st.integers(0, 11), b=st.integers(0, 11), directed=st.booleans())
def test_bidirectional_search_finds_every_shortest_path(tmp_path, edges, a, b, directed):
    if a == b:
        return
    ents = "entities:\n" + "".join(f"  - {{id: n{i}, name: N{i}, type: state}}\n" for i in range(12))
    rels = "relations:\n" + "".join(f"  - {{id: r{k}, from: n{u}, to: n{v}, type: {t}, sources: [https://e.org]}}\n"
                                    for k, (u, v, t) in enumerate(edges))  # fmt: skip
    d = write_data(tmp_path / "g", ents, rels)
    G = allygraph.load_graph(d, use_cache=False)
    ref = nx.DiGraph() if directed else nx.Graph()
    ref.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        ref.add_edge(u, v)
        if directed and data["type"] == "alliance":  # symmetric types go both ways
            ref.add_edge(v, u)
    try:
        expected = sorted(nx.all_shortest_paths(ref, f"n{a}", f"n{b}"))
    except nx.NetworkXNoPath:
        expected = []
    try:
        got = sorted(p["nodes"] for p in query.path(G, f"n{a}", f"n{b}", all_paths=True, directed=directed)["paths"])
    except allygraph.errors.NoPath:
        got = []
    assert got == expected


def test_streaming_export_matches_the_graph_export(force_sqlite, tmp_path):
    from allygraph.export import export

    store = load.open_store()
    assert isinstance(store, SQLiteStore)
    export(StoreSource(store), "json", tmp_path / "a.json")
    export(allygraph.load_graph(use_cache=False), "json", tmp_path / "b.json")
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    key = lambda x: json.dumps(x, sort_keys=True)  # noqa: E731
    assert sorted(map(key, a["nodes"])) == sorted(map(key, b["nodes"]))
    assert sorted(map(key, a["edges"])) == sorted(map(key, b["edges"]))


def test_graph_for_streams_a_large_directory_through_the_same_interface(force_sqlite, small_dir, tmp_path):
    """A large directory's cache and an ordinary load are two adapters of one graph source: the
    same counts, registries and declared types, the same export, and a selection keeps them."""
    from allygraph.export import export

    big, small = graph_for(small_dir), graph_for(small_dir, use_cache=False)
    assert isinstance(big, StoreSource) and isinstance(small, NetworkxSource)
    for src in (big, small):
        assert (src.number_of_nodes(), src.number_of_edges()) == (5, 6)
        assert src.sources["s1"]["url"] == "https://example.org/s1"
        assert "alliance" in src.symmetric_types and "arms_transfer" not in src.symmetric_types
        assert Path(src.directory).resolve() == small_dir.resolve()
        assert src.has_node("osa") and not src.has_node("nowhere")
    assert sorted(big.edges()) == sorted(small.edges()) and sorted(big.nodes()) == sorted(small.nodes())
    export(big, "json", tmp_path / "big.json")
    export(small, "json", tmp_path / "small.json")
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("big", "small"))
    key = lambda x: json.dumps(x, sort_keys=True)  # noqa: E731
    assert a["graph"] == b["graph"] and a["graph"]["sources"]["s1"]["title"] == "A source"
    assert sorted(map(key, a["edges"])) == sorted(map(key, b["edges"]))
    part = select(big, around="United States", depth=1)
    assert isinstance(part, NetworkxSource) and part.sources == big.sources and part.directory == big.directory
    assert {n for n, _ in part.nodes()} == {"united_states", "japan", "philippines"}
    kept = {rid for _, _, rid, _ in part.edges()}
    assert kept == {rid for _, _, rid, _ in select(small, around="United States").edges()}
    assert kept == {"us-ph", "jp-us", "jp-ph-sp", "jp-ph-ssp", "tc90", "osa-ph"}  # osa and tc_90 are 2 hops out


def test_cli_export_streams_from_the_cache(force_sqlite, small_dir, tmp_path, capsys, monkeypatch):
    from allygraph.cli import main

    streamed: list[SQLiteStore] = []
    rows = StoreSource.edges

    def spy(self: StoreSource):
        streamed.append(self.store)
        return rows(self)

    monkeypatch.setattr(StoreSource, "edges", spy)
    out = tmp_path / "g.graphml"
    with pytest.raises(SystemExit) as done:
        main(["export", "-o", str(out), "--data", str(small_dir)])
    assert done.value.code in (0, None), capsys.readouterr().err
    assert streamed and all(isinstance(s, SQLiteStore) for s in streamed)  # the rows came from the cache
    H = nx.read_graphml(out)
    relations = [d for _, _, d in H.edges(data=True) if "via_of" not in d]  # the rest: derived via links
    assert H.number_of_nodes() == 5 and len(relations) == 6


def test_memory_guard_refuses_with_numbers(monkeypatch, small_dir):
    monkeypatch.setattr(load, "available_memory", lambda: 1024)
    with pytest.raises(TooLarge, match=r"needs about .* GB of memory to load.*Split it into several data directories"):
        load.validate(small_dir)
    monkeypatch.setenv("ALLYGRAPH_MEMORY_CHECK", "0")
    assert load.validate(small_dir)[0] is not None
