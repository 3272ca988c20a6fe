"""Two versions of a data directory compared as entities, relations and sources (contract v1.1).

Each kind gets ``added``, ``removed``, ``changed`` (field by field) and ``renamed`` (a record
removed and one added that are the same apart from their id, and, for relations, apart from
the renamed entities they name). ``highlights`` calls out tier upgrades and downgrades (a
relation's tier changed, or a pair given a new tier) and status changes.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..dataset import Dataset
from ..errors import UsageError


def diff(old: str | os.PathLike | None = None, new: str | os.PathLike | None = None, *,
         data: str | os.PathLike | None = None, rev: str | None = None) -> dict:  # fmt: skip
    """Compare two data directories (``old``, ``new``), or two git revisions of one
    (``data`` and ``rev`` as ``A..B``; ``B`` empty means the files as they are now).
    A revision never starts with ``-`` (git would read it as an option): ``UsageError``."""
    from ..load import load

    if rev is not None:
        a, sep, b = rev.partition("..")
        if not sep or not a:
            raise UsageError(f"--rev {rev!r}: write A..B (two git revisions; B may be empty for the working files)")
        for part in (a, b):
            if part.startswith("-"):
                raise UsageError(f"--rev {rev!r}: a revision cannot start with '-' ({part!r})")
        from ..load import data_dir

        directory = data_dir(data)
        before = _at_revision(directory, a)
        after = _at_revision(directory, b) if b else load(directory)
        labels = (a, b or "working files")
    else:
        if old is None or new is None:
            raise UsageError("diff needs two data directories, or --data DIR --rev A..B")
        before, after = load(old), load(new)
        labels = (str(old), str(new))
    return compare(before, after, labels)


def _at_revision(directory: Path, rev: str):
    """The dataset of ``directory`` as git revision ``rev`` has it (read into a scratch folder).
    ``rev`` is resolved to a commit by ``git rev-parse --verify --end-of-options`` first, and only
    that commit's id reaches ``git cat-file``: nothing of it is ever read as an option."""
    import subprocess

    from ..fsutil import scratch_folder
    from ..load import load

    def git(*args: str) -> bytes:
        try:
            return subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True).stdout
        except FileNotFoundError:
            raise UsageError("--rev needs git, which is not installed") from None
        except subprocess.CalledProcessError as exc:
            msg = exc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(f"git: {msg[-1] if msg else 'failed'} (revision {rev!r} in {directory})") from None

    if rev.startswith("-"):  # never an option, whoever calls
        raise UsageError(f"--rev: a revision cannot start with '-' ({rev!r})")
    commit = git("rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    if not commit or commit.startswith("-"):
        raise UsageError(f"git: no such revision {rev!r} in {directory}")
    prefix = git("rev-parse", "--show-prefix").decode().strip()
    blobs = {name: git("cat-file", "blob", f"{commit}:{prefix}{name}") for name in ("entities.yaml", "relations.yaml")}
    with scratch_folder(blobs, prefix="allygraph-rev-") as scratch:
        return load(scratch, use_cache=False)


def _changes(a: dict, b: dict, skip: tuple[str, ...] = ("id",)) -> dict:
    keys = [k for k in dict.fromkeys([*a, *b]) if k not in skip]
    return {k: {"old": a.get(k), "new": b.get(k)} for k in keys if a.get(k) != b.get(k)}


def _section(old: dict, new: dict, same_as=lambda a, b: False, normal=lambda r: r) -> dict:
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    renamed = []
    for r in list(removed):
        match = next((a for a in added if normal(dict(old[r], id=None)) == normal(dict(new[a], id=None)) or same_as(old[r], new[a])), None)  # fmt: skip
        if match is not None:
            added.remove(match)
            removed.remove(r)
            entry = {"old": r, "new": match}
            fields = _changes(normal(old[r]), normal(new[match]))
            if fields:
                entry["changes"] = fields
            renamed.append(entry)
    changed = [{"id": k, "changes": _changes(old[k], new[k])} for k in new if k in old and old[k] != new[k]]
    return {"added": [new[k] for k in added], "removed": [old[k] for k in removed], "changed": changed,
            "renamed": renamed}  # fmt: skip


def compare(before: Dataset, after: Dataset, labels: tuple[str, str] = ("old", "new")) -> dict:
    """The diff of two Datasets (see the module docstring)."""
    sources = _section(before.sources, after.sources, same_as=lambda a, b: a.get("url") == b.get("url"))
    sources["added"] = [{"id": k, **after.sources[k]} for k in after.sources if k not in before.sources and k not in {r["new"] for r in sources["renamed"]}]  # fmt: skip
    sources["removed"] = [{"id": k, **before.sources[k]} for k in before.sources if k not in after.sources and k not in {r["old"] for r in sources["renamed"]}]  # fmt: skip

    def same_entity(a: dict, b: dict) -> bool:
        return (a.get("wikidata") is not None and a.get("wikidata") == b.get("wikidata")) or (
            a["name"] == b["name"] and a["type"] == b["type"]
        )

    entities = _section(before.entities, after.entities, same_as=same_entity)
    emap = {r["old"]: r["new"] for r in entities["renamed"]}
    smap = {r["old"]: r["new"] for r in sources["renamed"]}

    def normal(rel: dict) -> dict:
        out = dict(rel)
        for key in ("from", "to", "via"):
            if out.get(key) in emap:
                out[key] = emap[out[key]]
        if "sources" in out:
            out["sources"] = [smap.get(s, s) for s in out["sources"]]
        if "designations" in out:
            out["designations"] = {emap.get(k, k): v for k, v in out["designations"].items()}
        return out

    relations = _section(before.relations, after.relations, normal=normal)
    _pair_derived(relations, normal)
    return {"old": labels[0], "new": labels[1], "entities": entities, "relations": relations, "sources": sources,
            "highlights": _highlights(before, after, relations, normal)}  # fmt: skip


def _pair_derived(relations: dict, normal) -> None:
    """A relation written without an ``id`` gets one derived from its content, so changing its
    status or dates changes its id: pair such a removed and added relation (same parties, type,
    tier and ``via``, one each) as one changed relation, ``{"id": new, "was": old, "changes"}``."""

    def key(rel: dict) -> tuple:
        n = normal(rel)
        return n["from"], n["type"], n["to"], n.get("tier"), n.get("via")

    def derived(rel: dict) -> bool:
        return rel["id"].startswith(f"{rel['from']}.{rel['type']}.{rel['to']}.")

    added: dict[tuple, list[dict]] = {}
    for rel in relations["added"]:
        added.setdefault(key(rel), []).append(rel)
    for old in list(relations["removed"]):
        twins = added.get(key(old), [])
        if len(twins) == 1 and derived(old) and derived(twins[0]):
            new = twins.pop()
            relations["removed"].remove(old)
            relations["added"].remove(new)
            relations["changed"].append({"id": new["id"], "was": old["id"], "changes": _changes(normal(old), new)})


def _highlights(before, after, relations: dict, normal) -> list[dict]:
    """Tier upgrades/downgrades and status changes, in words a reviewer looks for."""
    rank = after.tier_rank
    out: list[dict] = []

    def move(old_tier: str | None, new_tier: str | None) -> str:
        a, b = rank.get(old_tier or "", 10**6), rank.get(new_tier or "", 10**6)
        return "tier_upgrade" if b < a else "tier_downgrade" if b > a else "tier_change"

    for ch in relations["changed"]:
        rel = after.relations[ch["id"]]
        c = ch["changes"]
        if "tier" in c:
            out.append({"kind": move(c["tier"]["old"], c["tier"]["new"]), "relation": ch["id"], "from": rel["from"],
                        "to": rel["to"], "old": c["tier"]["old"], "new": c["tier"]["new"]})  # fmt: skip
        if "status" in c:
            out.append({"kind": "status_change", "relation": ch["id"], "from": rel["from"], "to": rel["to"],
                        "old": c["status"]["old"], "new": c["status"]["new"]})  # fmt: skip
    from ..vocab import TIER_TYPES

    pairs: dict[frozenset, list[dict]] = {}
    for rel in before.relations.values():
        if rel["type"] in TIER_TYPES:
            n = normal(rel)
            pairs.setdefault(frozenset((n["from"], n["to"])), []).append(rel)
    for rel in relations["added"]:
        if rel["type"] not in TIER_TYPES:
            continue
        earlier = pairs.get(frozenset((rel["from"], rel["to"])), [])
        tier = rel.get("tier") or rel["type"]
        best = min(earlier, key=lambda r: rank.get(r.get("tier") or r["type"], 10**6), default=None)
        if best is not None and (best.get("tier") or best["type"]) != tier:
            out.append({"kind": move(best.get("tier") or best["type"], tier), "relation": rel["id"],
                        "from": rel["from"], "to": rel["to"], "old": best.get("tier") or best["type"], "new": tier})  # fmt: skip
    return out


def markdown(result: dict) -> str:
    """The diff as Markdown for a pull-request comment (every data string escaped)."""
    from ..render.text import safe_prose

    def esc(value: object) -> str:
        text = safe_prose(value)
        for ch in "\\`*_[]<>|#":
            text = text.replace(ch, "\\" + ch)
        return text

    def code(value: object) -> str:  # inside a code span nothing is escaped: keep it one span
        return "`" + safe_prose(value).replace("`", "'") + "`"

    lines = [f"### allygraph diff: {esc(result['old'])} → {esc(result['new'])}", ""]
    counts = []
    for kind in ("entities", "relations", "sources"):
        sec = result[kind]
        counts.append(f"{kind}: +{len(sec['added'])} −{len(sec['removed'])} ~{len(sec['changed'])} ↻{len(sec['renamed'])}")  # fmt: skip
    lines += ["; ".join(counts), ""]
    if result["highlights"]:
        lines.append("**Highlights**")
        lines += [f"- {esc(h['kind'].replace('_', ' '))}: {code(h['from'])}–{code(h['to'])} {esc(h['old'])} → {esc(h['new'])} ({esc(h['relation'])})" for h in result["highlights"]]  # fmt: skip
        lines.append("")
    for kind in ("entities", "relations", "sources"):
        sec = result[kind]
        if not any(sec.values()):
            continue
        lines.append(f"**{kind.capitalize()}**")
        lines += [f"- added {code(r['id'])}{_what(r, esc)}" for r in sec["added"]]
        lines += [f"- removed {code(r['id'])}{_what(r, esc)}" for r in sec["removed"]]
        lines += [f"- renamed {code(r['old'])} → {code(r['new'])}" for r in sec["renamed"]]
        for ch in sec["changed"]:
            lines.append(f"- changed {code(ch['id'])}: " + "; ".join(f"{esc(k)}: {esc(_short(v['old']))} → {esc(_short(v['new']))}" for k, v in ch["changes"].items()))  # fmt: skip
        lines.append("")
    if not any(any(result[k].values()) for k in ("entities", "relations", "sources")):
        lines.append("No change.")
    return "\n".join(lines).rstrip() + "\n"


def _what(rec: dict, esc) -> str:
    if "from" in rec:
        return f": {esc(rec['from'])} {esc(rec['type'])} {esc(rec['to'])}" + (f" ({esc(rec['tier'])})" if rec.get("tier") else "")  # fmt: skip
    if "name" in rec:
        return f": {esc(rec['name'])} ({esc(rec['type'])})"
    return f": {esc(rec.get('title', ''))}"


def _short(value: object) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
