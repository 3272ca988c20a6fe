"""The query commands' results as blocks: path, show, neighbors, tiers, search, check, types."""

from __future__ import annotations

from .blocks import WEAK_NOTE, Block

# --- what a relation's row says ---------------------------------------------------------------


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


def _status(rel: dict) -> str:
    """A relation's status as ``show`` and ``path`` print it: a claim that other relations
    contradict says so and names them; a reported one says it is unconfirmed."""
    status = rel.get("status", "")
    if rel.get("contradicted_by"):
        return f"{status or 'active'}, contradicted by {', '.join(rel['contradicted_by'])}"
    return "reported (unconfirmed)" if status == "reported" else status


def _sources(rel: dict, srcs: dict | None = None) -> str:
    """A relation's source ids; a relation that rests on one weak source says so (the grades
    come with the result's ``sources``)."""
    ids = rel.get("sources", [])
    text = ", ".join(ids) or "(no source)"
    if srcs is not None and len(ids) == 1 and (srcs.get(ids[0]) or {}).get("grade") == "weak":
        text += WEAK_NOTE
    return text


def _sources_block(result: dict) -> list[Block]:
    srcs = result.get("sources") or {}
    if not srcs:
        return []
    rows = []
    for sid, s in sorted(srcs.items()):
        meta = ", ".join(x for x in (s.get("publisher"), s.get("date")) if x)
        title = s["title"] + (f" ({meta})" if meta else "")
        rows.append([sid, title, s.get("grade", ""), s.get("url", "")])
    return [Block("Sources", columns=["id", "title", "grade", "url"], rows=rows, style="sources")]


def _symmetric(result: dict) -> frozenset[str] | list[str]:
    """The symmetric relation types of a result (declared ones too), drawn ↔."""
    from ..vocab import SYMMETRIC_TYPES

    return result.get("symmetric_types", SYMMETRIC_TYPES)


def _arrow(result: dict, rel: dict, here: str) -> tuple[str, str]:
    if rel["type"] in _symmetric(result):
        other = rel["to"] if rel["from"] == here else rel["from"]
        return "↔", _name(result, other)
    if rel["from"] == here:
        return "→", _name(result, rel["to"])
    return "←", _name(result, rel["from"])


def _hop_arrow(result: dict, rel: dict, hop: dict) -> str:
    """How a relation runs along a hop: ``↔`` (symmetric), ``→`` or ``←``; its parties in full
    when they are not the hop's two ends (a relation that the hop reaches through its ``via``)."""
    symmetric = _symmetric(result)
    ends = {hop["from"], hop["to"]}
    if {rel["from"], rel["to"]} != ends:
        sep = "↔" if rel["type"] in symmetric else "→"
        return f"{_name(result, rel['from'])} {sep} {_name(result, rel['to'])}"
    if rel["type"] in symmetric:
        return "↔"
    return "→" if rel["from"] == hop["from"] else "←"


# --- one function per command ------------------------------------------------------------------


def path_blocks(result: dict) -> list[Block]:
    """``query.path``'s result as blocks: a headline, each path, every relation of each hop, sources."""
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
                direction = _hop_arrow(result, rel, hop)
                rows.append([direction, rel["type"], _detail(rel), _status(rel), _dates(rel),
                             _name(result, rel["via"]) if rel.get("via") else "", _sources(rel, result.get("sources")),
                             rel.get("note") or ""])  # fmt: skip
            title = f"{_name(result, hop['from'])} — {_name(result, hop['to'])}: {len(rows)} relation(s)"
            blocks.append(Block(title, columns=["", "type", "detail", "status", "dates", "via", "sources", "note"],
                                rows=rows, wrap=("detail",), below=("note",), clip=1))  # fmt: skip
    if result.get("truncated"):
        blocks.append(Block("(more shortest paths exist; only the first ones are shown)", style="text"))
    return blocks + _sources_block(result)


def show_blocks(result: dict) -> list[Block]:
    """``query.show``'s entity card as blocks: details, relations by type, what goes through it, conflicts."""
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
            rows.append([arrow, other, _detail(rel), _status(rel), _dates(rel),
                         _name(result, rel["via"]) if rel.get("via") else "", _sources(rel, result.get("sources")), rel["id"], rel.get("note") or ""])  # fmt: skip
        blocks.append(Block(f"{rtype} ({len(rows)})", columns=["", "with", "detail", "status", "dates", "via", "sources", "relation", "note"],
                            rows=rows, wrap=("detail", "relation"), below=("note",)))  # fmt: skip
    if result["via"]:
        rows = [[rel["type"], _name(result, rel["from"]), _name(result, rel["to"]), _detail(rel),
                 _status(rel), _dates(rel), _sources(rel, result.get("sources")), rel["id"], rel.get("note") or ""] for rel in result["via"]]  # fmt: skip
        blocks.append(Block(f"Through {ent['name']} ({len(rows)})", columns=["type", "from", "to", "detail", "status", "dates", "sources", "relation", "note"],
                            rows=rows, wrap=("detail", "relation"), below=("note",)))  # fmt: skip
    for i, c in enumerate(result["conflicts"], 1):
        rows = [[cl["id"], cl.get("status") or "", _dates(cl), ", ".join(cl["sources"]) or "(no source)",
                 cl.get("note") or ""] for cl in c["claims"]]  # fmt: skip
        blocks.append(Block(f"Conflicting claims {i}: sources disagree on {', '.join(c['differ'])}",
                            columns=["relation", "status", "dates", "sources", "note"], rows=rows, wrap=("note",)))  # fmt: skip
    if not result["relations"] and not result["via"]:
        blocks.append(Block("(no relations)", style="text"))
    return blocks + _sources_block(result)


def neighbors_blocks(result: dict) -> list[Block]:
    """``query.neighbors``'s result as one table: depth, name, id, type, the relations that reach each."""
    labels = result.get("labels", {})
    rows = [[str(n["depth"]), n["name"], n["id"], n["type"],
             ", ".join(r + (f" ({labels[r]})" if r in labels else "") for r in n["relations"])] for n in result["neighbors"]]  # fmt: skip
    title = f"{len(rows)} neighbour(s) of {result.get('name', result['entity'])} within depth {result['depth']} ({result['direction']})"
    if result.get("as_of"):
        title += f", as of {result['as_of']}"
    return [Block(title, columns=["depth", "name", "id", "type", "relations"], rows=rows, wrap=("relations",))]


def tiers_blocks(result: dict) -> list[Block]:
    """``query.tiers``'s partners as one table, highest tier first (or a line: none in force)."""
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
    return [Block(title, columns=columns, rows=rows, wrap=("sources",))]


def tier_history_blocks(result: dict) -> list[Block]:
    """``query.tier_history``'s result as blocks: the current tier, then the history oldest first."""
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
        blocks.append(Block("History", columns=columns, rows=rows, wrap=("note",)))
    return blocks + _sources_block(result)


def search_blocks(result: dict) -> list[Block]:
    """``query.search``'s matches as one table (or the line saying nothing matched)."""
    rows = [[f"{m['score']:.0f}", m["id"], m["name"], m["type"], m["matched"]] for m in result["matches"]]
    if not rows:
        return [Block(f"No match for {result['query']!r}", style="text")]
    return [Block(f"Matches for {result['query']!r}", columns=["score", "id", "name", "type", "matched"], rows=rows,
                  wrap=("matched",))]  # fmt: skip


def check_blocks(result: dict) -> list[Block]:
    """``allygraph check``'s errors and warnings, in file order, and a count line."""
    found = [(p, sev) for sev in ("error", "warning") for p in result[sev + "s"]]
    found.sort(key=lambda ps: (ps[0]["file"], ps[0]["line"], ps[0]["column"]))
    rows = [[f"{p['file']}:{p['line']}:{p['column']}: {sev}: {p['message']}"] for p, sev in found]
    summary = f"{len(result['errors'])} error(s), {len(result['warnings'])} warning(s)"
    return ([Block("", columns=["problem"], rows=rows, style="lines")] if rows else []) + [Block(summary, style="text")]


def types_blocks(r: dict) -> list[Block]:
    """``types`` as tables: one per vocabulary, one per state's own ladder."""
    B = Block
    return [
        B("Entity types", columns=["type", "meaning"], rows=[[k, v] for k, v in r["entity_types"].items()]),
        B("Relation types", columns=["type", "symmetric", "meaning"],
          rows=[[k, "yes" if v["symmetric"] else "", v["description"]] for k, v in r["relation_types"].items()]),
        B("Statuses", columns=["status", "meaning"], rows=[[k, v] for k, v in r["statuses"].items()]),
        B("Tiers, highest first", columns=["rank", "id", "name"], rows=[[str(t["rank"]), t["id"], t["name"]] for t in r["tiers"]]),
    ] + [B(f"Ladder of {sid}, highest first (sources: {', '.join(lad['sources'])})", columns=["rank", "id", "name"],
           rows=[[str(t["rank"]), t["id"], t["name"]] for t in lad["rungs"]]) for sid, lad in r["ladders"].items()]  # fmt: skip
