"""Query results (plain data) -> what a person reads, or JSON for scripts.

Each ``*_blocks`` function turns one query's result into a list of Blocks (a title with
key/value fields, or a table). Two backends print Blocks: rich panels and tables on a terminal,
plain aligned text when piped (stable, no escape codes; rich is not even imported).
``NO_COLOR`` is honoured by rich.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Block:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    style: str = "table"  # "panel" (fields), "table" or "text"


def to_json(result: object, out: TextIO | None = None) -> None:
    """One JSON document on stdout: the contract's shape."""
    import json

    out = out or sys.stdout
    out.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    out.write("\n")


def wants_rich(out: TextIO | None = None) -> bool:
    out = out or sys.stdout
    if os.environ.get("ALLYGRAPH_PLAIN"):
        return False
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def emit(blocks: list[Block], out: TextIO | None = None) -> None:
    """Print blocks with rich on a terminal, as plain text otherwise."""
    out = out or sys.stdout
    if wants_rich(out):
        _emit_rich(blocks, out)
    else:
        out.write(plain(blocks))


def plain(blocks: list[Block]) -> str:
    """Blocks as plain aligned text."""
    lines: list[str] = []
    for b in blocks:
        if lines:
            lines.append("")
        if b.title:
            lines.append(b.title)
        if b.fields:
            width = max(len(k) for k, _ in b.fields)
            lines += [f"  {k.ljust(width)}  {v}" for k, v in b.fields]
        if b.rows and b.style == "lines":
            lines += [" ".join(str(c) for c in row) for row in b.rows]
        elif b.rows:
            widths = [max(len(str(c)) for c in col) for col in zip(b.columns, *b.rows, strict=False)]
            head = "  ".join(c.ljust(w) for c, w in zip(b.columns, widths, strict=False)).rstrip()
            if b.style == "table" and any(b.columns):
                lines.append("  " + head)
            for row in b.rows:
                lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return "\n".join(lines) + "\n"


def _emit_rich(blocks: list[Block], out: TextIO) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, highlight=False)
    for b in blocks:
        if b.style == "panel" or (b.fields and not b.rows):
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for k, v in b.fields:
                grid.add_row(k, Text(v))
            console.print(Panel(grid, title=Text(b.title, style="bold"), title_align="left", expand=False))
            continue
        if b.style == "lines":
            for row in b.rows:
                console.print(Text(" ".join(str(c) for c in row)), soft_wrap=True)
            continue
        table = Table(title=Text(b.title, style="bold") if b.title else None, title_justify="left",
                      show_header=b.style == "table", header_style="bold")  # fmt: skip
        for c in b.columns:
            table.add_column(c, overflow="fold")
        for row in b.rows:
            table.add_row(*(Text(str(c)) for c in row))
        console.print(table)


# --- one function per query -------------------------------------------------------------------


def _name(result: dict, eid: str) -> str:
    ent = result.get("entities", {}).get(eid)
    return ent["name"] if ent else eid


def _dates(rel: dict) -> str:
    since, until = rel.get("since"), rel.get("until")
    if since and until:
        return f"{since} – {until}"
    if since:
        return f"since {since}"
    if until:
        return f"until {until}"
    return "undated"


def _detail(rel: dict) -> str:
    bits = []
    if rel.get("tier"):
        bits.append(rel["tier"])
    attrs = rel.get("attributes") or {}
    bits += [f"{k}={v}" for k, v in attrs.items()]
    return ", ".join(bits)


def _sources(rel: dict) -> str:
    return ", ".join(rel.get("sources", [])) or "(no source)"


def _sources_block(result: dict) -> list[Block]:
    srcs = result.get("sources") or {}
    if not srcs:
        return []
    rows = []
    for sid, s in sorted(srcs.items()):
        meta = ", ".join(x for x in (s.get("publisher"), s.get("date")) if x)
        title = s["title"] + (f" ({meta})" if meta else "")
        rows.append([sid, title, s.get("url", "")])
    return [Block("Sources", columns=["id", "title", "url"], rows=rows, style="table")]


def _symmetric(result: dict) -> frozenset[str] | list[str]:
    """The symmetric relation types of a result (declared ones too), drawn ↔."""
    from .vocab import SYMMETRIC_TYPES

    return result.get("symmetric_types", SYMMETRIC_TYPES)


def _arrow(result: dict, rel: dict, here: str) -> tuple[str, str]:
    if rel["type"] in _symmetric(result):
        other = rel["to"] if rel["from"] == here else rel["from"]
        return "↔", _name(result, other)
    if rel["from"] == here:
        return "→", _name(result, rel["to"])
    return "←", _name(result, rel["from"])


def path_blocks(result: dict) -> list[Block]:
    symmetric = _symmetric(result)
    a, b = _name(result, result["from"]), _name(result, result["to"])
    n = len(result["paths"])
    hops = result["hops"]
    head = f"{a} → {b}: {hops} hop{'s' if hops != 1 else ''}, {n} shortest path{'s' if n != 1 else ''}"
    if result.get("as_of"):
        head += f" (as of {result['as_of']})"
    blocks = [Block(head, style="text")]
    for i, p in enumerate(result["paths"], 1):
        chain = " — ".join(_name(result, x) for x in p["nodes"])
        blocks.append(Block(f"Path {i}: {chain}", style="text"))
        for hop in p["hops"]:
            rows = []
            for rel in hop["relations"]:
                sep = "↔" if rel["type"] in symmetric else "→"
                direction = f"{_name(result, rel['from'])} {sep} {_name(result, rel['to'])}"
                rows.append([rel["type"], direction, _detail(rel), rel.get("status", ""), _dates(rel),
                             _name(result, rel["via"]) if rel.get("via") else "", _sources(rel)])  # fmt: skip
            title = f"{_name(result, hop['from'])} — {_name(result, hop['to'])}: {len(rows)} relation(s)"
            blocks.append(Block(title, columns=["type", "parties", "detail", "status", "dates", "via", "sources"],
                                rows=rows))  # fmt: skip
    if result.get("truncated"):
        blocks.append(Block("(more shortest paths exist; only the first ones are shown)", style="text"))
    return blocks + _sources_block(result)


def show_blocks(result: dict) -> list[Block]:
    ent = result["entity"]
    here = ent["id"]
    fields = [("id", here), ("type", ent["type"])]
    if ent.get("aliases"):
        fields.append(("aliases", ", ".join(ent["aliases"])))
    for key in ("description", "wikidata", "since", "until"):
        if ent.get(key):
            fields.append((key, str(ent[key])))
    for k, v in (ent.get("attributes") or {}).items():
        fields.append((k, str(v)))
    if ent.get("sources"):
        fields.append(("sources", ", ".join(ent["sources"])))
    blocks = [Block(ent["name"], fields=fields, style="panel")]
    by_type: dict[str, list[dict]] = {}
    for rel in result["relations"]:
        by_type.setdefault(rel["type"], []).append(rel)
    for rtype, rels in by_type.items():
        rows = []
        for rel in rels:
            arrow, other = _arrow(result, rel, here)
            rows.append([arrow, other, _detail(rel), rel.get("status", ""), _dates(rel),
                         _name(result, rel["via"]) if rel.get("via") else "", _sources(rel), rel["id"]])  # fmt: skip
        blocks.append(Block(f"{rtype} ({len(rows)})", columns=["", "with", "detail", "status", "dates", "via", "sources", "relation"], rows=rows))  # fmt: skip
    if result["via"]:
        rows = [[rel["type"], _name(result, rel["from"]), _name(result, rel["to"]), _detail(rel),
                 rel.get("status", ""), _dates(rel), _sources(rel), rel["id"]] for rel in result["via"]]  # fmt: skip
        blocks.append(Block(f"Through {ent['name']} ({len(rows)})", columns=["type", "from", "to", "detail", "status", "dates", "sources", "relation"], rows=rows))  # fmt: skip
    for i, c in enumerate(result["conflicts"], 1):
        rows = [[cl["id"], cl.get("status") or "", _dates(cl), ", ".join(cl["sources"]) or "(no source)",
                 cl.get("note") or ""] for cl in c["claims"]]  # fmt: skip
        blocks.append(Block(f"Conflicting claims {i}: sources disagree on {', '.join(c['differ'])}",
                            columns=["relation", "status", "dates", "sources", "note"], rows=rows))  # fmt: skip
    if not result["relations"] and not result["via"]:
        blocks.append(Block("(no relations)", style="text"))
    return blocks + _sources_block(result)


def neighbors_blocks(result: dict) -> list[Block]:
    rows = [[str(n["depth"]), n["name"], n["id"], n["type"], ", ".join(n["relations"])] for n in result["neighbors"]]
    title = f"{len(rows)} neighbour(s) of {result.get('name', result['entity'])} within depth {result['depth']} ({result['direction']})"
    if result.get("as_of"):
        title += f", as of {result['as_of']}"
    return [Block(title, columns=["depth", "name", "id", "type", "relations"], rows=rows)]


def tiers_blocks(result: dict) -> list[Block]:
    rows = []
    last = None
    for p in result["partners"]:
        label = f"{p['rank']}. {p['tier_name']}" if p["tier"] != last else ""
        last = p["tier"]
        rows.append([label, p["name"], p.get("since") or "undated", ", ".join(p["sources"]) or "(no source)"])
        if any("designations" in q for q in result["partners"]):  # each side's wording, where they differ
            theirs = (p.get("designations") or {}).get(p["id"])
            rows[-1].insert(2, theirs["tier_name"] if theirs else "")
    title = f"Partners of {result.get('name', result['entity'])} by tier, highest first"
    title += f", on {result.get('name', result['entity'])}'s own ladder" if result.get("ladder") else ""
    title += f" (as of {result['as_of']})" if result.get("as_of") else " (today)"
    if not rows:
        return [Block(title, style="text"), Block("(no alliance or partnership in force)", style="text")]
    columns = ["tier", "partner", "since", "sources"]
    if rows and len(rows[0]) > len(columns):
        columns.insert(2, "partner's designation")
    return [Block(title, columns=columns, rows=rows)]


def tier_history_blocks(result: dict) -> list[Block]:
    a, b = _name(result, result["from"]), _name(result, result["to"])
    cur = result["current"]
    when = f" as of {result['as_of']}" if result.get("as_of") else ""
    if cur:
        fields = [("current tier", f"{cur['tier_name']} (rank {cur['rank']})"),
                  ("since", cur.get("since") or "undated"), ("relation", cur["relation"])]  # fmt: skip
        fields[1:1] = [(f"{_name(result, who)} calls it", d["tier_name"]) for who, d in (cur.get("designations") or {}).items()]  # fmt: skip
    else:
        fields = [("current tier", "none in force")]
    blocks = [Block(f"{a} – {b}{when}", fields=fields, style="panel")]
    rows = [[h.get("since") or "undated", h.get("until") or "", h["tier_name"], h.get("status") or "",
             _sources(h), h.get("note") or ""] for h in result["history"]]  # fmt: skip
    columns = ["since", "until", "tier", "status", "sources", "note"]
    if any("designations" in h for h in result["history"]):  # each side's wording, where they differ
        columns.insert(3, "designations")
        for row, h in zip(rows, result["history"], strict=True):
            row.insert(3, "; ".join(f"{_name(result, who)}: {d['tier_name']}" for who, d in (h.get("designations") or {}).items()))  # fmt: skip
    if rows:
        blocks.append(Block("History", columns=columns, rows=rows))
    return blocks + _sources_block(result)


def search_blocks(result: dict) -> list[Block]:
    rows = [[f"{m['score']:.0f}", m["id"], m["name"], m["type"], m["matched"]] for m in result["matches"]]
    if not rows:
        return [Block(f"No match for {result['query']!r}", style="text")]
    return [Block(f"Matches for {result['query']!r}", columns=["score", "id", "name", "type", "matched"], rows=rows)]


def check_blocks(result: dict) -> list[Block]:
    found = [(p, sev) for sev in ("error", "warning") for p in result[sev + "s"]]
    found.sort(key=lambda ps: (ps[0]["file"], ps[0]["line"], ps[0]["column"]))
    rows = [[f"{p['file']}:{p['line']}:{p['column']}: {sev}: {p['message']}"] for p, sev in found]
    summary = f"{len(result['errors'])} error(s), {len(result['warnings'])} warning(s)"
    return ([Block("", columns=["problem"], rows=rows, style="lines")] if rows else []) + [Block(summary, style="text")]
