"""What every exporter shares: the ``Exporter`` base, flat columns, list joining and labels.

Graph formats hold one scalar per attribute, so entities and relations are flattened into
*columns* the same way for every flat format (GraphML, GEXF, CSV, Cytoscape, neo4j-admin):

- node columns: ``name``, ``entity_type``, ``aliases``, ``description``, ``wikidata``, ``since``,
  ``until``, ``sources``, ``source_titles``, ``source_urls``, ``source_grades``, then ``attr_<key>`` for each key of
  ``attributes``;
- edge columns: ``relation_id``, ``relation_type``, ``tier``, ``status``, ``since``, ``until``,
  ``via``, ``sources``, ``source_titles``, ``source_urls``, ``source_grades``, ``note``, ``designations`` (each
  party's own wording of a partnership, a list of ``party=tier`` items), ``via_of``,
  ``symmetric``, then ``attr_<key>``.

Provenance: ``source_titles``, ``source_urls`` and ``source_grades`` are lists parallel to
``sources`` (a source given as a URL is its own URL; an item is empty where the registry has no
title or URL; the grade is ``grades.grade_of``'s), so every flat format carries titles, URLs and
how much each source can carry.

Attribute keys, one rule for every format (``attr_column``): ``attr_`` followed by the key, where
ASCII letters, digits, ``_`` and ``-`` stay as they are and every other character ``c`` is
written ``.<hex of ord(c)>.`` (``a b`` -> ``attr_a.20.b``, ``a.b`` -> ``attr_a.2e.b``). The rule is
injective (``.`` itself is escaped), so two keys can never share a column, and every column is an
XML name token, a plain Cypher identifier and a neo4j-admin header name. ``attr_key`` inverts it.

The via link: a relation that goes ``via`` an entity (a platform, a programme, an exercise) also
gives two derived edges of type ``via``, ``from -> via`` and ``via -> to`` (ids
``<relation id>:from-via`` and ``<relation id>:via-to``: no contract id has a colon, and GraphML
edge ids must be XML name tokens), with the relation's dates, status and sources and ``via_of``
naming the relation (``edges_with_via``).

``type``, ``id``, ``label``, ``start``, ``end``, ``weight``, ``size``, ``color``, ``x`` and ``y``
are never column names: GEXF reserves some and Gephi turns the others into visual properties.
Lists (aliases, sources) are joined with ``LIST_SEPARATOR`` (`` | ``); inside an item a ``|`` or
``\\`` is escaped with a backslash, so ``split_list`` restores the list exactly. A missing value
(None, an empty string or list) is left out, never written as "None".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from ..progress import track
from ..vocab import SYMMETRIC_TYPES
from .source import GraphSource, as_source

if TYPE_CHECKING:
    import networkx as nx

LIST_SEPARATOR = " | "
ATTR_PREFIX = "attr_"

NODE_FIELDS = ("name", "type", "aliases", "description", "wikidata", "since", "until", "sources")
EDGE_FIELDS = ("id", "type", "tier", "status", "since", "until", "via", "sources", "contradicted_by", "note")
# contract field -> column name (the renames keep clear of reserved names)
NODE_COLUMN = {"type": "entity_type"}
EDGE_COLUMN = {"id": "relation_id", "type": "relation_type"}
LIST_FIELDS = frozenset(
    {"aliases", "sources", "source_titles", "source_urls", "source_grades", "designations", "contradicted_by"}
)
_INT64 = (-(2**63), 2**63 - 1)
_KEY_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_KEY_ESCAPE = re.compile(r"\.([0-9a-f]+)\.")


def attr_column(key: str) -> str:
    """The column of attribute ``key`` in every flat format (see the module docs)."""
    return ATTR_PREFIX + "".join(c if c in _KEY_SAFE else f".{ord(c):x}." for c in str(key))


def attr_key(column: str) -> str:
    """The attribute key of an ``attr_`` column: the inverse of ``attr_column``."""
    return _KEY_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), column[len(ATTR_PREFIX) :])


def _provenance(row: dict[str, Any], ids: list[str] | None, reg: dict[str, dict] | None) -> None:
    if not ids or reg is None:
        row["source_titles"] = row["source_urls"] = row["source_grades"] = None
        return
    from ..grades import grade_of

    entries = [reg.get(s) or ({"url": s} if "://" in s else {}) for s in ids]  # a source may be a URL itself
    titles = [str(e.get("title") or "") for e in entries]
    urls = [str(e.get("url") or "") for e in entries]
    row["source_titles"] = titles if any(titles) else None
    row["source_urls"] = urls if any(urls) else None
    row["source_grades"] = [grade_of(e) for e in entries]  # parallel to sources: official ... weak


def edges_with_via(G: GraphSource | nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict]]:
    """Every relation ``(u, v, id, rel)``, each followed by its derived ``via`` edges."""
    g = as_source(G)
    for u, v, rid, rel in g.edges():
        yield u, v, rid, rel
        via = rel.get("via")
        if not via or not g.has_node(via):
            continue
        base = {k: rel[k] for k in ("since", "until", "status", "sources") if rel.get(k) not in (None, "", [])}
        for a, b, tag in ((u, via, "from-via"), (via, v, "via-to")):
            if a != b:
                yield a, b, f"{rid}:{tag}", {"id": f"{rid}:{tag}", "from": a, "to": b, "type": "via",
                                             "via_of": rid, **base}  # fmt: skip


def count_edges(G: GraphSource | nx.MultiDiGraph) -> int:
    """The number of edges ``edges_with_via`` yields."""
    return sum(1 for _ in edges_with_via(G))


def join_list(items: list[str]) -> str:
    """Join a list into one cell; ``split_list`` is its exact inverse."""
    return LIST_SEPARATOR.join(s.replace("\\", "\\\\").replace("|", "\\|") for s in items)


def split_list(text: str) -> list[str]:
    """Split a cell written by ``join_list`` back into its items."""
    if text == "":
        return []
    items, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            i += 2
            continue
        if text.startswith(LIST_SEPARATOR, i):
            items.append("".join(cur))
            cur = []
            i += len(LIST_SEPARATOR)
            continue
        cur.append(c)
        i += 1
    items.append("".join(cur))
    return items


def value_type(values: list[Any]) -> str:
    """One GraphML-style type for a column: boolean, long, double or string."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "string"
    if kinds == {bool}:
        return "boolean"
    if kinds == {int} and all(_INT64[0] <= v <= _INT64[1] for v in values if v is not None):
        return "long"
    if (
        kinds <= {int, float}
        and bool not in kinds
        and all(_INT64[0] <= v <= _INT64[1] for v in values if isinstance(v, int))
    ):
        return "double"
    return "string"


def to_text(value: Any, kind: str = "string") -> str:
    """A scalar as text: lowercase booleans, floats that read back, lists joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return join_list([str(v) for v in value])
    if kind == "double" or isinstance(value, float):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "INF" if f > 0 else "-INF"
        return repr(f)
    return str(value)


def node_row(eid: str, ent: dict, reg: dict[str, dict] | None = None) -> dict[str, Any]:
    """An entity as flat columns (None for a missing value; lists kept as lists); with the source
    registry ``reg``, the sources' titles and URLs too."""
    row: dict[str, Any] = {}
    for f in NODE_FIELDS:
        v = ent.get(f)
        row[NODE_COLUMN.get(f, f)] = None if v in (None, "", []) else v
    _provenance(row, row["sources"], reg)
    for k, v in (ent.get("attributes") or {}).items():
        row[attr_column(k)] = v
    return row


def symmetric_types(G: GraphSource | nx.MultiDiGraph) -> frozenset[str]:
    """The relation types that read the same both ways in ``G``'s data (built-in and declared)."""
    return as_source(G).symmetric_types


def edge_row(
    rel: dict, reg: dict[str, dict] | None = None, symmetric: frozenset[str] = SYMMETRIC_TYPES
) -> dict[str, Any]:
    """A relation (or a derived via edge) as flat columns; ``symmetric`` says whether it reads the
    same both ways (pass ``symmetric_types(G)``, so that a data directory's declared types count);
    with the source registry ``reg``, the sources' titles and URLs too."""
    row: dict[str, Any] = {}
    for f in EDGE_FIELDS:
        v = rel.get(f)
        row[EDGE_COLUMN.get(f, f)] = None if v in (None, "", []) else v
    _provenance(row, row["sources"], reg)
    designations = rel.get("designations")
    row["designations"] = [f"{party}={tier}" for party, tier in designations.items()] if designations else None
    row["via_of"] = rel.get("via_of")
    row["symmetric"] = rel["type"] in symmetric
    for k, v in (rel.get("attributes") or {}).items():
        row[attr_column(k)] = v
    return row


def node_label(ent: dict) -> str:
    """An entity's label: its name, else its id."""
    return ent.get("name") or ent["id"]


def label_of(entity_type: str) -> str:
    """A graph database label for an entity type (Cypher and neo4j-admin share it).

    >>> label_of("state"), label_of("arms_transfer")
    ('State', 'ArmsTransfer')
    """
    return "".join(p.capitalize() for p in entity_type.split("_"))


def rel_type(relation_type: str) -> str:
    """A graph database relationship type for a relation type: ``partnership`` -> ``PARTNERSHIP``."""
    return relation_type.upper()


def edge_base_label(rel: dict, names: dict[str, str] | None = None) -> str:
    """A human label: type, tier and years, e.g. ``partnership: strategic_partnership 2011–``."""
    text = rel["type"]
    if rel.get("tier"):
        text += f": {rel['tier']}"
    if rel.get("via_of"):
        text += f" [{rel['id']}]"
    elif rel.get("via"):
        text += f" via {names.get(rel['via'], rel['via']) if names else rel['via']}"
    if rel.get("since") or rel.get("until"):
        text += f" {rel.get('since') or ''}–{rel.get('until') or ''}"
    return text


def distinct(G: GraphSource | nx.MultiDiGraph, base: dict[str, str], clash: str = "{base} [{rid}]") -> dict[str, str]:
    """Make ``base[relation id]`` unique among the edges joining the same two nodes.

    Gephi merges parallel edges with the same type (GEXF ``kind``, GraphML/CSV label); a clash
    is rewritten with ``clash`` (by default the relation id appended). Symmetric relations count both orders as the same pair.
    """
    seen: dict[tuple, list[str]] = {}
    g = as_source(G)
    symmetric = g.symmetric_types
    for u, v, rid, rel in edges_with_via(g):
        pair = tuple(sorted((u, v))) if rel["type"] in symmetric else (u, v)
        seen.setdefault((pair, base[rid]), []).append(rid)
    # a symmetric edge and a directed edge on the same pair can also clash in Gephi
    by_pair: dict[tuple, dict[str, list[str]]] = {}
    for (pair, text), rids in seen.items():
        by_pair.setdefault((tuple(sorted(pair)), text), {}).setdefault(str(pair), []).extend(rids)
    out = dict(base)
    for groups in by_pair.values():
        rids = [r for g in groups.values() for r in g]
        if len(rids) > 1:
            for rid in rids:
                out[rid] = clash.format(base=base[rid], rid=rid)
    return out


def edge_labels(G: GraphSource | nx.MultiDiGraph) -> dict[str, str]:
    """Relation id -> a human label, unique among parallel edges."""
    g = as_source(G)
    names = {n: d.get("name", n) for n, d in g.nodes()}
    return distinct(g, {rid: edge_base_label(rel, names) for _, _, rid, rel in edges_with_via(g)})


def registry(G: GraphSource | nx.MultiDiGraph) -> dict[str, Any]:
    """The plain-data registries (the source registry and tier ladder), JSON-ready; {} for a
    networkx graph that carries no Dataset."""
    g = as_source(G)
    if not getattr(g, "has_dataset", True):
        return {}
    return {"sources": dict(g.sources), "tiers": list(g.tiers)}


class Flat:
    """A graph's flat columns and what fills them: the column types (``columns``), the source
    registry and the symmetric types, read once per export by every flat format."""

    def __init__(self, g: GraphSource) -> None:
        self.node_cols, self.edge_cols = columns(g)
        self.reg = g.sources
        self.sym = g.symmetric_types

    def node(self, eid: str, ent: dict) -> dict[str, Any]:
        """An entity's row (``node_row``), with its sources' titles and URLs."""
        return node_row(eid, ent, self.reg)

    def edge(self, rel: dict) -> dict[str, Any]:
        """A relation's row (``edge_row``), with its sources' titles and URLs and ``symmetric``."""
        return edge_row(rel, self.reg, self.sym)


class Exporter:
    """Base for one output format: ``write(g, out)`` streams text into an open file.

    ``g`` is a ``source.GraphSource`` (``export()`` makes one from a networkx graph or a store).
    Subclasses set ``name``, ``extensions`` and ``description``, and implement ``write``. Exporters
    that write several files (CSV pair, neo4j-admin set) set ``multi_file`` and implement
    ``write_files(g, dest) -> list[Path]`` instead. ``nodes`` and ``edges`` draw the progress bar.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    multi_file: ClassVar[bool] = False
    binary: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.via_edges = 0  # derived via edges written by the last write (``edges``)

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write one stream (single-file formats override this)."""
        raise TypeError(f"the {self.name} format writes several files: call write_files()")

    def write_files(self, g: GraphSource, dest: Path, protect: tuple = ()) -> list[Path]:
        """Write several files under ``dest`` (multi-file formats override this)."""
        raise TypeError(f"the {self.name} format writes a single stream: call write()")

    def nodes(self, g: GraphSource) -> Iterator[tuple[str, dict]]:
        """Every entity ``(id, entity)``, with a progress bar."""
        yield from track(g.nodes(), g.number_of_nodes(), f"{self.name}: nodes")

    def edges(self, g: GraphSource) -> Iterator[tuple[str, str, str, dict]]:
        """Relations and their derived via edges (``edges_with_via``), with a progress bar;
        ``via_edges`` counts the derived edges as they pass (every exporter walks this once)."""
        self.via_edges = 0
        for edge in track(edges_with_via(g), g.number_of_edges(), f"{self.name}: edges"):
            if edge[3].get("via_of"):
                self.via_edges += 1
            yield edge


def columns(G: GraphSource | nx.MultiDiGraph) -> tuple[dict[str, str], dict[str, str]]:
    """(node column -> type, edge column -> type), in a stable order.

    A column name has one type across nodes and edges (``since`` is a string everywhere, and
    ``attr_x`` gets one type for both), so no reader sees one name declared twice differently.
    """
    node_vals: dict[str, list] = {}
    edge_vals: dict[str, list] = {}
    g = as_source(G)
    for n, ent in g.nodes():
        for k, v in node_row(n, ent).items():
            node_vals.setdefault(k, []).append(v)
    symmetric = g.symmetric_types
    for _, _, _, rel in edges_with_via(g):
        for k, v in edge_row(rel, symmetric=symmetric).items():
            edge_vals.setdefault(k, []).append(v)
    merged: dict[str, list] = {}
    for vals in (node_vals, edge_vals):
        for k, v in vals.items():
            merged.setdefault(k, []).extend(v)
    types = {k: ("string" if isinstance(next((x for x in v if x is not None), None), list) else value_type(v))
             for k, v in merged.items()}  # fmt: skip
    fixed_node = [NODE_COLUMN.get(f, f) for f in NODE_FIELDS] + ["source_titles", "source_urls", "source_grades"]
    fixed_edge = [EDGE_COLUMN.get(f, f) for f in EDGE_FIELDS] + [
        "source_titles",
        "source_urls",
        "source_grades",
        "designations",
        "via_of",
    ]
    # contract fields are strings (dates stay ISO strings, even a bare year); attributes keep their type
    node_cols = dict.fromkeys(fixed_node, "string") | {
        k: types[k] for k in sorted(node_vals) if k.startswith(ATTR_PREFIX)
    }
    edge_cols = dict.fromkeys(fixed_edge, "string") | {"symmetric": "boolean"}
    edge_cols |= {k: types[k] for k in sorted(edge_vals) if k.startswith(ATTR_PREFIX)}
    return node_cols, edge_cols


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_clean(text: str) -> str:
    """Replace characters XML 1.0 cannot carry (C0 controls but tab/LF/CR) with U+FFFD."""
    return _BAD_XML.sub("\ufffd", text)


# XML 1.1 line ends, which some XML 1.0 parsers also turn into LF (xmldom, under graphology-gexf
# and graphology-graphml): a character reference is never normalised
_LINE_ENDS = str.maketrans({"\x85": "&#x85;", "\u2028": "&#x2028;", "\u2029": "&#x2029;"})


def xml_text(text: str) -> str:
    """Escape element text; CR, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR
    (U+2029) are written as character references so that parsers keep them."""
    out = xml_clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return out if out.isascii() else out.translate(_LINE_ENDS)


def xml_attr(text: str) -> str:
    """Escape an attribute value (double-quoted); tab, LF and CR survive attribute normalisation."""
    return (xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))  # fmt: skip


def dump_json(value: object) -> str:
    """One JSON value on one line, non-ASCII kept (the JSON exporters stream these); strict JSON:
    a NaN or infinity raises ValueError instead of writing what browsers and D3 reject."""
    import json

    return json.dumps(value, ensure_ascii=False, allow_nan=False)
