"""The network map: what to draw (``picture``), and the HTML and SVG files (``viz``)."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from .. import dates
from ..analysis.common import all_entities, all_relations, check_date, neighbourhood
from ..errors import UsageError
from ..export.common import xml_text
from ..query import EdgeFilter
from ..store import as_store
from ..ties import Clock
from ..vocab import effective_status
from .layout import layout

MAX_NODES = 150  # above this a map is not something a person reads
# entity type -> (colour, shape); other types are grey circles
STYLE = {
    "state": ("#1f77b4", "circle"), "agreement": ("#2ca02c", "square"), "framework": ("#d62728", "diamond"),
    "organization": ("#9467bd", "square"), "person": ("#8c564b", "circle"), "event": ("#ff7f0e", "triangle"),
    "platform": ("#17becf", "triangle"), "program": ("#bcbd22", "diamond"),
}  # fmt: skip
OTHER = ("#7f7f7f", "circle")


def _width(S, rel: dict) -> float:
    """Edge weight: tiers thickest at the top of the ladder; other relations thin."""
    from ..vocab import tier_of

    tier = tier_of(rel)
    if tier is None:
        return 1.0
    rank = S.registry.ranks_for(rel["from"]).get(tier, 12)
    return max(1.5, 6.0 - 0.4 * (rank - 1))


def _edge(S, rel: dict, clock: Clock) -> dict:
    sp = clock.span(rel)  # undated relations start with their earliest dated source
    sources = []
    for ref in rel.get("sources", ()):
        src = S.source(ref) or {}
        url = src.get("url") or (ref if ref.startswith(("http://", "https://")) else None)
        sources.append({"id": ref, "title": src.get("title") or ref, "url": url,
                        "publisher": src.get("publisher"), "date": src.get("date")})  # fmt: skip
    out = {
        k: rel[k] for k in ("id", "from", "to", "type", "tier", "status", "since", "until", "via", "note") if rel.get(k)
    }
    out["tier_name"] = S.tier_name(rel["tier"]) if rel.get("tier") else None
    out["never"] = sp is None
    out["start"] = sp[0].isoformat() if sp and sp[0] != _dt.date.min else None
    status = effective_status(rel)
    out["doubt"] = status if status in ("reported", "contradicted") else None  # drawn dashed, labelled
    if status == "contradicted":
        out["contradicted_by"] = list(rel["contradicted_by"])
        out["label"] = "contradicted by " + ", ".join(rel["contradicted_by"])
    elif status == "reported":
        out["label"] = "reported, unconfirmed"
    out["end"] = dates.first_day(rel["until"]).isoformat() if rel.get("until") else None
    out["width"] = _width(S, rel)
    out["sources"] = sources
    return out


def picture(G: object, x: str | None = None, *, depth: int = 1, as_of: str | None = None,
            types: Iterable[str] | None = None, max_nodes: int = MAX_NODES) -> dict:  # fmt: skip
    """What a map of ``x``'s neighbourhood within ``depth`` (or of the whole data when ``x`` is
    None) draws: entities with laid-out positions, and relations with their dates and sources.
    Every relation of ``types`` is kept (the HTML page's slider replays them through time);
    ``as_of`` is the day shown first, and then only the entities with a relation in force that
    day are drawn. Reported relations and contradicted claims carry ``doubt`` and ``label``
    (drawn dashed and labelled); undated relations start at their earliest dated source. Refuses (UsageError, with advice) above ``max_nodes``."""
    S = as_store(G)
    as_of = check_date("--as-of", as_of)
    clock = Clock(dates.as_of_day(as_of) if as_of else None, reported=True, store=S)
    keep = EdgeFilter(types, None, None, S.registry.relation_types)
    focus = S.resolve(x) if x is not None else None
    if focus is not None:
        ids, rels = neighbourhood(S, focus, depth, keep)
    else:
        rels = [r for r in all_relations(S) if keep(r)]
        ids = {eid for eid, _ in all_entities(S)} if not keep.types else {e for r in rels for e in (r["from"], r["to"])}
    if as_of is not None:  # on a day: only the entities with something in force then (and the focus)
        live = {e for r in rels if clock(r) for e in (r["from"], r["to"], r.get("via")) if e}
        ids = {i for i in ids if i in live or i == focus}
        rels = [r for r in rels if r["from"] in ids and r["to"] in ids]
    if len(ids) > max_nodes:
        what = (
            f"{len(ids)} entities within {depth} hop(s) of {S.entity(focus)['name']}"
            if focus
            else f"{len(ids)} entities"
        )
        raise UsageError(f"{what} are too many to read in one picture (at most {max_nodes}): draw one entity's "
                         f"neighbourhood (allygraph viz X --depth 1, or --around X), fewer hops (--depth), or fewer kinds of "
                         f"relation (--type alliance --type partnership)")  # fmt: skip
    nodes = sorted(ids)
    links = [(r["from"], r["to"]) for r in rels] + [
        (r["via"], r[end]) for r in rels if r.get("via") in ids for end in ("from", "to")
    ]
    pos = layout(nodes, links, fixed=focus)
    ents = []
    for eid in nodes:
        ent = S.entity(eid)
        colour, shape = STYLE.get(ent["type"], OTHER)
        ents.append({"id": eid, "name": ent["name"], "type": ent["type"], "x": round(pos[eid][0], 4),
                     "y": round(pos[eid][1], 4), "colour": colour, "shape": shape})  # fmt: skip
    edges = [_edge(S, r, clock) for r in sorted(rels, key=lambda r: r["id"])]
    years = sorted({int(d[:4]) for r in rels for d in (r.get("since"), r.get("until")) if d})
    return {"focus": focus, "depth": depth, "as_of": as_of, "types": sorted(keep.types or ()), "entities": ents,
            "relations": edges, "years": years, "legend": {t: list(v) for t, v in STYLE.items()}}  # fmt: skip


def viz(G: object, x: str | None = None, *, out: str | Path, depth: int = 1, as_of: str | None = None,
        types: Iterable[str] | None = None, max_nodes: int = MAX_NODES) -> dict:  # fmt: skip
    """Draw ``picture(...)`` to ``out``: ``.html`` (interactive, offline) or ``.svg`` (static,
    A4 landscape). Returns ``{"file", "entities", "relations"}`` (counts drawn)."""
    from ..fsutil import atomic_write_text

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".svg"):
        raise UsageError(f"-o {str(out)!r}: the file must end in .html or .svg")
    pic = picture(G, x, depth=depth, as_of=as_of, types=types, max_nodes=max_nodes)
    text = html(pic) if suffix != ".svg" else svg(pic)
    atomic_write_text(out, text, protect=data_of(G))
    shown = pic["relations"] if suffix != ".svg" or not as_of else [e for e in pic["relations"] if _on(e, as_of)]
    return {"file": str(out), "entities": len(pic["entities"]), "relations": len(shown)}


def data_of(G: object) -> tuple[str, ...]:
    """The data directory a picture is drawn from, which its file never lands in (``fsutil``)."""
    directory = getattr(as_store(G), "directory", None)
    return (str(directory),) if directory else ()


def _on(edge: dict, as_of: str) -> bool:
    day = dates.as_of_day(as_of).isoformat()
    return (
        not edge["never"]
        and (edge["start"] is None or edge["start"] <= day)
        and (edge["end"] is None or day < edge["end"])
    )


def _json_for_script(data: object) -> str:
    """JSON that cannot end the <script> element it sits in (no <, >, & in the text)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html(pic: dict) -> str:
    """The self-contained page: data as JSON, our own script, no external resource."""
    page = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")
    title = "allygraph map" + (f": {pic['focus']}" if pic["focus"] else "")
    return page.replace("%%TITLE%%", escape(title)).replace("%%DATA%%", _json_for_script(pic))


def _shape(shape: str, x: float, y: float, r: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{colour}"/>'
    if shape == "diamond":
        return f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def svg(pic: dict) -> str:
    """The same map as a static SVG for reports: A4 landscape, 10 px labels, a legend; only the
    relations in force on ``as_of`` when it is given."""
    W, H, M = 1123, 794, 60
    pos = {e["id"]: (M + e["x"] * (W - 2 * M - 160), M + e["y"] * (H - 2 * M)) for e in pic["entities"]}
    edges = [e for e in pic["relations"] if not pic["as_of"] or _on(e, pic["as_of"])]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 {W} {H}" '
           f'font-family="sans-serif" font-size="10">', f'<rect width="{W}" height="{H}" fill="white"/>']  # fmt: skip
    title = (
        "allygraph"
        + (f" — around {pic['focus']}" if pic["focus"] else "")
        + (f", as of {pic['as_of']}" if pic["as_of"] else "")
    )
    out.append(f'<text x="20" y="28" font-size="16">{xml_text(title)}</text>')
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        doubt = f" ({e['label']})" if e.get("label") else ""
        label = xml_text(f"{e['type']} {e.get('tier_name') or ''} {e.get('since') or ''}".strip() + doubt)
        dash = ' stroke-dasharray="6 4"' if e.get("doubt") else ""  # reported or contradicted: dashed
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#888" '
                   f'stroke-opacity="0.7" stroke-width="{e["width"]:.1f}"{dash}><title>{label}</title></line>')  # fmt: skip
        if e.get("doubt"):
            out.append(f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 3:.1f}" font-size="8" fill="#a33" '
                       f'text-anchor="middle">{xml_text(e["doubt"])}</text>')  # fmt: skip
    for e in edges:
        if e.get("via") in pos:  # what it went through: a dashed line to the middle of the relation
            (x1, y1), (x2, y2), (vx, vy) = pos[e["from"]], pos[e["to"]], pos[e["via"]]
            out.append(f'<line x1="{vx:.1f}" y1="{vy:.1f}" x2="{(x1 + x2) / 2:.1f}" y2="{(y1 + y2) / 2:.1f}" '
                       f'stroke="#888" stroke-dasharray="3 3" stroke-width="1"/>')  # fmt: skip
    for ent in pic["entities"]:
        x, y = pos[ent["id"]]
        out.append(_shape(ent["shape"], x, y, 6, ent["colour"]))
        out.append(f'<text x="{x + 8:.1f}" y="{y + 3:.1f}">{xml_text(ent["name"])}</text>')
    for i, (t, (colour, shape)) in enumerate(pic["legend"].items()):
        y = 60 + 18 * i
        out.append(_shape(shape, W - 140, y, 5, colour))
        out.append(f'<text x="{W - 128}" y="{y + 4}">{xml_text(t)}</text>')
    out.append(f'<text x="{W - 140}" y="{60 + 18 * len(pic["legend"]) + 10}">dashed: reported or contradicted</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
