"""A data directory -> a validated Dataset, with every problem located as file:line:column.

Stages, each replaceable on its own:

1. ``yamlsrc.read_positioned``: text -> plain values, plus a way to find where each was written
   (PyYAML with positions for ordinary files; yaml-rs for large ones, positions found on demand);
2. ``validate``: pydantic checks every record's shape in bulk, then whole-data checks (ids,
   references, tiers, dates, sources), collecting every problem instead of stopping at the first;
3. ``cache``: the plain result is kept, so later runs skip 1 and 2 entirely.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
from collections.abc import Iterator
from pathlib import Path

from . import cache
from .dataset import Dataset
from .fsutil import recover
from .problems import DataError, Problem, UsageError

ENTITIES_FILE = "entities.yaml"
RELATIONS_FILE = "relations.yaml"
CHUNK = 20_000  # records validated per pydantic call (bounds the memory of its copies)


def bundled_data_dir() -> Path:
    """The data directory shipped inside the package (or the repository's, in a checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if (packaged / ENTITIES_FILE).exists():
        return packaged
    return here.parent.parent / "data"


def data_dir(data: str | os.PathLike | None = None) -> Path:
    """Which data directory to use: ``data``, else ``$ALLYGRAPH_DATA``, else the bundled one."""
    chosen = data if data is not None else os.environ.get("ALLYGRAPH_DATA") or None
    if chosen is None:
        return recover(bundled_data_dir())  # finish a commit a crash interrupted: the directory always loads
    path = Path(chosen).expanduser()
    if not path.is_dir():
        origin = "--data" if data is not None else "ALLYGRAPH_DATA"
        raise UsageError(f"{origin}: {str(chosen)!r} is not a directory")
    return recover(path)


def load(data: str | os.PathLike | None = None, *, use_cache: bool = True) -> Dataset:
    """Load and validate a data directory; raise DataError listing every error found."""
    directory = data_dir(data)
    if use_cache:
        hit = cache.get(directory)
        if hit is not None:
            return hit
    before = cache.stamp(directory)
    dataset = _validated(directory)
    if use_cache:
        cache.put(directory, dataset, before)
    return dataset


def _validated(directory: Path) -> Dataset:
    dataset, problems = validate(directory)
    if dataset is None:
        raise DataError(problems)
    return dataset


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """The loader makes millions of small dicts and lists and no reference cycles: the cyclic
    collector would rescan them again and again (pausing it halved a 1M-relation load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def open_store(data: str | os.PathLike | None = None, *, use_cache: bool = True):
    """What the command line queries: a Store over the data directory.

    Large directories are compiled once into the SQLite cache, and every later query opens it
    and reads only what it needs; ordinary ones load (from the pickle cache) into memory.
    """
    from .store import DatasetStore

    directory = data_dir(data)
    if use_cache and cache.is_large(directory):
        store = cache.get_sqlite(directory)
        if store is not None:
            return store
        before = cache.stamp(directory)
        dataset = _validated(directory)
        with _paused_gc():
            store = cache.put_sqlite(directory, dataset, before)
        return store if store is not None else DatasetStore(dataset)  # no writable cache: in memory
    return DatasetStore(load(directory, use_cache=use_cache))


def check(data: str | os.PathLike | None = None) -> list[Problem]:
    """Every error and warning in a data directory (never raises for bad data)."""
    _, problems = validate(data_dir(data))
    return problems


def derive_relation_id(rel: dict) -> str:
    """A stable id from a relation's identifying content (used when the data gives none)."""
    import hashlib

    ident = (rel["from"], rel["type"], rel["to"], rel.get("tier"), rel.get("via"),
             rel.get("since"), rel.get("until"), rel.get("status"))  # fmt: skip
    digest = hashlib.blake2b(repr(ident).encode(), digest_size=4).hexdigest()
    return f"{rel['from']}.{rel['type']}.{rel['to']}.{digest}"


# --- validation -------------------------------------------------------------------------------


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _File:
    """One data file being validated: its name, its positions, and the problems found."""

    def __init__(self, name: str, positions, problems: list[Problem]):
        self.name, self.positions, self.problems = name, positions, problems

    def add(self, path: tuple, message: str, severity: str = "error", *, key: bool = False) -> None:
        pos = (self.positions.key(path) if key else self.positions.value(path)) if path else None
        line, col = pos or (0, 0)
        self.problems.append(Problem(self.name, line, col, message, severity))


def _label(kind: str, record: object, path: tuple) -> str:
    rid = record.get("id") if isinstance(record, dict) else None
    if isinstance(rid, str):
        return f"{kind} {rid!r}"
    if kind == "source" or isinstance(path[-1], str):  # a record of a mapping section, named by its key
        return f"{kind.replace('_', ' ')} {path[-1]!r}"
    return f"{kind} #{path[-1] + 1}" if isinstance(path[-1], int) else kind


def _field_message(kind: str, field: str, value: object, errors: list[dict], declared: tuple = ()) -> tuple[str, tuple]:
    """One message for all of pydantic's complaints about one field (a union gives several)."""
    from . import dates
    from .model import DATE_FIELDS, ID_FIELDS, VOCABULARIES
    from .names import suggest

    if field in DATE_FIELDS:
        try:
            dates.parse(value)
            if isinstance(value, int) and not isinstance(value, bool):
                return f"malformed date {value!r}: a year has four digits", ()
        except ValueError as exc:
            return str(exc), ()
    if (kind, field) in VOCABULARIES and isinstance(value, str):
        what, vocab = VOCABULARIES[(kind, field)]
        vocab = [*vocab, *declared]
        hint = suggest(value, list(vocab))
        extra = f" — did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(vocab)})"
        return f"unknown {what} {value!r}{extra}", ()
    if field in ID_FIELDS and isinstance(value, str):
        return f"invalid id {value!r}: use letters, digits, '_', '-' and '.' only", ()
    if field == "attributes" and isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"attribute names must be text, not {key!r}", ()
            if isinstance(item, (list, dict)):
                kind_ = "a list" if isinstance(item, list) else "a mapping"
                return f"attribute {key!r} must be text, a number or true/false, not {kind_}", (key,)
            if isinstance(item, float) and not math.isfinite(item):
                return (f"attribute {key!r} must be a finite number, not {item!r} (JSON has no inf or nan; "
                        "quote it to keep it as text)"), (key,)  # fmt: skip
    if field == "designations" and isinstance(value, dict):
        for party, tier in value.items():
            if not isinstance(tier, str):
                return f"the designation for {party!r} must be a tier id (got {_show(tier)})", (party,)
    if field in ("aliases", "sources") and isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f"item {i + 1} must be text, got {_show(item)}", (i,)
    if isinstance(value, str) and not value and field in ("name", "title"):
        return "must not be empty", ()
    msg = errors[0]["msg"]
    return f"{msg} (got {_show(value)})", ()


def _check_records(file: _File, section: str, kind: str, items: list, keys: list | None = None,
                   declared: tuple = ()) -> list[int]:  # fmt: skip
    """Validate records in bulk; report each problem once; return the indexes that passed.

    ``keys`` names the records of a mapping section (sources), validated as a list;
    ``declared`` the types the data directory adds (``model.adapter``).
    """
    from pydantic import ValidationError

    from .model import FIELDS, adapter
    from .names import suggest
    from .progress import track

    ta = adapter(kind, declared)
    fields = FIELDS[kind]
    good: list[int] = []
    chunks = range(0, len(items), CHUNK)
    for start in track(chunks, len(chunks), f"validating {kind}s", threshold=3):
        chunk = items[start : start + CHUNK]
        try:
            ta.validate_python(chunk)
            good.extend(range(start, start + len(chunk)))
            continue
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
        by_record: dict[int, dict[str, list[dict]]] = {}
        for err in errors:
            loc = err["loc"]
            by_record.setdefault(loc[0], {}).setdefault(str(loc[1]) if len(loc) > 1 else "", []).append(err)
        for offset in range(len(chunk)):
            if offset not in by_record:
                good.append(start + offset)
        for offset, per_field in by_record.items():
            i = start + offset
            record = chunk[offset]
            path = (section, keys[i] if keys is not None else i)
            label = _label(kind, record, path)
            for field, errs in per_field.items():
                etype = errs[0]["type"]
                if field == "":
                    file.add(path, f"{label}: expected a mapping of fields, got {_show(record)}")
                elif etype == "missing":
                    file.add(path, f"{label}: missing required field {field!r}")
                elif etype == "extra_forbidden":
                    hint = suggest(field, fields, limit=1)
                    tip = f" — did you mean {hint[0]!r}?" if hint else f" (fields: {', '.join(fields)})"
                    file.add((*path, field), f"{label}: unknown field {field!r}{tip}", key=True)
                else:
                    message, sub = _field_message(kind, field, record.get(field), errs, declared)
                    shown = field + "".join(f".{s}" if isinstance(s, str) else "" for s in sub)
                    got = "" if "(got " in message else f" (got {_show(record.get(field))})"
                    file.add((*path, field, *sub), f"{label}: field {shown!r}: {message}{got}")
    return good


def _top(file: _File, doc, allowed: dict[str, type]) -> dict:
    """Check a file's top-level mapping; return its recognised sections."""
    from .names import suggest

    if doc is None:
        return {}
    if not isinstance(doc, dict):
        file.problems.append(Problem(file.name, 1, 1, f"expected a mapping with {', '.join(repr(k) for k in allowed)} at the top"))  # fmt: skip
        return {}
    out = {}
    for key, value in doc.items():
        if key not in allowed:
            hint = suggest(str(key), list(allowed), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else ""
            file.add((key,), f"unknown top-level key {key!r}{tip}", key=True)
            continue
        want = allowed[key]
        if value is None:
            value = want()
        if not isinstance(value, want):
            file.add((key,), f"{key!r} must be a {'list' if want is list else 'mapping'}, got {_show(value)}")
            continue
        out[key] = value
    return out


def _date_field(file: _File, path: tuple, label: str, record: dict, field: str) -> tuple[str | None, bool]:
    """A checked date as its string (years written as numbers become strings)."""
    from . import dates

    value = record.get(field)
    if value is None:
        return None, True
    try:
        return dates.parse_checked(value), True
    except ValueError as exc:
        file.add((*path, field), f"{label}: field {field!r}: {exc}")
        return None, False


def _names(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# Loading takes about this many bytes of memory per byte of YAML (measured: 3.0 GB peak for
# 166 MB, a million relations), plus the interpreter and libraries.
MEMORY_PER_YAML_BYTE = 18
MEMORY_BASE = 300 * 1024 * 1024


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(directory: Path) -> None:
    """Refuse, with the numbers and what to do, a directory too large for this machine's memory,
    instead of swapping or being killed halfway. ``ALLYGRAPH_MEMORY_CHECK=0`` skips the check."""
    from .problems import TooLarge

    if os.environ.get("ALLYGRAPH_MEMORY_CHECK") == "0":
        return
    size = sum((directory / f).stat().st_size for f in (ENTITIES_FILE, RELATIONS_FILE) if (directory / f).is_file())
    need = MEMORY_BASE + MEMORY_PER_YAML_BYTE * size
    have = available_memory()
    if have is not None and need > have:
        gb = 1024**3
        raise TooLarge(
            f"{directory}: {size / gb:.1f} GB of YAML needs about {need / gb:.0f} GB of memory to load, "
            f"and {have / gb:.0f} GB is available. Split it into several data directories (by dataset, "
            "region or period) and load each, or export each to Neo4j and query there (README: Beyond "
            "one machine). ALLYGRAPH_MEMORY_CHECK=0 skips this check."
        )


def validate(directory: Path) -> tuple[Dataset | None, list[Problem]]:
    """Validate a data directory. Returns (dataset or None when there are errors, problems).

    Raises TooLarge (before reading anything) when the data would not fit in memory.
    """
    check_memory(directory)
    with _paused_gc():
        try:
            return _validate(directory)
        except RecursionError:  # a structure nested too deep to report on: name the files
            return None, [
                Problem(str(directory / f), 0, 0, "YAML nesting is too deep to check; flatten it")
                for f in (ENTITIES_FILE, RELATIONS_FILE)
            ]


def _validate(directory: Path) -> tuple[Dataset | None, list[Problem]]:
    from . import dates, yamlsrc
    from .names import suggest
    from .timing import stage
    from .vocab import BUNDLED_TIERS, DEFAULT_STATUS, TIER_TYPES, TIME_BOUND_TYPES

    ename, rname = str(directory / ENTITIES_FILE), str(directory / RELATIONS_FILE)
    with stage("parse entities"):
        edoc, p1, epos = yamlsrc.read_positioned(directory / ENTITIES_FILE, ename)
    with stage("parse relations"):
        rdoc, p2, rpos = yamlsrc.read_positioned(directory / RELATIONS_FILE, rname)
    ef, rf = _File(ename, epos, list(p1)), _File(rname, rpos, list(p2))
    etop = _top(ef, edoc, {"entities": list})
    rtop = _top(rf, rdoc, {"sources": dict, "tiers": list, "relation_types": dict, "entity_types": dict,
                           "ladders": dict, "relations": list})  # fmt: skip
    if isinstance(edoc, dict) and "entities" not in edoc:
        ef.problems.append(Problem(ename, 1, 1, "missing the top-level key 'entities'"))

    # sources
    sources: dict[str, dict] = {}
    sdoc = rtop.get("sources", {})
    sids = list(sdoc)
    svals = [sdoc[s] for s in sids]
    good = _check_records(rf, "sources", "source", svals, keys=sids)
    for i in good:
        rec = svals[i]
        label = f"source {sids[i]!r}"
        date, ok = _date_field(rf, ("sources", sids[i]), label, rec, "date")
        if ok:
            sources[str(sids[i])] = {k: v for k, v in {**rec, "date": date}.items() if v is not None}

    # tiers
    if "tiers" in rtop:
        tiers: list[dict] = []
        titems = rtop["tiers"]
        for i in _check_records(rf, "tiers", "tier", titems):
            rec = titems[i]
            if any(t["id"] == rec["id"] for t in tiers):
                rf.add(("tiers", i, "id"), f"duplicate tier id {rec['id']!r}")
                continue
            tiers.append({"id": rec["id"], "name": rec.get("name") or rec["id"]})
    else:
        tiers = [{"id": t.id, "name": t.name} for t in BUNDLED_TIERS]
    relation_types = _declared_types(rf, rtop, "relation_types", "relation_type")
    entity_types = _declared_types(rf, rtop, "entity_types", "entity_type")

    def check_sources(file: _File, path: tuple, refs: list[str], label: str, record: dict) -> None:
        for i, ref in enumerate(refs):
            if ref in sources or "://" in ref:
                continue
            where = (*path, "sources", i) if isinstance(record.get("sources"), list) else (*path, "sources")
            hint = suggest(ref, list(sources), limit=1)
            tip = (
                f" — did you mean {hint[0]!r}?"
                if hint
                else " (add it under 'sources:' in relations.yaml, or give a URL)"
            )
            file.add(where, f"{label}: unknown source {ref!r}{tip}")

    # entities
    entities: dict[str, dict] = {}
    folded_ids: dict[str, int] = {}
    eitems = etop.get("entities", [])
    with stage("validate entities (pydantic)"):
        egood = _check_records(ef, "entities", "entity", eitems, declared=tuple(entity_types))
    for i in egood:
        rec = eitems[i]
        path = ("entities", i)
        eid = rec["id"]
        label = f"entity {eid!r}"
        folded = eid.casefold()
        if folded in folded_ids:
            first = ef.positions.value(("entities", folded_ids[folded])) or (0, 0)
            ef.add((*path, "id"), f"duplicate entity id {eid!r} (first defined at line {first[0]})")
            continue
        folded_ids[folded] = i
        _check_name_chars(ef, path, label, rec)
        since, ok1 = _date_field(ef, path, label, rec, "since")
        until, ok2 = _date_field(ef, path, label, rec, "until")
        if ok1 and ok2 and not dates.ordered(since, until):
            ef.add((*path, "until"), f"{label}: until {until!r} is before since {since!r}")
        refs = _names(rec.get("sources"))
        check_sources(ef, path, refs, label, rec)
        ent = {"id": eid, "name": rec["name"], "type": rec["type"], "aliases": _names(rec.get("aliases"))}
        for key, value in (("description", rec.get("description")), ("wikidata", rec.get("wikidata")),
                           ("since", since), ("until", until), ("attributes", rec.get("attributes")),
                           ("sources", refs)):  # fmt: skip
            if value not in (None, [], {}):
                ent[key] = dict(value) if key == "attributes" else value
        entities[eid] = ent

    ladders, tier_ids = _ladders(rf, rtop.get("ladders", {}), entities, tiers, check_sources)
    on_ladder = {sid: {r["id"] for r in lad["rungs"]} for sid, lad in ladders.items()}
    tier_set = frozenset(tier_ids)

    # relations: the loop runs a million times on large data, so its common path is lean and
    # anything unusual goes to the reporting helpers
    relations: dict[str, dict] = {}
    first_index: dict[str, int] = {}
    ritems = rtop.get("relations", [])
    with stage("validate relations (pydantic)"):
        good = _check_records(rf, "relations", "relation", ritems, declared=tuple(relation_types))
    bad = set(range(len(ritems))).difference(good) if len(good) != len(ritems) else set()
    from .progress import track

    tier_rels: list[tuple[int, dict, bool]] = []
    UNDATED_OK = ("reported", "proposed", "negotiating")  # a report without a date, or not yet in force
    parse_date, ordered, known_source = dates.parse_checked, dates.ordered, sources.__contains__
    with stage("check relations"):
        for i, rec in enumerate(track(ritems, len(ritems), "checking relations")):
            if i in bad:
                # the record is invalid, but its references and dates can still be checked: report
                # those too, so one run lists every problem of every record
                if isinstance(rec, dict):
                    label = _relation_label(rec, i)
                    _check_relation_refs(rf, ("relations", i), rec, label, entities, tier_ids)
                    _check_bad_record_dates(rf, ("relations", i), label, rec)
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
                label = _relation_label(rec, i)
                since, ok1 = _date_field(rf, ("relations", i), label, rec, "since")
                until, ok2 = _date_field(rf, ("relations", i), label, rec, "until")
                ok = ok1 and ok2
            if not (frm in entities and to in entities and (via is None or via in entities)
                    and (tier in tier_set if tier is not None else rtype != "partnership")):  # fmt: skip
                ok = _check_relation_refs(rf, ("relations", i), rec, _relation_label(rec, i), entities, tier_ids) and ok
            if since is not None and until is not None and ok and not ordered(since, until):
                ok = False
                rf.add(
                    ("relations", i, "until"), f"{_relation_label(rec, i)}: until {until!r} is before since {since!r}"
                )
            refs = rec.get("sources")
            if refs is None:
                refs = []
            elif type(refs) is not list:
                refs = _names(refs)
            if not refs:
                rf.add(("relations", i), f"{_relation_label(rec, i)}: no source; add 'sources: [...]'", "warning")
            if since is None and until is None and rtype in TIME_BOUND_TYPES and rec.get("status") not in UNDATED_OK:
                rf.add(("relations", i), f"{_relation_label(rec, i)}: a {rtype} happens at a time, but this one has no date, so it reads as in force forever; add 'since' (and 'until') at the precision its source gives (a year is fine), or, when no source dates it, 'status: reported' and a note", "warning")  # fmt: skip
            elif not all(map(known_source, refs)):
                check_sources(rf, ("relations", i), refs, _relation_label(rec, i), rec)
            if tier is not None and rtype not in TIER_TYPES:
                rf.add(("relations", i, "tier"), f"{_relation_label(rec, i)}: 'tier' only applies to a partnership, not {rtype!r}", "warning")  # fmt: skip
            if frm == to:
                rf.add(("relations", i, "to"), f"{_relation_label(rec, i)}: relates {to!r} to itself", "warning")
            rel = {"id": None, "from": frm, "to": to, "type": rtype}
            if tier is not None:
                rel["tier"] = tier
            designations = rec.get("designations")
            if designations is not None:
                ok = _check_designations(rf, ("relations", i), rec, _relation_label(rec, i), tier_ids) and ok
                if designations:
                    rel["designations"] = dict(designations)
            if on_ladder and (frm in on_ladder or to in on_ladder) and rtype in TIER_TYPES:
                _warn_off_ladder(rf, ("relations", i), rec, _relation_label(rec, i), on_ladder)
            rel["status"] = rec.get("status") or DEFAULT_STATUS
            if since is not None:
                rel["since"] = since
            if until is not None:
                rel["until"] = until
            if via is not None:
                rel["via"] = via
            attrs = rec.get("attributes")
            if attrs:
                rel["attributes"] = attrs if type(attrs) is dict else dict(attrs)
            if refs:
                rel["sources"] = refs
            note = rec.get("note")
            if note is not None:
                rel["note"] = note
            rid = rec.get("id")
            explicit = rid is not None
            if not explicit:
                rid = derive_relation_id(rel)
            if rid in first_index:
                first = rf.positions.value(("relations", first_index[rid])) or (0, 0)
                if explicit:
                    rf.add(("relations", i, "id"), f"duplicate relation id {rid!r} (first at line {first[0]})")
                else:
                    rf.add(("relations", i), f"{_relation_label(rec, i)}: relation repeats the one at line {first[0]}; give each an explicit 'id' if both are meant")  # fmt: skip
                continue
            first_index[rid] = i
            if ok:
                rel["id"] = rid
                relations[rid] = rel
                if rtype in TIER_TYPES:
                    tier_rels.append((i, rel, rec.get("status") is None))

    _warn_superseded(rf, tier_rels)
    from .names import build_index

    with stage("name index"):
        index = build_index(entities)
    _warn_alias_clashes(ef, index)
    problems = sorted(ef.problems, key=lambda p: (p.line, p.column)) + sorted(
        rf.problems, key=lambda p: (p.line, p.column)
    )
    if any(p.severity == "error" for p in problems):
        return None, problems
    warnings = [p for p in problems if p.severity == "warning"]
    return Dataset(str(directory), entities, relations, sources, tiers, warnings, index,
                   relation_types=relation_types, entity_types=entity_types, ladders=ladders), problems  # fmt: skip


def _declared_types(file: _File, top: dict, section: str, kind: str) -> dict[str, dict]:
    """The types a ``relation_types:`` or ``entity_types:`` section declares (name -> fields)."""
    import re

    from .model import TYPE_NAME_PATTERN
    from .vocab import ENTITY_TYPES, RELATION_TYPES

    items = top.get(section, {})
    if not items:
        return {}
    names = list(items)
    builtin = RELATION_TYPES if kind == "relation_type" else ENTITY_TYPES
    what = "relation type" if kind == "relation_type" else "entity type"
    out: dict[str, dict] = {}
    values = [items[n] for n in names]
    for i in _check_records(file, section, kind, values, keys=names):
        name = names[i]
        if not isinstance(name, str) or not re.match(TYPE_NAME_PATTERN, name):
            file.add((section, name), f"{what} {name!r}: a type's name is lowercase snake_case (letters, digits, '_'), e.g. 'disputes_with'", key=True)  # fmt: skip
        elif name in builtin:
            file.add((section, name), f"{what} {name!r} is built in and cannot be redefined; give yours another name (`allygraph types` lists the built-in ones)", key=True)  # fmt: skip
        else:
            out[name] = {k: v for k, v in values[i].items() if v is not None}
    return out


def _ladders(file: _File, items: dict, entities: dict, tiers: list[dict],
             check_sources) -> tuple[dict[str, dict], list[str]]:  # fmt: skip
    """Each state's own ladder ({"rungs": [{id, name}], "sources", "note"?}), checked: the key is a
    state, each rung an id of a known rung or ``{id, name}`` declaring a new one, no rung twice.
    Returns the ladders and every known tier id (the default ladder's, then the declared ones)."""
    from .model import TierRecord
    from .names import suggest

    if not items:
        return {}, [t["id"] for t in tiers]
    names = list(items)
    values = [items[n] for n in names]
    good = set(_check_records(file, "ladders", "ladder", values, keys=names))
    known = {t["id"]: t["name"] for t in tiers}
    # rungs declared with a name in any ladder (even one with other problems) are known in every ladder
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
    fields = list(TierRecord.__annotations__)
    out: dict[str, dict] = {}
    for i, sid in enumerate(names):
        rec = values[i]
        path = ("ladders", sid)
        label = f"ladder {sid!r}"
        ok = i in good
        ent = entities.get(sid)
        if ent is None:
            hint = suggest(str(sid), list(entities), limit=1)
            tip = f" — did you mean {hint[0]!r}?" if hint else " (a ladder belongs to an entity of type state)"
            file.add(path, f"{label}: unknown entity {sid!r}{tip}", key=True)
            ok = False
        elif ent["type"] != "state":
            file.add(path, f"{label}: {sid!r} is a {ent['type']}, not a state; only a state has its own ladder", key=True)  # fmt: skip
            ok = False
        if i not in good:
            continue
        rungs: list[dict] = []
        seen: dict[str, int] = {}
        if not rec["rungs"]:
            file.add((*path, "rungs"), f"{label}: 'rungs' is empty; list the tier ids, highest first")
            ok = False
        for j, rung in enumerate(rec["rungs"]):
            where = (*path, "rungs", j)
            if isinstance(rung, dict):
                extra = [k for k in rung if k not in fields]
                if extra or not isinstance(rung.get("id"), str) or not isinstance(rung.get("name", ""), str):
                    file.add(where, f"{label}: rung {j + 1} must be a tier id or {{id, name}} (fields: {', '.join(fields)}), got {_show(rung)}")  # fmt: skip
                    ok = False
                    continue
                rid = rung["id"]
            elif isinstance(rung, str):
                rid = rung
            else:
                file.add(where, f"{label}: rung {j + 1} must be a tier id or {{id, name}}, got {_show(rung)}")
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
        refs = _names(rec["sources"])
        if not refs:
            file.add((*path, "sources"), f"{label}: 'sources' is empty; say where the ordering comes from")
            ok = False
        before = len(file.problems)
        check_sources(file, path, refs, label, rec)
        ok = ok and len(file.problems) == before
        if ok:
            out[sid] = {"rungs": rungs, "sources": refs}
            if rec.get("note") is not None:
                out[sid]["note"] = rec["note"]
    return out, list(known)


def _check_designations(file: _File, path: tuple, rec: dict, label: str, tier_ids: list[str]) -> bool:
    """Check a relation's ``designations`` (party -> tier id); report problems; True when valid."""
    from .names import suggest

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


def _warn_off_ladder(file: _File, path: tuple, rec: dict, label: str, on_ladder: dict[str, set]) -> None:
    """Warn when a party with its own ladder words a relation with a rung that ladder does not list
    (``tiers`` would rank it below every rung the ladder lists)."""
    from .vocab import designation_of

    for party in (rec["from"], rec["to"]):
        rungs = on_ladder.get(party)
        rung = designation_of(rec, party) if rungs is not None else None
        if rung is not None and rung not in rungs:
            where = (*path, "designations", party) if party in (rec.get("designations") or {}) else (*path, "tier")
            file.add(where if rec["type"] == "partnership" else path, f"{label}: {party!r} has its own ladder, which does not list {rung!r}: add the rung to ladders.{party} (else `tiers {party}` ranks it below every rung listed)", "warning")  # fmt: skip


def _relation_label(rec: dict, i: int) -> str:
    rid = rec.get("id")
    if isinstance(rid, str):
        return f"relation {rid!r}"
    if all(isinstance(rec.get(k), str) for k in ("from", "to", "type")):
        return f"relation {rec['from']}->{rec['to']} ({rec['type']})"
    return f"relation #{i + 1}"


def _check_relation_refs(file: _File, path: tuple, rec: dict, label: str, entities: dict, tier_ids: list[str]) -> bool:
    """Check a relation's entity references and tier; report problems; True when all resolve."""
    from .names import suggest

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


def _check_bad_record_dates(file: _File, path: tuple, label: str, rec: dict) -> None:
    """The calendar and order checks of a relation that pydantic already refused for another
    field (its dates passed the pattern, so only these checks can still fail)."""
    import re

    from . import dates
    from .model import DATE_PATTERN

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


# C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates that
# can make a name display as something else. (The marks LRM, RLM and ALM belong in right-to-left
# text and are allowed.)
_BAD_NAME_CHARS = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def _check_name_chars(file: _File, path: tuple, label: str, rec: dict) -> None:
    """Names and aliases are what people type and read: a control or bidi-control character in
    one is a warning (the data still loads, every output shows it escaped, and exports keep it
    as written). In an id it is an error: ids are ASCII letters, digits, '_', '-' and '.'."""
    import re

    bad = re.compile(_BAD_NAME_CHARS)
    name = rec["name"]
    m = bad.search(name)
    if m:
        file.add((*path, "name"), f"{label}: field 'name': control character U+{ord(m.group()):04X} at position {m.start() + 1}; names are plain text (remove it)", "warning")  # fmt: skip
    aliases = rec.get("aliases")
    for j, alias in enumerate([aliases] if isinstance(aliases, str) else aliases or ()):
        m = bad.search(alias)
        if m:
            where = (*path, "aliases") if isinstance(aliases, str) else (*path, "aliases", j)
            file.add(where, f"{label}: alias {j + 1}: control character U+{ord(m.group()):04X} at position {m.start() + 1}; aliases are plain text (remove it)", "warning")  # fmt: skip


def _warn_superseded(file: _File, tier_rels: list[tuple[int, dict, bool]]) -> None:
    """A tier that a later one of the same pair supersedes (the later designation starts on or
    before its ``until``) has ended: without a written status it reads as ``ended``; with
    ``active`` or ``in_force`` written, ``check`` warns. (Either way queries end it at its
    ``until``.)"""
    from . import dates
    from .vocab import tier_of

    pairs: dict[tuple, list[tuple[int, dict, bool]]] = {}
    for item in tier_rels:
        rel = item[1]
        pairs.setdefault((rel["from"], rel["to"]) if rel["from"] < rel["to"] else (rel["to"], rel["from"]), []).append(item)  # fmt: skip
    for group in pairs.values():
        if len(group) < 2:
            continue
        for i, rel, implicit in group:
            until, since = rel.get("until"), rel.get("since")
            if until is None or rel["status"] in ("ended", "suspended"):
                continue
            end = dates.first_day(until)
            start = dates.first_day(since) if since is not None else None
            for _, later, _ in group:
                ls = later.get("since")
                if later is rel or ls is None or tier_of(later) == tier_of(rel):
                    continue
                day = dates.first_day(ls)
                if (start is None or day >= start) and day <= end:
                    if implicit:
                        rel["status"] = "ended"
                    else:
                        file.add(("relations", i), f"relation {rel['id']!r}: superseded by {later['id']!r} on {ls} but its status is {rel['status']!r}; set 'status: ended'", "warning")  # fmt: skip
                    break


def _warn_alias_clashes(file: _File, index: dict) -> None:
    for key, ids in index["exact"].items():
        if len(ids) > 1:
            file.problems.append(Problem(file.name, 0, 0, f"the name {key!r} is shared by {', '.join(ids)}: queries with it will be ambiguous", "warning"))  # fmt: skip
