"""What the analyses share: reading every relation of a store, a neighbourhood, interval runs."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator

from .. import dates
from ..errors import UsageError
from ..store import Store
from ..ties import Clock, read_option


def all_relations(S: Store) -> Iterator[dict]:
    """Every relation of a store, whatever its backend (``Store.iter_relations``)."""
    return S.iter_relations()


def all_entities(S: Store) -> Iterator[tuple[str, dict]]:
    """Every (id, entity) of a store (``Store.iter_entities``)."""
    return S.iter_entities()


def touching(S: Store, eid: str) -> list[dict]:
    """Every relation with ``eid`` at one end or as its ``via``, each once."""
    seen: dict[str, dict] = {}
    for rel in (*S.out_rels(eid), *S.in_rels(eid), *S.via_rels(eid)):
        seen.setdefault(rel["id"], rel)
    return list(seen.values())


def neighbourhood(
    S: Store, eid: str, depth: int, keep: Callable[[dict], bool] | None = None
) -> tuple[set[str], list[dict]]:
    """The entities within ``depth`` hops of ``eid`` (relations followed both ways, and through
    their ``via``), and every relation between two of them that ``keep`` accepts (the ties among
    the neighbours too, not only the paths from ``eid``)."""
    if depth < 1:
        raise UsageError("--depth must be at least 1")
    reached = {eid}
    frontier = [eid]
    for _ in range(depth):
        nxt: list[str] = []
        for u in frontier:
            for rel in touching(S, u):
                if keep is not None and not keep(rel):
                    continue
                for v in (rel["from"], rel["to"], rel.get("via")):
                    if v is not None and v not in reached:
                        reached.add(v)
                        nxt.append(v)
        frontier = nxt
    rels: dict[str, dict] = {}
    for u in reached:
        for rel in touching(S, u):
            if rel["from"] in reached and rel["to"] in reached and (keep is None or keep(rel)):
                rels.setdefault(rel["id"], rel)
    return reached, list(rels.values())


def check_date(option: str, value: str | None) -> str | None:
    """A date argument checked (``UsageError`` naming the option when malformed)."""
    return read_option(option, value, dates.parse)


def run_start(spans: Iterable[tuple[_dt.date, _dt.date, str | None]], day: _dt.date) -> tuple[bool, str | None]:
    """Whether intervals ``(start, end, since-as-written)`` cover ``day``, and since when without
    a break: the ``since`` of the interval that opens the unbroken run reaching ``day`` (None
    when that run has no start date)."""
    items = sorted(spans, key=lambda s: (s[0], s[1]))
    if not any(lo <= day < hi for lo, hi, _ in items):
        return False, None
    start_day, label = day, None
    changed = True
    while changed:  # extend the run backwards while an interval reaches its start
        changed = False
        for lo, hi, since in items:
            if lo < start_day <= hi:
                start_day, label, changed = lo, since, True
    if start_day == day:  # the run starts on the day itself
        label = next((s for lo, hi, s in items if lo == day), None)
    return True, label


def later(a: str | None, b: str | None) -> str | None:
    """The later of two dates as written (None is earliest: a tie with no known start)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if dates.first_day(a) >= dates.first_day(b) else b


# ----------------------------------------------------------------- the clock, roll-up, years


def clock_of(S: Store, as_of: str | None, all_time: bool = False, *, spans: dict | None = None) -> Clock:
    """The clock an analysis reads ``S`` by (``ties.Clock``'s rule): ``as_of`` (today when
    absent), or all time; ``spans`` shares one cache of spans between clocks (``changes``)."""
    return Clock(Clock.from_options(as_of, all_time).day, store=S, spans=spans)


class Rollup:
    """Roll-up's one rule for the analyses: a state stands for itself, an organization for the
    state it is ``part_of`` (``ties.owner_state``: a coast guard's exercise is its state's);
    anything else, and everything when ``on`` is false, stands for itself if a state and for no
    state otherwise (``state``), or for itself (``node``)."""

    def __init__(self, S: Store, on: bool = True) -> None:
        self.S = S
        self.on = on
        self._type: dict[str, str] | None = None
        self._owner: dict[str, str | None] = {}

    def type_of(self, eid: str) -> str | None:
        """An entity's type (None when the store has no such entity)."""
        if self._type is None:
            self._type = {e: ent["type"] for e, ent in all_entities(self.S)}
        return self._type.get(eid)

    def state(self, eid: str) -> str | None:
        """The state ``eid`` acts for (itself when a state), None when none."""
        if eid in self._owner:
            return self._owner[eid]
        t = self.type_of(eid)
        if t == "state":
            out: str | None = eid
        elif self.on and t == "organization":
            from ..ties import owner_state

            out = owner_state(self.S, eid)
        else:
            out = None
        self._owner[eid] = out
        return out

    def node(self, eid: str) -> str:
        """What ``eid`` counts as in a graph of any entities: its state when rolled up, else itself."""
        return (self.state(eid) or eid) if self.on else eid

    def moved(self) -> dict[str, str]:
        """Every entity ``node`` maps to another (an organization ``part_of`` a state -> that
        state), found from the ``part_of`` relations alone: ``node(x)`` is ``moved().get(x, x)``."""
        if not self.on:
            return {}
        fast = getattr(self.S, "sources_of", None)
        parts = (
            fast("part_of")
            if fast is not None
            else {r["from"] for r in all_relations(self.S) if r["type"] == "part_of"}
        )
        out = {}
        for x in parts:
            try:
                kind = self.S.entity(x)["type"]
            except KeyError:
                continue
            if kind == "organization":
                if x not in self._owner:
                    from ..ties import owner_state

                    self._owner[x] = owner_state(self.S, x)
                state = self._owner[x]
                if state is not None and state != x:
                    out[x] = state
        return out


def relations_of(S: Store, types: Iterable[str]) -> Iterator[dict]:
    """Every relation of one of ``types``, in the data's order: the store's own read when it has
    one (``SQLiteStore.relations_of`` decodes no other record), else every relation filtered."""
    fast = getattr(S, "relations_of", None)
    if fast is not None:
        return fast(types)
    wanted = set(types)
    return (r for r in all_relations(S) if r["type"] in wanted)


def tie_ends(S: Store, types: Iterable[str], clock: Clock) -> Iterator[tuple[str, str]]:
    """``(from, to)`` of every relation of ``types`` in force by ``clock``, in the data's order:
    the store's own fast read when it has one (``SQLiteStore.tie_rows``: the same rule in SQL),
    else each relation asked of the clock."""
    fast = getattr(S, "tie_rows", None)
    if fast is not None:
        return fast(types, clock)
    wanted = set(types)
    return ((r["from"], r["to"]) for r in all_relations(S) if r["type"] in wanted and clock(r))


def parse_years(value: str) -> list[int]:
    """``--years Y1:Y2`` (or one year ``Y``) as the list of years, each read on its last day
    (``YYYY-12-31``, as ``--as-of YYYY`` reads it); ``UsageError`` when malformed.

    >>> parse_years("2024:2026")
    [2024, 2025, 2026]
    """
    lo, sep, hi = value.strip().partition(":")
    try:
        y1, y2 = int(lo), int(hi if sep else lo)
    except ValueError:
        raise UsageError(f"--years: expected Y1:Y2 (e.g. 2000:2026), got {value!r}") from None
    if not (1 <= y1 <= y2 <= 9999):
        raise UsageError(f"--years: {value!r} is not a range of years, first to last (e.g. 2000:2026)")
    if y2 - y1 >= 500:
        raise UsageError(f"--years: {value!r} spans more than 500 years")
    return list(range(y1, y2 + 1))


YEARS_RULE = "each year is read on its last day (YYYY-12-31), as --as-of YYYY reads it"


def by_years(one: Callable[[str], dict], years: str, as_of: str | None, all_time: bool) -> dict:
    """``{"years": [{"year": Y, ...one(str(Y))...}], "read_on"}``: one document per year."""
    if as_of is not None or all_time:
        raise UsageError("--years reads each year on its own day: give it without --as-of and --all-time")
    return {"years": [{"year": y, **one(str(y))} for y in parse_years(years)], "read_on": YEARS_RULE}
