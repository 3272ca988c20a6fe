"""The changes themselves: each reads the located records of a Context and splices text."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import UsageError
from . import core
from .core import (
    ENTITIES,
    RELATIONS,
    Context,
    InUse,
    append_entry,
    append_item,
    entries,
    items,
    relation_record,
    scalar_of,
)
from .doc import field_of, scalar_text, walk
from .emit import ENTITY_KEYS, RELATION_KEYS, SOURCE_KEYS, flow_record, record, scalar, source_entry, value_text

Data = str | os.PathLike | None
LIST_FIELDS = {"aliases", "sources"}


def parse_value(text: str) -> Any:
    """A command-line value (``--attr k=v``): a whole number, a decimal, true/false, or text."""
    import re

    if re.fullmatch(r"-?(0|[1-9][0-9]*)", text):
        return int(text)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def pairs(values: list[str] | None, what: str) -> dict[str, Any]:
    """``["k=v", ...]`` -> ``{k: parsed v}``; a malformed item is a usage error."""
    out: dict[str, Any] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} {item!r}: write key=value")
        out[key.strip()] = parse_value(value)
    return out


_URL = r"(?i)(https?://[^\s/?#]+[^\s]*|doi:\S+)"


def check_url(url: str, what: str) -> None:
    """Refuse (one line, exit 2) a source URL that is not an http(s) URL or a DOI (``doi:10.…``):
    what a reader can open, never ``javascript:`` or a bare word."""
    import re

    if not re.fullmatch(_URL, url):
        raise UsageError(f"{what} {url!r}: not a source URL; give an http(s) URL (https://...) or a DOI (doi:10....)")


def check_sources(refs: list[str] | None, what: str = "--source") -> None:
    """Each of ``refs`` is a source id, or a URL ``check_url`` accepts (an id never holds ':')."""
    for ref in refs or []:
        if ":" in ref:
            check_url(ref, what)


def add_entity(eid: str, name: str, type: str, *, aliases: list[str] | None = None, description: str | None = None,
               attributes: dict | None = None, sources: list[str] | None = None, wikidata: str | None = None,
               since: str | None = None, until: str | None = None, data: Data = None,
               dry_run: bool = False) -> dict:  # fmt: skip
    """Add an entity at the end of ``entities.yaml``; ``{"changed": [...]}``."""
    check_sources(sources)
    rec = {"id": eid, "name": name, "type": type, "aliases": aliases or None, "description": description,
           "wikidata": wikidata, "since": since, "until": until, "attributes": attributes or None,
           "sources": sources or None}  # fmt: skip

    def fn(ctx: Context) -> None:
        if any(scalar_of(n, "id") == eid for n in items(ctx.docs[ENTITIES], "entities")):
            raise UsageError(f"entity {eid!r} already exists in {ctx.directory / ENTITIES}; use `allygraph edit {eid} --set field=value`")  # fmt: skip
        doc = ctx.docs[ENTITIES]
        append_item(
            doc, "entities", lambda indent: record(rec, ENTITY_KEYS, indent, doc.nl), flow_record(rec, ENTITY_KEYS)
        )
        ctx.note(ENTITIES, eid, "added")

    return core.change(data, fn, dry_run)


def add_source(sid: str, title: str, url: str, *, publisher: str | None = None, date: str | None = None,
               note: str | None = None, data: Data = None, dry_run: bool = False) -> dict:  # fmt: skip
    """Add a source to the ``sources:`` registry of ``relations.yaml``; ``{"changed": [...]}``.
    ``url`` is an http(s) URL or a DOI (``doi:10.…``)."""
    check_url(url, "--url")
    src = {"title": title, "url": url, "publisher": publisher, "date": date, "note": note}

    def fn(ctx: Context) -> None:
        doc = ctx.docs[RELATIONS]
        if any(k.value == sid for k, _ in entries(doc, "sources")):
            raise UsageError(f"source {sid!r} already exists in {ctx.directory / RELATIONS}; use `allygraph edit {sid} --set field=value`")  # fmt: skip
        append_entry(doc, "sources", lambda indent: source_entry(sid, src, indent, doc.nl), before="relations",
                     flow_text=f"{scalar(sid)}: {flow_record(src, SOURCE_KEYS)}")  # fmt: skip
        ctx.note(RELATIONS, sid, "added")

    return core.change(data, fn, dry_run)


def link(a: str, type: str, b: str, *, sources: list[str], tier: str | None = None, status: str | None = None,
         since: str | None = None, until: str | None = None, via: str | None = None,
         attributes: dict | None = None, note: str | None = None, rid: str | None = None, data: Data = None,
         dry_run: bool = False) -> dict:  # fmt: skip
    """Add a relation ``a -type-> b`` (names resolve as in queries; a source is an id or a URL).

    Without ``rid`` the relation gets the id the loader would derive from its content, written
    out so that later edits can name it. On a large directory whose compiled cache is current,
    the record is checked against the cache and the cache is updated in place (``cache.add_relation``).
    """
    if not sources:
        raise UsageError("link needs at least one --source (a source id or a URL)")
    check_sources(sources)

    def fn(ctx: Context) -> None:
        ds = ctx.dataset
        rec = relation_record(ds.resolve, a, type, b, sources, tier, status, since, until, via, attributes, note, rid)
        if rec["id"] in ds.relations:
            raise UsageError(f"relation {rec['id']!r} already exists in {ctx.directory / RELATIONS}; give another --id")
        doc = ctx.docs[RELATIONS]
        append_item(
            doc, "relations", lambda indent: record(rec, RELATION_KEYS, indent, doc.nl), flow_record(rec, RELATION_KEYS)
        )
        ctx.note(RELATIONS, rec["id"], "added")

    return _change(data, dry_run, fn, lambda large, directory: large.link_large(
        directory, a, type, b, dry_run=dry_run, sources=sources, tier=tier, status=status, since=since, until=until,
        via=via, attributes=attributes, note=note, rid=rid))  # fmt: skip


def large_edits(directory: os.PathLike) -> bool:
    """Whether a change to ``directory`` tries the large path first (``edit.large``: the record
    located by a scan and checked against the SQLite cache): a directory large enough for that
    cache, unless ``ALLYGRAPH_LARGE_EDITS=0`` (every change then validates the whole directory,
    as the benchmarks do to compare)."""
    from .. import cache

    return os.environ.get("ALLYGRAPH_LARGE_EDITS") != "0" and cache.is_large(Path(directory))


def _change(data: Data, dry_run: bool, fn: Callable[[Context], None],
            large: Callable[[ModuleType, Path], dict | None] | None, verify: Callable[..., None] | None = None) -> dict:  # fmt: skip
    """The one path of a change that may go large: on a large directory ``large`` (given the
    ``edit.large`` module and the directory) runs first, after compiling the cache if there was
    none current (a first load: seconds, where the general path takes minutes at a million
    relations); when it declines (None), ``fn`` runs under ``core.change`` (with ``verify``) as
    for any directory."""
    from ..load import data_dir

    directory = data_dir(data, write=not dry_run)
    if large is not None and large_edits(directory):
        from . import large as large_module

        done = large(large_module, directory)
        if done is None and large_module.compile_cache(directory):  # no current cache: compiled, then once more
            done = large(large_module, directory)
        if done is not None:
            return done
    return core.change(directory, fn, dry_run, verify)


# --- finding a record by id --------------------------------------------------------------------


def locate(ctx: Context, ident: str) -> tuple[str, str, str, object, object | None]:
    """(kind, id, file, record node, key node) for an entity, relation or source id (an entity
    may also be named by a name or alias). Raises for an unknown or ambiguous id."""
    ds = ctx.dataset
    found = []
    if ident in ds.entities:
        found.append("entity")
    if ident in ds.relations:
        found.append("relation")
    if ident in ds.sources:
        found.append("source")
    if len(found) > 1:
        raise UsageError(
            f"{ident!r} is the id of a {' and a '.join(found)} in {ctx.directory}; rename one of them by hand"
        )
    if not found:
        ident = _resolve(ctx, ident)  # an entity by name or alias
        found = ["entity"]
    kind = found[0]
    if kind == "entity":
        for node in items(ctx.docs[ENTITIES], "entities"):
            if scalar_of(node, "id") == ident:
                return kind, ident, ENTITIES, node, None
    elif kind == "source":
        for k, v in entries(ctx.docs[RELATIONS], "sources"):
            if k.value == ident:
                return kind, ident, RELATIONS, v, k
    else:
        nodes = items(ctx.docs[RELATIONS], "relations")
        ids = list(ds.relations)
        by_order = dict(zip(ids, nodes, strict=False)) if len(ids) == len(nodes) else {}
        for node in nodes:
            if scalar_of(node, "id") == ident:
                return kind, ident, RELATIONS, node, None
        if ident in by_order:
            return kind, ident, RELATIONS, by_order[ident], None
    file = ENTITIES if kind == "entity" else RELATIONS
    raise UsageError(f"cannot find where {kind} {ident!r} is written in {ctx.directory / file}; run `allygraph check`")


def _resolve(ctx: Context, name: str) -> str:
    """An entity's id from its name or alias; else UnknownRecord, suggesting close ids of every
    kind (an editing command names entities, relations and sources alike)."""
    from ..errors import UnknownEntity, UnknownRecord
    from ..names import suggest

    ds = ctx.dataset
    try:
        return ds.resolve(name)
    except UnknownEntity as exc:
        close = list(exc.suggestions)
        close += [s for s in suggest(name, [*ds.relations, *ds.sources]) if s not in close]
        raise UnknownRecord(name, close, str(ctx.directory)) from None


def edit(ident: str, *, set: list[str] | None = None, unset: list[str] | None = None, data: Data = None,
         dry_run: bool = False) -> dict:  # fmt: skip
    """Change fields of an entity, relation or source: ``set`` items are ``field=value`` (a list
    field takes comma-separated values; ``attributes.KEY=value`` one attribute), ``unset`` items
    field names (or ``attributes.KEY``)."""
    changes = [(*_split_set(s), True) for s in set or []] + [(u, "", False) for u in unset or []]
    if not changes:
        raise UsageError("nothing to change: give --set field=value or --unset field")
    named = [c[0] for c in changes]
    twice = sorted({k for k in named if named.count(k) > 1})
    if twice:
        raise UsageError(f"{', '.join(twice)}: named more than once (--set/--unset); change each field once")

    def fn(ctx: Context) -> None:
        kind, rid, file, node, _ = locate(ctx, ident)
        apply_changes(ctx.docs[file], node, kind, rid, changes, lambda: locate(ctx, ident)[3], ctx.directory / file)
        ctx.note(file, rid, "changed")

    return _change(data, dry_run, fn, lambda large, directory: large.edit_large(directory, ident, changes, apply_changes, dry_run))  # fmt: skip


def apply_changes(doc: Any, node: Any, kind: str, rid: str, changes: list[tuple], relocate: Any, where: object) -> None:
    """Splice ``edit``'s changes (field, value or None, is_set) into the record ``node`` of
    ``doc``; ``relocate()`` finds the record again once ``doc`` has settled (``Doc.settle``);
    ``where`` names the file in messages."""
    order = {"entity": ENTITY_KEYS, "relation": RELATION_KEYS, "source": SOURCE_KEYS}[kind]
    rank = {k: i for i, k in enumerate(order)}  # new lines at one place go in contract order
    touched: list[str] = []

    def place(change: tuple) -> tuple:
        # changes inside a block mapping (attributes.KEY) first: a line they add at its end goes
        # before a field added at the same place, which belongs to the record
        head, dot, _ = change[0].partition(".")
        inner = field_of(node, head) if dot else None
        nested = inner is not None and inner[1].id == "mapping" and not inner[1].flow_style
        return not nested, rank.get(head, len(order))

    for key, value, is_set in sorted(changes, key=place):
        spot = _shared_spot(node, key, is_set)
        if doc.splices and (spot in touched or "*" in touched or spot == "*"):
            doc.settle()  # locate this change in the text as the ones before left it
            node, touched = relocate(), []
        if spot:
            touched.append(spot)
        if key == "id":
            raise UsageError("use `allygraph rename OLD NEW` to change an id (it updates every reference)")
        head, dot, sub = key.partition(".")
        if dot:
            if not core.set_in_mapping(doc, node, head, sub, value_text(sub, parse_value(value)) if is_set else None):
                raise UsageError(f"{kind} {rid!r} has no {head} entry {sub!r} (in {where})")
        elif is_set:
            parsed: Any = [v.strip() for v in value.split(",") if v.strip()] if head in LIST_FIELDS else value
            if head == "sources":
                check_sources(parsed, "--set sources:")
            elif head == "url" and kind == "source":
                check_url(value, "--set url:")
            core.set_field(doc, node, head, _in_style(node, head, parsed), order)
        elif not core.unset_field(doc, node, head):
            raise UsageError(f"{kind} {rid!r} has no field {head!r} (in {where})")


def _shared_spot(record: Any, key: str, is_set: bool) -> str | None:
    """Where a change to ``key`` splices text that another change of the same ``edit`` may touch
    too (then the second is located in the text the first left): a flow record (commas
    interleave), a mapping field (``attributes.KEY``: the first change may create it), or
    ``"*"``, a removal in a block record's first field (the next field moves up to its place
    when the field goes: ``--unset attributes.k`` removes ``attributes`` with its last entry)."""
    if record.flow_style:
        return "record"
    head, dot, _ = key.partition(".")
    if not is_set and record.value and record.value[0][0].value == head:
        return "*"
    return head if dot else None


def _in_style(record: Any, key: str, value: Any) -> str:
    """A new value for ``key`` quoted as the old one was (a double-quoted note stays quoted)."""
    import json

    old = field_of(record, key)
    if isinstance(value, str) and old is not None and old[1].id == "scalar" and old[1].style == '"':
        return json.dumps(value, ensure_ascii=False)
    return value_text(key, value)


def _split_set(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--set {item!r}: write field=value")
    return key.strip(), value


# --- references ---------------------------------------------------------------------------------

ENTITY_REFS = {"from", "to", "via"}


def references(ctx: Context, kind: str, ident: str) -> list[tuple[str, tuple, Any, bool]]:
    """Every place that writes ``ident`` as a reference of its ``kind``: (file, path, node, is_key).
    The record's own id (or registry key) comes first."""
    out = []
    for file in (ENTITIES, RELATIONS):
        doc = ctx.docs[file]
        for path, found, is_key in walk(doc.root):
            node: Any = found  # a PyYAML node
            if node.id != "scalar" or node.value != ident:
                continue
            if _refers(kind, path, is_key):
                out.append((file, path, node, is_key))
    return out


def _refers(kind: str, path: tuple, is_key: bool) -> bool:
    n = len(path)
    if kind == "entity":
        if n == 3 and path[0] in ("entities", "relations") and path[2] == "id":
            return path[0] == "entities" and not is_key
        if n == 3 and path[0] == "relations" and path[2] in ENTITY_REFS:
            return not is_key
        if n == 4 and path[2] == "attributes" and path[0] in ("entities", "relations"):
            return not is_key
        if n == 4 and path[0] == "relations" and path[2] == "designations":
            return is_key
        return n == 2 and path[0] == "ladders" and is_key
    if kind == "source":
        if n == 2 and path[0] == "sources":
            return is_key
        in_sources = (n == 3 and path[2] == "sources") or (n == 4 and path[2] == "sources" and isinstance(path[3], int))
        return in_sources and not is_key and path[0] in ("entities", "relations", "ladders")
    return n == 3 and path[0] == "relations" and path[2] == "id" and not is_key


def rename(old: str, new: str, *, data: Data = None, dry_run: bool = False) -> dict:
    """Change an id and every reference to it: for an entity, relations' ``from``/``to``/``via``,
    attributes that hold it, ladders and designations; for a source, every ``sources`` list;
    for a relation, its id."""
    import re

    from ..validate.records import ID_PATTERN

    if not re.fullmatch(ID_PATTERN, new):
        raise UsageError(f"invalid id {new!r}: use letters, digits, '_', '-' and '.' only")

    def fn(ctx: Context) -> None:
        kind, rid, file, node, _ = locate(ctx, old)
        if rid == new:
            return
        taken = new in ctx.dataset.entities if kind == "entity" else new in ctx.dataset.sources if kind == "source" else new in ctx.dataset.relations  # fmt: skip
        if taken:
            raise UsageError(f"{kind} {new!r} already exists in {ctx.directory / file}")
        refs = references(ctx, kind, rid)
        if kind == "relation" and not refs:  # a derived id: write the new one out
            core.set_field(ctx.docs[RELATIONS], node, "id", value_text("id", new), RELATION_KEYS)
        touched: dict[str, set] = {}
        for ref in refs:
            fname, path, node_ref, _ = ref
            doc = ctx.docs[fname]
            doc.splice(node_ref.start_mark.index, node_ref.end_mark.index, scalar_text(doc, node_ref, new))
            if not _own(kind, ref):  # the record itself is reported as renamed, not changed
                touched.setdefault(fname, set()).add(path[:2])
        ctx.note(file, new, "renamed", old=rid)
        for fname, records in touched.items():
            for section, key in sorted(records, key=lambda r: (r[0], r[1] if isinstance(r[1], int) else -1, str(r[1]))):
                ctx.note(fname, _record_id(ctx, fname, section, key), "changed")

    return _change(data, dry_run, fn, lambda large, directory: large.rename_large(directory, old, new, _refers, dry_run))  # fmt: skip


def _record_id(ctx: Context, file: str, section: str, key) -> str:
    if isinstance(key, int):
        nodes = items(ctx.docs[file], section)
        rid = scalar_of(nodes[key], "id") if key < len(nodes) else None
        if rid is None and section == "relations":
            ids = list(ctx.dataset.relations)
            rid = ids[key] if key < len(ids) else f"#{key + 1}"
        return rid or f"{section}#{key + 1}"
    return str(key)


def rm(ident: str, *, cascade: bool = False, data: Data = None, dry_run: bool = False) -> dict:
    """Remove an entity, relation or source. Refuses (``InUse``, listing them) while anything
    refers to it; with ``cascade`` removes the relations (and ladder) that name an entity, or
    the citations of a source, and lists them."""

    def fn(ctx: Context) -> None:
        kind, rid, file, node, key = locate(ctx, ident)
        refs = [r for r in references(ctx, kind, rid) if not _own(kind, r)]
        users = _users(ctx, kind, refs)
        if users and not cascade:
            raise InUse(f"{kind} {rid!r}", users)
        doc = ctx.docs[file]
        if kind == "source":
            _remove_entry(doc, "sources", key)
            for fname, path, ref, _ in refs:
                _drop_citation(ctx.docs[fname], path, ref)
        else:
            _remove_item(doc, "entities" if kind == "entity" else "relations", node)
            gone = set()
            for fname, path, _ref, _ in refs:
                if path[0] == "relations" and path[2] in ENTITY_REFS and path[1] not in gone:
                    gone.add(path[1])
                    _remove_item(ctx.docs[RELATIONS], "relations", items(ctx.docs[RELATIONS], "relations")[path[1]])
                elif path[0] == "ladders" and len(path) == 2:
                    _remove_entry(ctx.docs[RELATIONS], "ladders", next(k for k, _ in entries(ctx.docs[RELATIONS], "ladders") if k.value == rid))  # fmt: skip
                elif path[2] == "attributes" and not (
                    path[0] == "relations" and path[1] in gone
                ):  # an attribute holding the id
                    core.set_in_mapping(ctx.docs[fname], items(ctx.docs[fname], path[0])[path[1]], "attributes", path[3], None)  # fmt: skip
        ctx.note(file, rid, "removed")
        for user in users:
            gone_too = kind == "entity" and user["how"] == "reference"
            ctx.note(user["file"], user["id"], "removed" if gone_too else "changed")

    return _change(data, dry_run, fn, lambda large, directory: large.rm_large(directory, ident, dry_run))


def _own(kind: str, ref: tuple) -> bool:
    file, path, _, is_key = ref
    if kind == "entity":
        return path[0] == "entities" and path[2] == "id"
    if kind == "source":
        return len(path) == 2 and path[0] == "sources"
    return True


def _users(ctx: Context, kind: str, refs: list) -> list[dict]:
    """The records behind references, each once: {"kind", "id", "file"}."""
    out, seen = [], set()
    for fname, path, _, _ in refs:
        section = path[0]
        if kind == "entity" and section == "relations" and len(path) >= 3 and path[2] == "designations":
            continue  # the relation itself names the party
        rkind = {"entities": "entity", "relations": "relation", "ladders": "ladder"}[section]
        rid = _record_id(ctx, fname, section, path[1])
        if (rkind, rid) not in seen:
            seen.add((rkind, rid))
            how = "attribute" if len(path) > 3 and path[2] == "attributes" else "reference"
            out.append(
                {"kind": rkind, "id": rid, "file": fname, "field": path[2] if len(path) > 2 else None, "how": how}
            )
    return out


def _remove_item(doc, section: str, node) -> None:
    core.remove_item(doc, doc.top(section)[1], node)


def _remove_entry(doc, section: str, key) -> None:
    core.remove_entry(doc, doc.top(section)[1], key)


def _drop_citation(doc, path: tuple, ref) -> None:
    """Remove one source id from a record's ``sources`` (the whole field when it was the only one)."""
    section, index = path[0], path[1]
    if section == "ladders":
        record = next(v for k, v in entries(doc, "ladders") if k.value == index)
    else:
        record = items(doc, section)[index]
    found = field_of(record, "sources")
    assert found is not None  # the citation being dropped is in this field
    _, value = found
    if value.id == "scalar" or len(value.value) == 1:
        core.unset_field(doc, record, "sources")
    else:
        core.remove_item(doc, value, ref)


def fmt(data: Data = None, *, dry_run: bool = False, check: bool = False) -> dict:
    """Rewrite both data files in the canonical layout (``canonical``'s docstring says what it is);
    ``{"changed": [{"file", "id": null, "action": "formatted"}]}``. ``check``: write nothing,
    only report which files are not canonical (``"dry_run": true``, without the patch that
    ``dry_run`` adds). A large directory whose cache is current takes ``large.fmt_large``."""
    from .canonical import format_text

    def fn(ctx: Context) -> None:
        # the data as it is, loaded first: a problem it has is reported where it is written, not
        # as somewhere in the change (every line of a reformatted file is)
        ctx.dataset  # noqa: B018
        for name, doc in ctx.docs.items():
            new = format_text(doc)
            if new != doc.text:
                doc.splice(0, len(doc.text), new)
                ctx.note(name, None, "formatted")

    def same_values(ctx: Context, after) -> None:
        before = ctx.dataset
        for key in ("entities", "relations", "sources", "tiers", "relation_types", "entity_types", "ladders"):
            if getattr(before, key) != getattr(after, key):
                raise UsageError(f"fmt would change a value in {key}; nothing was written (please report this file)")

    def large(module, directory) -> dict | None:
        return module.fmt_large(directory, check)

    # --dry-run shows the patch, which the general path makes
    result = _change(data, dry_run or check, fn, None if dry_run else large, same_values)
    if check and not dry_run:
        result.pop("patch", None)  # --check says which files; --dry-run shows how
    return result
