"""What a cache holds, checked after it is read: the shape the loader gives.

A cache file passes its stamp, hash and seal checks if someone wrote it to pass them: the hash
and seal catch damage, not forgery. So what is read is also checked (types, ids, dates Python can
represent, references between records) before anything uses it; anything else raises
``CacheDamaged``, and the cache is discarded and rebuilt from the YAML, never a crash.
``cache.get`` checks a marshal cache whole; ``SQLiteStore`` its schema and meta when it opens and
each record as it reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import CacheDamaged

_SCALARS = (str, int, float, bool, type(None))
_DATE_KEYS = ("since", "until", "date")


def _need(ok: object, what: str) -> None:
    if not ok:
        raise CacheDamaged(what)


def _strs(value: object) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _str_map(value: object, values: tuple = _SCALARS) -> bool:
    """A mapping of text to values of ``values`` (finite floats), checked at C speed mostly."""
    import math

    if type(value) is not dict:
        return False
    try:
        "".join(value)  # every key text
    except TypeError:
        return False
    kinds = set(map(type, value.values()))
    if not kinds <= set(values):
        return False
    return float not in kinds or all(math.isfinite(v) for v in value.values() if type(v) is float)


_DATE_RE = re.compile(r"(?!0000)[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-[0-3][0-9])?)?")


def _plain(value: Any, depth: int = 0) -> bool:
    """JSON-like data (what a field the loader may add holds), nested at most a few levels."""
    kind = type(value)
    if kind in (str, int, bool) or value is None:
        return True
    if kind is float:
        import math

        return math.isfinite(value)
    if depth > 4:
        return False
    if kind is list:
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


_SHAPES: dict[tuple, tuple | None] = {}  # (table, keys, types) -> the keys whose values need a look
_GOOD_DATES: set[str] = set()


def _shape(table: Mapping[str, type], required: frozenset[str], keys: tuple, types: tuple) -> tuple | None:
    """For one layout of record (its keys and their types): None when it is never the loader's,
    else the keys whose values still need a look (lists, mappings, dates, fields added later)."""
    if not required <= set(keys):
        return None
    look = []
    for key, kind in zip(keys, types, strict=True):
        want = table.get(key)
        if want is None:
            if type(key) is not str:
                return None
            look.append(key)  # a field the loader may add: plain data
        elif kind is not want:
            return None
        elif want is not str or key in _DATE_KEYS:
            look.append(key)
    return tuple(look)


def _fields(rec: object, table: Mapping[str, type], required: frozenset[str], what: str) -> None:
    """Each field of ``rec`` has its type (a field the loader may add later: plain data), the
    required ones are there, names lists hold text, dates are dates Python can represent. The
    layout of keys and types is checked once per layout, so a record costs a few lookups."""
    if type(rec) is not dict:
        raise CacheDamaged(what)
    sig = (id(table), tuple(rec), tuple(map(type, rec.values())))
    look = _SHAPES.get(sig, ())
    if look == ():
        if len(_SHAPES) > 4096:
            _SHAPES.clear()
        look = _SHAPES[sig] = _shape(table, required, sig[1], sig[2])
    if look is None:
        raise CacheDamaged(what)
    for key in look:
        value = rec[key]
        kind = type(value)
        if kind is str:  # a date
            if value not in _GOOD_DATES:
                _date_ok(value, key)
                if len(_GOOD_DATES) < 100_000:
                    _GOOD_DATES.add(value)
        elif kind is list and key in table:
            try:
                "".join(value)  # every item text (at C speed)
            except TypeError:
                raise CacheDamaged(f"{what} {key}") from None
        elif kind is dict and key in table:
            _need(_str_map(value, (str,) if key == "designations" else _SCALARS), f"{what} {key}")
        else:
            _need(_plain(value), f"{what} {key!r}")


def _date_ok(value: str, key: str) -> None:
    """As ``dates.parse`` accepts, and a day Python can represent (no year 0000, no 30 February)."""
    import datetime

    _need(_DATE_RE.fullmatch(value), f"date {key}")
    if len(value) == 10:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise CacheDamaged(f"date {key}") from None


_ENTITY = {"id": str, "name": str, "type": str, "aliases": list, "description": str, "wikidata": str,
           "since": str, "until": str, "attributes": dict, "sources": list}  # fmt: skip
_RELATION = {"id": str, "from": str, "to": str, "type": str, "tier": str, "designations": dict, "status": str,
             "since": str, "until": str, "via": str, "attributes": dict, "sources": list, "note": str}  # fmt: skip
_SOURCE = {"title": str, "url": str, "publisher": str, "date": str, "note": str}
_ENTITY_NEEDS = frozenset(("id", "name", "type"))
_RELATION_NEEDS = frozenset(("id", "from", "to", "type", "status"))


def check_entity(eid: object, ent: Any) -> dict:
    """An entity record as the loader makes it, or CacheDamaged."""
    _fields(ent, _ENTITY, _ENTITY_NEEDS, "entity")
    _need(ent["id"] == eid, "entity id")
    return ent


def check_relation(rel: Any, has_entity: Callable[[str], bool] | None = None) -> dict:
    """A relation record as the loader makes it, or CacheDamaged. ``has_entity`` (when given)
    checks that the ids it names exist."""
    _fields(rel, _RELATION, _RELATION_NEEDS, "relation")
    if has_entity is not None:
        for key in ("from", "to", "via"):
            _need(key not in rel or has_entity(rel[key]), f"relation {key}: unknown entity")
    return rel


def check_source(sid: object, src: Any) -> dict:
    """A source of the registry as the loader makes it, or CacheDamaged."""
    _need(type(sid) is str, "source id")
    _fields(src, _SOURCE, frozenset(), "source")
    return src


def check_registry(tiers: object, relation_types: object, entity_types: object, ladders: object) -> None:
    """The vocabularies a cache keeps (the default ladder, declared types, states' ladders)."""

    def rungs(value: object) -> bool:
        return type(value) is list and all(
            type(t) is dict and type(t.get("id")) is str and type(t.get("name", "")) is str for t in value
        )

    _need(rungs(tiers), "tiers")
    _need(type(relation_types) is dict and all(
        type(k) is str and _str_map(v) and type(v.get("symmetric")) is bool and type(v.get("description")) is str
        for k, v in relation_types.items()), "relation types")  # fmt: skip
    _need(type(entity_types) is dict and all(
        type(k) is str and _str_map(v) and type(v.get("description")) is str for k, v in entity_types.items()
    ), "entity types")  # fmt: skip
    _need(type(ladders) is dict and all(
        type(k) is str and type(v) is dict and rungs(v.get("rungs")) and _strs(v.get("sources", []))
        and type(v.get("note", "")) is str for k, v in ladders.items()), "ladders")  # fmt: skip


def check_warnings(warnings: object) -> None:
    """Warnings as kept: (file, line, column, message, severity) tuples."""
    _need(type(warnings) is list and all(
        type(w) in (tuple, list) and len(w) == 5 and type(w[0]) is str and type(w[1]) is int
        and type(w[2]) is int and type(w[3]) is str and w[4] in ("error", "warning") for w in warnings
    ), "warnings")  # fmt: skip


def check_fields(fields: dict) -> None:
    """Every field of a marshal cache's Dataset, and the references between its records."""
    _need(type(fields["directory"]) is str, "directory")
    ents, rels, srcs = fields["entities"], fields["relations"], fields["sources"]
    _need(type(ents) is dict and type(rels) is dict and type(srcs) is dict, "tables")
    for eid, ent in ents.items():
        check_entity(eid, ent)
    for rid, rel in rels.items():
        check_relation(rel, ents.__contains__)
        _need(rel["id"] == rid, "relation id")
    for sid, src in srcs.items():
        check_source(sid, src)
    check_registry(fields["tiers"], fields["relation_types"], fields["entity_types"], fields["ladders"])
    check_warnings(fields["warnings"])
    index = fields["index"]
    _need(type(index) is dict and set(index) >= {"exact", "loose"}, "index")
    for table in (index["exact"], index["loose"]):
        _need(type(table) is dict, "index table")
        for key, ids in table.items():
            _need(type(key) is str and _strs(ids) and all(i in ents for i in ids), "index entry")
