"""``timeline``: the dated events of an entity, a pair, or the whole data set, oldest first.

Every event carries its relation's ``status`` on the clock's day (``ties.Clock``: today by
default, ``--as-of D``, or ``--all-time`` for each relation's own status) and its ``actors``;
its ``summary`` is a sentence from the one table of words (``analysis.words``), so a reported
relation reads "reportedly ..." and a contradicted claim names what contradicts it.

Roll-up (on by default): an agency's ties count for the state it belongs to through ``part_of``
(``ties.owner_state``): the Japan Ground Self-Defense Force exercising with the Armed Forces of the
Philippines is an event of Japan and the Philippines, with the agencies named in ``actors`` and
``acting_for``. Two parties of a pair taking part in the same event (an incident, an
arbitration), joining the same agreement or framework, make one pair event; both sides
exercising in the same exercise, each with someone else, put both exercises in the pair's
timeline.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import dates
from ..query import EdgeFilter
from ..store import Store, as_store
from ..ties import Clock, tie_of
from ..vocab import effective_status
from . import words
from .common import all_entities, all_relations, check_date, touching

# What a relation's start and end are called, by type (other types: "<type>" and "<type>_ended").
_START = {
    "alliance": "alliance_began", "partnership": "tier_set", "member_of": "membership_began",
    "arms_transfer": "transfer", "provides": "grant", "exercises_with": "exercise",
    "deploys_to": "deployment", "involved_in": "incident", "disputes_with": "dispute_began",
    "leads": "took_office",
}  # fmt: skip
_END = {"alliance": "alliance_ended", "partnership": "tier_ended", "member_of": "membership_ended",
        "leads": "left_office", "disputes_with": "dispute_ended"}  # fmt: skip
# An agreement's or framework's own dated attributes that are events.
_ENTITY_DATES = {"signed": "agreement_signed", "entry_into_force": "agreement_in_force"}
# Relations whose target is a thing several parties join or take part in: one event for all.
_SHARED = ("party_to", "member_of", "involved_in")

_PARTY_KINDS = {"signed": "agreement_signed", "proposed": "agreement_proposed", "negotiating": "agreement_negotiating",
                "reported": "agreement_reported", "suspended": "agreement_suspended"}  # fmt: skip


def _party_kind(rel: dict, end: bool) -> str | None:
    """A party_to relation's event: by its status; its end only when it says the party left."""
    status = rel.get("status")
    if end:
        return "agreement_ended" if status in ("ended", "suspended") else None
    return _PARTY_KINDS.get(status or "", "agreement_in_force")


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


def _tier_move(S: Store, rel: dict, status: str) -> tuple[str, str] | None:
    """(kind, summary) of a partnership that follows an earlier rung between the same pair, or
    None when it is the pair's first."""
    previous = _previous_tier(S, rel)
    if previous is None:
        return None
    tier, old = rel.get("tier") or "alliance", previous.get("tier") or "alliance"
    ranks = S.registry.ranks_for(rel["from"])
    kind = "tier_upgrade" if ranks.get(tier, 999) < ranks.get(old, 999) else "tier_change"
    moves = words.TIER_MOVES.get((kind, status)) or words.TIER_MOVES[(kind, "active")]
    text = moves.format(**words.fields(S, rel), old=words.indefinite(S.tier_name(old)))
    return kind, text + "."


def _said_as(rel: dict, status: str) -> str:
    """The status an event is worded by: what happened (a signature, a start: the relation's own
    status), qualified when it is reported or contradicted on the day read."""
    return status if status in ("reported", "contradicted") else effective_status(rel)


def _first_cited(S: Store, rel: dict) -> str | None:
    """The date of a relation's earliest dated source, as written (``ties.known_from``'s rule)."""
    found = [src["date"] for ref in rel.get("sources", ()) if (src := S.source(ref)) is not None and src.get("date")]
    return min(found, key=lambda d: (dates.first_day(d), len(d))) if found else None


def _actors(rel: dict) -> list[str]:
    """Who acted: the joiner of an agreement, framework or event; both ends otherwise."""
    return [rel["from"]] if rel["type"] in _SHARED else [rel["from"], rel["to"]]


def _relation_events(S: Store, rel: dict, clock: Clock) -> list[dict]:
    """The events one relation records: its start and, when dated and an event, its end; an
    undated tie (or contradicted claim) once, at the date of its earliest source."""
    status = clock.standing(rel).status  # the status on the clock's day: what the event says it is
    if status == "not_yet":
        status = effective_status(rel)
    said_as = _said_as(rel, status)
    out = []
    base = {"relation": rel["id"], "type": rel["type"], "parties": [rel["from"], rel["to"]], "status": status,
            "actors": _actors(rel), "sources": list(rel.get("sources", ()))}  # fmt: skip
    if not rel.get("since") and not rel.get("until"):
        first = _first_cited(S, rel)
        if first is not None and (tie_of(S.registry, rel["type"]).tie or status == "contradicted"):
            said = words.sentence(S, rel, status, "holds")
            out.append({"date": first, "kind": "first_cited", "dated_by": "sources",
                        "summary": words.FIRST_CITED.format(sentence=said), **base})  # fmt: skip
        return out
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
            moved = _tier_move(S, rel, said_as)
            if moved is not None:
                kind, summary = moved
        if summary is None:
            summary = words.sentence(S, rel, said_as, "ended" if end else "began")
        if summary is None:
            continue  # the end of an exercise or a transfer is no event of its own
        out.append({"date": when, "kind": kind, "summary": summary, **base})
    return out


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
            out.append(_ent_event(ent, eid, when, kind))
    if ent.get("since") and not any(e["date"] == ent["since"] for e in out):
        kind = {"event": "event", "framework": "framework_founded"}.get(ent["type"], f"{ent['type']}_began")
        out.append(_ent_event(ent, eid, ent["since"], kind))
    return out


def _ent_event(ent: dict, eid: str, when: str, kind: str) -> dict:
    template = words.ENTITY_EVENTS.get(kind, words.ENTITY_EVENTS["*"])
    summary = template.format(N=words.capital(words.noun(ent))) + "."
    return {"date": when, "kind": kind, "summary": summary, "entity": eid, "type": ent["type"], "status": None,
            "parties": [eid], "actors": [], "sources": list(ent.get("sources", ()))}  # fmt: skip


def _merge(S: Store, events: list[dict], by_id: dict[str, dict], rank: dict[str, tuple] | None = None) -> list[dict]:
    """One event for the parties that joined one agreement or framework, or took part in one
    event, on one day (the Japan and Philippines sides of the RAA coming into force are one
    event; so are China and the Philippines in the Scarborough Shoal standoff)."""
    out: list[dict] = []
    index: dict[tuple, dict] = {}
    for ev in events:
        if ev.get("type") not in _SHARED or "relation" not in ev or ev["kind"] == "first_cited":
            out.append(ev)
            continue
        key = (ev["date"], ev["kind"], ev["status"], ev["parties"][-1])
        first = index.get(key)
        if first is None:
            index[key] = {**ev, "parties": list(ev["parties"]), "actors": list(ev["actors"]),
                          "relations": [ev["relation"]], "sources": list(ev["sources"])}  # fmt: skip
            out.append(index[key])
            continue
        first["relations"].append(ev["relation"])
        if ev["parties"][0] not in first["parties"]:
            first["parties"].insert(-1, ev["parties"][0])
        first["actors"] += [a for a in ev["actors"] if a not in first["actors"]]
        first["sources"] += [s for s in ev["sources"] if s not in first["sources"]]
    rank = rank or {}
    for ev in index.values():
        if len(ev["relations"]) > 1:  # the first side's parties first, each state before its agencies
            ev["parties"][:-1] = sorted(ev["parties"][:-1], key=lambda p: (rank.get(p, (9, True)), p))
            rel = by_id[ev["relation"]]
            who = words.joined([words.noun(S.entity(p)) for p in ev["parties"][:-1]])
            form = "ended" if ev["kind"].endswith(("_ended", "_left")) else "began"
            said = words.sentence(S, rel, _said_as(rel, ev["status"]), form, subject=who)
            ev["summary"] = said or ev["summary"]
    return out


def _dedupe(events: list[dict]) -> list[dict]:
    """Drop what another event already says: an agreement's own "signed" date when a party's
    relation records the signature, an event's own start when its parties' taking part is told
    on that day, and a rung's end on the day the pair moved to another."""
    told = {(e["date"], e["kind"], e["parties"][-1]) for e in events if "relation" in e}
    joined = {(e["date"], e["parties"][-1]) for e in events if "relation" in e and e["type"] in _SHARED}
    moved = {
        (e["date"], frozenset(e["parties"])) for e in events if e["kind"] in ("tier_upgrade", "tier_change", "tier_set")
    }
    out = []
    for e in events:
        if "entity" in e and (e["date"], e["kind"], e["entity"]) in told:
            continue
        if "entity" in e and e["kind"] == "event" and (e["date"], e["entity"]) in joined:
            continue
        if e["kind"] == "tier_ended" and (e["date"], frozenset(e["parties"])) in moved:
            continue
        out.append(e)
    return out


def _order(ev: dict) -> tuple:
    return (dates.first_day(ev["date"]), len(ev["date"]), ev["kind"], ev["summary"])


def members(S: Store, x: str, roll_up: bool = True) -> set[str]:
    """``x`` and, with roll-up, every agency, service or coast guard that belongs to it through
    ``part_of`` (``ties.owner_state``'s rule read the other way: the walk down stops at another
    state, which is no agency of ``x``)."""
    out = {x}
    if not roll_up:
        return out
    frontier = [x]
    while frontier:
        u = frontier.pop()
        for rel in S.in_rels(u):
            if rel["type"] == "part_of" and rel["from"] not in out and S.entity(rel["from"]).get("type") != "state":
                out.add(rel["from"])
                frontier.append(rel["from"])
    return out


def _touching_all(S: Store, ids: Iterable[str]) -> list[dict]:
    seen: dict[str, dict] = {}
    for eid in ids:
        for rel in touching(S, eid):
            if rel["type"] != "part_of":
                seen.setdefault(rel["id"], rel)
    return list(seen.values())


def _scope(S: Store, ids: list[str], roll_up: bool) -> tuple[list[dict], list[str], dict[str, str]]:
    """The relations a timeline reads, the entities whose own dates count, and who acted for
    whom (agency -> the timeline's entity it rolled up to)."""
    if not ids:
        return list(all_relations(S)), [eid for eid, _ in all_entities(S)], {}
    sides = [members(S, i, roll_up) for i in ids]
    acting_for = {m: i for i, side in zip(ids, sides, strict=True) for m in side if m != i}
    if len(ids) == 1:
        rels = _touching_all(S, sides[0])
        return (
            rels,
            [
                ids[0],
                *{r["via"] for r in rels if r.get("via")},
                *{r["to"] for r in rels if r["type"] in ("party_to", "involved_in")},
            ],
            acting_for,
        )
    X, Y = sides
    mine, theirs = _touching_all(S, X), _touching_all(S, Y)

    def between(r: dict, here: set[str], there: set[str]) -> bool:
        ends = {r["from"], r["to"]}
        return (bool(ends & here) and bool(ends & there)) or (r.get("via") in there and bool(ends & here))

    direct = [r for r in mine if between(r, X, Y)] + [r for r in theirs if between(r, Y, X)]
    joins = [
        {r["to"] for r in rels if r["from"] in side and r["type"] in _SHARED} for rels, side in ((mine, X), (theirs, Y))
    ]
    shared_targets = joins[0] & joins[1]
    shared = [r for r in mine + theirs if r["type"] in _SHARED and r["to"] in shared_targets and r["from"] in X | Y]
    # one exercise both sides took part in, each with someone else (Balikatan: the US with the
    # Philippines, Japan's forces with the AFP): both sides' relations through it are the pair's
    vias = [{r["via"] for r in rels if r.get("via") and _is_event(S, r["via"])} for rels in (mine, theirs)]
    together = vias[0] & vias[1]
    shared += [r for r in mine + theirs if r.get("via") in together]
    rels = list({r["id"]: r for r in direct + shared}.values())
    return rels, sorted(shared_targets | together | {r["via"] for r in direct if r.get("via")}), acting_for


def _is_event(S: Store, eid: str) -> bool:
    """Whether an entity is a dated happening (an exercise, an incident)."""
    return S.entity(eid).get("type") == "event"


def timeline(G: object, x: str | None = None, y: str | None = None, *, date_from: str | None = None,
             date_to: str | None = None, types: Iterable[str] | None = None, as_of: str | None = None,
             all_time: bool = False, roll_up: bool = True) -> dict:  # fmt: skip
    """The dated events of ``x`` (its relations, what goes through it, the agreements it joined),
    of the pair ``x``-``y`` (their relations with each other, the agreements and frameworks both
    joined, the events both took part in), or of the whole data set when neither is given,
    oldest first; with ``roll_up`` an agency's relations count for its state (module docstring).

    Kinds: tier_set/tier_upgrade/tier_change/tier_ended, alliance_began/_ended,
    agreement_signed/_in_force/_ended, membership_began/_ended, transfer, grant, exercise,
    deployment, incident, event, framework_founded, first_cited (an undated tie placed at its
    earliest source), and ``<type>`` for declared types. The clock (today; ``as_of``; every
    date with ``all_time``) drops what happened after its day and gives each event its
    relation's status that day. ``date_from`` and ``date_to`` bound the dates (a partial date
    covers its whole year or month); ``types`` keeps relations of those types (and no entity
    events). Returns ``{"as_of", "events": [{"date", "kind", "summary", "status", "actors",
    "relation" or "entity", "sources", "parties", "type"}], "entities", "sources", ...}``.
    """
    S = as_store(G)
    clock = Clock.from_options(as_of, all_time, reported=True, store=S)
    keep = EdgeFilter(types, None, None, S.registry.relation_types)
    lo, hi = check_date("--from", date_from), check_date("--to", date_to)
    ids = [S.resolve(n) for n in (x, y) if n is not None]
    rels, ent_ids, acting_for = _scope(S, ids, roll_up)
    rank = {i: (n, False) for n, i in enumerate(ids)} | {a: (ids.index(s), True) for a, s in acting_for.items()}
    events = [ev for rel in rels if keep(rel) for ev in _relation_events(S, rel, clock)]
    if not keep.types:
        events += [ev for eid in ent_ids for ev in _entity_events(S, eid, S.entity(eid))]
    if clock.day is not None:
        events = [e for e in events if dates.first_day(e["date"]) <= clock.day]
    if lo:
        events = [e for e in events if dates.last_day(e["date"]) >= dates.first_day(lo)]
    if hi:
        events = [e for e in events if dates.first_day(e["date"]) <= dates.last_day(hi)]
    events = sorted(_dedupe(_merge(S, events, {r["id"]: r for r in rels}, rank)), key=_order)
    for ev in events:
        rolled = {a: acting_for[a] for a in ev["actors"] if a in acting_for}
        if rolled:
            ev["acting_for"] = rolled
    named = {p for e in events for p in (*e["parties"], *e["actors"])}
    entities = S.brief(sorted(named | set(ids)))
    for eid in ids:
        entities[eid]["noun"] = words.noun(S.entity(eid))  # "the Philippines": how a title names it
    return {
        "entity": ids[0] if len(ids) == 1 else None, "pair": ids if len(ids) == 2 else None,
        "from": lo, "to": hi, "as_of": clock.as_of, "roll_up": roll_up, "types": sorted(keep.types or ()),
        "events": events, "entities": entities,
        "sources": S.sources_for(events) if len(events) < 5000 else {},
    }  # fmt: skip
