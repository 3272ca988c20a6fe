"""Exports (issue 3): every format written, validated, and read back by a reader allygraph did not write.

Readers: lxml + the official XSD/RELAX NG schemas (offline, through the catalogs), networkx and
python-igraph for GraphML, lxml for GEXF, the csv and json modules, and Ladybug (the maintained
fork of Kùzu) for Cypher literals. The engines and JavaScript readers run in test_engines.py.
Derived via edges (``common.edges_with_via``) are expected wherever relations are.

The bundled data is one realistic input for every format (beside the synthetic graph and the hostile
fixture); the tests compare what is read back with the graph itself, never with facts of the data.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
import re
from pathlib import Path

import networkx as nx
import pytest

import allygraph
from allygraph.errors import UsageError
from allygraph.export import FORMATS, export, infer_format, select
from allygraph.export.common import (
    ATTR_PREFIX,
    attr_column,
    attr_key,
    columns,
    count_edges,
    edges_with_via,
    join_list,
    split_list,
    symmetric_types,
    xml_clean,
)
from allygraph.export.csvpair import neutralise, unneutralise
from allygraph.export.nodelink import relation_of
from allygraph.query import neighbors
from allygraph.vocab import SYMMETRIC_TYPES
from helpers import Invoked, invoke, write_records

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
if not SPEC.exists():
    SPEC = Path("/work/shared/spec")
os.environ.setdefault("XML_CATALOG_FILES", f"{SPEC}/graphml/catalog.xml {SPEC}/gexf/catalog.xml")

etree = pytest.importorskip("lxml.etree")
GEXF_NS = "{http://gexf.net/1.3}"
G_NS = "{http://graphml.graphdrawing.org/xmlns}"

HOSTILE_NAME = "Ampersand & <Angle> \"double\" 'single' `tick` \\ back"
CONTROL = "ctl\x01\x1f bell\x07 nl\nline cr\rret tab\tx"

HOSTILE_ENTITIES = [
    {"id": "amp", "name": HOSTILE_NAME, "type": "state",
     "aliases": ["日本国", "Ελλάδα", "a | pipe", "x\\y", "=SUM(A1)", "+1", "-cmd", "@at", "'quoted"],
     "description": "  leading and trailing spaces, double  spaces  ", "wikidata": "Q1",
     "attributes": {"size": 3, "color": "red", "weird key!": "v", "flag": True, "ratio": 1.5, "neg": -2},
     "sources": ["s1", "https://example.org/?a=1&b=<2>"]},
    {"id": "ctl", "name": CONTROL, "type": "state", "aliases": ["\tTAB", "\rCR"],
     "since": "1945", "until": "2030-06", "attributes": {"size": 7, "flag": False, "ratio": 2.0, "neg": 5}},
    {"id": "ar", "name": "مصر\u200f العربية", "type": "state", "aliases": []},
    {"id": "plat", "name": "Platform <X>", "type": "platform"},
    {"id": "lone", "name": "Lonely", "type": "event", "since": "2020-02-29"},
]  # fmt: skip
HOSTILE_RELATIONS = [
    {"id": "p1", "from": "amp", "to": "ctl", "type": "partnership", "tier": "strategic_partnership",
     "since": "2011-09", "sources": ["s1"], "note": "first <tier> & \"quotes\"\nsecond line"},
    {"id": "p2", "from": "amp", "to": "ctl", "type": "partnership", "tier": "comprehensive_strategic_partnership",
     "since": "2015", "sources": ["s1"]},
    {"id": "p3", "from": "ctl", "to": "amp", "type": "partnership", "tier": "comprehensive_strategic_partnership",
     "since": "2015", "status": "reported", "sources": ["s1"]},
    {"id": "t1", "from": "amp", "to": "ar", "type": "arms_transfer", "via": "plat", "since": "2017",
     "attributes": {"quantity": 6, "item": "=HYPERLINK(\"x\")", "size": 10}, "sources": ["s1"]},
    {"id": "t2", "from": "amp", "to": "ar", "type": "arms_transfer", "via": "plat", "since": "2018",
     "attributes": {"quantity": 4, "item": "@evil", "size": 11}, "sources": ["s1"]},
    {"id": "al", "from": "ctl", "to": "ar", "type": "alliance", "since": "1951-08-30", "until": "2000", "status": "ended",
     "sources": ["s1"]},
    {"id": "x1", "from": "ar", "to": "ctl", "type": "exercises_with", "sources": ["s1"], "note": CONTROL},
]  # fmt: skip
SOURCES = {"s1": {"title": "A & B <source>", "url": "https://example.org/s1", "date": "2024-07-08"}}


def write_dir(d: Path, entities: list[dict], relations: list[dict]) -> Path:
    return write_records(d, entities, relations, SOURCES)


@pytest.fixture
def hostile(tmp_path) -> nx.MultiDiGraph:
    return allygraph.load_graph(write_dir(tmp_path / "hostile", HOSTILE_ENTITIES, HOSTILE_RELATIONS), use_cache=False)


@pytest.fixture(scope="module")
def bundled() -> nx.MultiDiGraph:
    return allygraph.load_graph(use_cache=False)


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> nx.MultiDiGraph:
    from allygraph import synth as synth_mod

    # small but representative (every type, tiers, dates, via): scale belongs in benchmarks/
    d = synth_mod.write(tmp_path_factory.mktemp("synth"), 300, seed=1)
    return allygraph.load_graph(d, use_cache=False)


# ---- expected values, from the graph itself ---------------------------------------------------


def expected_entities(G, clean=lambda s: s) -> dict[str, dict]:
    """Entities as contract dicts, strings passed through ``clean`` (XML drops C0 controls)."""
    return {n: _deep(dict(d), clean) for n, d in G.nodes(data=True)}


def expected_relations(G, clean=lambda s: s) -> dict[str, dict]:
    """Relations and their derived via edges, as dicts."""
    return {k: _deep(dict(d), clean) for _, _, k, d in edges_with_via(G)}


def _deep(value, clean):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_deep(v, clean) for v in value]
    if isinstance(value, dict):
        return {
            clean(k) if isinstance(k, str) else k: _deep(v, clean) for k, v in value.items() if v not in (None, "", [])
        }
    return value


ENTITY_COLS = {"name": "name", "entity_type": "type", "aliases": "aliases", "description": "description",
               "wikidata": "wikidata", "since": "since", "until": "until", "sources": "sources"}  # fmt: skip
RELATION_COLS = {"relation_id": "id", "relation_type": "type", "tier": "tier", "status": "status", "since": "since",
                 "until": "until", "via": "via", "sources": "sources", "note": "note", "via_of": "via_of",
                 "designations": "designations", "contradicted_by": "contradicted_by"}  # fmt: skip


def from_columns(row: dict, mapping: dict[str, str], attr_names: dict[str, str] | None = None) -> dict:
    """Flat columns (as a reader saw them) -> a contract dict; lists split, attributes regrouped
    (their keys by the one attribute-key rule, ``attr_key``)."""
    out: dict = {}
    attrs: dict = {}
    for col, value in row.items():
        if value is None or value == "":
            continue
        if col in mapping:
            key = mapping[col]
            out[key] = split_list(value) if key in ("aliases", "sources", "designations", "contradicted_by") else value
            if key == "designations":  # party=tier items -> the contract's mapping
                out[key] = dict(item.split("=", 1) for item in (out[key] if isinstance(out[key], list) else [out[key]]))
        elif col.startswith(ATTR_PREFIX):
            attrs[attr_key(col)] = value
    if attrs:
        out["attributes"] = attrs
    return out


def drop_empty(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def comparable(d: dict, drop=("from", "to", "id")) -> dict:
    return drop_empty({k: v for k, v in d.items() if k not in drop})


# ---- GraphML --------------------------------------------------------------------------------------


def graphml_schema(version="1.0"):
    return etree.XMLSchema(etree.parse(f"{SPEC}/graphml/{version}/graphml.xsd"))


def assert_valid_graphml(path: Path) -> None:
    doc = etree.parse(str(path))
    for version in ("1.0", "1.1"):
        schema = graphml_schema(version)
        assert schema.validate(doc), [str(e) for e in schema.error_log][:5]


def graphml_attr_names(path: Path) -> dict[str, str]:
    """attr.name -> the attribute key written in the key's <desc> (where the rule changed it)."""
    out = {}
    for key in etree.parse(str(path)).getroot().iter(f"{G_NS}key"):
        desc = key.find(f"{G_NS}desc")
        if desc is not None and key.get("attr.name"):
            out[key.get("attr.name")] = desc.text.removeprefix("attributes.")
    return out


def check_graphml_networkx(G, path: Path) -> None:
    H = nx.read_graphml(path, force_multigraph=True)
    names = graphml_attr_names(path)
    assert set(H.nodes) == set(G.nodes)
    want = expected_entities(G, xml_clean)
    for n, d in H.nodes(data=True):
        assert d["label"] == want[n]["name"]
        got = from_columns(d, ENTITY_COLS, names)
        assert got == comparable(want[n]), n
    want_r = expected_relations(G, xml_clean)
    seen = set()
    for u, v, k, d in H.edges(keys=True, data=True):
        assert k == d["relation_id"]
        seen.add(k)
        assert (u, v) == (want_r[k]["from"], want_r[k]["to"])
        assert d["symmetric"] is (want_r[k]["type"] in symmetric_types(G))  # declared types count too
        assert from_columns(d, RELATION_COLS, names) | {"id": k} == comparable(want_r[k], ("from", "to"))
    assert seen == set(want_r)


def check_graphml_igraph(G, path: Path) -> None:
    igraph = pytest.importorskip("igraph")
    g = igraph.Graph.Read_GraphML(str(path))
    names = graphml_attr_names(path)
    assert g.is_directed()
    assert g.vcount() == G.number_of_nodes() and g.ecount() == count_edges(G)
    ids = g.vs["id"]
    want = expected_entities(G, xml_clean)
    for v in g.vs:
        row = _igraph_row(v.attributes(), want[v["id"]], names)
        assert from_columns(row, ENTITY_COLS, names) == comparable(want[v["id"]]), v["id"]
    want_r = expected_relations(G, xml_clean)
    got_ids = []
    for e in g.es:  # igraph misreads edge ids: use the relation_id column
        rid = e["relation_id"]
        got_ids.append(rid)
        assert (ids[e.source], ids[e.target]) == (want_r[rid]["from"], want_r[rid]["to"])
        row = _igraph_row(
            {k: e[k] for k in g.es.attributes() if k not in ("id", "label", "symmetric")}, want_r[rid], names
        )
        assert from_columns(row, RELATION_COLS, names) == comparable(want_r[rid], ("from", "to")), rid
        assert bool(e["symmetric"]) is (want_r[rid]["type"] in symmetric_types(G))
    assert sorted(got_ids) == sorted(want_r)


def _igraph_row(row: dict, want: dict, names: dict[str, str]) -> dict:
    """igraph has no missing values: a number it lacks reads as NaN and a boolean as False."""
    attrs = want.get("attributes", {})
    out = {}
    for k, v in row.items():
        if k == "id" or (isinstance(v, float) and math.isnan(v)):
            continue
        key = attr_key(k) if k.startswith(ATTR_PREFIX) else k
        if v is False and k.startswith(ATTR_PREFIX) and key not in attrs:
            continue
        out[k] = v
    return out


def test_graphml_valid_and_round_trips_hostile(hostile, tmp_path):
    out = tmp_path / "h.graphml"
    stats = export(hostile, None, out)
    assert stats == {"format": "graphml", "path": str(out), "nodes": 5, "edges": 7, "via_edges": 4,
                     "files": [str(out)], "bytes": out.stat().st_size}  # fmt: skip
    assert_valid_graphml(out)
    check_graphml_networkx(hostile, out)
    check_graphml_igraph(hostile, out)


def test_graphml_reader_traps(hostile, tmp_path):
    out = tmp_path / "h.graphml"
    export(hostile, "graphml", out)
    text = out.read_text(encoding="utf-8")
    root = etree.parse(str(out)).getroot()
    keys = list(root.iter(f"{G_NS}key"))
    # Gephi reads key ids d3/d7 as labels: never emit them
    assert not any(re.fullmatch(r"d\d+", k.get("id")) for k in keys)
    # no attribute name Gephi would turn into a visual property; attributes are prefixed
    reserved = {"id", "weight", "x", "y", "size", "color", "r", "g", "b", "edgeid", "edgelabel", "edgeweight"}
    assert not reserved & {k.get("attr.name") for k in keys}
    assert {"attr_size", "attr_color"} <= {k.get("attr.name") for k in keys}
    # one type per attribute name, nodes and edges together (attr_size: long on both)
    by_name: dict[str, set[str]] = {}
    for k in keys:
        by_name.setdefault(k.get("attr.name"), set()).add(k.get("attr.type"))
    assert all(len(t) == 1 for t in by_name.values()), by_name
    assert (
        by_name["attr_flag"] == {"boolean"} and by_name["attr_ratio"] == {"double"} and by_name["attr_neg"] == {"long"}
    )
    # lowercase booleans, no None, a label on every node and edge, Cytoscape's name
    assert ">True<" not in text and ">False<" not in text and ">None<" not in text and "None" not in text
    for el in (*root.iter(f"{G_NS}node"), *root.iter(f"{G_NS}edge")):
        kid = "n.label" if el.tag == f"{G_NS}node" else "e.label"
        assert [d.text for d in el if d.get("key") == kid][0].strip()
    # parallel edges are told apart by label
    H = nx.read_graphml(out, force_multigraph=True)
    labels = [d["label"] for _, _, d in H.edges(data=True)]
    assert len(labels) == len(set(labels))
    assert "a \\| pipe" in text  # the separator inside an item is escaped


def test_graphml_yed(hostile, tmp_path):
    out = tmp_path / "y.graphml"
    export(hostile, "graphml", out, yed=True)
    doc = etree.parse(str(out))
    Y = "{http://www.yworks.com/xml/graphml}"
    labels = [el.text for el in doc.getroot().iter(f"{Y}NodeLabel")]
    assert sorted(labels) == sorted(xml_clean(d["name"]) for _, d in hostile.nodes(data=True))
    assert len(list(doc.getroot().iter(f"{Y}EdgeLabel"))) == count_edges(hostile)
    # the yFiles parts are an extension the plain schema does not know; the rest stays valid
    for key in [k for k in doc.getroot().iter(f"{G_NS}key") if k.get("yfiles.type")]:
        key.getparent().remove(key)
    for data in [d for d in doc.getroot().iter(f"{G_NS}data") if d.get("key", "").startswith("y.")]:
        data.getparent().remove(data)
    schema = graphml_schema()
    assert schema.validate(doc), [str(e) for e in schema.error_log][:3]
    check_graphml_networkx(hostile, out)  # networkx and igraph ignore the yFiles data
    check_graphml_igraph(hostile, out)
    with pytest.raises(UsageError):
        export(hostile, "gexf", tmp_path / "x.gexf", yed=True)


# ---- GEXF -----------------------------------------------------------------------------------------


def assert_valid_gexf(path: Path) -> None:
    doc = etree.parse(str(path))
    xsd = etree.XMLSchema(etree.parse("http://gexf.net/1.3/gexf.xsd"))
    assert xsd.validate(doc), [str(e) for e in xsd.error_log][:5]
    # RELAX NG (the normative grammar) rejects xsi:schemaLocation, so check a copy without it
    doc.getroot().attrib.pop("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    rng = etree.RelaxNG(etree.parse(f"{SPEC}/gexf/1.3/gexf.rng"))
    assert rng.validate(doc), [str(e) for e in rng.error_log][:5]


def read_gexf(path: Path):
    root = etree.parse(str(path)).getroot()
    graph = root.find(f"{GEXF_NS}graph")
    attrs = {}
    for block in graph.findall(f"{GEXF_NS}attributes"):
        attrs[block.get("class")] = {a.get("id"): (a.get("title"), a.get("type")) for a in block}
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF_NS}node")}
    edges = {e.get("id"): e for e in graph.iter(f"{GEXF_NS}edge")}
    return graph, attrs, nodes, edges


def gexf_values(el, attrs) -> dict:
    out = {}
    for av in el.iter(f"{GEXF_NS}attvalue"):
        title, kind = attrs[av.get("for")]
        v = av.get("value")
        out[title] = {"boolean": lambda s: s == "true", "long": int, "double": float}.get(kind, str)(v)
    return out


def test_gexf_valid_and_round_trips_hostile(hostile, tmp_path):
    out = tmp_path / "h.gexf"
    export(hostile, None, out)
    assert_valid_gexf(out)
    graph, attrs, nodes, edges = read_gexf(out)
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    reserved = {"type", "start", "end", "label", "id", "weight"}
    titles = {t for cls in attrs.values() for t, _ in cls.values()}
    assert not reserved & titles
    want = expected_entities(hostile, xml_clean)
    assert set(nodes) == set(want)
    for n, el in nodes.items():
        assert from_columns(gexf_values(el, attrs["node"]), ENTITY_COLS) == comparable(want[n])
    want_r = expected_relations(hostile, xml_clean)
    assert set(edges) == set(want_r)
    for rid, el in edges.items():
        assert (el.get("source"), el.get("target")) == (want_r[rid]["from"], want_r[rid]["to"])
        vals = gexf_values(el, attrs["edge"])
        assert from_columns(vals, RELATION_COLS) | {"id": rid} == comparable(want_r[rid], ("from", "to"))
        # one edge type: networkx and graphology cannot read a mixed file; symmetric says it
        assert el.get("type") == "directed"
        assert vals["symmetric"] is (want_r[rid]["type"] in SYMMETRIC_TYPES)
    # parallel edges: unique kind per pair
    kinds = [(frozenset((e.get("source"), e.get("target"))), e.get("kind")) for e in edges.values()]
    assert len(kinds) == len(set(kinds))
    # spells: since -> start; until -> the day before; an upgrade ends the lower tier
    assert edges["p1"].get("start") == "2011-09-01" and edges["p1"].get("end") == "2014-12-31"
    assert edges["p2"].get("start") == "2015-01-01" and edges["p2"].get("end") is None
    assert edges["al"].get("end") == "1999-12-31"
    assert edges["x1"].get("start") is None
    assert nodes["ctl"].get("start") == "1945-01-01" and nodes["ctl"].get("end") == "2030-05-31"


# ---- JSON -----------------------------------------------------------------------------------------


def test_node_link_json_round_trip(hostile, tmp_path):
    out = tmp_path / "h.json"
    export(hostile, None, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    H = nx.node_link_graph(data)  # networkx's defaults (3.6: the edge list under "edges")
    assert H.is_multigraph() and H.is_directed()
    # exact, control characters included (node_link_graph takes "id" as the node key)
    assert {n: {**d, "id": n} for n, d in H.nodes(data=True)} == dict(hostile.nodes(data=True))
    assert {k: (u, v, relation_of(d)) for u, v, k, d in H.edges(keys=True, data=True)} == {
        k: (u, v, d) for u, v, k, d in edges_with_via(hostile)
    }
    assert data["graph"]["sources"] == SOURCES
    assert [t["id"] for t in data["graph"]["tiers"]][0] == "alliance"


def test_cytoscape_json_round_trip(hostile, tmp_path):
    out = tmp_path / "h.cyjs"
    export(hostile, None, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    want = expected_entities(hostile)
    assert set(nodes) == set(want)
    for n, d in nodes.items():
        assert d["name"] == hostile.nodes[n]["name"]
        row = {k: (join_list(v) if isinstance(v, list) else v) for k, v in d.items()}
        assert from_columns(row, ENTITY_COLS) == comparable(want[n])
    want_r = expected_relations(hostile)
    edges = {e["data"]["id"]: e["data"] for e in data["elements"]["edges"]}
    assert set(edges) == set(want_r)
    for rid, d in edges.items():
        assert (d["source"], d["target"], d["interaction"]) == (
            want_r[rid]["from"],
            want_r[rid]["to"],
            want_r[rid]["type"],
        )
        row = {k: (join_list(v) if isinstance(v, list) else v) for k, v in d.items()}
        assert from_columns(row, RELATION_COLS) | {"id": rid} == comparable(want_r[rid], ("from", "to"))
    assert len({d["name"] for d in edges.values()}) == len(edges)


# ---- CSV ------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def typed(value: str, kind: str):
    return {"boolean": lambda s: s == "true", "long": int, "double": float}.get(kind, unneutralise)(value)


def test_csv_pair_round_trip_and_neutralisation(hostile, tmp_path):
    stats = export(hostile, None, tmp_path / "h.csv")
    npath, epath = tmp_path / "h.nodes.csv", tmp_path / "h.edges.csv"
    assert stats["files"] == [str(npath), str(epath)]
    node_cols, edge_cols = columns(hostile)
    nodes = read_csv(npath)
    assert list(nodes[0])[:2] == ["Id", "Label"]
    want = expected_entities(hostile)
    for row in nodes:
        n = unneutralise(row["Id"])
        assert unneutralise(row["Label"]) == want[n]["name"]
        vals = {c: typed(row[c], k) for c, k in node_cols.items() if row[c] != ""}
        assert from_columns(vals, ENTITY_COLS) == comparable(want[n])
    edges = read_csv(epath)
    assert list(edges[0])[:5] == ["Source", "Target", "Type", "Id", "Label"]
    want_r = expected_relations(hostile)
    for row in edges:
        rid = row["Id"]
        assert row["Type"] == ("Undirected" if want_r[rid]["type"] in SYMMETRIC_TYPES else "Directed")
        vals = {c: typed(row[c], k) for c, k in edge_cols.items() if row[c] != ""}
        assert from_columns(vals, RELATION_COLS) == comparable(want_r[rid], ("from", "to"))
    # no cell a spreadsheet would run as a formula (a negative number is a number, not a formula)
    for path in (npath, epath):
        for row in read_csv(path):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(r"-\d+(\.\d+)?", value), (
                    value
                )
    item = {r["Id"]: r for r in edges}["t1"]["attr_item"]
    assert item == '\'=HYPERLINK("x")'
    # a directory destination
    export(hostile, "csv", tmp_path / "dir")
    assert read_csv(tmp_path / "dir" / "nodes.csv") == nodes


def _record_ends(data: bytes) -> list[bytes]:
    """The line ends that close records (outside quoted cells) of a CSV file's bytes."""
    ends, quoted = [], False
    for i, b in enumerate(data):
        if b == ord('"'):
            quoted = not quoted
        elif b == ord("\n") and not quoted:
            ends.append(data[i - 1 : i + 1])
    return ends


def test_csv_excel_has_a_bom_and_crlf_records(hostile, tmp_path, small_dir):
    """``--excel``: a UTF-8 byte order mark (Excel reads a file without one in the system's code
    page, mangling every non-ASCII name) and CRLF after every record (RFC 4180); otherwise the
    same bytes as the plain export, so the csv module reads the same rows."""
    export(hostile, "csv", tmp_path / "plain.csv")
    stats = export(hostile, "csv", tmp_path / "xl.csv", excel=True)
    assert stats["bytes"] == sum(Path(f).stat().st_size for f in stats["files"])
    for part in ("nodes", "edges"):
        plain = (tmp_path / f"plain.{part}.csv").read_bytes()
        xl = (tmp_path / f"xl.{part}.csv").read_bytes()
        assert xl == b"\xef\xbb\xbf" + plain
        ends = _record_ends(xl)
        assert ends and set(ends) == {b"\r\n"} and xl.endswith(b"\r\n")
        with open(tmp_path / f"xl.{part}.csv", newline="", encoding="utf-8-sig") as fh:
            assert list(csv.DictReader(fh)) == read_csv(tmp_path / f"plain.{part}.csv")
    # hostile cells: non-ASCII and line breaks inside quoted cells survive
    assert "日本国" in (tmp_path / "xl.nodes.csv").read_text(encoding="utf-8-sig")
    # the command; --excel elsewhere is refused in one line, exit 2
    r = invoke("export", "csv", "-o", str(tmp_path / "cli.csv"), "--excel", "--data", str(small_dir))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cli.nodes.csv").read_bytes().startswith(b"\xef\xbb\xbfId,Label,")
    r = invoke("export", "graphml", "-o", str(tmp_path / "x.graphml"), "--excel", "--data", str(small_dir))
    assert r.returncode == 2 and "--excel only applies to CSV" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.graphml").exists()
    with pytest.raises(UsageError):
        export(hostile, "neo4j", tmp_path / "n4j", excel=True)


def test_neutralise_rule():
    assert neutralise("=1+1") == "'=1+1" and neutralise("-2") == "'-2" and neutralise("\tx") == "'\tx"
    assert neutralise("'quoted") == "''quoted" and neutralise("plain") == "plain"
    for s in ("=1", "'x", "''", "ok", "@", "-"):
        assert unneutralise(neutralise(s)) == s


# ---- neo4j-admin ----------------------------------------------------------------------------------


def test_neo4j_admin_csv(hostile, tmp_path):
    dest = tmp_path / "neo"
    stats = export(hostile, "neo4j", dest)
    assert sorted(Path(f).name for f in stats["files"]) == [
        "import.sh",
        "nodes.csv",
        "relationships.csv",
        "sources.csv",
    ]
    nodes = read_csv(dest / "nodes.csv")
    head = list(nodes[0])
    assert head[:2] == ["id:ID(Entity)", ":LABEL"] and "aliases:string[]" in head and "attr_size:long" in head
    # labels and arrays split on the delimiter import.sh declares, one that no item contains
    script = (dest / "import.sh").read_text()
    declared = re.search(r"--array-delimiter=(\S+)", script).group(1)
    delim = chr(int(declared[2:], 16)) if declared.startswith("U+") else declared.strip("'")
    assert {r["id:ID(Entity)"]: r[":LABEL"].split(delim) for r in nodes}["plat"] == ["Entity", "Platform"]
    byid = {r["id:ID(Entity)"]: r for r in nodes}
    assert byid["amp"]["aliases:string[]"].split(delim) == hostile.nodes["amp"]["aliases"]
    assert byid["amp"]["source_urls:string[]"].split(delim) == [
        "https://example.org/s1",
        "https://example.org/?a=1&b=<2>",
    ]
    srcs = read_csv(dest / "sources.csv")
    assert srcs == [{"id:ID(Source)": "s1", ":LABEL": "Source", "title:string": "A & B <source>",
                     "url:string": "https://example.org/s1", "date:string": "2024-07-08"}]  # fmt: skip
    assert byid["amp"]["name:string"] == HOSTILE_NAME
    assert byid["amp"]["attr_flag:boolean"] == "true"
    rels = read_csv(dest / "relationships.csv")
    assert list(rels[0])[:4] == [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "id:string"]
    assert {(r[":START_ID(Entity)"], r[":END_ID(Entity)"], r[":TYPE"], r["id:string"]) for r in rels} == {
        (d["from"], d["to"], d["type"].upper(), k) for _, _, k, d in edges_with_via(hostile)
    }
    assert "neo4j-admin database import full" in (dest / "import.sh").read_text()
    # re-export replaces the directory as a whole
    export(select(hostile, types=["alliance"]), "neo4j", dest)
    assert len(read_csv(dest / "relationships.csv")) == 1


# ---- Cypher: dialects (the engines run them in test_engines.py) -----------------------------------


def test_cypher_dialects(hostile, tmp_path):
    texts = {}
    for dialect in ("neo4j", "memgraph", "falkordb", "kuzu"):
        out = tmp_path / f"{dialect}.cypher"
        export(hostile, "cypher", out, dialect=dialect)
        texts[dialect] = out.read_text(encoding="utf-8")
        lines = [line for line in texts[dialect].split("\n") if line and not line.startswith("//")]
        assert all(line.endswith(";") for line in lines)
        assert len([line for line in lines if line.startswith("MERGE (n:Entity")]) == hostile.number_of_nodes()
        assert len([line for line in lines if line.startswith("MATCH (a:Entity")]) == count_edges(hostile)
    assert texts["neo4j"].split("\n")[1].startswith("CREATE CONSTRAINT allygraph_entity_id IF NOT EXISTS")
    assert texts["memgraph"].split("\n")[1] == "CREATE INDEX ON :Entity(id);"
    assert "CREATE" not in texts["falkordb"].replace("// for a large graph, run once before loading: CREATE", "")
    assert texts["kuzu"].split("\n")[1].startswith("CREATE NODE TABLE IF NOT EXISTS Entity(id STRING PRIMARY KEY")
    # a label per entity type, in the entity's own statement (no label statements in Kùzu)
    assert "MERGE (n:Entity {id: 'plat'}) SET " in texts["neo4j"] and ", n:`Platform`;" in texts["neo4j"]
    assert "n:`" not in texts["kuzu"]
    # escapes the engine reads: FalkorDB has no \uXXXX
    assert "\\u0001" in texts["neo4j"] and "\\u0001" not in texts["falkordb"] and "\x01" in texts["falkordb"]
    # attribute keys by the one rule: no backtick inside an identifier
    assert "`attr_weird.20.key.21.`" in texts["neo4j"] and "``" not in texts["falkordb"]
    with pytest.raises(UsageError, match="dialect"):
        export(hostile, "cypher", tmp_path / "x.cypher", dialect="oracle")
    with pytest.raises(UsageError, match="dialect"):
        export(hostile, "graphml", tmp_path / "x.graphml", dialect="kuzu")


def test_attribute_key_rule():
    keys = ["a b", "a:b", "a_b", "a.b", "a.2e.b", "a-b", "a`b", "a.20.b", "", "日本", "x|y;z"]
    cols = [attr_column(k) for k in keys]
    assert len(set(cols)) == len(keys)  # no two keys share a column
    assert [attr_key(c) for c in cols] == keys
    assert attr_column("a b") == "attr_a.20.b" and attr_column("size") == "attr_size"
    assert all(re.fullmatch(r"attr_[A-Za-z0-9_.\-]*", c) for c in cols)


def test_sources_and_via_in_flat_formats(hostile, tmp_path):
    """Titles and URLs travel with the source ids; a via entity is linked, not isolated."""
    export(hostile, "csv", tmp_path / "h.csv")
    edges = {r["Id"]: r for r in read_csv(tmp_path / "h.edges.csv")}
    assert split_list(edges["p1"]["source_titles"]) == ["A & B <source>"]
    assert split_list(edges["p1"]["source_urls"]) == ["https://example.org/s1"]
    assert (edges["t1:from-via"]["Source"], edges["t1:from-via"]["Target"]) == ("amp", "plat")
    assert (edges["t1:via-to"]["Source"], edges["t1:via-to"]["Target"]) == ("plat", "ar")
    assert edges["t1:via-to"]["via_of"] == "t1" and edges["t1:via-to"]["relation_type"] == "via"
    export(hostile, "graphml", tmp_path / "h.graphml")
    H = nx.read_graphml(tmp_path / "h.graphml", force_multigraph=True)
    assert H.degree("plat") == 4 and H.degree("lone") == 0
    # a selection keeps a kept relation's via entity
    sel = select(hostile, types=["arms_transfer"])
    assert "plat" in sel and count_edges(sel) == 6


def test_cyjs_one_type_per_column(tmp_path):
    ents = [{"id": "a", "name": "A", "type": "state", "attributes": {"mixed": 3, "n": 1}},
            {"id": "b", "name": "B", "type": "state", "attributes": {"mixed": "three", "n": 2}}]  # fmt: skip
    G = allygraph.load_graph(write_dir(tmp_path / "m", ents, []), use_cache=False)
    export(G, "cyjs", tmp_path / "m.cyjs")
    nodes = {n["data"]["id"]: n["data"] for n in json.loads((tmp_path / "m.cyjs").read_text())["elements"]["nodes"]}
    assert (nodes["a"]["attr_mixed"], nodes["b"]["attr_mixed"]) == ("3", "three")
    assert (nodes["a"]["attr_n"], nodes["b"]["attr_n"]) == (1, 2)


def test_strict_json(hostile, tmp_path):
    """Never NaN or Infinity in a JSON file or in --json output (the loader refuses them; this is
    the guard behind it)."""
    import io

    from allygraph.render.layout import to_json

    G = hostile.copy()
    G.graph.update(hostile.graph)
    G.nodes["amp"]["attributes"] = {"bad": float("inf")}
    for fmt in ("json", "cyjs"):
        out = tmp_path / f"x.{fmt}"
        with pytest.raises(ValueError):
            export(G, fmt, out)
        assert not out.exists()
    with pytest.raises(ValueError):
        to_json({"x": float("nan")}, io.StringIO())


# ---- escaping, for any string (hypothesis) ---------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from allygraph.export.common import xml_attr, xml_text  # noqa: E402
from allygraph.export.cypher import quote  # noqa: E402

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(any_text, max_size=5))
def test_list_join_split_inverse(items):
    joined = join_list(items)
    assert split_list(joined) == (items if joined else [])


@given(any_text)
def test_xml_escaping_round_trips(s):
    doc = etree.fromstring(f'<a b="{xml_attr(s)}">{xml_text(s)}</a>'.encode())
    assert doc.get("b") == xml_clean(s)
    assert (doc.text or "") == xml_clean(s)


@given(any_text)
def test_csv_cell_round_trips(s):
    import io

    buf = io.StringIO(newline="")
    csv.writer(buf).writerow([neutralise(s), "end"])
    [[cell, end]] = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert unneutralise(cell) == s and end == "end"
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@settings(max_examples=150, deadline=None)
@given(any_text)
def test_cypher_literal_cannot_inject(s):
    lb = pytest.importorskip("ladybug")
    conn = _memory_ladybug(lb)
    lit = quote(s, "kuzu")
    assert "\n" not in lit and "\r" not in lit
    assert conn.execute(f"RETURN {lit} AS s, 1 AS one").get_all() == [[s, 1]]


@given(st.lists(st.text(st.sampled_from("sSzZiI.:_- 5é"), max_size=5), max_size=8, unique=True))
def test_kuzu_names_ignore_case_and_give_the_keys_back(keys):
    """Any attribute keys: Kùzu property names unique without regard to case, the keys back through
    ``attr_key``, and a column that collides with no other is left as it is."""
    from allygraph.export.cypher import kuzu_names

    cols = ["name", "entity_type", *(attr_column(k) for k in keys)]
    names = kuzu_names(cols)
    assert len({n.lower() for n in names.values()}) == len(cols)
    assert [attr_key(names[attr_column(k)]) for k in keys] == keys
    lowered = [c.lower() for c in cols]
    assert all(names[c] == c for c in cols if lowered.count(c.lower()) == 1)


_LADYBUG: list = []


def _memory_ladybug(lb):
    if not _LADYBUG:
        _LADYBUG.append(lb.Connection(lb.Database(":memory:")))
    return _LADYBUG[0]


# ---- selection, inference, errors, atomic writes --------------------------------------------------


def test_select(small_dir):
    G = allygraph.load_graph(small_dir, use_cache=False)
    H = select(G, around="Japan", depth=1, types=["partnership"])
    assert "japan" in H and H.number_of_edges() > 0
    assert all(d["type"] == "partnership" for _, _, d in H.edges(data=True))
    # every kept entity and both ends of every kept relation are within one partnership hop of Japan
    near = {"japan"} | {n["id"] for n in neighbors(G, "Japan", depth=1, types=["partnership"])["neighbors"]}
    assert set(H) <= near and all(u in near and v in near for u, v in H.edges())
    assert set(H) != set(G)
    full = select(G)
    assert full.number_of_nodes() == G.number_of_nodes() and full.number_of_edges() == G.number_of_edges()
    old = select(G, as_of="2000")
    assert all(not d.get("since") or d["since"] <= "2000-12-31" for _, _, d in old.edges(data=True))
    assert 0 < old.number_of_edges() < G.number_of_edges()  # the 1951 and 1960 alliances only
    with pytest.raises(UsageError):
        select(G, types=["nonsense"])
    with pytest.raises(UsageError):
        select(G, as_of="2020-13")


def test_infer_format_and_errors(hostile, tmp_path):
    assert infer_format("x.GraphML") == "graphml" and infer_format("a/b.cyjs") == "cyjs"
    with pytest.raises(UsageError):
        infer_format("x.txt")
    with pytest.raises(UsageError):
        export(hostile, "nope", tmp_path / "x")
    with pytest.raises(UsageError):
        export(hostile, "csv", "-")
    with pytest.raises(UsageError):
        export(hostile, "graphml", tmp_path / "missing-dir" / "x.graphml")


def test_failed_write_leaves_old_file(hostile, tmp_path, monkeypatch):
    (tmp_path / "w").mkdir()
    out = tmp_path / "w" / "keep.graphml"
    out.write_text("old")
    from allygraph.export.graphml import GraphMLExporter

    def boom(self, G, fh):
        fh.write("<graphml>")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(GraphMLExporter, "write", boom)
    with pytest.raises(RuntimeError):
        export(hostile, "graphml", out)
    assert out.read_text() == "old"
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["keep.graphml"]


# ---- every format from the bundled data and the 10,000-relation synthetic graph -----------------


@pytest.mark.parametrize("which", ["bundled", "synth"])
def test_every_format_reads_back(which, request, tmp_path):
    G = request.getfixturevalue(which)
    paths = {}
    for fmt in FORMATS:
        dest = tmp_path / ("neo" if fmt == "neo4j" else f"g.{FORMATS[fmt].extensions[0].lstrip('.')}")
        stats = export(G, fmt, dest)
        assert stats["nodes"] == G.number_of_nodes() and stats["edges"] == G.number_of_edges() and stats["bytes"] > 0
        paths[fmt] = dest
    assert_valid_graphml(paths["graphml"])
    check_graphml_networkx(G, paths["graphml"])
    check_graphml_igraph(G, paths["graphml"])
    assert_valid_gexf(paths["gexf"])
    _, _, nodes, edges = read_gexf(paths["gexf"])
    every = {k for _, _, k, _ in edges_with_via(G)}
    assert set(nodes) == set(G.nodes) and set(edges) == every
    H = nx.node_link_graph(json.loads(paths["json"].read_text(encoding="utf-8")))
    assert {n: {**d, "id": n} for n, d in H.nodes(data=True)} == dict(G.nodes(data=True))
    assert {k: (u, v, relation_of(d)) for u, v, k, d in H.edges(keys=True, data=True)} == {
        k: (u, v, d) for u, v, k, d in edges_with_via(G)
    }
    cy = json.loads(paths["cyjs"].read_text(encoding="utf-8"))
    assert (
        len(cy["elements"]["nodes"]) == G.number_of_nodes()
        and {e["data"]["id"] for e in cy["elements"]["edges"]} == every
    )
    assert len(read_csv(tmp_path / "g.nodes.csv")) == G.number_of_nodes()
    assert {r["Id"] for r in read_csv(tmp_path / "g.edges.csv")} == every
    assert {r["id:string"] for r in read_csv(paths["neo4j"] / "relationships.csv")} == every


def test_synthetic_timeline(synth, tmp_path):
    out = tmp_path / "s.gexf"
    export(synth, "gexf", out)
    _, _, _, edges = read_gexf(out)
    ends = []
    for _, _, rid, rel in edges_with_via(synth):
        el = edges[rid]
        assert el.get("start") == (_first(rel["since"]) if rel.get("since") else None), rid
        if rel.get("until"):  # an edge ends at the latest the day before its until (earlier when upgraded)
            ends.append(
                (el.get("end"), (_dt.date.fromisoformat(_first(rel["until"])) - _dt.timedelta(days=1)).isoformat())
            )
    assert ends and all(end is not None and end <= last for end, last in ends)


def _first(d: str) -> str:
    return (d + "-01-01")[:10] if len(d) == 4 else (d + "-01")[:10]


# ---- the command ----------------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path) -> Invoked:
    return invoke("export", *args, cwd=cwd)


def test_cli(tmp_path, small_dir):
    r = run_cli("-o", "out.graphml", "--data", str(small_dir), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["format"] == "graphml" and stats["nodes"] == 5 and stats["edges"] == 6
    assert "wrote graphml" in r.stderr
    assert_valid_graphml(tmp_path / "out.graphml")
    r = run_cli("gexf", "-o", "-", "--data", str(small_dir), "--around", "PH", "--type", "partnership", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    root = etree.fromstring(r.stdout.encode())
    assert {e.get("id") for e in root.iter(f"{GEXF_NS}edge")} == {"jp-ph-sp", "jp-ph-ssp"}
    r = run_cli("-o", "x.txt", "--data", str(small_dir), cwd=tmp_path)
    assert r.returncode == 2 and "cannot tell the format" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("-o", "x.csv", "--around", "Atlantis", "--data", str(small_dir), cwd=tmp_path)
    assert r.returncode == 1 and "unknown entity" in r.stderr
    r = run_cli("csv", "-o", "-", "--data", str(small_dir), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.graphml", "small"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_stats_count_the_via_edges(fmt, tmp_path, small_dir):
    """The stats report the derived via edges beside the relations (``edges`` keeps its meaning)."""
    G = allygraph.load_graph(small_dir, use_cache=False)
    dest = tmp_path / ("out" if FORMATS[fmt].multi_file and fmt != "csv" else f"out{FORMATS[fmt].extensions[0]}")
    stats = export(G, fmt, dest)
    # two relations of the fixture go via an entity: two derived edges each
    assert stats["edges"] == G.number_of_edges() == 6
    assert stats["via_edges"] == count_edges(G) - G.number_of_edges() == 4


def test_cli_json_reports_via_edges(tmp_path, small_dir):
    r = run_cli("json", "-o", "out.json", "--data", str(small_dir), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["edges"]
    assert stats["edges"] == 6 and stats["via_edges"] == sum(1 for e in written if "via_of" in e) == 4
    assert "6 relations (+4 via links)" in r.stderr


def test_cli_dialect(tmp_path, small_dir, capsys):
    from allygraph.cli import main

    out = tmp_path / "k.cypher"
    with pytest.raises(SystemExit) as done:
        main(["export", "cypher", "--dialect", "kuzu", "-o", str(out), "--data", str(small_dir)])
    assert done.value.code in (0, None)
    assert out.read_text(encoding="utf-8").split("\n")[1].startswith("CREATE NODE TABLE IF NOT EXISTS Entity(")
    capsys.readouterr()
    for args in (["cypher", "--dialect", "oracle", "-o", str(tmp_path / "o.cypher")],
                 ["graphml", "--dialect", "kuzu", "-o", str(tmp_path / "o.graphml")]):  # fmt: skip
        with pytest.raises(SystemExit) as done:
            main(["export", *args, "--data", str(small_dir)])
        err = capsys.readouterr().err
        assert done.value.code == 2 and "dialect" in err and len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
    assert not (tmp_path / "o.cypher").exists() and not (tmp_path / "o.graphml").exists()


class _OwnSource:
    """A graph source that is neither networkx nor a store: the exporters read only the interface."""

    sources = {"s": {"title": "T", "url": "https://example.org/t"}}
    tiers: list = []
    tier_rank: dict = {}
    symmetric_types = frozenset({"alliance"})
    directory = None

    def nodes(self):
        return iter(
            [("a", {"id": "a", "name": "A", "type": "state"}), ("b", {"id": "b", "name": "B", "type": "state"})]
        )

    def edges(self):
        return iter([("a", "b", "ab", {"id": "ab", "from": "a", "to": "b", "type": "alliance", "sources": ["s"]})])

    def has_node(self, eid):
        return eid in ("a", "b")

    def number_of_nodes(self):
        return 2

    def number_of_edges(self):
        return 1

    def query_store(self):
        raise TypeError("no queries on this one")


def test_any_graph_source_exports(tmp_path):
    stats = export(_OwnSource(), "csv", tmp_path / "own.csv")
    assert (stats["nodes"], stats["edges"]) == (2, 1)
    (edge,) = read_csv(tmp_path / "own.edges.csv")
    assert (edge["Source"], edge["Target"], edge["Type"]) == ("a", "b", "Undirected")
    assert split_list(edge["source_titles"]) == ["T"] and split_list(edge["source_urls"]) == ["https://example.org/t"]
