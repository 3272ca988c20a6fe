"""A ladder as a step chart: a state's partners' rungs over time (rungs up the side, years along
the bottom), as SVG."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .. import dates
from ..errors import UsageError
from ..export.common import xml_text
from ..query import tier_history
from ..store import as_store
from ..ties import span
from ..vocab import TIER_TYPES

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"]  # fmt: skip


def ladder_steps(G: object, x: str) -> dict:
    """Each partner's rung over time on ``x``'s ladder: ``{"entity", "rungs": [{id, name, rank}],
    "partners": [{"id", "name", "steps": [{"since", "rank", "tier"}]}]}``, a step each time the
    best rung in force changes (rank None: no alliance or partnership in force)."""
    S = as_store(G)
    eid = S.resolve(x)
    partners = sorted({r["to"] if r["from"] == eid else r["from"] for r in (*S.out_rels(eid), *S.in_rels(eid))
                       if r["type"] in TIER_TYPES} - {eid})  # fmt: skip
    used: set[str] = set()
    rows = []
    for p in partners:
        hist = tier_history(S, eid, p)["history"]
        cuts = sorted({d for h in hist for d in (h.get("since"), h.get("until")) if d}, key=dates.first_day)
        steps: list[dict] = []
        last: object = "start"  # the rank shown last (None: no tier); no rank equals "start"
        for d in cuts:
            day = dates.first_day(d)
            live = [h for h in hist if (sp := span(h)) and sp[0] <= day < sp[1]]
            best = min(live, key=lambda h: h["rank"]) if live else None
            rank = best["rank"] if best else None
            if rank != last:
                steps.append({"since": d, "rank": rank, "tier": best["tier"] if best else None})
                last = rank
                if best:
                    used.add(best["tier"])
        if steps:
            rows.append({"id": p, "name": S.entity(p)["name"], "steps": steps})
    ladder = S.registry.ladder_for(eid)
    ranks = S.registry.ranks_for(eid)
    rungs = [{"id": t["id"], "name": S.tier_name(t["id"]), "rank": ranks[t["id"]]} for t in ladder if t["id"] in used]
    return {"entity": eid, "name": S.entity(eid)["name"], "rungs": rungs, "partners": rows}


def ladder_svg(steps: dict, today: _dt.date | None = None) -> str:
    """The step chart of ``ladder_steps``: one coloured line per partner, labelled at its end."""
    rungs, partners = steps["rungs"], steps["partners"]
    if not partners:
        raise UsageError(f"{steps['name']} has no alliance or partnership to plot")
    today = today or dates.today()
    years = [dates.first_day(s["since"]).year for p in partners for s in p["steps"]]
    y0, y1 = min(years), max(max(years), today.year) + 1
    W, H, L, R, T, B = 1123, 794, 300, 190, 50, 60
    row = {r["rank"]: i for i, r in enumerate(rungs)}
    step_h = (H - T - B) / max(len(rungs), 1)

    def _x(d: _dt.date) -> float:
        """Where a day falls along the bottom."""
        return L + (d.toordinal() - _dt.date(y0, 1, 1).toordinal()) / (
            _dt.date(y1, 1, 1).toordinal() - _dt.date(y0, 1, 1).toordinal()
        ) * (W - L - R)

    def _y(rank: int, k: int) -> float:
        """Where partner ``k``'s line runs at a rung."""
        return T + step_h * (row[rank] + 0.5) + (k % 5 - 2) * 3  # a small offset keeps equal lines apart

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="20" y="30" font-size="16">{xml_text(steps["name"])}: partners by rung over time</text>']  # fmt: skip
    for r in rungs:
        y = T + step_h * (row[r["rank"]] + 0.5)
        out.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{L - 8}" y="{y + 4:.1f}" text-anchor="end">{xml_text(r["name"])}</text>')
    for yr in range(y0, y1 + 1, max(1, (y1 - y0) // 12 or 1)):
        x = _x(_dt.date(yr, 1, 1))
        out.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#f3f3f3"/>')
        out.append(f'<text x="{x:.1f}" y="{H - B + 18}" text-anchor="middle">{yr}</text>')
    end = _x(today)
    stacked: dict[int, int] = {}  # rung -> labels already placed at its end
    for k, p in enumerate(partners):
        colour = PALETTE[k % len(PALETTE)]
        pts: list[str] = []
        segs = []
        for i, s in enumerate(p["steps"]):
            x = _x(dates.first_day(s["since"]))
            nxt = _x(dates.first_day(p["steps"][i + 1]["since"])) if i + 1 < len(p["steps"]) else end
            if s["rank"] is None:
                if pts:
                    segs.append(pts)
                pts = []
                continue
            y = _y(s["rank"], k)
            pts += [f"{x:.1f},{y:.1f}", f"{nxt:.1f},{y:.1f}"]
        if pts:
            segs.append(pts)
        for seg in segs:
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(seg)}"><title>{xml_text(p["name"])}</title></polyline>'
            )
        last = p["steps"][-1]
        if last["rank"] is not None:
            n = stacked.get(last["rank"], 0)
            stacked[last["rank"]] = n + 1
            y = T + step_h * (row[last["rank"]] + 0.5) + 4 + 12 * n - 6 * (n > 0)
            out.append(f'<text x="{end + 6:.1f}" y="{y:.1f}" fill="{colour}">{xml_text(p["name"])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def tiers_plot(G: object, x: str, out: str | Path) -> dict:
    """Write ``x``'s ladder step chart to ``out`` (``.svg``); returns ``{"file", "entity",
    "partners"}``."""
    from ..fsutil import atomic_write_text
    from .network import data_of

    out = Path(out)
    if out.suffix.lower() != ".svg":
        raise UsageError(f"--plot {str(out)!r}: the file must end in .svg")
    steps = ladder_steps(G, x)
    atomic_write_text(out, ladder_svg(steps), protect=data_of(G))
    return {"file": str(out), "entity": steps["entity"], "partners": len(steps["partners"])}
