"""The CSV set for ``neo4j-admin database import full``: for graphs too big for MERGE scripts.

``-o DIR`` writes a directory (created or replaced as a whole) holding ``nodes.csv``,
``relationships.csv`` and ``import.sh`` (the command to run). Headers: ``id:ID``, ``:LABEL``
(``Entity;State``...), typed columns (``attr_x:long``, ``aliases:string[]``, ``symmetric:boolean``)
and ``:START_ID``, ``:END_ID``, ``:TYPE`` (the relation type upper-cased, as in the Cypher
script). Arrays use ``|`` as delimiter (``--array-delimiter='|'``), and newlines in text are
kept (``--multiline-fields=true``).
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import networkx as nx

from .common import Exporter, columns, edge_row, node_row, publish, symmetric_types, to_text
from .cypher import label_of, rel_type

ARRAY_DELIMITER = "|"
_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}
COMMAND = ("neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv "
           "--array-delimiter='|' --multiline-fields=true --overwrite-destination=true \"${1:-neo4j}\"")  # fmt: skip


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v) for v in value)
    return to_text(value, kind)


def _header(col: str, kind: str, lists: set[str]) -> str:
    return f"{col}:{_TYPES[kind]}[]" if col in lists else f"{col}:{_TYPES[kind]}"


class Neo4jAdminExporter(Exporter):
    name = "neo4j"
    extensions = ()
    description = "neo4j-admin import CSV set (a directory)"
    multi_file = True

    def write_files(self, G: nx.MultiDiGraph, dest: Path) -> list[Path]:
        node_cols, edge_cols = columns(G)
        lists = {"aliases", "sources"}

        def write_nodes(out: IO[str]) -> None:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["id:ID", ":LABEL", *(_header(c, k, lists) for c, k in node_cols.items())])
            for n, ent in self.nodes(G):
                row = node_row(n, ent)
                w.writerow(
                    [n, f"Entity;{label_of(ent['type'])}", *(_cell(row.get(c), k) for c, k in node_cols.items())]
                )

        ecols = {c: k for c, k in edge_cols.items() if c != "relation_id"}

        def write_edges(out: IO[str]) -> None:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(
                [":START_ID", ":END_ID", ":TYPE", "id:string", *(_header(c, k, lists) for c, k in ecols.items())]
            )
            for u, v, rid, rel in self.edges(G):
                row = edge_row(rel, symmetric_types(G))
                w.writerow([u, v, rel_type(rel["type"]), rid, *(_cell(row.get(c), k) for c, k in ecols.items())])

        script = f'#!/bin/sh\n# Load this directory into an empty Neo4j database (stop it first).\ncd "$(dirname "$0")"\n{COMMAND}\n'
        return write_dir(dest, {"nodes.csv": write_nodes, "relationships.csv": write_edges, "import.sh": script})


def write_dir(dest: Path, files: dict[str, str | Callable[[IO[str]], None]]) -> list[Path]:
    """Write ``files`` (text, or a function that streams it) into a fresh directory and swap
    it in for ``dest`` at the end."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name, content in files.items():
            with open(tmp / name, "w", encoding="utf-8", newline="") as fh:
                if callable(content):
                    content(fh)
                else:
                    fh.write(content)
            publish(tmp / name, 0o777 if name.endswith(".sh") else 0o666)
        publish(tmp, 0o777)
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
            os.replace(dest, old / dest.name)
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [dest / name for name in files]
