"""The ``relations:`` section: every relation's references, dates, tier and sources, checked
against the entities, ladders and sources already read. On large data this loop runs a million
times, so its common path is lean and anything unusual goes to the reporting helpers."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from .. import dates
from ..grades import grades_of
from ..names import suggest
from ..progress import track
from ..timing import Totals
from ..vocab import DEFAULT_STATUS, TIER_TYPES, TIME_BOUND_TYPES, designation_of, tier_of
from .report import File, check_records, date_field, names_of

UNDATED_OK = ("reported", "proposed", "negotiating")  # a report without a date, or not yet in force


@dataclass
class Known:
    """What a relation may refer to: the entities, the tier ids, the sources, the ladders' rungs."""

    entities: dict[str, dict]
    tier_ids: list[str]
    sources: dict[str, dict]
    on_ladder: dict[str, set]

    def __post_init__(self) -> None:
        from ..grades import grade_of

        self.tier_set = frozenset(self.tier_ids)
        self.weak = frozenset(sid for sid, src in self.sources.items() if grade_of(src) == "weak")


def derive_relation_id(rel: dict) -> str:
    """A stable id from a relation's identifying content (used when the data gives none)."""
    ident = (rel["from"], rel["type"], rel["to"], rel.get("tier"), rel.get("via"),
             rel.get("since"), rel.get("until"), rel.get("status"))  # fmt: skip
    digest = hashlib.blake2b(repr(ident).encode(), digest_size=4).hexdigest()
    return f"{rel['from']}.{rel['type']}.{rel['to']}.{digest}"


class Sink(Protocol):
    """Where valid relations go as soon as they pass (the SQLite writer: ``store.SQLiteWriter``)."""

    def add(self, relations: list[dict]) -> None:
        """Relations that passed their checks, in the data's order."""

    def changed(self, relations: list[tuple[int, dict]]) -> None:
        """Relations added earlier and changed since, each with its place among those added."""

    def relations_done(self) -> None:
        """No more relations."""

    def abandon(self) -> None:
        """Drop what was handed over: the data is read again from the start, without the sink."""


BATCH = 100_000  # relations handed to the sink at a time (few: each hand-over is a switch of threads)


def relations_section(file: File, items: list, known: Known, relation_types: dict,
                      check_sources: Callable[..., None], sink: Sink | None = None) -> dict[str, dict]:  # fmt: skip
    """The relations (id -> record as the contract writes it) that passed every check.
    ``check_sources(file, path, refs, label, record)`` reports unknown sources; ``sink`` gets the
    valid relations batch by batch, while the loop goes on.

    ``items`` may be a ``yamlsrc.StreamedList`` (a large file read a piece at a time): each piece
    is checked, handed to ``sink`` and let go before the next, so the records are not kept (the
    result is empty: ``sink`` holds them) and the memory holds a piece, not the whole file.
    Every problem is the same as when the list is read whole."""
    from ..yamlsrc import StreamedList

    streamed = isinstance(items, StreamedList) and sink is not None
    chunks = items.chunks() if streamed else iter([(0, items)])  # type: ignore[attr-defined]
    run = _Pass(file, known, check_sources, sink, streamed)
    declared = tuple(relation_types)
    totals = Totals()
    progress = track(range(len(items)), len(items), "checking relations")
    while True:
        with totals.stage("parse relations (the pieces after the first)"):
            start, chunk = next(chunks, (0, None))
        if chunk is None:
            break
        with totals.stage("validate relations (pydantic)"):
            good = check_records(file, "relations", "relation", chunk, declared=declared, offset=start)
        bad = set(range(start, start + len(chunk))).difference(good) if len(good) != len(chunk) else set()
        deque(islice(progress, len(chunk)), 0)  # the bar moves a piece at a time
        with totals.stage("check relations"):
            run.check(chunk, start, bad)
        del chunk, bad, good
    deque(progress, 0)  # the bar ends full
    totals.report()
    return run.finish()


class _Pass:
    """One pass over the relations, a piece at a time (``check``), then the checks that need
    them all (``finish``). ``check``'s loop runs a million times: its common path is written out,
    anything unusual goes to the helpers below."""

    def __init__(self, file: File, known: Known, check_sources: Callable[..., None], sink: Sink | None,
                 streamed: bool) -> None:  # fmt: skip
        self.file, self.known, self.check_sources, self.sink, self.streamed = file, known, check_sources, sink, streamed
        self.relations: dict[str, dict] = {}  # kept unless streamed (then the sink has them)
        self.first_index: dict[str, int] = {}
        self.invalid: set[str] = set()  # ids of relations that failed a check
        self.refuted: list[tuple[int, str, list]] = []  # (index, id, contradicted_by) of the valid ones
        self.ordinal: dict[str, int] = {}  # streamed: each tier relation's place among those handed over
        self.added = 0
        self.tier_rels: list[tuple[int, dict, bool]] = []
        self.batch: list[dict] = []

    def check(self, chunk: list, start: int, bad: set[int]) -> None:
        """Check the relations ``chunk`` (``start``: the index of its first) and hand over the valid
        ones; ``bad``: the indexes the shape check refused."""
        file, known, sink, streamed = self.file, self.known, self.sink, self.streamed
        relations, first_index, batch, tier_rels = self.relations, self.first_index, self.batch, self.tier_rels
        entities, tier_set, on_ladder, known_source = known.entities, known.tier_set, known.on_ladder, known.sources.__contains__  # fmt: skip
        parse_date, weak, added = dates.parse_checked, known.weak, self.added
        for i, rec in enumerate(chunk, start):
            if i in bad:
                _report_bad_record(file, i, rec, known)
                continue
            frm, to, rtype = rec["from"], rec["to"], rec["type"]
            via, tier, since, until = rec.get("via"), rec.get("tier"), rec.get("since"), rec.get("until")
            ok = True
            try:
                if since is not None:
                    since = parse_date(since)
                if until is not None:
                    until = parse_date(until)
            except ValueError:
                since, until, ok = _report_dates(file, i, rec)
            if not (frm in entities and to in entities and (via is None or via in entities)
                    and (tier in tier_set if tier is not None else rtype != "partnership")):  # fmt: skip
                ok = check_relation_refs(file, ("relations", i), rec, relation_label(rec, i), known) and ok
            # until before since: first days compared as ISO text (checked YYYY, YYYY-MM or
            # YYYY-MM-DD, padded to a day: text order is time order; dates.ordered's answer)
            if since is not None and until is not None and ok and (until + "-01-01")[:10] < (since + "-01-01")[:10]:
                ok = False
                file.add(("relations", i, "until"), f"{relation_label(rec, i)}: until {until!r} is before since {since!r}")  # fmt: skip
            refs = rec.get("sources")
            refs = [] if refs is None else refs if type(refs) is list else names_of(refs)
            undated = since is None and until is None
            if (not refs or (undated and rtype in TIME_BOUND_TYPES) or frm == to or (tier is not None and rtype not in TIER_TYPES)
                    or not all(map(known_source, refs)) or (weak and all(map(weak.__contains__, refs)))):  # fmt: skip
                _sources_and_warnings(file, i, rec, refs, undated, known, self.check_sources)
            if rec.get("designations") is not None:
                ok = _check_designations(file, ("relations", i), rec, relation_label(rec, i), known.tier_ids) and ok
            if on_ladder and (frm in on_ladder or to in on_ladder) and rtype in TIER_TYPES:
                _warn_off_ladder(file, ("relations", i), rec, relation_label(rec, i), on_ladder)
            rel = _stored(rec, since, until, refs)
            rid = rec.get("id")
            explicit = rid is not None
            if not explicit:
                rid = derive_relation_id(rel)
            if rid in first_index:
                _report_repeat(file, i, rec, rid, explicit, first_index[rid])
                continue
            first_index[rid] = i
            if not ok:
                self.invalid.add(rid)
                continue
            rel["id"] = rid
            if not streamed:
                relations[rid] = rel
            if "contradicted_by" in rel:
                self.refuted.append((i, rid, rel["contradicted_by"]))
            if sink is not None:
                batch.append(rel)
                if len(batch) >= BATCH:
                    sink.add(batch)
                    self.batch = batch = []
            if rtype in TIER_TYPES:
                tier_rels.append((i, rel, rec.get("status") is None))
                if streamed:
                    self.ordinal[rid] = added
            added += 1
        self.added = added

    def finish(self) -> dict[str, dict]:
        """The checks that need every relation; the sink gets the last batch and the changes."""
        relations, first_index, invalid, sink = self.relations, self.first_index, self.invalid, self.sink
        valid: Callable[[], list[str]] = (lambda: list(relations)) if not self.streamed else (
            lambda: [rid for rid in first_index if rid not in invalid])  # fmt: skip
        _check_contradicted_by(self.file, self.refuted, valid)
        changed = _warn_superseded(self.file, self.tier_rels)
        if sink is not None:
            sink.add(self.batch)
            if changed:
                if self.streamed:
                    places = sorted((self.ordinal[rel["id"]], rel) for rel in changed)
                else:
                    wanted = {rel["id"] for rel in changed}
                    places = [(n, relations[rid]) for n, rid in enumerate(relations) if rid in wanted]
                sink.changed(places)
            sink.relations_done()
        return relations


def _check_contradicted_by(file: File, refuted: list[tuple[int, str, list]], valid: Callable[[], list[str]]) -> None:
    """A ``contradicted_by`` names valid relations of this file, never the relation itself.
    ``refuted``: (index, id, refs) of each valid relation that has some; ``valid()``: the valid
    relations' ids in the file's order (asked only when a reference is unknown)."""
    ids: list[str] | None = None
    known: set[str] = set()
    for i, rid, refs in refuted:
        for ref in refs:
            if ref == rid:
                file.add(("relations", i, "contradicted_by"), f"relation {rid!r}: field 'contradicted_by': a claim cannot contradict itself")  # fmt: skip
                continue
            if ids is None:
                ids = valid()
                known = set(ids)
            if ref not in known:
                hint = suggest(ref, ids, limit=1)
                tip = f" — did you mean {hint[0]!r}?" if hint else ""
                file.add(("relations", i, "contradicted_by"), f"relation {rid!r}: field 'contradicted_by': unknown relation {ref!r}{tip}")  # fmt: skip


def _report_dates(file: File, i: int, rec: dict) -> tuple[str | None, str | None, bool]:
    """A relation's dates, one of which failed the calendar check: each checked and reported."""
    label = relation_label(rec, i)
    since, ok1 = date_field(file, ("relations", i), label, rec, "since")
    until, ok2 = date_field(file, ("relations", i), label, rec, "until")
    return since, until, ok1 and ok2


def _sources_and_warnings(file: File, i: int, rec: dict, refs: list, undated: bool, known: Known,
                          check_sources: Callable[..., None]) -> None:  # fmt: skip
    """Unknown sources, and the warnings of a valid relation: no source, no date on an event, a
    tier where none applies, a relation to itself."""
    rtype = rec["type"]
    if not refs:
        file.add(("relations", i), f"{relation_label(rec, i)}: no source; add 'sources: [...]'", "warning")
    if undated and rtype in TIME_BOUND_TYPES and rec.get("status") not in UNDATED_OK:
        file.add(("relations", i), f"{relation_label(rec, i)}: a {rtype} happens at a time, but this one has no date, so it reads as in force forever; add 'since' (and 'until') at the precision its source gives (a year is fine), or, when no source dates it, 'status: reported' and a note", "warning")  # fmt: skip
    elif not all(map(known.sources.__contains__, refs)):
        check_sources(file, ("relations", i), refs, relation_label(rec, i), rec)
    if (refs and rec.get("status") != "reported" and not rec.get("contradicted_by")
            and all(g == "weak" for g in grades_of(refs, known.sources.get))):  # fmt: skip
        file.add(("relations", i, "sources"), f"{relation_label(rec, i)}: rests only on weak sources ({', '.join(refs)}): add an official, major-outlet or specialist source, or mark it 'status: reported' (grades: allygraph.grades)", "warning")  # fmt: skip
    if rec.get("tier") is not None and rtype not in TIER_TYPES:
        file.add(("relations", i, "tier"), f"{relation_label(rec, i)}: 'tier' only applies to a partnership, not {rtype!r}", "warning")  # fmt: skip
    if rec["from"] == rec["to"]:
        file.add(("relations", i, "to"), f"{relation_label(rec, i)}: relates {rec['to']!r} to itself", "warning")


def _stored(rec: dict, since: str | None, until: str | None, refs: list[str]) -> dict:
    """A relation as stored, keys in the contract's order (its id is set once it is known)."""
    rel = {"id": None, "from": rec["from"], "to": rec["to"], "type": rec["type"]}
    if (tier := rec.get("tier")) is not None:
        rel["tier"] = tier
    if designations := rec.get("designations"):
        rel["designations"] = dict(designations)
    rel["status"] = rec.get("status") or DEFAULT_STATUS
    if since is not None:
        rel["since"] = since
    if until is not None:
        rel["until"] = until
    if (via := rec.get("via")) is not None:
        rel["via"] = via
    if attrs := rec.get("attributes"):
        rel["attributes"] = attrs if type(attrs) is dict else dict(attrs)
    if refs:
        rel["sources"] = refs
    if (note := rec.get("note")) is not None:
        rel["note"] = note
    if refuted := rec.get("contradicted_by"):
        rel["contradicted_by"] = [refuted] if type(refuted) is str else list(refuted)
    return rel


def _report_repeat(file: File, i: int, rec: dict, rid: str, explicit: bool, first_i: int) -> None:
    """A relation whose id (written, or derived from its content) an earlier one already has."""
    first = file.positions.value(("relations", first_i)) or (0, 0)
    if explicit:
        file.add(("relations", i, "id"), f"duplicate relation id {rid!r} (first at line {first[0]})")
    else:
        file.add(("relations", i), f"{relation_label(rec, i)}: relation repeats the one at line {first[0]}; give each an explicit 'id' if both are meant")  # fmt: skip


def _report_bad_record(file: File, i: int, rec: object, known: Known) -> None:
    """A record the shape check refused: its references and dates can still be checked, so one
    run lists every problem of every record."""
    if isinstance(rec, dict):
        label = relation_label(rec, i)
        check_relation_refs(file, ("relations", i), rec, label, known)
        _check_bad_record_dates(file, ("relations", i), label, rec)


def relation_label(rec: dict, i: int) -> str:
    """How a message names a relation: by its id, else by its ends and type, else its place."""
    rid = rec.get("id")
    if isinstance(rid, str):
        return f"relation {rid!r}"
    if all(isinstance(rec.get(k), str) for k in ("from", "to", "type")):
        return f"relation {rec['from']}->{rec['to']} ({rec['type']})"
    return f"relation #{i + 1}"


def check_relation_refs(file: File, path: tuple, rec: dict, label: str, known: Known) -> bool:
    """Check a relation's entity references and tier; report problems; True when all resolve."""
    entities, tier_ids = known.entities, known.tier_ids
    ok = True
    for field in ("from", "to", "via"):
        ref = rec.get(field)
        if not isinstance(ref, str) or ref in entities:
            continue
        ok = False
        hint = suggest(ref, list(entities), limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else ""
        file.add((*path, field), f"{label}: field {field!r}: unknown entity {ref!r}{tip}")
    tier = rec.get("tier")
    if rec.get("type") == "partnership" and tier is None:
        ok = False
        file.add(path, f"{label}: a partnership needs a 'tier' (one of: {', '.join(tier_ids)})")
    if isinstance(tier, str) and tier not in tier_ids:
        ok = False
        hint = suggest(tier, tier_ids, limit=1)
        tip = f" — did you mean {hint[0]!r}?" if hint else f" (tiers: {', '.join(tier_ids)})"
        file.add((*path, "tier"), f"{label}: field 'tier': unknown tier {tier!r}{tip}")
    return ok


def _check_bad_record_dates(file: File, path: tuple, label: str, rec: dict) -> None:
    """The calendar and order checks of a relation that pydantic already refused for another
    field (its dates passed the pattern, so only these checks can still fail)."""
    from .records import DATE_PATTERN

    found: dict[str, str] = {}
    for field in ("since", "until"):
        value = rec.get(field)
        if isinstance(value, str) and re.match(DATE_PATTERN, value):
            try:
                found[field] = dates.parse(value)
            except ValueError as exc:
                file.add((*path, field), f"{label}: field {field!r}: {exc}")
    if len(found) == 2 and not dates.ordered(found["since"], found["until"]):
        file.add((*path, "until"), f"{label}: until {found['until']!r} is before since {found['since']!r}")


def _check_designations(file: File, path: tuple, rec: dict, label: str, tier_ids: list[str]) -> bool:
    """Check a relation's ``designations`` (party -> tier id); report problems; True when valid."""
    ok = True
    if rec["type"] != "partnership":
        file.add((*path, "designations"), f"{label}: 'designations' only applies to a partnership, not {rec['type']!r}")  # fmt: skip
        ok = False
    parties = (rec["from"], rec["to"])
    for party, tier in rec["designations"].items():
        if party not in parties:
            file.add((*path, "designations", party), f"{label}: field 'designations': {party!r} is not a party to this relation (its parties: {', '.join(parties)})", key=True)  # fmt: skip
            ok = False
        if tier not in tier_ids:
            hint = suggest(tier, tier_ids, limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else " (declare it as a rung of the default ladder or of a state's ladder)"  # fmt: skip
            file.add((*path, "designations", party), f"{label}: field 'designations': unknown tier {tier!r} for {party!r}{tip}")  # fmt: skip
            ok = False
    return ok


def _warn_off_ladder(file: File, path: tuple, rec: dict, label: str, on_ladder: dict[str, set]) -> None:
    """Warn when a party with its own ladder words a relation with a rung that ladder does not list
    (``tiers`` would rank it below every rung the ladder lists)."""
    for party in (rec["from"], rec["to"]):
        rungs = on_ladder.get(party)
        rung = designation_of(rec, party) if rungs is not None else None
        if rungs is not None and rung is not None and rung not in rungs:
            where = (*path, "designations", party) if party in (rec.get("designations") or {}) else (*path, "tier")
            file.add(where if rec["type"] == "partnership" else path, f"{label}: {party!r} has its own ladder, which does not list {rung!r}: add the rung to ladders.{party} (else `tiers {party}` ranks it below every rung listed)", "warning")  # fmt: skip


def _warn_superseded(file: File, tier_rels: list[tuple[int, dict, bool]]) -> list[dict]:
    """A tier that a later one of the same pair supersedes (the later designation starts on or
    before its ``until``) has ended: without a written status it reads as ``ended``; with
    ``active`` or ``in_force`` written, ``check`` warns. (Either way queries end it at its
    ``until``.) Returns the relations whose status it set."""
    changed: list[dict] = []
    pairs: dict[tuple, list[tuple[int, dict, bool]]] = {}
    for item in tier_rels:
        rel = item[1]
        pairs.setdefault((rel["from"], rel["to"]) if rel["from"] < rel["to"] else (rel["to"], rel["from"]), []).append(item)  # fmt: skip
    for group in pairs.values():
        if len(group) < 2:
            continue
        # each one's first day and tier, worked out once for the group (not once for each pair in it)
        starts = [None if (since := rel.get("since")) is None else dates.first_day(since) for _, rel, _ in group]
        tiers = [tier_of(rel) for _, rel, _ in group]
        for n, (i, rel, implicit) in enumerate(group):
            until = rel.get("until")
            if until is None or rel["status"] in ("ended", "suspended"):
                continue
            end, start = dates.first_day(until), starts[n]
            for m, (_, later, _) in enumerate(group):
                day = starts[m]
                if later is rel or day is None or tiers[m] == tiers[n]:
                    continue
                ls = later["since"]
                if (start is None or day >= start) and day <= end:
                    if implicit:
                        rel["status"] = "ended"
                        changed.append(rel)
                    else:
                        file.add(("relations", i), f"relation {rel['id']!r}: superseded by {later['id']!r} on {ls} but its status is {rel['status']!r}; set 'status: ended'", "warning")  # fmt: skip
                    break
    return changed
