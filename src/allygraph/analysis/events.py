"""``timeline``: the dated events of an entity, a pair, or the whole data set, oldest first."""

from __future__ import annotations

from collections.abc import Iterable

from .. import dates
from ..query import EdgeFilter
from ..store import Store
from .common import all_entities, all_relations, as_of_day, check_date, store_of, touching

# What a relation's start and end are called, by type (other types: "<type>" and "<type>_ended").
_START = {
    "alliance": "alliance_began", "partnership": "tier_set", "member_of": "membership_began",
    "arms_transfer": "transfer", "provides": "grant", "exercises_with": "exercise",
    "deploys_to": "deployment", "involved_in": "incident", "disputes_with": "dispute_began",
    "leads": "took_office",
}  # fmt: skip
_END = {"alliance": "alliance_ended", "partnership": "tier_ended", "member_of": "membership_ended",
        "leads": "left_office", "disputes_with": "dispute_ended"}  # fmt: skip
_VERB = {
    "alliance_began": "alliance begins", "alliance_ended": "alliance ends",
    "membership_began": "joins", "membership_ended": "leaves", "transfer": "transfers arms to",
    "grant": "provides to", "exercise": "exercises with", "deployment": "deploys to",
    "incident": "takes part in", "took_office": "takes office at", "left_office": "leaves office at",
    "agreement_in_force": "in force for", "agreement_signed": "signs", "agreement_ended": "leaves",
    "agreement_proposed": "propose", "agreement_negotiating": "negotiate", "agreement_reported": "reportedly join",
    "agreement_suspended": "suspend",
}  # fmt: skip
# An agreement's or framework's own dated attributes that are events.
_ENTITY_DATES = {"signed": "agreement_signed", "entry_into_force": "agreement_in_force"}


def _name(S: Store, eid: str) -> str:
    return S.entity(eid)["name"]


_PARTY_KINDS = {"signed": "agreement_signed", "proposed": "agreement_proposed", "negotiating": "agreement_negotiating",
                "reported": "agreement_reported", "suspended": "agreement_suspended"}  # fmt: skip


def _party_kind(rel: dict, end: bool) -> str | None:
    """A party_to relation's event: by its status; its end only when it says the party left."""
    status = rel.get("status")
    if end:
        return "agreement_ended" if status == "ended" else None
    return _PARTY_KINDS.get(status, "agreement_in_force")


def _tier_summary(S: Store, rel: dict, previous: dict | None) -> tuple[str, str]:
    """(kind, summary) of a partnership's start: an upgrade or downgrade when the pair had a
    rung before (the highest earlier one), else the rung set."""
    tier = rel.get("tier") or "alliance"
    pair = f"{_name(S, rel['from'])} and {_name(S, rel['to'])}"
    if previous is None:
        return "tier_set", f"{pair}: {S.tier_name(tier)}"
    old = previous.get("tier") or "alliance"
    ranks = S.registry.ranks_for(rel["from"])
    kind = "tier_upgrade" if ranks.get(tier, 999) < ranks.get(old, 999) else "tier_change"
    return kind, f"{pair}: {S.tier_name(old)} → {S.tier_name(tier)}"


def _previous_tier(S: Store, rel: dict) -> dict | None:
    """The partnership between the same pair that started most recently before ``rel``."""
    if rel["type"] != "partnership" or not rel.get("since"):
        return None
    day = dates.first_day(rel["since"])
    ends = {rel["from"], rel["to"]}
    best = None
    for other in S.out_rels(rel["from"]) + S.in_rels(rel["from"]):
        if other["type"] != "partnership" or {other["from"], other["to"]} != ends or other is rel:
            continue
        since = other.get("since")
        if (
            since
            and dates.first_day(since) < day
            and (best is None or dates.first_day(since) > dates.first_day(best["since"]))
        ):
            best = other
    return best


def _relation_events(S: Store, rel: dict) -> list[dict]:
    """The events one relation records: its start and, when dated, its end."""
    out = []
    for end, when in ((False, rel.get("since")), (True, rel.get("until"))):
        if not when:
            continue
        rtype = rel["type"]
        if rtype == "party_to":
            kind = _party_kind(rel, end)
            if kind is None:
                continue
        else:
            kind = (_END.get(rtype) or f"{rtype}_ended") if end else _START.get(rtype, rtype)
        summary = None
        if rtype == "partnership" and not end:
            kind, summary = _tier_summary(S, rel, _previous_tier(S, rel))
        if summary is None:
            summary = _sentence(S, rel, kind)
        out.append({"date": when, "kind": kind, "summary": summary, "relation": rel["id"],
                    "type": rtype, "parties": [rel["from"], rel["to"]],
                    "sources": list(rel.get("sources", ()))})  # fmt: skip
    return out


def _sentence(S: Store, rel: dict, kind: str) -> str:
    a, b = _name(S, rel["from"]), _name(S, rel["to"])
    via = f" ({_name(S, rel['via'])})" if rel.get("via") else ""
    if rel["type"] == "partnership":
        return f"{a} and {b}: {S.tier_name(rel.get('tier') or '')} ends"
    if rel["type"] == "alliance":
        return f"{a} – {b} {_VERB[kind]}{via}"
    verb = _VERB.get(kind, kind.replace("_", " "))
    return f"{a} {verb} {b}{via}"


def _entity_events(S: Store, eid: str, ent: dict) -> list[dict]:
    """An entity's own dated events: an event's day, an agreement signed or in force, a
    framework founded (its ``since``)."""
    out = []
    attrs = ent.get("attributes") or {}
    for key, kind in _ENTITY_DATES.items():
        try:
            when = dates.parse(attrs[key]) if key in attrs else None
        except ValueError:
            when = None  # "signed: no" is a fact, not a date
        if when:
            out.append(_ent_event(ent, eid, when, kind, f"{ent['name']}: {kind.split('_', 1)[1].replace('_', ' ')}"))
    if ent.get("since") and not any(e["date"] == ent["since"] for e in out):
        kind = {"event": "event", "framework": "framework_founded"}.get(ent["type"], f"{ent['type']}_began")
        out.append(_ent_event(ent, eid, ent["since"], kind, ent["name"]))
    return out


def _ent_event(ent: dict, eid: str, when: str, kind: str, summary: str) -> dict:
    return {"date": when, "kind": kind, "summary": summary, "entity": eid, "type": ent["type"],
            "parties": [eid], "sources": list(ent.get("sources", ()))}  # fmt: skip


def _merge(S: Store, events: list[dict]) -> list[dict]:
    """One event for the parties that joined one agreement or framework on one day (the Japan and
    Philippines sides of the RAA coming into force are one event)."""
    out: list[dict] = []
    index: dict[tuple, dict] = {}
    for ev in events:
        if ev.get("type") not in ("party_to", "member_of") or "relation" not in ev:
            out.append(ev)
            continue
        key = (ev["date"], ev["kind"], ev["parties"][-1])
        first = index.get(key)
        if first is None:
            index[key] = {
                **ev,
                "parties": list(ev["parties"]),
                "relations": [ev["relation"]],
                "sources": list(ev["sources"]),
            }
            out.append(index[key])
            continue
        first["relations"].append(ev["relation"])
        first["parties"].insert(-1, ev["parties"][0])
        first["sources"] += [s for s in ev["sources"] if s not in first["sources"]]
    for ev in index.values():
        if len(ev["relations"]) > 1:
            who = ", ".join(_name(S, p) for p in ev["parties"][:-1])
            verb = _VERB.get(ev["kind"], ev["kind"].replace("_", " "))
            ev["summary"] = f"{who} {verb} {_name(S, ev['parties'][-1])}"
    return out


def _dedupe(events: list[dict]) -> list[dict]:
    """Drop what another event already says: an agreement's own "signed" date when a party's
    relation records the signature, and a rung's end on the day the pair moved to another."""
    told = {(e["date"], e["kind"], e["parties"][-1]) for e in events if "relation" in e}
    moved = {
        (e["date"], frozenset(e["parties"])) for e in events if e["kind"] in ("tier_upgrade", "tier_change", "tier_set")
    }
    out = []
    for e in events:
        if "entity" in e and (e["date"], e["kind"], e["entity"]) in told:
            continue
        if e["kind"] == "tier_ended" and (e["date"], frozenset(e["parties"])) in moved:
            continue
        out.append(e)
    return out


def _order(ev: dict) -> tuple:
    return (dates.first_day(ev["date"]), len(ev["date"]), ev["kind"], ev["summary"])


def _scope(S: Store, ids: list[str]) -> tuple[list[dict], list[str]]:
    """The relations a timeline reads, and the entities whose own dates count."""
    if not ids:
        return list(all_relations(S)), [eid for eid, _ in all_entities(S)]
    if len(ids) == 1:
        rels = touching(S, ids[0])
        return rels, [
            ids[0],
            *{r["via"] for r in rels if r.get("via")},
            *{r["to"] for r in rels if r["type"] == "party_to"},
        ]
    x, y = ids
    mine, theirs = touching(S, x), touching(S, y)
    direct = [r for r in mine if {r["from"], r["to"]} == {x, y} or r.get("via") == y]
    direct += [r for r in theirs if r.get("via") == x]
    shared_targets = {r["to"] for r in mine if r["from"] == x and r["type"] in ("party_to", "member_of")}
    shared_targets &= {r["to"] for r in theirs if r["from"] == y and r["type"] in ("party_to", "member_of")}
    shared = [r for r in mine + theirs if r["type"] in ("party_to", "member_of") and r["to"] in shared_targets
              and r["from"] in (x, y)]  # fmt: skip
    rels = list({r["id"]: r for r in direct + shared}.values())
    return rels, sorted(shared_targets | {r["via"] for r in direct if r.get("via")})


def timeline(G: object, x: str | None = None, y: str | None = None, *, date_from: str | None = None,
             date_to: str | None = None, types: Iterable[str] | None = None, as_of: str | None = None) -> dict:  # fmt: skip
    """The dated events of ``x`` (its relations, what goes through it, the agreements it joined),
    of the pair ``x``-``y`` (their relations with each other and the agreements and frameworks both
    joined), or of the whole data set when neither is given, oldest first.

    Kinds: tier_set/tier_upgrade/tier_change/tier_ended, alliance_began/_ended,
    agreement_signed/_in_force/_ended, membership_began/_ended, transfer, grant, exercise,
    deployment, incident, event, framework_founded, and ``<type>`` for declared types. ``date_from``
    and ``date_to`` bound the dates (a partial date covers its whole year or month); ``as_of``
    drops what happened after that day; ``types`` keeps relations of those types (and no entity
    events). Returns ``{"events": [{"date", "kind", "summary", "relation" or "entity", "sources",
    "parties", "type"}], "entities", "sources", ...}``.
    """
    S = store_of(G)
    keep = EdgeFilter(types, None, None, S.registry.relation_types)
    lo, hi = check_date("--from", date_from), check_date("--to", date_to)
    ids = [S.resolve(n) for n in (x, y) if n is not None]
    rels, ent_ids = _scope(S, ids)
    events = [ev for rel in rels if keep(rel) for ev in _relation_events(S, rel)]
    if not keep.types:
        events += [ev for eid in ent_ids for ev in _entity_events(S, eid, S.entity(eid))]
    last = as_of_day(as_of) if as_of is not None else None
    if last is not None:
        events = [e for e in events if dates.first_day(e["date"]) <= last]
    if lo:
        events = [e for e in events if dates.last_day(e["date"]) >= dates.first_day(lo)]
    if hi:
        events = [e for e in events if dates.first_day(e["date"]) <= dates.last_day(hi)]
    events = sorted(_dedupe(_merge(S, events)), key=_order)
    named = {p for e in events for p in e["parties"]}
    return {
        "entity": ids[0] if len(ids) == 1 else None, "pair": ids if len(ids) == 2 else None,
        "from": lo, "to": hi, "as_of": as_of, "types": sorted(keep.types or ()),
        "events": events, "entities": S.brief(sorted(named)),
        "sources": S.sources_for(events) if len(events) < 5000 else {},
    }  # fmt: skip
