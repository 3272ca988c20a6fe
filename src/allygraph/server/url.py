"""Server URLs: which driver, which host, which graph, which credentials, TLS or not.

=============================================  ==========================================
URL                                            means
=============================================  ==========================================
``falkordb://host[:6379]/graph``               FalkorDB (the ``falkordb`` client), graph ``graph``
``falkordbs://host[:6379]/graph``              the same over TLS (``rediss://`` is accepted too)
``bolt://host[:7687][/database]``              Neo4j or Memgraph (the ``neo4j`` driver), one server
``neo4j://host[:7687][/database]``             the same, routed across a Neo4j cluster
``bolt+s://``, ``neo4j+s://``                  TLS with a verified certificate
``bolt+ssc://``, ``neo4j+ssc://``              TLS with a self-signed certificate
=============================================  ==========================================

Credentials come from the URL's user info (``bolt://user:pass@host``) or, when it has none,
from ``ALLYGRAPH_SERVER_USER`` and ``ALLYGRAPH_SERVER_PASSWORD``. They are kept out of every
``repr``, message and log line: ``ServerURL.display`` is the URL without them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import UsageError

FALKOR_SCHEMES = {"falkordb": False, "falkordbs": True, "redis": False, "rediss": True}
BOLT_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
DEFAULT_GRAPH = "allygraph"


@dataclass(frozen=True)
class ServerURL:
    """A parsed server URL. ``kind`` is ``falkordb`` or ``bolt``; ``graph`` is the FalkorDB graph
    or the Neo4j database (None: the server's default); the password never shows in ``repr``."""

    kind: str
    scheme: str
    host: str
    port: int
    graph: str | None
    tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The URL without credentials: what messages may show."""
        tail = f"/{self.graph}" if self.graph else ""
        return f"{self.scheme}://{self.host}:{self.port}{tail}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message: the password and the user info as written."""
        out = []
        if self.password:
            out.append(self.password)
            out.append(f"{self.user or ''}:{self.password}")
        return tuple(out)


def parse_url(url: str, env: Mapping[str, str] | None = None) -> ServerURL:
    """Parse a server URL (see the module docstring); raise UsageError, without the URL's
    credentials, when it is not one.

    >>> parse_url("falkordb://localhost/team", env={})
    ServerURL(kind='falkordb', scheme='falkordb', host='localhost', port=6379, graph='team', tls=False, user=None)
    >>> parse_url("bolt+s://neo:secret@db.example.org/news", env={}).display
    'bolt+s://db.example.org:7687/news'
    """
    env = os.environ if env is None else env
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise UsageError(f"--server: not a server URL: {_without_userinfo(url)!r}") from None
    scheme = parts.scheme.lower()
    if scheme in FALKOR_SCHEMES:
        kind, tls, default_port = "falkordb", FALKOR_SCHEMES[scheme], 6379
    elif scheme in BOLT_SCHEMES:
        kind, tls, default_port = "bolt", "+" in scheme, 7687
    else:
        known = ", ".join(sorted({*FALKOR_SCHEMES, *BOLT_SCHEMES}))
        raise UsageError(
            f"server URL {_without_userinfo(url)!r}: unknown scheme {scheme or '(none)'!r}; use one of {known}"
        )
    if not host:
        raise UsageError(f"server URL {_without_userinfo(url)!r} names no host")
    graph = unquote(parts.path.strip("/")) or None
    if graph and "/" in graph:
        raise UsageError(f"server URL {_without_userinfo(url)!r}: the path is one graph or database name")
    if kind == "falkordb" and graph is None:
        graph = DEFAULT_GRAPH
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if user is None and password is None:
        user = env.get("ALLYGRAPH_SERVER_USER") or None
        password = env.get("ALLYGRAPH_SERVER_PASSWORD") or None
    return ServerURL(kind, scheme, host, port or default_port, graph, tls, user, password)


def _without_userinfo(url: str) -> str:
    """``url`` with anything before an ``@`` in its authority cut out."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url.rsplit("@", 1)[-1]
    authority, slash, path = rest.partition("/")
    return f"{head}://{authority.rsplit('@', 1)[-1]}{slash}{path}"
