"""The ``ladders:`` section: each state's own ladder of tiers, checked rung by rung."""

from __future__ import annotations

from collections.abc import Callable

from ..names import suggest
from .report import File, check_records, names_of, show


def ladders_section(file: File, items: dict, entities: dict, tiers: list[dict],
                    check_sources: Callable[..., None]) -> tuple[dict[str, dict], list[str]]:  # fmt: skip
    """Each state's own ladder ({"rungs": [{id, name}], "sources", "note"?}), checked: the key is a
    state, each rung an id of a known rung or ``{id, name}`` declaring a new one, no rung twice.
    Returns the ladders and every known tier id (the default ladder's, then the declared ones).
    ``check_sources(file, path, refs, label, record)`` reports unknown sources."""
    if not items:
        return {}, [t["id"] for t in tiers]
    names = list(items)
    values = [items[n] for n in names]
    good = set(check_records(file, "ladders", "ladder", values, keys=names))
    known = _declared_rungs(file, names, values, {t["id"]: t["name"] for t in tiers})
    out: dict[str, dict] = {}
    for i, sid in enumerate(names):
        rec = values[i]
        path = ("ladders", sid)
        label = f"ladder {sid!r}"
        ok = _check_owner(file, path, label, sid, entities)
        if i not in good:
            continue
        rungs, rungs_ok = _rungs(file, path, label, rec["rungs"], known)
        refs = names_of(rec["sources"])
        if not refs:
            file.add((*path, "sources"), f"{label}: 'sources' is empty; say where the ordering comes from")
            ok = False
        before = len(file.problems)
        check_sources(file, path, refs, label, rec)
        if ok and rungs_ok and len(file.problems) == before:
            out[sid] = {"rungs": rungs, "sources": refs}
            if rec.get("note") is not None:
                out[sid]["note"] = rec["note"]
    return out, list(known)


def _declared_rungs(file: File, names: list, values: list, known: dict[str, str]) -> dict[str, str]:
    """Every known rung (id -> name): the default ladder's, then those declared with a name in any
    ladder (even one with other problems), each declared once under one name."""
    declared_at: dict[str, tuple] = {}
    for i, rec in enumerate(values):
        rungs_ = rec.get("rungs") if isinstance(rec, dict) else None
        for j, rung in enumerate(rungs_ if isinstance(rungs_, list) else ()):
            if isinstance(rung, dict) and isinstance(rung.get("id"), str) and isinstance(rung.get("name"), str):
                rid, rname = rung["id"], rung["name"]
                if rid in known and known[rid] != rname:
                    where = ("ladders", names[i], "rungs", j, "name")
                    first = f" (at line {declared_at[rid][0]})" if rid in declared_at else ""
                    file.add(where, f"ladder {names[i]!r}: rung {rid!r} is already named {known[rid]!r}{first}; give the same name, or write just the id")  # fmt: skip
                    continue
                known.setdefault(rid, rname)
                declared_at.setdefault(rid, file.positions.value(("ladders", names[i], "rungs", j)) or (0, 0))
    return known


def _check_owner(file: File, path: tuple, label: str, sid: str, entities: dict) -> bool:
    """A ladder belongs to a known entity of type state."""
    ent = entities.get(sid)
    if ent is None:
        hint = suggest(str(sid), list(entities), limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else " (a ladder belongs to an entity of type state)"
        file.add(path, f"{label}: unknown entity {sid!r}{tip}", key=True)
        return False
    if ent["type"] != "state":
        file.add(path, f"{label}: {sid!r} is a {ent['type']}, not a state; only a state has its own ladder", key=True)  # fmt: skip
        return False
    return True


def _rungs(file: File, path: tuple, label: str, items: list, known: dict[str, str]) -> tuple[list[dict], bool]:
    """A ladder's rungs as {id, name}, highest first, and whether every one was valid."""
    rungs: list[dict] = []
    seen: dict[str, int] = {}
    ok = True
    if not items:
        file.add((*path, "rungs"), f"{label}: 'rungs' is empty; list the tier ids, highest first")
        ok = False
    for j, rung in enumerate(items):
        where = (*path, "rungs", j)
        rid = _rung_id(file, where, label, j, rung)
        if rid is None:
            ok = False
            continue
        if rid not in known:
            hint = suggest(rid, list(known), limit=1)
            tip = (f" — did you mean {hint[0]!r}?" if hint else "") + f" (a new rung is declared with its name: {{id: {rid}, name: ...}})"  # fmt: skip
            file.add(where, f"{label}: unknown rung {rid!r}{tip}")
            ok = False
            continue
        if rid in seen:
            file.add(where, f"{label}: rung {rid!r} is listed twice (first as rung {seen[rid] + 1}); a rung has one place on a ladder")  # fmt: skip
            ok = False
            continue
        seen[rid] = j
        rungs.append({"id": rid, "name": known[rid]})
    return rungs, ok


def _rung_id(file: File, where: tuple, label: str, j: int, rung: object) -> str | None:
    """A rung's id (a rung is an id, or {id, name}); None, reported, when it is neither."""
    from .records import TierRecord

    fields = list(TierRecord.__annotations__)
    if isinstance(rung, dict):
        extra = [k for k in rung if k not in fields]
        if extra or not isinstance(rung.get("id"), str) or not isinstance(rung.get("name", ""), str):
            file.add(where, f"{label}: rung {j + 1} must be a tier id or {{id, name}} (fields: {', '.join(fields)}), got {show(rung)}")  # fmt: skip
            return None
        return rung["id"]
    if isinstance(rung, str):
        return rung
    file.add(where, f"{label}: rung {j + 1} must be a tier id or {{id, name}}, got {show(rung)}")
    return None
