"""The editing commands' results as blocks: what changed (link, rename, rm, edit, fmt), init, diff."""

from __future__ import annotations

from .blocks import Block


def changed_blocks(result: dict) -> list[Block]:
    """What an editing command changed (``{"changed": [...]}``), and with ``--dry-run`` its patch."""
    rows = [[c["action"], f"{c['old']} -> {c['id']}" if c.get("old") else c["id"] if c["id"] is not None else "", c["file"]]
            for c in result["changed"]]  # fmt: skip
    verb = "Would change" if result.get("dry_run") else "Changed"
    blocks = [Block(f"{verb}:", columns=["action", "id", "file"], rows=rows)] if rows else [Block("Nothing to change.", style="text")]  # fmt: skip
    if result.get("patch"):
        blocks.append(
            Block("", columns=["line"], rows=[[line] for line in result["patch"].splitlines()], style="lines")
        )
    return blocks


def init_blocks(result: dict) -> list[Block]:
    """``init``: where the new data directory is, and how to point allygraph at it."""
    rows = [["Use it from anywhere (e.g. in your shell's profile):"], [f"  export {result['env']}"],
            [f"or pass --data {result['env'].partition('=')[2]} to each command."]]  # fmt: skip
    title = f"Made {result['directory']}: a copy of the bundled data (entities.yaml, relations.yaml), yours to edit."
    return [Block(title, columns=["line"], rows=rows, style="lines")]


def diff_blocks(result: dict) -> list[Block]:
    """``diff``: a summary, the highlights (tier upgrades, status changes), then per kind what was
    added, removed, renamed and changed field by field."""
    counts = [f"{k}: +{len(result[k]['added'])} -{len(result[k]['removed'])} ~{len(result[k]['changed'])} "
              f"renamed {len(result[k]['renamed'])}" for k in ("entities", "relations", "sources")]  # fmt: skip
    blocks = [Block(f"{result['old']} -> {result['new']}", fields=[("summary", "; ".join(counts))], style="panel")]
    if result["highlights"]:
        rows = [[h["kind"].replace("_", " "), f"{h['from']} - {h['to']}", f"{h['old']} -> {h['new']}", h["relation"]]
                for h in result["highlights"]]  # fmt: skip
        blocks.append(Block("Highlights", columns=["what", "between", "change", "relation"], rows=rows))
    for kind in ("entities", "relations", "sources"):
        sec = result[kind]
        rows = [["added", r["id"], _diff_detail(r)] for r in sec["added"]]
        rows += [["removed", r["id"], _diff_detail(r)] for r in sec["removed"]]
        rows += [["renamed", f"{r['old']} -> {r['new']}", ""] for r in sec["renamed"]]
        rows += [["changed", c["id"], "; ".join(f"{k}: {_diff_value(v['old'])} -> {_diff_value(v['new'])}" for k, v in c["changes"].items())]
                 for c in sec["changed"]]  # fmt: skip
        if rows:
            blocks.append(Block(kind.capitalize(), columns=["change", "id", "detail"], rows=rows, wrap=("detail",)))
    if len(blocks) == 1:
        blocks.append(Block("No change.", style="text"))
    return blocks


def _diff_detail(rec: dict) -> str:
    if "from" in rec:
        tier = f" ({rec['tier']})" if rec.get("tier") else ""
        return f"{rec['from']} {rec['type']} {rec['to']}{tier}"
    if "name" in rec:
        return f"{rec['name']} ({rec['type']})"
    return rec.get("title", "")


def _diff_value(value: object) -> str:
    if value is None:
        return "(none)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
