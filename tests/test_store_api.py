"""The Store interface (``store.base.Store``) is whole and the same on every backend, readers go
through it (no concrete-class tests, no ``.ds`` outside ``store/``), and ``store.as_store`` is the
one "graph or store" adapter."""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path

import pytest

import allygraph
from allygraph import cache, export, query
from allygraph.load import load, open_store
from allygraph.store import Store, as_store
from allygraph.store.base import Counts
from allygraph.store.graded import GradedStore

SRC = Path(allygraph.__file__).parent
_graphs = itertools.count()


def _memory(d: Path, monkeypatch) -> Store:
    return open_store(d, use_cache=False)


def _graph(d: Path, monkeypatch) -> Store:
    return as_store(allygraph.load_graph(d, use_cache=False))


def _sqlite(d: Path, monkeypatch) -> Store:
    monkeypatch.setattr(cache, "SQLITE_BYTES", 0)
    S = open_store(d)
    assert S.memory_graph() is None  # it came from the compiled cache, not memory
    return S


def _graded(d: Path, monkeypatch) -> Store:
    return GradedStore(open_store(d, use_cache=False), "weak")


KINDS = {"memory": _memory, "graph": _graph, "sqlite": _sqlite, "graded": _graded}


@pytest.fixture(params=[*KINDS, "server"])
def store_of_kind(request, small_dir, monkeypatch) -> tuple[str, Store]:
    """(kind, a store of that kind over ``small_dir``); the server kind pushes it to FalkorDB."""
    kind = request.param
    if kind == "server":
        pytest.importorskip("falkordb")
        from allygraph.server import parse_url
        from allygraph.server.conn import FalkorConnection
        from allygraph.server.push import push
        from allygraph.server.store import ServerStore

        db = request.getfixturevalue("falkordb_server")
        port = db.connection.connection_pool.connection_kwargs["port"]
        url = f"falkordb://127.0.0.1:{port}/storeapi{next(_graphs)}"
        push(load(small_dir, use_cache=False), FalkorConnection(parse_url(url, env={})))
        S: Store = ServerStore(FalkorConnection(parse_url(url, env={})))
        request.addfinalizer(S.close)  # type: ignore[attr-defined]
        return kind, S
    return kind, KINDS[kind](small_dir, monkeypatch)


def test_every_store_answers_the_whole_interface_alike(store_of_kind, small_dir):
    """One contract, every backend: the streams, counts, registry and lookups agree with each
    other and (but for the graded view, which keeps only some relations) with the data."""
    kind, S = store_of_kind
    assert not getattr(type(S), "__abstractmethods__", None)  # nothing of the interface left out
    ds = load(small_dir, use_cache=False)
    entities = dict(S.iter_entities())
    relations = list(S.iter_relations())
    sources = S.all_sources()
    assert S.counts() == Counts(len(entities), len(relations), len(sources))
    assert isinstance(S.counts(), tuple) and S.counts().entities == len(entities)
    assert entities == ds.entities and sources == ds.sources
    by_id = {r["id"]: r for r in relations}
    assert len(by_id) == len(relations)
    if kind == "graded":
        assert set(by_id) <= set(ds.relations) and all(S.keeps(r) for r in relations)  # type: ignore[attr-defined]
    else:
        assert by_id == ds.relations
        if kind != "server":  # the server keeps no order of the data
            assert [r["id"] for r in relations] == list(ds.relations)
    for eid, ent in entities.items():
        assert S.has_entity(eid) and S.entity(eid) == ent
    assert not S.has_entity("nowhere")
    for rid, rel in by_id.items():
        assert S.relation(rid) == rel
    assert S.relation("no-such-relation") is None
    outs = {r["id"] for u in entities for r in S.out_rels(u)}
    ins = {r["id"] for u in entities for r in S.in_rels(u)}
    assert outs == ins == set(by_id)
    for sid, src in sources.items():
        assert S.source(sid) == src


def test_the_contract_test_covers_every_store_class():
    """A new Store implementation must join the contract test above (``KINDS`` and the server)."""
    import importlib

    for mod in ("store.memory", "store.sqlite", "store.graded", "server.store"):
        importlib.import_module(f"allygraph.{mod}")

    def concrete(cls: type) -> set[type]:
        found = {cls} if not getattr(cls, "__abstractmethods__", None) else set()
        return found.union(*(concrete(sub) for sub in cls.__subclasses__()))

    ours = {c.__name__ for c in concrete(Store) if c.__module__.startswith("allygraph.")}
    assert ours == {"DatasetStore", "GraphStore", "SQLiteStore", "GradedStore", "ServerStore"}


def test_a_store_that_leaves_out_part_of_the_interface_cannot_be_made():
    class Partial(Store):
        def entity(self, eid: str) -> dict:
            return {}

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]


# ---- the one adapter ---------------------------------------------------------------------------


def test_as_store_is_the_one_adapter(small_dir):
    """A Store as is, a source's store, a graph wrapped once; nothing else."""
    G = allygraph.load_graph(small_dir, use_cache=False)
    S = as_store(G)
    assert as_store(G) is S and as_store(S) is S
    src = export.StoreSource(open_store(small_dir, use_cache=False))
    assert as_store(src) is src.store
    with pytest.raises(TypeError, match="cannot read a dict"):
        as_store({"graph": 1})
    defs = [p for p in SRC.rglob("*.py") for n in ast.walk(ast.parse(p.read_text()))
            if isinstance(n, ast.FunctionDef) and n.name in {"as_store", "store_of"}]  # fmt: skip
    assert [p.relative_to(SRC).as_posix() for p in defs] == ["store/memory.py"]


def test_a_selected_graph_is_queried_as_itself_not_as_the_graph_it_came_from(small_dir):
    """``select`` copies ``G.graph``, where the adapter kept G's store: a query on the part then
    answered from the whole graph (relations the selection dropped came back)."""
    G = allygraph.load_graph(small_dir, use_cache=False)
    query.neighbors(G, "japan")  # G's store is made and kept
    H = export.select(G, types=["alliance"])
    kept = {k for _, _, k in H.edges(keys=True)}
    found = query.neighbors(H, "japan")
    assert {rid for n in found["neighbors"] for rid in n["relations"]} <= kept
    assert {n["id"] for n in found["neighbors"]} == {"united_states"}
    assert {r["id"] for r in as_store(H).iter_relations()} == kept


def test_a_selected_graph_knows_only_its_own_entities(small_dir):
    """A part of a graph answers for what it holds: an entity left out is unknown (it crashed
    with KeyError from the graph's adjacency), and the streams, counts and lookups agree."""
    from allygraph.errors import UnknownEntity

    H = export.select(allygraph.load_graph(small_dir, use_cache=False), types=["alliance"])
    S = as_store(H)
    for ask in (lambda: query.show(H, "OSA"), lambda: query.neighbors(H, "OSA"), lambda: query.path(H, "Japan", "OSA")):
        with pytest.raises(UnknownEntity):
            ask()
    ids = {eid for eid, _ in S.iter_entities()}
    assert ids == set(H.nodes) and S.counts()[:2] == (len(ids), H.number_of_edges())
    assert S.has_entity("japan") and not S.has_entity("osa")
    with pytest.raises(KeyError):
        S.entity("osa")
    assert S.relation("us-ph") is not None and S.relation("osa-ph") is None


def test_an_analysis_of_a_selected_graph_counts_only_its_relations(small_dir):
    """Every relation of a graph is its edges, not the whole Dataset it was built from."""
    from allygraph.analysis.centrality import rank

    H = export.select(allygraph.load_graph(small_dir, use_cache=False), types=["alliance"])
    scores = {r["id"]: r["score"] for r in rank(H, by="degree")["ranking"]}
    whole = {r["id"]: r["score"] for r in rank(H, by="degree", types=["alliance"])["ranking"]}
    assert scores == whole and scores["united_states"] == 1.0 and scores["japan"] == 0.5


def test_any_store_exports(small_dir, tmp_path):
    """An exporter reads a Store through its interface, whichever store it is."""
    S = open_store(small_dir, use_cache=False)
    stats = export.export(S, "json", tmp_path / "s.json")
    assert (stats["nodes"], stats["edges"]) == S.counts()[:2]
    export.export(allygraph.load_graph(small_dir, use_cache=False), "json", tmp_path / "g.json")
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("s", "g"))
    key = lambda x: json.dumps(x, sort_keys=True)  # noqa: E731
    assert sorted(map(key, a["edges"])) == sorted(map(key, b["edges"])) and a["graph"] == b["graph"]
    assert isinstance(export.as_source(S), export.NetworkxSource)  # in memory: exported as its graph
    graded = export.as_source(GradedStore(S, "official"))  # a view with no graph of its own streams
    assert isinstance(graded, export.StoreSource)
    kept = [rid for _, _, rid, _ in graded.edges()]
    assert graded.number_of_edges() == len(kept) and set(kept) < {r["id"] for r in S.iter_relations()}


# ---- architecture --------------------------------------------------------------------------------

STORE_CLASSES = {"Store", "SQLiteStore", "DatasetStore", "GraphStore", "GradedStore", "ServerStore"}


def _offences(tree: ast.AST) -> list[str]:
    """Concrete-store ``isinstance`` tests and reaches into a store's ``.ds``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "isinstance" and len(node.args) == 2:
                named = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                named |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
                if named & (STORE_CLASSES - {"Store"}):
                    found.append(f"line {node.lineno}: isinstance(..., {', '.join(sorted(named))})")
            if node.func.id in {"getattr", "hasattr"} and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value == "ds":
                    found.append(f"line {node.lineno}: {node.func.id}(..., 'ds')")
        if isinstance(node, ast.Attribute) and node.attr == "ds":
            found.append(f"line {node.lineno}: .ds")
    return found


def test_no_reader_outside_the_store_tests_the_concrete_store_or_reaches_into_it():
    allowed = {"store", "cache.py"}  # the stores themselves, and the cache that opens and builds them
    bad = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in allowed:
            continue
        found = _offences(ast.parse(path.read_text(), str(path)))
        if found:
            bad[rel.as_posix()] = found
    assert not bad


def test_the_architecture_check_finds_what_it_forbids():
    code = "def f(S, G):\n    if isinstance(S, SQLiteStore): pass\n    x = G.ds\n    y = getattr(S, 'ds', None)\n"
    assert len(_offences(ast.parse(code))) == 3
    assert not _offences(ast.parse("def f(S):\n    return isinstance(S, Store) and S.iter_relations()\n"))


# ---- the package's names ---------------------------------------------------------------------------


def test_dir_lists_the_public_modules_and_names_and_each_resolves():
    """In a fresh interpreter (where no submodule is imported yet), ``dir(allygraph)`` lists the
    lazy modules too, and every name it lists resolves."""
    import subprocess
    import sys

    code = "import allygraph, json; print(json.dumps(dir(allygraph)))"
    names = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    for name in ("load_graph", "__version__", "query", "export", "analysis", "store", "errors", "load", "graph"):
        assert name in names
    assert names == sorted(set(names)) and set(allygraph.__all__) <= set(names)
    for name in names:
        assert getattr(allygraph, name) is not None  # modules import on first use
    with pytest.raises(AttributeError, match="no_such_module"):
        allygraph.no_such_module  # noqa: B018
