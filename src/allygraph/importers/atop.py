"""ATOP (Alliance Treaty Obligations and Provisions) member and alliance files -> agreements,
``party_to`` relations and ``alliance`` relations.

- one ``agreement`` entity per ATOP alliance (``atop_<atopid>``, or the hand-curated agreement
  that ``mapping.yaml`` names), with its dates and obligations;
- one ``party_to`` relation per member row (a member has one row per treaty phase);
- one ``alliance`` relation per pair of members whose memberships overlap while at least one of
  them has a defence obligation (ATOP codes obligations per member: 3220 binds only the US).

An exit year of 0 means "still in force at the end of the data": an open ``until``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from .. import dates
from . import cow
from .common import ImportResult, Namer, cell, cow_entity, csv_records, rows_progress, to_int, ymd

SOURCE_ID = "atop-4"
SOURCE = {
    "title": "Alliance Treaty Obligations and Provisions (ATOP)",
    "publisher": "ATOP project (Brett Ashley Leeds, Rice University)",
    "url": "http://www.atopdata.org/",
    "note": 'Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell, and Andrew G. Long. 2002. "Alliance Treaty Obligations and Provisions, 1815-1944." International Interactions 28: 237-260. Imported by allygraph import atop.',
}

OBLIGATIONS = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "non_aggression",
    "consul": "consultation",
}
MEMBER_COLUMNS = ["atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit", *OBLIGATIONS]
ALLIANCE_COLUMNS = ["atopid", "begyr", "begmo", "begday", "endyr", "endmo", "endday", *OBLIGATIONS]


def _flags(row: list[str], columns: dict[str, int]) -> dict[str, bool]:
    out = {}
    for col, attr in OBLIGATIONS.items():
        value = to_int(cell(row, columns, col), col)
        out[attr] = bool(value)
    return out


def _date(row: list[str], columns: dict[str, int], cols: tuple[str, str, str]) -> str | None:
    return ymd(*(to_int(cell(row, columns, c), c) for c in cols))


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if dates.first_day(a) >= dates.first_day(b) else b


def _earlier_end(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b  # None is open: the other end comes first
    return a if dates.first_day(a) <= dates.first_day(b) else b


def read(member_file: str | Path, alliance_file: str | Path | None = None, namer: Namer | None = None) -> ImportResult:
    """Read the ATOP member-level file and, optionally, the alliance-level file."""
    namer = namer or Namer()
    atop_map = namer.map.get("atop") or {}
    mname, mcols, mrows = csv_records(Path(member_file), MEMBER_COLUMNS, ("phase", "ineffect", "cowid"))
    files = [mname]
    result = ImportResult("atop", files, sources={SOURCE_ID: SOURCE, cow.SOURCE_ID: cow.SOURCE})
    alliances: dict[int, dict] = {}
    if alliance_file is not None:
        aname, acols, arows = csv_records(
            Path(alliance_file), ALLIANCE_COLUMNS, ("ineffect", "bilat", "asymm", "cowid")
        )
        files.append(aname)
        result.read += len(arows)
        for line, row in rows_progress(arows, "reading ATOP alliances"):
            try:
                aid = to_int(cell(row, acols, "atopid"), "atopid")
                if aid is None:
                    raise ValueError("atopid is empty")
                info = {
                    "since": _date(row, acols, ("begyr", "begmo", "begday")),
                    "until": _date(row, acols, ("endyr", "endmo", "endday")),
                    "flags": _flags(row, acols),
                    "in_effect": to_int(cell(row, acols, "ineffect"), "ineffect"),
                    "bilateral": to_int(cell(row, acols, "bilat"), "bilat"),
                    "asymmetric": to_int(cell(row, acols, "asymm"), "asymm"),
                    "cow_alliance_id": to_int(cell(row, acols, "cowid"), "cowid"),
                }
            except ValueError as exc:
                result.reject(aname, line, str(exc))
                continue
            if aid in alliances:
                result.reject(aname, line, f"atopid {aid} repeats the row at line {alliances[aid]['line']}")
                continue
            alliances[aid] = {"line": line, **info}

    result.read += len(mrows)
    members: dict[int, list[dict]] = {}
    for line, row in rows_progress(mrows, "reading ATOP members"):
        try:
            aid = to_int(cell(row, mcols, "atopid"), "atopid")
            code = to_int(cell(row, mcols, "member"), "member")
            if aid is None or code is None:
                raise ValueError("atopid or member is empty")
            rec = {
                "line": line,
                "code": code,
                "since": _date(row, mcols, ("yrent", "moent", "dayent")),
                "until": _date(row, mcols, ("yrexit", "moexit", "dayexit")),
                "flags": _flags(row, mcols),
                "phase": to_int(cell(row, mcols, "phase"), "phase") or 0,
                "in_effect": to_int(cell(row, mcols, "ineffect"), "ineffect"),
            }
            if not dates.ordered(rec["since"], rec["until"]):
                raise ValueError(f"exit {rec['until']} is before entry {rec['since']}")
            rec["eid"] = namer.cow_id(code)
        except ValueError as exc:
            result.reject(mname, line, str(exc))
            continue
        except KeyError:
            result.reject(
                mname, line, f"member {code} is not a state code in the COW list; map it in importers/data/mapping.yaml"
            )
            continue
        members.setdefault(aid, []).append(rec)
        state = namer.cow.get(code)
        if state is not None and rec["eid"] not in namer.existing:
            result.add_entity(cow_entity(state, rec["eid"], cow.SOURCE_ID))

    for aid in sorted(set(alliances) | set(members)):
        mapped = atop_map.get(aid)
        _alliance(
            result, namer, aid, alliances.get(aid), members.get(aid, []), mapped if mapped in namer.existing else None
        )
    return result


def _name_of(namer: Namer, result: ImportResult, eid: str) -> str:
    ent = namer.existing.get(eid) or result.entities.get(eid)
    return ent["name"] if ent else eid


def _alliance(
    result: ImportResult, namer: Namer, aid: int, info: dict | None, rows: list[dict], mapped: str | None
) -> None:
    agreement = mapped or f"atop_{aid}"
    flags = info["flags"] if info else {k: any(r["flags"][k] for r in rows) for k in OBLIGATIONS.values()}
    since = info["since"] if info else min((r["since"] for r in rows if r["since"]), key=dates.first_day, default=None)
    if info:
        until = info["until"]
    else:
        open_ = any(r["until"] is None for r in rows)
        until = None if open_ or not rows else max((r["until"] for r in rows), key=dates.first_day)
    in_effect = info["in_effect"] if info and info["in_effect"] is not None else (until is None)
    names: list[str] = []
    for r in rows:
        n = _name_of(namer, result, r["eid"])
        if n not in names:
            names.append(n)
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    year = f" ({since[:4]})" if since else ""
    attrs: dict[str, object] = {"atop_id": aid, **flags, "in_effect": bool(in_effect), "members": len(names)}
    if info:
        for key in ("bilateral", "asymmetric"):
            if info[key] is not None:
                attrs[key] = bool(info[key])
        if info["cow_alliance_id"]:
            attrs["cow_alliance_id"] = info["cow_alliance_id"]
    ent = {"id": agreement, "name": f"ATOP {aid}: {shown or 'no members'}{year}", "type": "agreement",
           "aliases": [f"ATOP {aid}"], "attributes": attrs, "sources": [SOURCE_ID]}  # fmt: skip
    if since:
        ent["since"] = since
    if until:
        ent["until"] = until
    result.add_entity(ent)

    used: set[str] = set()

    def unique(rid: str) -> str:
        n, out = 1, rid
        while out in used:
            n += 1
            out = f"{rid}.{n}"
        used.add(out)
        return out

    for r in rows:
        suffix = f".p{r['phase']}" if r["phase"] else ""
        rel = {"id": unique(f"atop.{aid}.{r['code']}{suffix}"), "from": r["eid"], "to": agreement, "type": "party_to",
               "status": "ended" if r["until"] else "in_force"}  # fmt: skip
        _dates(rel, r["since"], r["until"])
        rel["attributes"] = {"atop_id": aid, **r["flags"], **({"phase": r["phase"]} if r["phase"] else {})}
        rel["sources"] = [SOURCE_ID]
        result.relations[rel["id"]] = rel

    for a, b in itertools.combinations(sorted(rows, key=lambda r: (r["code"], r["phase"])), 2):
        if a["code"] == b["code"] or a["eid"] == b["eid"]:
            continue
        if not (a["flags"]["defense"] or b["flags"]["defense"]):
            continue
        start, end = _later(a["since"], b["since"]), _earlier_end(a["until"], b["until"])
        if start and end and dates.first_day(end) <= dates.first_day(start):
            continue  # consecutive phases, not a shared period
        phase = max(a["phase"], b["phase"])
        rel = {"id": unique(f"atop.{aid}.{a['code']}-{b['code']}" + (f".p{phase}" if phase else "")),
               "from": a["eid"], "to": b["eid"], "type": "alliance"}  # fmt: skip
        if end:
            rel["status"] = "ended"
        _dates(rel, start, end)
        rel["via"] = agreement
        attrs = {"atop_id": aid}
        if not (a["flags"]["defense"] and b["flags"]["defense"]):
            attrs["defense_by"] = a["eid"] if a["flags"]["defense"] else b["eid"]
        rel["attributes"] = attrs
        rel["sources"] = [SOURCE_ID]
        result.relations[rel["id"]] = rel


def _dates(rel: dict, since: str | None, until: str | None) -> None:
    if since:
        rel["since"] = since
    if until:
        rel["until"] = until
