"""Cypher scripts that an engine runs as they are: ``--dialect neo4j|memgraph|falkordb|kuzu``.

One statement per line, each ending in ``;``; lines starting with ``//`` are comments. Run the
file statement by statement on an empty database; running it again changes nothing.

- Entities are ``(:Entity {id})`` nodes, merged on ``id`` and then ``SET`` (every column of
  ``common``: ``name``, ``entity_type``, ``aliases``..., ``attr_<key>``). Relations are merged on
  their ``id`` as ``(a)-[:PARTNERSHIP {id}]->(b)`` (the relation type upper-cased); a relation
  through a ``via`` entity also gives two ``:VIA`` relationships (see ``common``).
- ``neo4j`` (Neo4j 5): a uniqueness constraint on ``:Entity(id)`` first (``IF NOT EXISTS``), and a
  label per entity type (``:State``, ``:Platform``...) set in the entity's own statement.
- ``memgraph``: ``CREATE INDEX ON :Entity(id)`` first (Memgraph's syntax; no engine runs this
  dialect in the tests), labels as for Neo4j.
- ``falkordb``: labels as for Neo4j; no index statement (FalkorDB has no ``IF NOT EXISTS`` and a
  second ``CREATE INDEX`` fails: for a large graph run ``CREATE INDEX FOR (n:Entity) ON (n.id)``
  once before loading). FalkorDB reads ``\\\\``, ``\\'``, ``\\n``, ``\\r``, ``\\t``, ``\\b`` and
  ``\\f`` but not ``\\uXXXX``, so other characters are written as themselves.
- ``kuzu`` (Ladybug, the maintained fork of the archived Kùzu): the schema first, a node table
  ``Entity`` and one relationship table per relation type, each with every column and its type
  (``STRING``, ``INT64``, ``DOUBLE``, ``BOOLEAN``, ``STRING[]`` for lists), ``IF NOT EXISTS``.
  Kùzu has no multiple labels: the entity type is the ``entity_type`` property. Kùzu's property
  names ignore case, so where two columns of a table differ only in case (attribute keys
  ``Size`` and ``size``), each of them has its ASCII capitals written ``.<hex>.`` as the
  attribute-key rule writes other characters (``attr_Size`` -> ``attr_.53.ize``, ``attr_size``
  unchanged; ``kuzu_names``): unique whatever the case, the same for the same columns, and
  ``common.attr_key`` still gives the key back. (Kùzu 0.11 itself drops the backslash of
  ``\\n`` and ``\\uXXXX``; Ladybug reads them.)

Strings are single-quoted literals with backslash escapes the engine reads (Neo4j, Memgraph and
Ladybug: ``\\uXXXX`` for the remaining control characters); property names and labels are plain
identifiers by the attribute-key rule of ``common``, backtick-quoted, so no name or key can end
a literal or inject a clause. A value whose column mixes types is written as a string, so one
odd value never costs its record.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import IO, Any

from ..errors import UsageError
from .common import LIST_FIELDS, Exporter, Flat, edges_with_via, label_of, rel_type, to_text
from .source import GraphSource

DIALECTS = ("neo4j", "memgraph", "falkordb", "kuzu")
_ESC = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_KUZU_TYPES = {"string": "STRING", "long": "INT64", "double": "DOUBLE", "boolean": "BOOLEAN"}
_CAPITAL = re.compile("[A-Z]")


def quote(text: str, dialect: str = "neo4j") -> str:
    """A string literal that ``dialect`` reads back as ``text``."""
    out = []
    for c in text:
        if c in _ESC:
            out.append(_ESC[c])
        elif dialect != "falkordb" and (
            ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 or c in "\u2028\u2029"
        ):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def ident(name: str) -> str:
    """A backtick-quoted identifier (names are plain by the attribute-key rule; a backtick is
    still doubled, as Neo4j reads it)."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: Any, kind: str = "string", dialect: str = "neo4j") -> str:
    """A value as a literal of its column's kind (lists of strings stay lists)."""
    if isinstance(value, list):
        return "[" + ", ".join(quote(str(v), dialect) for v in value) + "]"
    if kind == "string":
        return quote(to_text(value), dialect)
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double" or isinstance(value, float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):  # check refuses these; never write an invalid token
            return f"toFloat({quote(str(f), dialect)})"
        return repr(f)
    return str(int(value))


def kuzu_names(cols: Iterable[str]) -> dict[str, str]:
    """Column -> a property name Kùzu keeps apart from every other (its names ignore case): a
    column that differs from another only in case has its ASCII capitals escaped (module docs).

    >>> kuzu_names(["name", "attr_Size", "attr_size", "attr_ISO3"])
    {'name': 'name', 'attr_Size': 'attr_.53.ize', 'attr_size': 'attr_size', 'attr_ISO3': 'attr_ISO3'}
    """
    cols = list(cols)
    folded = Counter(c.lower() for c in cols)
    return {c: _CAPITAL.sub(lambda m: f".{ord(m.group()):x}.", c) if folded[c.lower()] > 1 else c for c in cols}


def _sets(var: str, row: dict, cols: dict[str, str], dialect: str, names: dict[str, str] | None = None) -> list[str]:
    names = names or {}
    return [f"{var}.{ident(names.get(k, k))} = {literal(v, cols.get(k, 'string'), dialect)}"
            for k, v in row.items() if v is not None]  # fmt: skip


def _kuzu_type(col: str, kind: str) -> str:
    return "STRING[]" if col in LIST_FIELDS else _KUZU_TYPES[kind]


class CypherExporter(Exporter):
    name = "cypher"
    extensions = (".cypher", ".cql")
    description = "Cypher MERGE script (Neo4j, Memgraph, FalkorDB, Kùzu/Ladybug)"

    def write(self, g: GraphSource, out: IO[str]) -> None:
        """Write the script: the dialect's schema or index statement, one MERGE per entity, then one per relation."""
        dialect = (self.options.get("dialect") or "neo4j").lower()
        if dialect not in DIALECTS:
            raise UsageError(f"unknown Cypher dialect {dialect!r} (dialects: {', '.join(DIALECTS)})")
        flat = Flat(g)
        node_cols = flat.node_cols
        ecols = {c: k for c, k in flat.edge_cols.items() if c != "relation_id"}
        out.write(f"// allygraph export, Cypher for {dialect}: run statement by statement on an empty database.\n")
        if dialect == "neo4j":
            out.write("CREATE CONSTRAINT allygraph_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n")
        elif dialect == "memgraph":
            out.write("CREATE INDEX ON :Entity(id);\n")
        elif dialect == "falkordb":
            out.write("// for a large graph, run once before loading: CREATE INDEX FOR (n:Entity) ON (n.id)\n")
        else:
            node_names, edge_names = kuzu_names(node_cols), kuzu_names(ecols)
            props = ", ".join(f"{ident(node_names[c])} {_kuzu_type(c, k)}" for c, k in node_cols.items())
            out.write(f"CREATE NODE TABLE IF NOT EXISTS Entity(id STRING PRIMARY KEY, {props});\n")
            eprops = ", ".join(f"{ident(edge_names[c])} {_kuzu_type(c, k)}" for c, k in ecols.items())
            for rt in sorted({rel_type(rel["type"]) for _, _, _, rel in edges_with_via(g)}):
                out.write(f"CREATE REL TABLE IF NOT EXISTS {ident(rt)}(FROM Entity TO Entity, id STRING, {eprops});\n")
        labels = dialect != "kuzu"
        if labels:
            node_names = edge_names = {}  # case-sensitive engines take the columns as they are
        for n, ent in self.nodes(g):
            parts = _sets("n", flat.node(n, ent), node_cols, dialect, node_names)
            if labels:
                parts.append(f"n:{ident(label_of(ent['type']))}")
            out.write(f"MERGE (n:Entity {{id: {quote(n, dialect)}}}) SET {', '.join(parts)};\n")
        for u, v, rid, rel in self.edges(g):
            row = {k: val for k, val in flat.edge(rel).items() if k != "relation_id"}
            sets = ", ".join(_sets("r", row, ecols, dialect, edge_names))
            out.write(f"MATCH (a:Entity {{id: {quote(u, dialect)}}}) MATCH (b:Entity {{id: {quote(v, dialect)}}}) "
                      f"MERGE (a)-[r:{ident(rel_type(rel['type']))} {{id: {quote(rid, dialect)}}}]->(b) SET {sets};\n")  # fmt: skip
