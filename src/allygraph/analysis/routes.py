"""``explain``: the few best routes between two actors, as sentences with citations (Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from ..errors import NoPath
from ..grades import grades_of
from ..query import path
from ..store import Store, as_store
from ..ties import is_reported
from ..vocab import effective_status
from . import words

_MD = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: object) -> str:
    """A data string as Markdown text: every character Markdown or HTML would read is escaped."""
    return _MD.sub(r"\\\1", " ".join(str(text).split()))


def sentence(S: Store, rel: dict, first: str | None = None, status: str | None = None) -> str:
    """One relation as an English sentence (names escaped for Markdown), without its citation,
    worded for ``status`` (its status on the day the brief reads; its own status when None) from
    the one table of words (``analysis.words``); a symmetric relation names ``first`` first (the
    end a route reaches it from)."""
    return words.sentence(S, rel, status or effective_status(rel), "holds", md, first=first) or ""


def _candidates(S, a: str, b: str, kw: dict, max_hops: int, calls: int = 12, where=None) -> list[dict]:
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
                       exclude=sorted(excluded), where=where)  # fmt: skip
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
    new kinds among equally short ones; a route of no new kind only when none is left), a route
    of confirmed ties before one that rests on a reported relation; on each hop a confirmed
    relation is preferred (the path query sorts them first), then one of a kind not yet used,
    then the strongest."""
    chosen: list[tuple[dict, list[dict]]] = []
    seen: set[str] = set()
    pool = list(paths)
    while pool and len(chosen) < k:
        best = None
        for p in pool:
            rels, kinds = [], set(seen)
            for hop in p["hops"]:
                sure = [r for r in hop["relations"] if not is_reported(r)] or hop["relations"]
                fresh = [r for r in sure if r["type"] not in kinds]
                rel = (fresh or sure)[0]
                kinds.add(rel["type"])
                rels.append(rel)
            new = len(kinds) - len(seen)
            doubt = sum(is_reported(r) for r in rels)
            score = (new == 0, doubt, len(p["nodes"]), -new, p["nodes"])
            if best is None or score < best[0]:
                best = (score, p, rels)
        assert best is not None  # the pool was not empty
        _, p, rels = best
        pool.remove(p)
        chosen.append((p, rels))
        seen |= {r["type"] for r in rels}
    return chosen


def explain(G: object, a: str, b: str, *, k: int = 3, max_hops: int = 4, types: Iterable[str] | None = None,
            exclude: Iterable[str] | None = None, as_of: str | None = None, all_time: bool = False,
            include_adversarial: bool = False) -> dict:  # fmt: skip
    """The ``k`` best routes from ``a`` to ``b`` (at most ``max_hops`` hops), preferring routes
    through distinct kinds of ties and confirmed ties over reported ones, each hop a sentence
    with its citations.

    Routes follow cooperative ties (the tie model, ``ties.is_cooperative``) in force on the
    clock's day (``ties.Clock``: today by default, ``as_of``, or any day with ``all_time``); a
    reported relation may make a hop, and says so; a contradicted claim never does. Disputes and
    other adversarial ties are followed only with ``include_adversarial`` (naming one in
    ``types`` without it is a UsageError). Each sentence reads the relation's status on the day.

    Returns ``{"from", "to", "as_of", "routes": [{"nodes", "kinds", "hops": [{"from", "to",
    "relation", "status", "sentence", "sources"}]}], "markdown", "entities", "sources"}``;
    ``markdown`` is ready to paste into a brief (footnote citations, names escaped). Raises
    NoPath, UnknownEntity, UsageError.
    """
    from ..errors import UsageError
    from ..ties import Clock, is_adversarial, is_cooperative

    if k < 1:
        raise UsageError("--routes must be at least 1")
    S = as_store(G)
    clock = Clock.from_options(as_of, all_time, reported=True, store=S)
    reg = S.registry
    hostile = sorted(t for t in types or () if t in reg.relation_types and is_adversarial(reg, {"type": t}))
    if hostile and not include_adversarial:
        raise UsageError(f"--type {hostile[0]} is an adversarial tie, never a route by default: "
                         f"add --include-adversarial to follow it")  # fmt: skip

    seen: dict[str, bool] = {}  # relation id -> followed (each search of _candidates asks again)

    def tie(rel: dict) -> bool:
        """A tie a route may follow on the clock's day."""
        got = seen.get(rel["id"])
        if got is None:
            ok = is_cooperative(reg, rel) or (include_adversarial and is_adversarial(reg, rel))
            got = seen[rel["id"]] = ok and clock(rel)
        return got

    kw = {"types": types, "exclude": list(exclude or ())}
    try:
        found = _candidates(S, a, b, kw, max_hops, where=tie)
    except NoPath as exc:
        day = f"in force on {clock.as_of}" if clock.as_of else "of any date"
        hint = "; --all-time for history" if clock.as_of else ""
        hint += "" if include_adversarial else "; --include-adversarial to follow disputes"
        raise NoPath(f"{exc} (following cooperative ties {day}{hint})") from None
    picked = _pick(found, k)
    routes, cited = [], []
    for p, rels in picked:
        hops = []
        for h, r in zip(p["hops"], rels, strict=True):
            status = clock.standing(r).status
            refs = list(r.get("sources", ()))
            grades = grades_of(refs, S.source)
            text = sentence(S, r, h["from"], status)
            if grades == ["weak"]:
                text += " (this rests on one weak source)"
            hops.append({"from": h["from"], "to": h["to"], "relation": r, "status": status, "sentence": text,
                         "sources": refs, "source_grades": grades})  # fmt: skip
        cited += rels
        routes.append({"nodes": p["nodes"], "kinds": sorted({r["type"] for r in rels}), "hops": hops})
    src, dst = S.resolve(a), S.resolve(b)
    result: dict[str, Any] = {"from": src, "to": dst, "as_of": clock.as_of, "routes": routes,
              "adversarial": include_adversarial,
              "entities": S.brief(sorted({n for r in routes for n in r["nodes"]})), "sources": S.sources_for(cited)}  # fmt: skip
    for eid, brief in result["entities"].items():
        brief["noun"] = words.noun(S.entity(eid))  # "the Philippines": how a sentence names it
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
    a, b = (md(ents[result[k]].get("noun") or ents[result[k]]["name"]) for k in ("from", "to"))
    when = f" (as of {result['as_of']})" if result.get("as_of") else " (all time)" if "as_of" in result else ""
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
