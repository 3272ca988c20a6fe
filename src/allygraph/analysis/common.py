"""What the analyses share: reading every relation of a store, a neighbourhood, interval runs."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator

from .. import dates
from ..problems import UsageError
from ..store import Store, as_store


def store_of(G: object) -> Store:
    """The Store behind what a caller passed: a Store, a networkx graph, or a graph source that
    holds a store (``export.StoreSource``)."""
    held = getattr(G, "store", None)
    return held if isinstance(held, Store) else as_store(G)


def all_relations(S: Store) -> Iterator[dict]:
    """Every relation of a store, whatever its backend: the in-memory Dataset's relations, or the
    SQLite cache's rows streamed in the data's order."""
    from ..store import SQLiteStore

    if isinstance(S, SQLiteStore) or hasattr(S, "iter_relations"):
        yield from S.iter_relations()
        return
    ds = getattr(S, "ds", None)
    if ds is None:
        raise TypeError(f"cannot list every relation of {type(S).__name__}")
    yield from ds.relations.values()


def all_entities(S: Store) -> Iterator[tuple[str, dict]]:
    """Every (id, entity) of a store."""
    from ..store import SQLiteStore

    if isinstance(S, SQLiteStore) or hasattr(S, "iter_entities"):
        yield from S.iter_entities()
        return
    yield from S.ds.entities.items()


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
    if value is None:
        return None
    try:
        return dates.parse(value.strip())
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def as_of_day(as_of: str | None) -> _dt.date:
    """The day an ``--as-of`` stands for (today when absent)."""
    checked = check_date("--as-of", as_of)
    return dates.today() if checked is None else dates.as_of_day(checked)


def span(rel: dict) -> tuple[_dt.date, _dt.date] | None:
    """The days a relation is in force, ``[start, end)``, or None when it never is: ``ties.span``
    (the one rule), with reported relations as their dates say."""
    from ..ties import span as tie_span

    return tie_span(rel)


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
