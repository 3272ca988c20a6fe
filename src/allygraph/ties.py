"""What a relation means for analysis: the tie model and the one rule for time and status.

The tie model is data: each relation type (``vocab.RELATION_TYPES`` and a data directory's own
``relation_types:``) declares its ``polarity`` (cooperative, adversarial or neutral), its ``layer``
(alliance, partnership, access, framework, aid, arms, exercise, deployment, dispute, incident,
leadership, organisation, ...) and whether analysis counts it as a ``tie``. This module reads
those declarations; it holds no table of its own beyond the layer a single relation refines to
(a ``party_to`` an access agreement is in the ``access`` layer).

The one rule for time and status, used by every command that asks "on day D":

==============  =======================================================================
status          in force on day D
==============  =======================================================================
active          when its dates cover D (``since`` <= D < ``until``)
in_force        the same
ended           the same (it needs an ``until``; without one it is never in force)
suspended       the same (in force until the suspension date)
reported        the same, but only for a caller that asks for reported ties: a claim
                no source has confirmed is never counted silently, and always worded
                as reported
signed          never: signed, not in force (it is shown, dated, as signed)
negotiating     never: nobody is bound by a text under negotiation
proposed        never
contradicted    never: a claim that later or better sources contradict (it names them in
                ``contradicted_by``) is history, shown and labelled, never an answer
==============  =======================================================================

Dates may be partial: a ``since`` of ``2015-06`` starts on its first day, an ``until`` of
``2026`` ends on the first day of 2026 (the relation is not in force on it). A relation with no
``since`` is known from the date of its earliest dated source when a store is given (an undated
dispute cited by a 2014 report is in force from 2014, not for ever), and from the beginning of
time otherwise. ``day=None`` means all time: a relation counts if it is in force on any day.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from . import dates
from .vocab import effective_status

if TYPE_CHECKING:
    from .store import Store
    from .vocab import Registry

_T = TypeVar("_T")

# Statuses that never put a relation in force, whatever its dates say.
_NEVER = frozenset({"signed", "negotiating", "proposed", "contradicted"})
# Statuses whose span needs an ``until``: without one they are never in force.
_NEEDS_UNTIL = frozenset({"ended", "suspended"})


class Standing(NamedTuple):
    """What a relation is on a day: ``status`` (its effective status, or ``ended`` once its
    ``until`` has passed, or ``not_yet`` before its ``since``) and whether it is ``in_force``."""

    status: str
    in_force: bool


def is_reported(rel: dict) -> bool:
    """Whether a relation rests on an unconfirmed report (status ``reported``)."""
    return effective_status(rel) == "reported"


def span(rel: dict, known_from: _dt.date | None = None) -> tuple[_dt.date, _dt.date] | None:
    """The days ``[start, end)`` a relation is in force (or reported in force), None when it
    never is. ``known_from`` is the start taken for a relation without ``since`` (see the module
    docstring); the beginning of time when None.

    >>> span({"since": "2015-06", "until": "2026-05-28", "status": "ended"})
    (datetime.date(2015, 6, 1), datetime.date(2026, 5, 28))
    >>> span({"since": "2024-07-08", "status": "signed"}) is None
    True
    >>> span({"since": "2023-08-05", "until": "2023-08-05", "status": "ended"})  # a one-day incident
    (datetime.date(2023, 8, 5), datetime.date(2023, 8, 6))
    """
    status = effective_status(rel)
    if status in _NEVER or (status in _NEEDS_UNTIL and rel.get("until") is None):
        return None
    lo, hi = _bounds(rel, known_from)
    return (lo, hi) if lo < hi else None


def _bounds(rel: dict, known_from: _dt.date | None) -> tuple[_dt.date, _dt.date]:
    """``[start, end)`` as the dates say: ``until`` is the first day no longer covered, except
    that a ``since`` equal to its ``until`` is one happening: that day (or month, or year)."""
    since, until = rel.get("since"), rel.get("until")
    lo = dates.first_day(since) if since else (known_from or _dt.date.min)
    if not until:
        return lo, _dt.date.max
    if since is not None and str(since) == str(until):
        last = dates.last_day(until)
        return lo, last + _dt.timedelta(days=1) if last < _dt.date.max else last
    return lo, dates.first_day(until)


def standing(rel: dict, day: _dt.date | None, known_from: _dt.date | None = None) -> Standing:
    """What ``rel`` is on ``day`` (all time when None): its status that day, and whether it is in
    force (a reported relation is "in force" here with status ``reported``; callers that count
    only confirmed ties check ``is_reported``).

    >>> standing({"since": "2011-09-27", "until": "2015-06-04", "status": "ended"}, _dt.date(2012, 1, 1))
    Standing(status='active', in_force=True)
    >>> standing({"since": "2011-09-27", "until": "2015-06-04", "status": "ended"}, _dt.date(2020, 1, 1))
    Standing(status='ended', in_force=False)
    >>> standing({"since": "2026-05-28"}, _dt.date(2026, 5, 27))
    Standing(status='not_yet', in_force=False)
    """
    status = effective_status(rel)
    sp = span(rel, known_from)
    if day is None:
        return Standing(status, sp is not None)
    start, end = _bounds(rel, known_from)
    if (rel.get("since") or known_from) and day < start:
        return Standing("not_yet", False)
    if rel.get("until") and day >= end:
        return Standing("ended", False)
    if sp is None:
        return Standing(status, False)
    shown = "active" if status in _NEEDS_UNTIL else status  # ended in 2015, but active in 2012
    return Standing(shown, sp[0] <= day < sp[1])


def in_force(rel: dict, day: _dt.date | None, *, reported: bool = False, known_from: _dt.date | None = None) -> bool:
    """Whether ``rel`` is in force on ``day`` (on any day when None) by the module's rule;
    reported relations count only when ``reported`` is true.

    >>> in_force({"since": "2025-06", "status": "reported"}, _dt.date(2026, 1, 1))
    False
    >>> in_force({"since": "2025-06", "status": "reported"}, _dt.date(2026, 1, 1), reported=True)
    True
    """
    if not reported and is_reported(rel):
        return False
    return standing(rel, day, known_from).in_force


def known_from(S: Store, rel: dict) -> _dt.date | None:
    """The start taken for a relation without ``since``: the first day of its earliest dated
    source (None when it has a ``since`` or no dated source)."""
    if rel.get("since"):
        return None
    found = [dates.first_day(src["date"]) for ref in rel.get("sources", ())
             if (src := S.source(ref)) is not None and src.get("date")]  # fmt: skip
    return min(found) if found else None


def as_of_day(as_of: str | None) -> _dt.date | None:
    """The day an ``--as-of`` value stands for (the last day it covers), None for None;
    ``UsageError`` naming the option when malformed.

    >>> as_of_day(" 2015-06")
    datetime.date(2015, 6, 30)
    """
    return read_option("--as-of", as_of, dates.as_of_day)


def read_option(option: str, value: str | None, read: Callable[[str], _T]) -> _T | None:
    """``read`` of an option's value (stripped), None for None; ``UsageError`` naming the
    option when ``read`` finds it malformed (``ValueError``)."""
    if value is None:
        return None
    from .errors import UsageError

    try:
        return read(value.strip())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


class Clock:
    """The day an analysis reads the graph on, and the rule it reads it by.

    ``day`` is None for all time. ``as_of`` is what every analysis JSON document reports: the
    ISO day used, or None with ``all_time``. Call the clock on a relation to ask whether it is
    in force then; with a store, undated relations are placed by their sources. A relation's
    span does not depend on the day, so it is computed once per relation id; clocks of several
    days (``changes``) may share that cache (``spans``) when they agree on ``reported``.
    """

    def __init__(self, day: _dt.date | None, *, reported: bool = False, store: Store | None = None,
                 spans: dict | None = None) -> None:  # fmt: skip
        self.day = day
        self.reported = reported
        self.store = store
        self.spans: dict = {} if spans is None else spans
        self._known: dict[str, _dt.date | None] = {}

    @classmethod
    def from_options(cls, as_of: str | None = None, all_time: bool = False, *, reported: bool = False,
                     store: Store | None = None) -> Clock:  # fmt: skip
        """The clock for a command's ``--as-of`` / ``--all-time`` (today when neither is given);
        ``UsageError`` when both are given or the date is malformed."""
        from .errors import UsageError

        if all_time and as_of is not None:
            raise UsageError("--as-of and --all-time cannot be used together")
        if all_time:
            return cls(None, reported=reported, store=store)
        return cls(as_of_day(as_of) or dates.today(), reported=reported, store=store)

    @property
    def as_of(self) -> str | None:
        """The day as ISO text (None for all time)."""
        return None if self.day is None else self.day.isoformat()

    def known_from(self, rel: dict) -> _dt.date | None:
        """``known_from`` for ``rel`` through this clock's store (cached per relation)."""
        if self.store is None or rel.get("since"):
            return None
        rid = rel.get("id", "")
        if rid not in self._known:
            self._known[rid] = known_from(self.store, rel)
        return self._known[rid]

    def span(self, rel: dict) -> tuple[_dt.date, _dt.date] | None:
        """``span`` with undated relations placed by their sources (None for a reported
        relation unless the clock counts them), cached by relation id."""
        rid = rel["id"]
        sp = self.spans.get(rid, self)
        if sp is self:
            sp = None if not self.reported and is_reported(rel) else span(rel, self.known_from(rel))
            self.spans[rid] = sp
        return sp

    def standing(self, rel: dict) -> Standing:
        """``standing`` of ``rel`` on this clock's day."""
        return standing(rel, self.day, self.known_from(rel))

    def __call__(self, rel: dict) -> bool:
        """Whether ``rel`` is in force on this clock's day (on any day for all time): ``in_force``."""
        sp = self.span(rel)
        return sp is not None and (self.day is None or sp[0] <= self.day < sp[1])


# ----------------------------------------------------------------------------- the tie model

_ACCESS = re.compile(r"reciprocal access|visiting forces|sovfa|_vfa|_raa\b|force posture|use of facilities|"
                     r"enhanced defen[cs]e cooperation|_edca", re.I)  # fmt: skip


def is_access_agreement(eid: str, ent: dict) -> bool:
    """Whether an agreement entity grants access to forces (see the module docstring)."""
    if ent.get("type") != "agreement":
        return False
    kind = (ent.get("attributes") or {}).get("kind")
    if kind is not None:
        return kind == "access"
    return bool(_ACCESS.search(eid) or _ACCESS.search(ent.get("name", "")))


class Tie(NamedTuple):
    """How analysis reads one relation type."""

    polarity: str
    layer: str
    tie: bool
    strength: float


def tie_of(registry: Registry, rel_type: str) -> Tie:
    """The tie model of a relation type (built-in or declared); an unknown type is neutral and
    not a tie."""
    rt = registry.relation_types.get(rel_type)
    if rt is None:
        return Tie("neutral", "other", False, 0.0)
    return Tie(rt.polarity, rt.layer, rt.tie, rt.strength)


def is_cooperative(registry: Registry, rel: dict) -> bool:
    """Whether analysis counts ``rel`` as a positive tie."""
    t = tie_of(registry, rel["type"])
    return t.tie and t.polarity == "cooperative"


def is_adversarial(registry: Registry, rel: dict) -> bool:
    """Whether analysis counts ``rel`` as a negative tie."""
    t = tie_of(registry, rel["type"])
    return t.tie and t.polarity == "adversarial"


def layer_of(registry: Registry, rel: dict, entity: Callable[[str], dict | None] | None = None) -> str:
    """The layer of one relation: its type's, except that taking part in an access agreement
    (``attributes.kind: access`` on the agreement, or a name that says so) is ``access``."""
    layer = tie_of(registry, rel["type"]).layer
    if rel["type"] == "party_to" and entity is not None:
        target = entity(rel["to"])
        if target is not None and is_access_agreement(rel["to"], target):
            return "access"
    return layer


def strength(registry: Registry, rel: dict) -> float:
    """How strong a tie is, in (0, 1]: a partnership's from its rung on each party's own ladder
    (the top rung 1.0, the lowest 1/n; the mean of the two parties' readings), any other tie its
    type's declared ``strength``; 0.0 for a relation that is not a tie.

    >>> from allygraph.vocab import Registry
    >>> reg = Registry([{"id": "alliance"}, {"id": "csp"}, {"id": "sp"}, {"id": "cp"}])
    >>> strength(reg, {"type": "partnership", "tier": "sp", "from": "a", "to": "b"})
    0.5
    """
    from .vocab import designation_of

    t = tie_of(registry, rel["type"])
    if not t.tie:
        return 0.0
    if rel["type"] not in ("partnership", "alliance"):
        return t.strength
    values = []
    for party in (rel["from"], rel["to"]):
        rung = designation_of(rel, party)
        ranks = registry.ranks_for(party)
        if rung in ranks:
            values.append((len(ranks) - ranks[rung] + 1) / len(ranks))
    return round(sum(values) / len(values), 4) if values else t.strength


def owner_state(S: Store, eid: str, *, max_depth: int = 8) -> str | None:
    """The state an entity belongs to through ``part_of`` (an agency, a service, a coast guard),
    itself when it is a state, None when it belongs to none (roll-up's one rule)."""
    seen = set()
    cur: str | None = eid
    for _ in range(max_depth):
        if cur is None or cur in seen:
            return None
        seen.add(cur)
        try:
            ent = S.entity(cur)
        except KeyError:
            return None
        if ent.get("type") == "state":
            return cur
        cur = next((r["to"] for r in S.out_rels(cur) if r["type"] == "part_of"), None)
    return None
