"""The analysis commands' results as blocks: timeline, clusters, rank, balance, changes, explain, viz."""

from __future__ import annotations

from collections.abc import Callable

from .blocks import Block


def _as_of(result: dict) -> str:
    return f"as of {result['as_of']}" if result.get("as_of") else "over all time"


def per_year(blocks: Callable[[dict], list[Block]]) -> Callable[[dict], list[Block]]:
    """A renderer for a command's ``--years`` documents too: each year's blocks, one after another."""

    def render_any(result: dict) -> list[Block]:
        if "years" not in result:
            return blocks(result)
        out = [b for y in result["years"] for b in blocks(y)]
        return out + [Block(f"({result['read_on']})", style="text")]

    return render_any


def timeline_blocks(result: dict) -> list[Block]:
    """``timeline``: one row per event, oldest first."""
    names = result.get("entities", {})
    ids = result.get("pair") or ([result["entity"]] if result.get("entity") else [])
    who = [names.get(i, {}).get("noun") or names.get(i, {}).get("name", i) for i in ids]
    title = f"Timeline of {' and '.join(who)}" if who else "Timeline of the whole data set"
    bounds = [f"from {result['from']}" if result.get("from") else "", f"to {result['to']}" if result.get("to") else "",
              f"as of {result['as_of']}" if result.get("as_of") else ""]  # fmt: skip
    title += "".join(f", {b}" for b in bounds if b) + f": {len(result['events'])} event(s), oldest first"
    rows = [
        [e["date"], e["kind"].replace("_", " "), e["summary"], ", ".join(e["sources"]) or "(no source)"]
        for e in result["events"]
    ]
    if not rows:
        return [Block(title, style="text"), Block("(no dated event)", style="text")]
    return [Block(title, columns=["date", "kind", "event", "sources"], rows=rows, wrap=("event", "sources"))]


def clusters_blocks(result: dict) -> list[Block]:
    """``clusters``: declared, then emergent, then the states in several."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    if result.get("method", "cliques") != "cliques":
        return _grouping_blocks(result, names)
    blocks = [Block(f"Security clusters {_as_of(result)} (ties: {', '.join(result['types'])}"
                    f"{'; partnerships at or above ' + result['rung'] if 'partnership' in result['types'] else ''})",
                    style="text")]  # fmt: skip
    declared = [[c["name"], ", ".join(names.get(m, m) for m in c["members"]), c.get("since") or "undated",
                 {"same": "same members", "within": "inside a larger one", "backed": "yes", None: "no"}[c.get("emergent")],
                 c.get("backed_since") or ("—" if not c.get("backed") else "undated")]
                for c in result["clusters"] if c["kind"] == "declared"]  # fmt: skip
    if declared:
        blocks.append(Block("Declared (frameworks of three or more states; since = the membership's last change)",
                            columns=["framework", "members", "since", "emergent?", "pairs tied without it since"],
                            rows=declared, wrap=("members",)))  # fmt: skip
    emergent = [[", ".join(names.get(m, m) for m in c["members"]), c.get("since") or "undated",
                 "yes" if c.get("maximal") else f"no: backs {c.get('backs')}", str(len(c["ties"]))]
                for c in result["clusters"] if c["kind"] == "emergent"]  # fmt: skip
    if emergent:
        blocks.append(Block("Emergent (every pair tied; since = the day the last tie closed)",
                            columns=["members", "since", "maximal", "ties"], rows=emergent, wrap=("members",)))  # fmt: skip
    if not declared and not emergent:
        blocks.append(Block("(no cluster)", style="text"))
    blocks += _dropped_blocks(result, names)
    if result.get("overlaps"):
        rows = [[o["name"], str(o["count"]), ", ".join(o["clusters"])] for o in result["overlaps"]]
        blocks.append(
            Block("States in several clusters", columns=["state", "clusters", "which"], rows=rows, wrap=("which",))
        )
    return blocks


def _grouping_blocks(result: dict, names: dict) -> list[Block]:
    """``clusters --method kcore|louvain``: the cores or communities."""
    what = {"kcore": "k-cores (connected parts)", "louvain": "Louvain communities (seed fixed)"}[result["method"]]
    k = ["k"] if result["method"] == "kcore" else []
    # only a core has a k (a Louvain community has none): read it only for the k column
    rows = [[str(c["k"]) for _ in k] + [str(len(c["members"])), ", ".join(names.get(m, m) for m in c["members"])]
            for c in result["clusters"]]  # fmt: skip
    blocks = [Block(f"Security clusters {_as_of(result)}: {what} (ties: {', '.join(result['types'])})",
                    columns=[*k, "states", "members"], rows=rows, wrap=("members",))]  # fmt: skip
    if not rows:
        blocks.append(Block("(no cluster)", style="text"))
    return blocks + _dropped_blocks(result, names)


def _dropped_blocks(result: dict, names: dict) -> list[Block]:
    rows = [[" – ".join(names.get(m, m) for m in d["pair"]), ", ".join(d["disputes"]), ", ".join(d["ties"])]
            for d in result.get("dropped", ())]  # fmt: skip
    if not rows:
        return []
    return [Block("Pairs in an active dispute: not security ties that day", columns=["pair", "disputes", "ties dropped"],
                  rows=rows, wrap=("disputes", "ties dropped"))]  # fmt: skip


def _stderr(x: float | None) -> str:
    """A betweenness standard error as the plain output says it."""
    return "unknown (one source)" if x is None else f"{x:.4f}"


def _plus_minus(row: dict) -> str:
    """`` ± e``: a sampled score's standard error ("" for an exact score)."""
    return "" if "stderr" not in row else f" ± {_stderr(row['stderr'])}"


def rank_blocks(result: dict) -> list[Block]:
    """``rank``: the ranking, with how it was computed."""
    extras = {
        "sample": lambda: (
            f"betweenness sampled from {result['sample']} sources (seed {result['seed']}; "
            f"standard error of a score at most {_stderr(result.get('stderr'))})"
        ),
        "exact": lambda: "betweenness exact (every entity a source)",
        "as_of": lambda: _as_of(result),
        "types": lambda: f"types {', '.join(result['types'])}",
        "weight": lambda: "weighted by tie strength",
        "include_adversarial": lambda: "adversarial ties included",
    }
    said = [
        f"{result['nodes']} entities, {result['edges']} ties",
        *(say() for k, say in extras.items() if result.get(k)),
    ]
    how = ", ".join(said)
    if "as_of" in result and result["as_of"] is None:
        how += ", all time"
    rows = [[str(i), r["name"], r["id"], r["type"], f"{r['score']:.4f}" + _plus_minus(r), ", ".join(r.get("actors", ()))]
            for i, r in enumerate(result["ranking"], 1)]  # fmt: skip
    return [Block(f"Ranked by {result['by']} ({how})", columns=["#", "name", "id", "type", "score", "acting agencies"],
                  rows=rows, wrap=("acting agencies",))]  # fmt: skip


def balance_blocks(result: dict) -> list[Block]:
    """``balance``: the counts, then each unbalanced triangle with its signs."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    p = result["pairs"]
    head = (f"Structural balance {_as_of(result)}: {result['states']} states, {p['positive']} positive and "
            f"{p['negative']} negative pairs ({p['mixed']} of them also cooperate); {result['triangles']} triangles, "
            f"{result['balanced']} balanced, {len(result['unbalanced'])} unbalanced")  # fmt: skip
    rows = [[", ".join(names.get(m, m) for m in d["members"]), " ".join(d["signs"]),
             "; ".join(f"{'–'.join(x['pair'])}: {', '.join(x['disputes'] or x['ties'])}" for x in d["pairs"])]
            for d in result["details"]]  # fmt: skip
    if not rows:
        return [Block(head, style="text")]
    return [Block(head, style="text"),
            Block("Unbalanced triangles (signs: ab ac bc)", columns=["states", "signs", "why"], rows=rows,
                  wrap=("states", "why"))]  # fmt: skip


def changes_blocks(result: dict) -> list[Block]:
    """``changes``: relations formed and ended, rungs changed, clusters, movers."""
    names = {k: v["name"] for k, v in result.get("entities", {}).items()}
    title = f"Changes from {result['from']} to {result['to']}"
    if result.get("around"):
        title += f" around {names.get(result['around'], result['around'])}"
    blocks = [Block(title, style="text")]

    def rels(label: str, items: list[dict]) -> None:
        rows = [[r["id"], r["type"], f"{names.get(r['from'], r['from'])} → {names.get(r['to'], r['to'])}",
                 r.get("since") or "", r.get("until") or ""] for r in items]  # fmt: skip
        if rows:
            blocks.append(Block(label, columns=["relation", "type", "parties", "since", "until"], rows=rows,
                                wrap=("parties",)))  # fmt: skip

    rels("Formed", result["formed"])
    rels("Ended", result["ended"])
    for label in ("upgraded", "downgraded"):
        rows = [[" – ".join(names.get(m, m) for m in u["parties"]), u["was"], u["now"], u["relation"]]
                for u in result.get(label, ())]  # fmt: skip
        if rows:
            blocks.append(Block(label.capitalize(), columns=["pair", "was", "now", "relation"], rows=rows,
                                wrap=("pair",)))  # fmt: skip
    for label in ("formed", "dissolved"):
        rows = [[c["kind"], c.get("framework") or "", ", ".join(c["members"])] for c in result["clusters"][label]]
        if rows:
            blocks.append(Block(f"Clusters {label}", columns=["kind", "framework", "members"], rows=rows,
                                wrap=("members",)))  # fmt: skip
    rows = [[m["name"], f"{m['was']:.4f}", f"{m['now']:.4f}", f"{m['change']:+.4f}",
             f"{m['rank_was'] or '–'} → {m['rank_now'] or '–'}"] for m in result.get("movers", ())]  # fmt: skip
    if rows:
        blocks.append(Block("Largest movers (weighted degree)", columns=["entity", "was", "now", "change", "rank"],
                            rows=rows))  # fmt: skip
    if len(blocks) == 1:
        blocks.append(Block("(nothing changed)", style="text"))
    return blocks


def explain_blocks(result: dict) -> list[Block]:
    """``explain``: the Markdown itself, line by line (it is what an analyst pastes)."""
    return [Block("", columns=["markdown"], rows=[[line] for line in result["markdown"].splitlines()], style="lines")]


def viz_blocks(result: dict) -> list[Block]:
    """``viz`` and ``tiers --plot``: what was written."""
    what = (
        f"{result['entities']} entities, {result['relations']} relations"
        if "relations" in result
        else f"{result.get('partners', 0)} partners"
    )
    return [Block(f"Wrote {result['file']} ({what})", style="text")]
