"""A deterministic force-directed layout in plain Python (Fruchterman-Reingold, no numpy)."""

from __future__ import annotations

import math


def layout(nodes: list[str], edges: list[tuple[str, str]], *, iterations: int = 150, fixed: str | None = None) -> dict[str, tuple[float, float]]:  # fmt: skip
    """Positions in the unit square for ``nodes``; the same input gives the same picture.
    ``fixed`` (the focus entity) stays at the centre."""
    n = len(nodes)
    if n == 0:
        return {}
    pos = {v: [0.5 + 0.45 * math.cos(2 * math.pi * i / n), 0.5 + 0.45 * math.sin(2 * math.pi * i / n)] for i, v in enumerate(nodes)}  # fmt: skip
    if fixed in pos:
        pos[fixed] = [0.5, 0.5]
    k = math.sqrt(1.0 / n)
    links = [(a, b) for a, b in set(edges) if a != b and a in pos and b in pos]
    temp = 0.1
    for _ in range(iterations):
        disp = {v: [0.0, 0.0] for v in nodes}
        for i, a in enumerate(nodes):
            pa, da = pos[a], disp[a]
            for b in nodes[i + 1 :]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                d2 = dx * dx + dy * dy or 1e-9
                f = k * k / d2
                da[0] += dx * f
                da[1] += dy * f
                disp[b][0] -= dx * f
                disp[b][1] -= dy * f
        for a, b in links:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = math.sqrt(dx * dx + dy * dy) or 1e-9
            f = d / k
            disp[a][0] -= dx * f
            disp[a][1] -= dy * f
            disp[b][0] += dx * f
            disp[b][1] += dy * f
        for v in nodes:
            if v == fixed:
                continue
            dx, dy = disp[v]
            d = math.sqrt(dx * dx + dy * dy) or 1e-9
            step = min(d, temp)
            pos[v][0] = min(1.0, max(0.0, pos[v][0] + dx / d * step))
            pos[v][1] = min(1.0, max(0.0, pos[v][1] + dy / d * step))
        temp *= 0.97
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    w, h = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {v: ((p[0] - min(xs)) / w, (p[1] - min(ys)) / h) for v, p in pos.items()}
