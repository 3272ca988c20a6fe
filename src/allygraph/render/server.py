"""The graph-server commands' results as blocks: ``push``."""

from __future__ import annotations

from .blocks import Block


def push_blocks(r: dict) -> list[Block]:
    """``push``: what was (or, with ``--dry-run``, would be) created, updated and deleted, and what
    others changed since the last push."""
    B = Block
    kinds = ("entities", "relations", "sources")
    verb = "Would change" if r["dry_run"] else "Pushed to"
    rows = [
        [k, str(r["created"][k]), str(r["updated"][k]), str(r["deleted"][k]), str(r["unchanged"][k])] for k in kinds
    ]
    out = [B(f"{verb} {r['server']}", columns=["", "created", "updated", "deleted", "unchanged"], rows=rows)]
    if r["drift"]:
        what = "overwritten (--force)" if r["forced"] else "would need --force"
        out.append(B(f"Changed by someone else since the last push: {what}", columns=["kind", "id", "change"],
                     rows=[[d["kind"], d["id"] or "", d["change"]] for d in r["drift"]]))  # fmt: skip
    return out
