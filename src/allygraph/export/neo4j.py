"""The CSV set for ``neo4j-admin database import full``: for graphs too big for MERGE scripts.

``-o DIR`` writes a directory (new, empty, or an earlier neo4j export: ``fsutil.output_dir``) holding ``nodes.csv``,
``sources.csv``, ``relationships.csv`` and ``import.sh`` (the command to run). Headers:
``id:ID(Entity)``, ``:LABEL`` (``Entity``, then the type's label: ``State``...), typed columns
(``attr_x:long``, ``aliases:string[]``, ``symmetric:boolean``) and ``:START_ID(Entity)``,
``:END_ID(Entity)``, ``:TYPE`` (the relation type upper-cased, as in the Cypher script).
``sources.csv`` loads the source registry as ``:Source`` nodes (``id:ID(Source)``, ``title``,
``url``, ``date``), and every node and relationship carries ``sources``, ``source_titles`` and
``source_urls`` arrays. Via links are ``:VIA`` relationships (see ``common``).

Labels and arrays split on the array delimiter that ``import.sh`` declares
(``--array-delimiter``): the first of ``|``, ``;`` and a few control characters that no label
or array item contains, so no item is ever split in two. Newlines in text are kept
(``--multiline-fields=true``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import UsageError
from .common import LIST_FIELDS, Exporter, Flat, edge_row, edges_with_via, label_of, node_row, rel_type, to_text
from .source import GraphSource, as_source

if TYPE_CHECKING:
    import networkx as nx

DELIMITERS = ("|", ";", "\x1f", "\x1e", "\x1d", "\x1c", "\x07", "\x06", "\x05", "\x04", "\x03", "\x02", "\x01")
_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}


def array_delimiter(G: GraphSource | nx.MultiDiGraph, reg: dict[str, dict]) -> str:
    """The first of ``DELIMITERS`` that no label or array item of ``G`` contains."""
    used: set[str] = set()
    g = as_source(G)
    for n, ent in g.nodes():
        for c in LIST_FIELDS:
            for item in node_row(n, ent, reg).get(c) or ():
                used.update(item)
    for _, _, _, rel in edges_with_via(g):
        for c in LIST_FIELDS:
            for item in edge_row(rel, reg).get(c) or ():
                used.update(item)
    for d in DELIMITERS:
        if d not in used:
            return d
    raise UsageError("every candidate array delimiter occurs in the data: use the cypher export instead")


def _option(delimiter: str) -> str:
    return f"'{delimiter}'" if delimiter in "|;" else f"U+{ord(delimiter):04X}"


def _cell(value: Any, kind: str, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return delimiter.join(str(v) for v in value)
    return to_text(value, kind)


def _header(col: str, kind: str) -> str:
    return f"{col}:{_TYPES[kind]}[]" if col in LIST_FIELDS else f"{col}:{_TYPES[kind]}"


class Neo4jAdminExporter(Exporter):
    name = "neo4j"
    extensions = ()
    description = "neo4j-admin import CSV set (a directory)"
    multi_file = True

    def write_files(self, g: GraphSource, dest: Path, protect: tuple = ()) -> list[Path]:
        """Write ``nodes.csv``, ``sources.csv``, ``relationships.csv`` and ``import.sh`` into ``dest``, together."""
        flat = Flat(g)
        node_cols, reg = flat.node_cols, flat.reg
        d = array_delimiter(g, reg)

        def write_nodes(out: IO[str]) -> None:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["id:ID(Entity)", ":LABEL", *(_header(c, k) for c, k in node_cols.items())])
            for n, ent in self.nodes(g):
                row = flat.node(n, ent)
                w.writerow(
                    [n, f"Entity{d}{label_of(ent['type'])}", *(_cell(row.get(c), k, d) for c, k in node_cols.items())]
                )

        def write_sources(out: IO[str]) -> None:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["id:ID(Source)", ":LABEL", "title:string", "url:string", "date:string"])
            for sid, src in reg.items():
                w.writerow([sid, "Source", *(to_text(src[f]) if src.get(f) else "" for f in ("title", "url", "date"))])

        ecols = {c: k for c, k in flat.edge_cols.items() if c != "relation_id"}

        def write_edges(out: IO[str]) -> None:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(
                [
                    ":START_ID(Entity)",
                    ":END_ID(Entity)",
                    ":TYPE",
                    "id:string",
                    *(_header(c, k) for c, k in ecols.items()),
                ]
            )
            for u, v, rid, rel in self.edges(g):
                row = flat.edge(rel)
                w.writerow([u, v, rel_type(rel["type"]), rid, *(_cell(row.get(c), k, d) for c, k in ecols.items())])

        command = ("neo4j-admin database import full --nodes=nodes.csv --nodes=sources.csv "
                   f"--relationships=relationships.csv --array-delimiter={_option(d)} --multiline-fields=true "
                   '--overwrite-destination=true "${1:-neo4j}"')  # fmt: skip
        script = f'#!/bin/sh\n# Load this directory into an empty Neo4j database (stop it first).\ncd "$(dirname "$0")"\n{command}\n'
        return write_dir(
            dest,
            {
                "nodes.csv": write_nodes,
                "sources.csv": write_sources,
                "relationships.csv": write_edges,
                "import.sh": script,
            },
            protect,
        )


def write_dir(dest: Path, files: dict[str, str | Callable[[IO[str]], None]], protect: tuple = ()) -> list[Path]:
    """Write ``files`` (text, or a function that streams it) into the export folder ``dest``
    (see ``fsutil.output_dir``: never a folder of someone else's files), all replaced together."""
    from ..fsutil import atomic_group, output_dir

    folder = output_dir(dest, "neo4j", protect)
    paths = [folder / name for name in files]
    modes = [0o777 if name.endswith(".sh") else 0o666 for name in files]
    with atomic_group(paths, protect=protect, modes=modes) as handles:
        for fh, content in zip(handles, files.values(), strict=True):
            if callable(content):
                content(fh)
            else:
                fh.write(content)
    return [Path(dest) / name for name in files]
