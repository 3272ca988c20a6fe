"""One small connection interface over the official drivers: ``read`` rows, ``write`` one batch
in one transaction, ``ensure_indexes``. Every driver error becomes an ``AllygraphError`` whose
message holds neither the password nor the URL's user info (``_scrub``):

- unreachable, refused connection, dropped mid-way: ``ServerUnavailable`` (exit 69);
- wrong credentials, a query the server rejects: ``UsageError`` (exit 2).
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

from ..errors import AllygraphError, ServerUnavailable, UsageError
from .url import ServerURL

TIMEOUT = 10.0  # seconds to connect

# the indexes the store reads by: entity, source and relation ids, relations' via, the push record
FALKOR_INDEXES = (
    "CREATE INDEX FOR (n:Entity) ON (n.id)",
    "CREATE INDEX FOR (n:Source) ON (n.id)",
    "CREATE INDEX FOR ()-[r:RELATION]-() ON (r.id, r.via)",
    "CREATE INDEX FOR (p:AllygraphPush) ON (p.owner)",
)
NEO4J_INDEXES = (
    "CREATE INDEX allygraph_entity_id IF NOT EXISTS FOR (n:Entity) ON (n.id)",
    "CREATE INDEX allygraph_source_id IF NOT EXISTS FOR (n:Source) ON (n.id)",
    "CREATE INDEX allygraph_relation_id IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.id)",
    "CREATE INDEX allygraph_relation_via IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.via)",
    "CREATE INDEX allygraph_push_owner IF NOT EXISTS FOR (p:AllygraphPush) ON (p.owner)",
)
MEMGRAPH_INDEXES = (  # Memgraph's own syntax, tried when Neo4j's is refused (untested here: no Memgraph)
    "CREATE INDEX ON :Entity(id)",
    "CREATE INDEX ON :Source(id)",
    "CREATE EDGE INDEX ON :RELATION(id)",
    "CREATE EDGE INDEX ON :RELATION(via)",
    "CREATE INDEX ON :AllygraphPush(owner)",
)


class Connection:
    """A graph on a server. ``display`` is its URL without credentials."""

    url: ServerURL

    @property
    def display(self) -> str:
        """The server URL without credentials."""
        return self.url.display

    def read(self, cypher: str, params: dict | None = None) -> list[list]:  # pragma: no cover - interface
        """The rows of a read-only query."""
        raise TypeError("Connection is an interface")

    def write(self, cypher: str, params: dict | None = None) -> None:  # pragma: no cover - interface
        """Run one write query in one transaction: all of it happens, or none."""
        raise TypeError("Connection is an interface")

    def ensure_indexes(self) -> None:  # pragma: no cover - interface
        """Create the indexes the store reads by, when missing."""
        raise TypeError("Connection is an interface")

    def close(self) -> None:
        """Let go of the connection."""

    def _error(self, exc: BaseException, doing: str) -> AllygraphError:
        """A driver error as a clean error, without secrets (see the module docstring)."""
        msg = " ".join(_scrub(str(exc) or type(exc).__name__, self.url).split())  # one line
        where = self.display
        if _is_auth(exc, msg):
            return UsageError(f"{where}: the server refused the credentials while {doing} "
                              "(set ALLYGRAPH_SERVER_USER and ALLYGRAPH_SERVER_PASSWORD, or user:password@ in the URL)")  # fmt: skip
        if _is_unavailable(exc):
            return ServerUnavailable(f"{where}: the server is unreachable or went away while {doing}: {msg}")
        return UsageError(f"{where}: the server refused a query while {doing}: {msg}")


def _scrub(text: str, url: ServerURL) -> str:
    """``text`` with every secret of ``url`` replaced by ``***``."""
    for secret in sorted(url.secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _is_auth(exc: BaseException, msg: str) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    low = msg.lower()
    return bool(names & {"AuthenticationError", "AuthError", "AuthenticationWrongNumberOfArgsError"}) or any(
        w in low for w in ("wrongpass", "noauth", "invalid username-password", "unauthorized", "authentication")
    )


def _is_unavailable(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"ConnectionError", "TimeoutError", "ServiceUnavailable", "SessionExpired", "OSError"})


def _close_quietly(client: Any) -> None:
    """Close a driver or client, whatever state it is in."""
    with contextlib.suppress(Exception):
        client.close()


def connect(url: ServerURL) -> Connection:
    """An open connection to the graph at ``url`` (checked with a round trip)."""
    return FalkorConnection(url) if url.kind == "falkordb" else BoltConnection(url)


def _missing_driver(name: str) -> UsageError:
    return UsageError(f"the {name!r} driver is not installed: pip install 'allygraph[server]'")


class FalkorConnection(Connection):
    """FalkorDB through the official ``falkordb`` client (over redis-py). Each query is one
    transaction: FalkorDB runs a graph query atomically."""

    def __init__(self, url: ServerURL) -> None:
        self.url = url
        try:
            import falkordb
        except ImportError:
            raise _missing_driver("falkordb") from None
        try:
            self.db = falkordb.FalkorDB(host=url.host, port=url.port, username=url.user, password=url.password,
                                        ssl=url.tls, socket_connect_timeout=TIMEOUT)  # fmt: skip
            weakref.finalize(self, _close_quietly, self.db.connection)
            self.db.connection.ping()
            self.graph = self.db.select_graph(url.graph)
        except Exception as exc:  # noqa: BLE001 - every driver error, without secrets
            raise self._error(exc, "connecting") from None

    def read(self, cypher: str, params: dict | None = None) -> list[list]:
        """The rows of a read-only query (``GRAPH.RO_QUERY``)."""
        try:
            return self.graph.ro_query(cypher, params).result_set
        except Exception as exc:  # noqa: BLE001
            if "empty key" in str(exc).lower() or "invalid graph operation on empty key" in str(exc).lower():
                return []  # the graph does not exist yet: nothing in it
            raise self._error(exc, "reading") from None

    def write(self, cypher: str, params: dict | None = None) -> None:
        """One query, one transaction."""
        try:
            self.graph.query(cypher, params)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "writing") from None

    def ensure_indexes(self) -> None:
        """Create the indexes, ignoring those that exist."""
        for st in FALKOR_INDEXES:
            try:
                self.graph.query(st)
            except Exception as exc:  # noqa: BLE001
                if "already indexed" not in str(exc):
                    raise self._error(exc, "creating indexes") from None

    def close(self) -> None:
        """Close the client's connections."""
        with contextlib.suppress(Exception):  # closing is best effort
            self.db.connection.close()


class BoltConnection(Connection):
    """Neo4j or Memgraph through the official ``neo4j`` driver: each batch one auto-commit
    query (one transaction), on ``graph`` as the database (None: the server's default)."""

    def __init__(self, url: ServerURL) -> None:
        self.url = url
        try:
            import neo4j
        except ImportError:
            raise _missing_driver("neo4j") from None
        auth = (url.user or "", url.password or "") if (url.user or url.password) else None
        try:
            self.driver = neo4j.GraphDatabase.driver(f"{url.scheme}://{url.host}:{url.port}", auth=auth,
                                                     connection_timeout=TIMEOUT,
                                                     connection_acquisition_timeout=TIMEOUT)  # fmt: skip
            self.driver.verify_connectivity()
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "connecting") from None

    def _session(self, write: bool):  # noqa: ANN202
        """A session on the database; reads ask for a reader only where the driver routes
        (``neo4j://``: a cluster's followers serve them). A direct ``bolt://`` connection sends
        no access mode (FalkorDB's Bolt endpoint would read it as a graph name)."""
        import neo4j

        if write or not self.url.scheme.startswith("neo4j"):
            return self.driver.session(database=self.url.graph)
        return self.driver.session(database=self.url.graph, default_access_mode=neo4j.READ_ACCESS)

    def read(self, cypher: str, params: dict | None = None) -> list[list]:
        """The rows of a query, in a read transaction."""
        try:
            with self._session(False) as s:
                return [list(r.values()) for r in s.run(cypher, params or {})]
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "reading") from None

    def write(self, cypher: str, params: dict | None = None) -> None:
        """One query, one (auto-commit) transaction: Neo4j and Memgraph run a lone query as a
        transaction of its own, and FalkorDB's Bolt endpoint takes no explicit ones."""
        try:
            with self._session(True) as s:
                s.run(cypher, params or {}).consume()
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "writing") from None

    def ensure_indexes(self) -> None:
        """Neo4j's index syntax, else FalkorDB's (its Bolt endpoint), else Memgraph's; indexes that
        exist are kept. Best effort: without them a push and the queries work, only slower (and
        FalkorDB's Bolt endpoint reports an existing index as an unknown error)."""
        for dialect in (NEO4J_INDEXES, FALKOR_INDEXES, MEMGRAPH_INDEXES):
            try:
                for st in dialect:
                    try:
                        self._run_plain(st)
                    except UsageError as exc:
                        if not any(w in str(exc).lower() for w in ("already indexed", "already exists")):
                            raise
                return
            except UsageError:
                continue

    def _run_plain(self, cypher: str) -> Any:
        try:
            with self._session(True) as s:
                return s.run(cypher).consume()
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, "creating indexes") from None

    def close(self) -> None:
        """Close the driver."""
        with contextlib.suppress(Exception):
            self.driver.close()
