"""``allygraph push URL``: make the server's graph equal to a data directory.

What allygraph writes, and owns (``OWNER``: a property ``allygraph_owner`` on each):

- ``(:Entity {id, name, type, aliases, description, since, until, wikidata, sources})``;
- ``(:Source {id, title, url, publisher, date})``, the source registry;
- ``(:Entity)-[:RELATION {id, type, tier, status, since, until, via, note, sources}]->(:Entity)``;
- one ``(:AllygraphPush {owner})`` record: the state of the last push (``in_progress`` or
  ``complete``), the digest of what it left, the vocabularies the queries need (``meta``).

Each element also keeps its record as JSON (``allygraph_doc``: what ``--server`` reads back,
exactly as local) and a hash of its properties (``allygraph_hash``). A push reads what allygraph
owns on the server, compares it with the data, and writes only the difference, in batches of
``UNWIND $rows`` with parameters, each batch one query and so one transaction. Nothing it does
not own is touched (deleting an owned entity detaches whatever edges others drew to it).

It is idempotent (a second push writes nothing), and resumable: a push that stops half-way
(a server gone, a failed batch) leaves the record ``in_progress``, and the next push reads the
server as it is and completes the sync. A graph that someone else changed since the last
complete push (an owned element edited, or the set of owned elements not the one the push left)
is drift: reported, nothing written, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..dataset import Dataset
    from .conn import Connection

OWNER = "allygraph_owner"
DOC = "allygraph_doc"
HASH = "allygraph_hash"
NAME_KEYS, LOOSE_KEYS = "allygraph_keys", "allygraph_loose"  # an entity's exact and loose name keys
DEFAULT_OWNER = "allygraph"
BATCH = 2000
KINDS = ("sources", "entities", "relations")

_ENTITY_FIELDS = ("id", "name", "type", "description", "wikidata", "since", "until")
_RELATION_FIELDS = ("id", "type", "tier", "status", "since", "until", "via", "note")
_SOURCE_FIELDS = ("title", "url", "publisher", "date")

# every query: fixed text, values only as parameters
READ_NODES = "MATCH (n:{label}) WHERE n.allygraph_owner = $owner RETURN n.id, properties(n)"
READ_RELATIONS = ("MATCH (a)-[r:RELATION]->(b) WHERE r.allygraph_owner = $owner "
                  "RETURN r.id, a.id, b.id, properties(r)")  # fmt: skip
READ_RECORD = "MATCH (p:AllygraphPush) WHERE p.owner = $owner RETURN properties(p)"
UPSERT = {
    "sources": "UNWIND $rows AS row MERGE (n:Source {id: row.id, allygraph_owner: $owner}) SET n = row.props",
    "entities": "UNWIND $rows AS row MERGE (n:Entity {id: row.id, allygraph_owner: $owner}) SET n = row.props",
}
CREATE_RELATIONS = ("UNWIND $rows AS row MATCH (a:Entity {id: row.from}), (b:Entity {id: row.to}) "
                    "WHERE a.allygraph_owner = $owner AND b.allygraph_owner = $owner "
                    "CREATE (a)-[r:RELATION]->(b) SET r = row.props")  # fmt: skip
UPDATE_RELATIONS = ("UNWIND $rows AS row MATCH ()-[r:RELATION {id: row.id}]->() "
                    "WHERE r.allygraph_owner = $owner SET r = row.props")  # fmt: skip
DELETE = {
    "relations": "UNWIND $ids AS id MATCH ()-[r:RELATION {id: id}]->() WHERE r.allygraph_owner = $owner DELETE r",
    "entities": "UNWIND $ids AS id MATCH (n:Entity {id: id}) WHERE n.allygraph_owner = $owner DETACH DELETE n",
    "sources": "UNWIND $ids AS id MATCH (n:Source {id: id}) WHERE n.allygraph_owner = $owner DETACH DELETE n",
}
RECORD_START = "MERGE (p:AllygraphPush {owner: $owner}) SET p.state = 'in_progress', p.started_at = $at"
RECORD_DONE = ("MERGE (p:AllygraphPush {owner: $owner}) SET p.state = 'complete', p.digest = $digest, "
               "p.meta = $meta, p.pushed_at = $at, p.version = $version, p.counts = $counts")  # fmt: skip


def _str_list(value: object) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _props(
    record: dict, fields: tuple[str, ...], owner: str, lists: tuple[str, ...] = ("aliases", "sources"), keys: str = ""
) -> dict:
    """The properties of one element: its scalar text fields (for dashboards), its string lists,
    for an entity (``keys``: its id) the name keys it is found by (``names.build_index``: exact
    and loose keys of its id, name and aliases), its whole record as JSON, the owner, and the
    hash of all of it."""
    props: dict = {k: record[k] for k in fields if isinstance(record.get(k), str)}
    for k in lists:
        got = _str_list(record.get(k))
        if got is not None:
            props[k] = got
    if keys:
        from ..names import build_index

        index = build_index({keys: record})
        props[NAME_KEYS], props[LOOSE_KEYS] = list(index["exact"]), list(index["loose"])
    props[DOC] = json.dumps(
        record, ensure_ascii=False, separators=(",", ":")
    )  # key order kept: the JSON is the local JSON
    props[OWNER] = owner
    props[HASH] = prop_hash(props)
    return props


def prop_hash(props: dict) -> str:
    """The hash of an element's properties (all but the hash itself): what drift is measured by."""
    body = {k: v for k, v in props.items() if k != HASH}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def props_of(ds: Dataset, kind: str, eid: str, owner: str = DEFAULT_OWNER) -> dict:
    """The properties one element of ``ds`` has on the server (see the module docstring)."""
    if kind == "sources":
        return _source_fields(eid, ds.sources[eid], owner)
    if kind == "entities":
        return _props(ds.entities[eid], _ENTITY_FIELDS, owner, keys=eid)
    return _props(ds.relations[eid], _RELATION_FIELDS, owner, ("sources",))


def desired(ds: Dataset, owner: str = DEFAULT_OWNER) -> dict[str, dict[str, dict]]:
    """What the server should hold, per kind: id -> {hash, and for relations from, to}. Only the
    hashes are kept (a million relations' properties would take gigabytes): the properties of
    what is written are made again, batch by batch (``props_of``)."""
    out: dict[str, dict[str, dict]] = {k: {} for k in KINDS}
    for kind, records in (("sources", ds.sources), ("entities", ds.entities), ("relations", ds.relations)):
        table = out[kind]
        for eid, rec in records.items():
            row = {"hash": props_of(ds, kind, eid, owner)[HASH]}
            if kind == "relations":
                row["from"], row["to"] = rec["from"], rec["to"]
            table[eid] = row
    return out


def _source_fields(sid: str, src: dict, owner: str) -> dict:
    props = {"id": sid, **{k: src[k] for k in _SOURCE_FIELDS if isinstance(src.get(k), str)}}
    props[DOC] = json.dumps(src, ensure_ascii=False, separators=(",", ":"))
    props[OWNER] = owner
    props[HASH] = prop_hash(props)
    return props


def current(conn: Connection, owner: str = DEFAULT_OWNER) -> tuple[dict[str, dict[str, list[dict]]], dict | None]:
    """What allygraph owns on the server now, per kind: id -> [each element with that id:
    {stored, actual (hashes), and for relations from, to}], and the push record (or None)."""
    have: dict[str, dict[str, list[dict]]] = {k: {} for k in KINDS}
    for kind, label in (("sources", "Source"), ("entities", "Entity")):
        for eid, props in conn.read(READ_NODES.format(label=label), {"owner": owner}):
            have[kind].setdefault(eid, []).append(_seen(props))
    for rid, a, b, props in conn.read(READ_RELATIONS, {"owner": owner}):
        have["relations"].setdefault(rid, []).append({**_seen(props), "from": a, "to": b})
    rows = conn.read(READ_RECORD, {"owner": owner})
    record = dict(rows[0][0]) if rows else None
    return have, record


def _seen(props: dict) -> dict:
    props = dict(props)
    return {"stored": props.get(HASH), "actual": prop_hash(props)}


def digest(entries: Iterator[tuple[str, str, str]]) -> str:
    """One hash of a whole graph's (kind, id, element hash) triples, whatever their order."""
    h = hashlib.sha256()
    for line in sorted(f"{k}\t{i}\t{x}" for k, i, x in entries):
        h.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()[:32]


def plan(want: dict, have: dict, record: dict | None) -> dict:
    """The difference: per kind, ids to create, update and delete (relations whose ends changed
    are ``rewire``: deleted and created again, counted as updated), ``unchanged`` counts, and the
    ``drift`` found (elements others edited; a set of elements not the one the last push left)."""
    out: dict = {"drift": []}
    for kind in KINDS:
        w, h = want[kind], have[kind]
        create, update, rewire, delete = [], [], [], []
        unchanged = 0
        for i, rec in w.items():
            seen = h.get(i)
            if not seen:
                create.append(i)
                continue
            edited = any(s["stored"] != s["actual"] for s in seen)
            if edited:
                out["drift"].append({"kind": kind, "id": i, "change": "edited"})
            moved = kind == "relations" and (
                len(seen) > 1 or (seen[0]["from"], seen[0]["to"]) != (rec["from"], rec["to"])
            )
            if moved:
                rewire.append(i)
            elif edited or seen[0]["stored"] != rec["hash"]:
                update.append(i)
            else:
                unchanged += 1
        for i, seen in h.items():
            if i not in w:
                delete.append(i)
                if any(s["stored"] != s["actual"] for s in seen):
                    out["drift"].append({"kind": kind, "id": i, "change": "edited"})
        out[kind] = {"create": create, "update": update, "rewire": rewire, "delete": delete, "unchanged": unchanged}
    if record is not None and record.get("state") == "complete":
        now = digest((k, i, s["stored"]) for k in KINDS for i, seen in have[k].items() for s in seen)
        if now != record.get("digest"):
            counts = json.loads(record.get("counts") or "{}")
            found = {k: sum(len(v) for v in have[k].values()) for k in KINDS}
            out["drift"].append({"kind": "graph", "id": None, "change": "the set of allygraph's elements changed: "
                                 f"the last push left {_counts(counts)}, the server now holds {_counts(found)}"})  # fmt: skip
    return out


def _counts(c: dict) -> str:
    return ", ".join(f"{c.get(k, 0)} {k}" for k in ("entities", "relations", "sources"))


class Drift(UsageError):
    """The graph was changed by someone else since the last push: nothing was written."""

    def __init__(self, display: str, drift: list[dict]) -> None:
        self.drift = drift
        shown = "; ".join(
            d["change"] if d["id"] is None else f"{d['kind']} {d['id']!r} {d['change']}" for d in drift[:5]
        )
        more = f" and {len(drift) - 5} more" if len(drift) > 5 else ""
        super().__init__(f"{display}: the graph was changed since allygraph's last push ({shown}{more}); "
                         "nothing was written: look at it, then push --force to overwrite those changes")  # fmt: skip


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def push(
    ds: Dataset,
    conn: Connection,
    *,
    owner: str = DEFAULT_OWNER,
    dry_run: bool = False,
    force: bool = False,
    batch_size: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Make the graph behind ``conn`` equal to ``ds`` (see the module docstring) and return the
    summary: ``{"server", "dry_run", "forced", "created", "updated", "deleted", "unchanged"}``
    (each per kind: entities, relations, sources), ``drift`` and ``batches``. Raises ``Drift``
    when others changed the graph (unless ``force``), ``ServerUnavailable`` when the server
    goes away (the next push completes the sync)."""
    from .. import __version__

    t0 = time.perf_counter()
    want = desired(ds, owner)
    have, record = current(conn, owner)
    p = plan(want, have, record)
    if p["drift"] and not force and not dry_run:
        raise Drift(conn.display, p["drift"])
    summary = {
        "server": conn.display,
        "dry_run": dry_run,
        "forced": bool(force and p["drift"]),
        "created": {k: len(p[k]["create"]) for k in ("entities", "relations", "sources")},
        "updated": {k: len(p[k]["update"]) + len(p[k]["rewire"]) for k in ("entities", "relations", "sources")},
        "deleted": {k: len(p[k]["delete"]) for k in ("entities", "relations", "sources")},
        "unchanged": {k: p[k]["unchanged"] for k in ("entities", "relations", "sources")},
        "drift": p["drift"],
        "batches": 0,
    }
    nothing = not any(p[k][a] for k in KINDS for a in ("create", "update", "rewire", "delete"))
    if dry_run or (nothing and not p["drift"] and record is not None and record.get("state") == "complete"):
        summary["seconds"] = round(time.perf_counter() - t0, 3)
        return summary
    params = {"owner": owner}
    batches = 0

    def run(cypher: str, key: str, ids: list, what: str, row: Callable[..., object]) -> None:
        nonlocal batches
        for chunk in _batches(ids, batch_size):
            conn.write(cypher, {**params, key: [row(i) for i in chunk]})
            batches += 1
            if progress:
                progress(what, len(chunk))

    conn.ensure_indexes()
    conn.write(RECORD_START, {**params, "at": _now()})
    for kind in ("sources", "entities"):
        run(UPSERT[kind], "rows", p[kind]["create"] + p[kind]["update"], kind,
            lambda i, kind=kind: {"id": i, "props": props_of(ds, kind, i, owner)})  # fmt: skip
    rel, R = p["relations"], ds.relations
    run(DELETE["relations"], "ids", rel["rewire"] + rel["delete"], "relations", str)
    run(CREATE_RELATIONS, "rows", rel["create"] + rel["rewire"], "relations",
        lambda i: {"from": R[i]["from"], "to": R[i]["to"], "props": props_of(ds, "relations", i, owner)})  # fmt: skip
    run(UPDATE_RELATIONS, "rows", rel["update"], "relations",
        lambda i: {"id": i, "props": props_of(ds, "relations", i, owner)})  # fmt: skip
    run(DELETE["entities"], "ids", p["entities"]["delete"], "entities", str)
    run(DELETE["sources"], "ids", p["sources"]["delete"], "sources", str)
    meta = {"tiers": ds.tiers, "directory": ds.directory, "relation_types": ds.relation_types,
            "entity_types": ds.entity_types, "ladders": ds.ladders}  # fmt: skip
    left = digest((k, i, want[k][i]["hash"]) for k in KINDS for i in want[k])
    counts = {k: len(want[k]) for k in KINDS}
    conn.write(RECORD_DONE, {**params, "digest": left, "meta": json.dumps(meta, ensure_ascii=False, default=str),
                             "at": _now(), "version": __version__, "counts": json.dumps(counts)})  # fmt: skip
    summary["batches"] = batches + 2
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
