"""``explain``: the few best routes between two actors, as sentences with citations (Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from ..problems import NoPath
from ..query import path
from ..store import Store
from .common import store_of

_MD = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: object) -> str:
    """A data string as Markdown text: every character Markdown or HTML would read is escaped."""
    return _MD.sub(r"\\\1", " ".join(str(text).split()))


def _when(rel: dict) -> str:
    since, until = rel.get("since"), rel.get("until")
    if since and until:
        return f" from {since} to {until}"
    return f" since {since}" if since else (f" until {until}" if until else "")


_EVENT_TYPES = {"arms_transfer", "provides", "exercises_with", "deploys_to"}
_QUALIFIER = {"reported": " (reported, unconfirmed)", "proposed": " (proposed)", "negotiating": " (under negotiation)",
              "suspended": " (suspended)", "ended": " (ended)"}  # fmt: skip


def _dated(rel: dict) -> str:
    """When a happening took place: `` (2025-06)``, `` (2023-11-09 to 2023-11-20)``."""
    since, until = rel.get("since"), rel.get("until")
    if since and until:
        return f" ({since} to {until})"
    return f" ({since or until})" if since or until else ""


def sentence(S: Store, rel: dict, first: str | None = None) -> str:
    """One relation as an English sentence (names escaped for Markdown), without its citation;
    a symmetric relation names ``first`` first (the end a route reaches it from)."""
    ends = (rel["from"], rel["to"])
    if first == rel["to"] and rel["type"] in S.registry.symmetric_types:
        ends = ends[::-1]
    a, b = md(S.entity(ends[0])["name"]), md(S.entity(ends[1])["name"])
    via = md(S.entity(rel["via"])["name"]) if rel.get("via") else None
    t, status = rel["type"], rel.get("status")
    when = _dated(rel) if t in _EVENT_TYPES else _when(rel)
    if t == "alliance":
        text = f"{a} and {b} are treaty allies{f' under the {via}' if via else ''}{when}"
    elif t == "partnership":
        text = f"{a} and {b} hold a {md(S.tier_name(rel.get('tier') or ''))}{when}"
    elif t == "party_to":
        if status == "signed":
            return f"{a} signed the {b}{_dated(rel)}."
        verb = {"negotiating": "is negotiating", "proposed": "has proposed", "ended": "was party to"}.get(
            status, "is party to"
        )
        return f"{a} {verb} the {b}{when}."
    elif t == "member_of":
        text = f"{a} is a member of the {b}{when}"
    elif t == "arms_transfer":
        text = f"{a} transferred {via or 'arms'} to {b}{when}"
    elif t == "provides":
        text = f"{a} provided {f'support through {via}' if via else 'support'} to {b}{when}"
    elif t == "exercises_with":
        text = f"{a} exercised with {b}{f' in {via}' if via else ''}{when}"
    else:
        text = f"{a} {t.replace('_', ' ')} {b}{f' (through {via})' if via else ''}{when}"
    return text + _QUALIFIER.get(status, "") + "."


def _candidates(S, a: str, b: str, kw: dict, max_hops: int, calls: int = 12) -> list[dict]:
    """Shortest routes, then the shortest ones that avoid the kinds of tie found so far, one more
    kind at a time (at most ``calls`` searches)."""
    found: dict[tuple, dict] = {}
    base = frozenset(kw.get("exclude") or ())
    queue, tried = [base], {base}
    while queue and calls > 0:
        excluded = queue.pop(0)
        calls -= 1
        try:
            res = path(S, a, b, all_paths=True, max_hops=max_hops, types=kw.get("types"),
                       exclude=sorted(excluded), as_of=kw.get("as_of"))  # fmt: skip
        except NoPath:
            if excluded == base:
                raise
            continue
        for p in res["paths"]:
            found.setdefault(tuple(p["nodes"]), p)
        for t in sorted({r["type"] for p in res["paths"] for r in p["edges"]}):
            nxt = excluded | {t}
            if nxt not in tried:
                tried.add(nxt)
                queue.append(nxt)
    return list(found.values())


def _pick(paths: list[dict], k: int) -> list[tuple[dict, list[dict]]]:
    """Up to ``k`` routes, greedily: the shortest that adds a kind of tie not yet shown (the most
    new kinds among equally short ones; a route of no new kind only when none is left); on each
    hop the relation of a kind not yet used is preferred, then the strongest."""
    chosen: list[tuple[dict, list[dict]]] = []
    seen: set[str] = set()
    pool = list(paths)
    while pool and len(chosen) < k:
        best = None
        for p in pool:
            rels, kinds = [], set(seen)
            for hop in p["hops"]:
                fresh = [r for r in hop["relations"] if r["type"] not in kinds]
                rel = (fresh or hop["relations"])[0]
                kinds.add(rel["type"])
                rels.append(rel)
            new = len(kinds) - len(seen)
            score = (new == 0, len(p["nodes"]), -new, p["nodes"])
            if best is None or score < best[0]:
                best = (score, p, rels)
        _, p, rels = best
        pool.remove(p)
        chosen.append((p, rels))
        seen |= {r["type"] for r in rels}
    return chosen


def explain(G: object, a: str, b: str, *, k: int = 3, max_hops: int = 4, types: Iterable[str] | None = None,
            exclude: Iterable[str] | None = None, as_of: str | None = None) -> dict:  # fmt: skip
    """The ``k`` best routes from ``a`` to ``b`` (at most ``max_hops`` hops), preferring routes
    through distinct kinds of ties, each hop a sentence with its citations.

    Returns ``{"from", "to", "routes": [{"nodes", "kinds", "hops": [{"from", "to", "relation",
    "sentence", "sources"}]}], "markdown", "entities", "sources"}``; ``markdown`` is ready to
    paste into a brief (footnote citations, names escaped). Raises NoPath, UnknownEntity.
    """
    from ..problems import UsageError

    if k < 1:
        raise UsageError("--routes must be at least 1")
    S = store_of(G)
    kw = {"types": types, "exclude": list(exclude or ()), "as_of": as_of}
    picked = _pick(_candidates(S, a, b, kw, max_hops), k)
    routes, cited = [], []
    for p, rels in picked:
        hops = [{"from": h["from"], "to": h["to"], "relation": r, "sentence": sentence(S, r, h["from"]),
                 "sources": list(r.get("sources", ()))} for h, r in zip(p["hops"], rels, strict=True)]  # fmt: skip
        cited += rels
        routes.append({"nodes": p["nodes"], "kinds": sorted({r["type"] for r in rels}), "hops": hops})
    src, dst = S.resolve(a), S.resolve(b)
    result = {"from": src, "to": dst, "as_of": as_of, "routes": routes,
              "entities": S.brief(sorted({n for r in routes for n in r["nodes"]})), "sources": S.sources_for(cited)}  # fmt: skip
    result["markdown"] = markdown(result)
    return result


def _link(url: str) -> str:
    """A URL that stays one Markdown autolink: no space, control character, ``<`` or ``>`` inside it."""
    return "".join(quote(c, safe="") if c in "<>" or c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c
                   for c in url)  # fmt: skip


_WEB = re.compile(r"https?://", re.IGNORECASE)
_DOI = re.compile(r"doi:", re.IGNORECASE)


def cite_url(url: str) -> str:
    """A source's URL in Markdown: an autolink only for ``http(s)://`` (and ``doi:``, linked
    through https://doi.org/); anything else (``javascript:``, ``data:``, ``file:``...) is inert,
    escaped text that no renderer turns into a link.

    >>> cite_url("doi:10.1000/182"), cite_url("javascript:alert(1)")
    ('<https://doi.org/10.1000/182>', 'javascript:alert\\\\(1\\\\)')
    """
    url = url.strip()
    if _WEB.match(url):
        return f"<{_link(url)}>"
    if _DOI.match(url) and url[4:].strip():
        return f"<https://doi.org/{_link(url[4:].strip())}>"
    return md(url)


def markdown(result: dict) -> str:
    """An ``explain`` result as Markdown: a heading, numbered routes, footnoted sources."""
    ents, srcs = result["entities"], result["sources"]
    a, b = md(ents[result["from"]]["name"]), md(ents[result["to"]]["name"])
    when = f" (as of {result['as_of']})" if result.get("as_of") else ""
    lines = [f"## How {a} connects to {b}{when}", ""]
    notes: list[str] = []
    for i, route in enumerate(result["routes"], 1):
        chain = " → ".join(md(ents[n]["name"]) for n in route["nodes"])
        lines += [f"**Route {i}** ({len(route['hops'])} hop(s); {', '.join(route['kinds'])}): {chain}", ""]
        for j, hop in enumerate(route["hops"], 1):
            refs = []
            for s in hop["sources"]:
                if s not in notes:
                    notes.append(s)
                refs.append(f"[^{notes.index(s) + 1}]")
            lines.append(f"{j}. {hop['sentence']}{''.join(refs) or ' (no source)'}")
        lines.append("")
    for n, s in enumerate(notes, 1):
        src = srcs.get(s)
        if src is None:
            lines.append(f"[^{n}]: {cite_url(s)}")
            continue
        meta = ", ".join(md(x) for x in (src.get("publisher"), src.get("date")) if x)
        url = f" {cite_url(src['url'])}" if src.get("url") else ""
        lines.append(f"[^{n}]: {md(src['title'])}{', ' + meta if meta else ''}.{url}")
    return "\n".join(lines).rstrip() + "\n"
