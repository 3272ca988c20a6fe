"""A Cypher script of idempotent ``MERGE`` statements for Neo4j and Memgraph.

One statement per line, each ending in ``;``. Entities are ``(:Entity {id})`` nodes, merged on
``id`` and then ``SET``; each also gets a label for its type (``:State``, ``:Platform``...) in a
trailing ``MATCH ... SET n:Label`` statement per type. Relations are merged on their ``id`` as
``(a)-[:PARTNERSHIP {id}]->(b)`` (the relation type upper-cased). Running the script twice
changes nothing.

Every string is a single-quoted literal: backslash, quote, newline, carriage return, tab and
other control characters are written as backslash escapes (``\\u`` and four hex digits for the rest); identifiers (property names, labels) are backtick-quoted with backticks
doubled, so no entity name or attribute key can end a literal and inject a clause.
Property names are the columns of ``common`` (``entity_type``, ``attr_<key>``...) plus ``id``.

Memgraph: replace the first statement (a Neo4j 5 constraint) with
``CREATE INDEX ON :Entity(id);``.
"""

from __future__ import annotations

import math
from typing import IO, Any

import networkx as nx

from ..vocab import ENTITY_TYPES
from .common import Exporter, columns, edge_row, node_row, symmetric_types

_ESC = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def quote(text: str) -> str:
    """A Cypher string literal that reads back as ``text``."""
    out = []
    for c in text:
        if c in _ESC:
            out.append(_ESC[c])
        elif ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 or c in "\u2028\u2029":
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else c)
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def ident(name: str) -> str:
    """A backtick-quoted identifier."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: Any, kind: str = "string") -> str:
    if isinstance(value, list):
        return "[" + ", ".join(quote(str(v)) for v in value) + "]"
    if kind == "string":
        from .common import to_text

        return quote(to_text(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double" or isinstance(value, float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return f"toFloat({quote(str(f))})"
        return repr(f)
    return str(int(value))


def label_of(entity_type: str) -> str:
    """``state`` -> ``State``, ``arms_transfer`` -> ``ArmsTransfer``."""
    return "".join(p.capitalize() for p in entity_type.split("_"))


def rel_type(relation_type: str) -> str:
    return relation_type.upper()


def _sets(var: str, row: dict, cols: dict[str, str]) -> str:
    parts = [f"{var}.{ident(k)} = {literal(v, cols.get(k, 'string'))}" for k, v in row.items() if v is not None]
    return (" SET " + ", ".join(parts)) if parts else ""


class CypherExporter(Exporter):
    name = "cypher"
    extensions = (".cypher", ".cql")
    description = "Cypher MERGE script (Neo4j, Memgraph)"

    def write(self, G: nx.MultiDiGraph, out: IO[str]) -> None:
        node_cols, edge_cols = columns(G)
        out.write(
            "// allygraph export. Neo4j: cypher-shell -f FILE; Memgraph: mgconsole < FILE (see the module docs).\n"
        )
        out.write("CREATE CONSTRAINT allygraph_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n")
        types_seen: set[str] = set()
        for n, ent in self.nodes(G):
            types_seen.add(ent["type"])
            out.write(f"MERGE (n:Entity {{id: {quote(n)}}}){_sets('n', node_row(n, ent), node_cols)};\n")
        for u, v, rid, rel in self.edges(G):
            row = {k: val for k, val in edge_row(rel, symmetric_types(G)).items() if k != "relation_id"}
            out.write(f"MATCH (a:Entity {{id: {quote(u)}}}), (b:Entity {{id: {quote(v)}}}) "
                      f"MERGE (a)-[r:{ident(rel_type(rel['type']))} {{id: {quote(rid)}}}]->(b){_sets('r', row, edge_cols)};\n")  # fmt: skip
        for t in [t for t in ENTITY_TYPES if t in types_seen] + sorted(types_seen - set(ENTITY_TYPES)):
            out.write(f"MATCH (n:Entity) WHERE n.entity_type = {quote(t)} SET n:{ident(label_of(t))};\n")
