"""A data directory's two files -> a Dataset, with every problem located as file:line:column.

``records`` holds the shape of each kind of record (checked in bulk by pydantic); ``report`` the
file being checked and the bulk shape check; ``sections`` the sources, tiers, declared types and
entities; ``ladders`` the states' own ladders; ``relations`` the relations. ``validate`` runs
them in that order (each section may refer only to those before it) and collects every problem
instead of stopping at the first.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ..dataset import Dataset
from ..errors import Problem
from .relations import Sink, derive_relation_id

__all__ = ["ENTITIES_FILE", "RELATIONS_FILE", "derive_relation_id", "paused_gc", "validate"]

ENTITIES_FILE = "entities.yaml"
RELATIONS_FILE = "relations.yaml"
RELATIONS_SECTIONS = {"sources": dict, "tiers": list, "relation_types": dict, "entity_types": dict,
                      "ladders": dict, "relations": list}  # fmt: skip


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The loader makes millions of small dicts and lists and no reference cycles: the cyclic
    collector would rescan them again and again (pausing it halved a 1M-relation load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(directory: Path, sink: Sink | None = None) -> tuple[Dataset | None, list[Problem]]:
    """Validate a data directory. Returns (dataset or None when there are errors, problems).
    ``sink`` receives the relations that pass, as they pass (``relations.Sink``)."""
    from ..yamlsrc import StreamBroken

    with paused_gc():
        try:
            try:
                dataset, problems, odd_keys = _validate(directory, sink)
            except StreamBroken:  # a piece of the relations did not read as the whole would:
                if sink is not None:  # read the file whole (the sink's rows are dropped)
                    sink.abandon()
                dataset, problems, odd_keys = _validate(directory, None)
            if odd_keys:  # the fast path read a key as null, a number or true/false: the data is
                # invalid; read it again as small files are read, so the errors are the same
                dataset, problems, _ = _validate(directory, None, exact=True)
            return dataset, problems
        except RecursionError:  # a structure nested too deep to report on: name the files
            return None, [
                Problem(str(directory / f), 0, 0, "YAML nesting is too deep to check; flatten it")
                for f in (ENTITIES_FILE, RELATIONS_FILE)
            ]


def _validate(directory: Path, sink: Sink | None, exact: bool = False) -> tuple[Dataset | None, list[Problem], bool]:
    from .. import yamlsrc
    from ..names import build_index
    from ..timing import stage
    from .ladders import ladders_section
    from .relations import Known, relations_section
    from .report import File, top_sections
    from .sections import (
        check_sources,
        declared_types,
        entities_section,
        sources_section,
        tiers_section,
        warn_alias_clashes,  # fmt: skip
    )

    ename, rname = str(directory / ENTITIES_FILE), str(directory / RELATIONS_FILE)
    with stage("parse entities"):
        edoc, p1, epos = yamlsrc.read_positioned(directory / ENTITIES_FILE, ename, exact)
    with stage("parse relations"):
        # with a sink, a large relations file is read a piece at a time: each piece is checked
        # and handed to the sink before the next (the memory holds a few pieces, not the file)
        stream = "relations" if sink is not None else None
        rdoc, p2, rpos = yamlsrc.read_positioned(directory / RELATIONS_FILE, rname, exact, stream)
    unread = [p for doc, ps in ((edoc, p1), (rdoc, p2)) if doc is None for p in ps if p.severity == "error"]
    if unread:  # a file that cannot be read or parsed: say so, and stop (what follows would only be noise)
        return None, unread, False
    ef, rf = File(ename, epos, list(p1)), File(rname, rpos, list(p2))
    etop = top_sections(ef, edoc, {"entities": list})
    rtop = top_sections(rf, rdoc, RELATIONS_SECTIONS)
    if isinstance(edoc, dict) and "entities" not in edoc:
        ef.problems.append(Problem(ename, 1, 1, "missing the top-level key 'entities'"))

    sources = sources_section(rf, rtop)
    tiers = tiers_section(rf, rtop)
    relation_types = declared_types(rf, rtop, "relation_types", "relation_type")
    entity_types = declared_types(rf, rtop, "entity_types", "entity_type")
    known_sources = partial(check_sources, sources)
    entities = entities_section(ef, etop.get("entities", []), sources, entity_types)
    ladders, tier_ids = ladders_section(rf, rtop.get("ladders", {}), entities, tiers, known_sources)
    on_ladder = {sid: {r["id"] for r in lad["rungs"]} for sid, lad in ladders.items()}
    known = Known(entities, tier_ids, sources, on_ladder)
    relations = relations_section(rf, rtop.get("relations", []), known, relation_types, known_sources, sink)
    with stage("name index"):
        index = build_index(entities)
    warn_alias_clashes(ef, index)
    problems = sorted(ef.problems, key=lambda p: (p.line, p.column)) + sorted(
        rf.problems, key=lambda p: (p.line, p.column)
    )
    if any(p.severity == "error" for p in problems):
        return None, problems, any(getattr(pos, "odd_keys", False) for pos in (epos, rpos))
    warnings = [p for p in problems if p.severity == "warning"]
    return Dataset(str(directory), entities, relations, sources, tiers, warnings, index,
                   relation_types=relation_types, entity_types=entity_types, ladders=ladders), problems, False  # fmt: skip
