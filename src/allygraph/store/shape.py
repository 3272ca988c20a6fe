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
from collections.abc import Callable

from ..errors import CacheDamaged

_SCALARS = (str, int, float, bool, type(None))
_DATE_KEYS = ("since", "until", "date")


def _need(ok: object, what: str) -> None:
    if not ok:
        raise CacheDamaged(what)


def _strs(value: object) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _str_map(value: object, values: tuple = _SCALARS) -> bool:
    import math

    return type(value) is dict and all(
        type(k) is str and isinstance(v, values) and not (type(v) is float and not math.isfinite(v))
        for k, v in value.items()
    )


_DATE_RE = re.compile(r"(?!0000)[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-[0-3][0-9])?)?")


def _dates_ok(rec: dict) -> None:
    import datetime

    for key in _DATE_KEYS:
        value = rec.get(key)
        if value is not None:  # as dates.parse accepts, and a day Python can represent
            _need(type(value) is str and _DATE_RE.fullmatch(value), f"date {key}")
            if len(value) == 10:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    raise CacheDamaged(f"date {key}") from None


def check_entity(eid: object, ent: object) -> dict:
    """An entity record as the loader makes it, or CacheDamaged."""
    _need(type(ent) is dict and all(type(k) is str for k in ent), "entity")
    _need(type(eid) is str and ent.get("id") == eid, "entity id")
    _need(type(ent.get("name")) is str and type(ent.get("type")) is str, "entity name/type")
    _need(_strs(ent.get("aliases", [])) and _strs(ent.get("sources", [])), "entity names")
    for key in ("description", "wikidata"):
        _need(type(ent.get(key, "")) is str, f"entity {key}")
    _need(_str_map(ent.get("attributes", {})), "entity attributes")
    _dates_ok(ent)
    return ent


def check_relation(rel: object, has_entity: Callable[[str], bool] | None = None) -> dict:
    """A relation record as the loader makes it, or CacheDamaged. ``has_entity`` (when given)
    checks that the ids it names exist."""
    _need(type(rel) is dict and all(type(k) is str for k in rel), "relation")
    for key in ("id", "from", "to", "type", "status"):
        _need(type(rel.get(key)) is str, f"relation {key}")
    for key in ("tier", "via", "note"):
        _need(type(rel.get(key, "")) is str, f"relation {key}")
    _need(_strs(rel.get("sources", [])), "relation sources")
    _need(_str_map(rel.get("attributes", {})), "relation attributes")
    _need(_str_map(rel.get("designations", {}), (str,)), "relation designations")
    _dates_ok(rel)
    if has_entity is not None:
        for key in ("from", "to", "via"):
            _need(key not in rel or has_entity(rel[key]), f"relation {key}: unknown entity")
    return rel


def check_source(sid: object, src: object) -> dict:
    """A source of the registry as the loader makes it, or CacheDamaged."""
    _need(type(sid) is str and _str_map(src), "source")
    _dates_ok(src)
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
