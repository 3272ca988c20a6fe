"""``export dyadyears``: one row per pair of states per year, as IR researchers use COW/ATOP data.

The conventions are those of dyad-year panels built from the Correlates of War state system (for
example peacesciencer's ``create_dyadyears()``):

- states are identified by their COW code (``attributes.cow_code``); a state without one is left
  out and named in the result's ``skipped``;
- a pair is in the panel in a year when both states are members of the state system that year
  (the COW list's tenures, bundled with the COW importer; a tenure that runs to the list's end in
  2016 is taken to continue; an entity's own ``since``/``until`` narrow it);
- undirected by default, one row per pair with ``ccode1 < ccode2``; ``directed`` gives both orders,
  and the directed counts (arms transfers, aid) then go from ``state1`` to ``state2``;
- a relation counts for a year when it is in force on any day of it, by the one rule of
  ``ties`` (signed, negotiating, proposed and contradicted never are; reported relations only
  with ``reported=True``); agencies count for their state through ``part_of`` (``roll_up``).

Columns (``COLUMNS``):

==================  ==========================================================================
ccode1, ccode2      COW codes
state1, state2      entity ids
year                the year
alliance            1 when an alliance (a relation in the ``alliance`` layer) ties the pair
partnership         the highest partnership rung in force (on the default ladder), else empty
rank1, rank2        that rung's rank on each side's own ladder, as each side words it (1 = top)
access_agreement    1 when both are party to an access agreement in force
shared_frameworks   how many frameworks or organizations both are members of
dispute             1 when an adversarial standing tie (``dispute`` layer) is in force
incidents           how many events (``incident`` layer) the two were involved in on
                    different sides (a rescuer, observer or mediator is no side)
arms_transfers      arms transfers between the pair (from state1 to state2 when directed)
aid                 aid relations (``provides``) between the pair (state1 to state2 when directed)
==================  ==========================================================================
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections import defaultdict
from collections.abc import Iterator

from ..errors import UsageError
from ..store import Store, as_store
from ..ties import Clock, is_access_agreement, tie_of
from ..vocab import designation_of
from .common import Rollup, all_entities, all_relations

COLUMNS = ("ccode1", "ccode2", "state1", "state2", "year", "alliance", "partnership", "rank1", "rank2",
           "access_agreement", "shared_frameworks", "dispute", "incidents", "arms_transfers", "aid")  # fmt: skip
# roles in an event that take no side in it
NO_SIDE = frozenset({"rescuer", "observer", "mediator", "witness", "third_party", "bystander"})
COW_LIST_END = 2016  # the bundled COW list runs to the end of 2016


def _years(rel_span: tuple[_dt.date, _dt.date] | None, lo: int, hi: int) -> range:
    """The years in ``lo..hi`` on any day of which a span ``[start, end)`` is in force."""
    if rel_span is None:
        return range(0)
    start, end = rel_span
    first = max(lo, start.year)
    last = min(hi, (end - _dt.timedelta(days=1)).year if end != _dt.date.max else hi)
    return range(first, last + 1)


def _system_years(S: Store, states: dict[str, dict], lo: int, hi: int) -> dict[str, set[int]]:
    """The years each state is a member of the state system (see the module docstring)."""
    from ..importers.common import bundled_cow

    cow = bundled_cow()
    out: dict[str, set[int]] = {}
    for eid, ent in states.items():
        code = ent["attributes"]["cow_code"]
        years: set[int] = set()
        tenures = cow[code].tenures if code in cow else ()
        for start, end in tenures:
            y0 = int(start[:4])
            y1 = hi if end is None or int(end[:4]) >= COW_LIST_END else int(end[:4])
            years.update(range(max(lo, y0), min(hi, y1) + 1))
        if not tenures:
            years = set(range(lo, hi + 1))
        if ent.get("since"):
            years = {y for y in years if y >= int(str(ent["since"])[:4])}
        if ent.get("until"):
            years = {y for y in years if y <= int(str(ent["until"])[:4])}
        out[eid] = years
    return out


class _Panel:
    """What each pair had in each year, gathered from every relation once."""

    def __init__(self) -> None:
        self.alliance: set[tuple] = set()
        self.dispute: set[tuple] = set()
        self.rungs: dict[tuple, dict] = {}  # (a, b, year) -> the relation at the highest rung
        self.access: set[tuple] = set()
        self.frameworks: dict[tuple, int] = defaultdict(int)
        self.incidents: dict[tuple, int] = defaultdict(int)
        self.arms: dict[tuple, int] = defaultdict(int)  # (supplier, recipient, year)
        self.aid: dict[tuple, int] = defaultdict(int)  # (provider, recipient, year)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _gather(S: Store, clock: Clock, states: dict[str, dict], lo: int, hi: int, roll_up: bool) -> _Panel:
    reg = S.registry
    rollup = Rollup(S, roll_up)  # the analyses' one rule: an agency acts for the state it is part of

    def state(eid: str) -> str | None:
        found = rollup.state(eid)
        return found if found in states else None

    ents = dict(all_entities(S))
    tier_rank = S.registry.tier_rank
    p = _Panel()
    parties: dict[str, list[tuple[str, range]]] = defaultdict(list)  # agreement / framework -> (state, years)
    involved: dict[str, list[tuple[str, str | None, range]]] = defaultdict(list)  # event -> (state, side, years)
    for rel in all_relations(S):
        t = tie_of(reg, rel["type"])
        years = _years(clock.span(rel), lo, hi)
        if not years:
            continue
        a, b = state(rel["from"]), rel["to"]
        if a is None:
            continue
        if rel["type"] in ("party_to", "member_of") or t.layer == "incident":
            target = ents.get(b) or {}
            if rel["type"] == "party_to" and is_access_agreement(b, target):
                parties[b].append((a, years))
            elif rel["type"] == "member_of" and target.get("type") in ("framework", "organization"):
                parties["@" + b].append((a, years))
            elif t.layer == "incident":
                attrs = rel.get("attributes") or {}
                side = attrs.get("side") or attrs.get("role")
                involved[b].append((a, None if side is None else str(side), years))
            continue
        b2 = state(b)
        if b2 is None or a == b2:
            continue
        key = _pair(a, b2)
        if t.layer == "alliance":
            p.alliance.update((*key, y) for y in years)
        elif t.layer == "dispute" and t.polarity == "adversarial":
            p.dispute.update((*key, y) for y in years)
        elif rel["type"] == "partnership":
            rank = tier_rank.get(rel.get("tier", ""), len(tier_rank) + 1)
            for y in years:
                best = p.rungs.get((*key, y))
                if best is None or rank < tier_rank.get(best.get("tier", ""), len(tier_rank) + 1):
                    p.rungs[(*key, y)] = rel
        elif t.layer == "arms":
            for y in years:
                p.arms[(a, b2, y)] += 1
        elif t.layer == "aid":
            for y in years:
                p.aid[(a, b2, y)] += 1
    for group, members in parties.items():
        for (s1, y1), (s2, y2) in itertools.combinations(members, 2):
            if s1 == s2:
                continue
            both = set(y1) & set(y2)
            key = _pair(s1, s2)
            if group.startswith("@"):
                for y in both:
                    p.frameworks[(*key, y)] += 1
            else:
                p.access.update((*key, y) for y in both)
    for event_parties in involved.values():
        counted: set[tuple] = set()
        for (s1, side1, y1), (s2, side2, y2) in itertools.combinations(event_parties, 2):
            if s1 == s2 or side1 == side2 or (side1 or "").lower() in NO_SIDE or (side2 or "").lower() in NO_SIDE:
                continue
            for y in set(y1) & set(y2):
                counted.add((*_pair(s1, s2), y))
        for key in counted:
            p.incidents[key] += 1
    return p


def dyad_years(G: object, *, year_from: int | None = None, year_to: int | None = None, directed: bool = False,
               reported: bool = False, roll_up: bool = True) -> dict:  # fmt: skip
    """The dyad-year panel of the states in ``G`` (see the module docstring).

    Returns ``{"columns", "rows", "from", "to", "directed", "states", "skipped"}``: ``rows`` are
    dicts keyed by ``COLUMNS``, ordered by year then codes; ``skipped`` names the states without
    a COW code.
    """
    from .. import dates

    S = as_store(G)
    this_year = dates.today().year
    lo = 1816 if year_from is None else year_from
    hi = this_year if year_to is None else year_to
    if hi < lo:
        raise UsageError(f"--to {hi} is before --from {lo}")
    states: dict[str, dict] = {}
    skipped: list[str] = []
    for eid, ent in all_entities(S):
        if ent.get("type") != "state":
            continue
        code = (ent.get("attributes") or {}).get("cow_code")
        if isinstance(code, int) and not isinstance(code, bool):
            states[eid] = ent
        else:
            skipped.append(eid)
    clock = Clock(None, reported=reported, store=S)
    panel = _gather(S, clock, states, lo, hi, roll_up)
    if year_from is None:  # from the first year anything ties two states
        seen = [k[2] for d in (panel.alliance, panel.dispute, panel.access, panel.rungs, panel.frameworks,
                               panel.incidents, panel.arms, panel.aid) for k in d]  # fmt: skip
        lo = min(seen, default=hi)
    member = _system_years(S, states, lo, hi)
    rows = list(_rows(S, panel, states, member, lo, hi, directed))
    return {"from": lo, "to": hi, "directed": directed, "reported": reported, "roll_up": roll_up,
            "columns": list(COLUMNS), "states": len(states), "skipped": sorted(skipped), "rows": rows}  # fmt: skip


def _rows(S: Store, p: _Panel, states: dict[str, dict], member: dict[str, set[int]], lo: int, hi: int,
          directed: bool) -> Iterator[dict]:  # fmt: skip
    code = {eid: ent["attributes"]["cow_code"] for eid, ent in states.items()}
    by_code = sorted(states, key=lambda e: (code[e], e))
    pairs = list(itertools.permutations(by_code, 2) if directed else itertools.combinations(by_code, 2))
    reg = S.registry
    for year in range(lo, hi + 1):
        for s1, s2 in pairs:
            if year not in member[s1] or year not in member[s2]:
                continue
            key = (*_pair(s1, s2), year)
            rel = p.rungs.get(key)
            rung1 = designation_of(rel, s1) if rel else None
            rung2 = designation_of(rel, s2) if rel else None
            arms = p.arms.get((s1, s2, year), 0) + (0 if directed else p.arms.get((s2, s1, year), 0))
            aid = p.aid.get((s1, s2, year), 0) + (0 if directed else p.aid.get((s2, s1, year), 0))
            yield {
                "ccode1": code[s1], "ccode2": code[s2], "state1": s1, "state2": s2, "year": year,
                "alliance": int(key in p.alliance),
                "partnership": rel.get("tier") if rel else None,
                "rank1": reg.ranks_for(s1).get(rung1) if rung1 else None,
                "rank2": reg.ranks_for(s2).get(rung2) if rung2 else None,
                "access_agreement": int(key in p.access),
                "shared_frameworks": p.frameworks.get(key, 0),
                "dispute": int(key in p.dispute),
                "incidents": p.incidents.get(key, 0),
                "arms_transfers": arms,
                "aid": aid,
            }  # fmt: skip
