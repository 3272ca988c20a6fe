"""A team's graph server: ``push`` makes a FalkorDB, Neo4j or Memgraph graph equal to a data
directory, and ``ServerStore`` answers the queries from it (``--server URL``).

- ``url``: what a server URL means (scheme, TLS, graph or database, credentials);
- ``conn``: one small connection interface over the official drivers (``falkordb``, ``neo4j``),
  whose errors never carry the credentials;
- ``push``: the diff against what an earlier push created, applied in batches;
- ``store``: the ``store.base.Store`` interface in Cypher, so the query code runs unchanged.

The drivers are the optional extra ``allygraph[server]``; they load only when a server is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .url import ServerURL, parse_url

if TYPE_CHECKING:
    from .store import ServerStore

__all__ = ["ServerURL", "open_server_store", "parse_url"]  # push: allygraph.server.push.push


def open_server_store(url: str) -> ServerStore:
    """A ``ServerStore`` over the graph at ``url`` (``store.ServerStore``)."""
    from .conn import connect
    from .store import ServerStore

    return ServerStore(connect(parse_url(url)))
