"""The command line: parse arguments, call the library, render the result. Nothing else.

Layout:

- ``app.py``: the Typer ``app``, its root options and ``main()`` (the ``allygraph`` entry point);
- ``options.py``: every option more than one command takes, declared once (``DataOpt``,
  ``JsonOpt``, ``NoCacheOpt``, ``TypeOpt``, ``AsOfOpt``, ...);
- ``errors.py``: the one place that turns an exception into a message and an ``ExitCode``;
- ``common.py``: opening the data (``store``) and answering in JSON or blocks (``respond``);
- one module per command group: ``query.py``, ``export.py``, ``imports.py``, ``cache.py``.

Adding a command group (e.g. ``analysis.py``): write the module with
``group = typer.Typer()`` (top-level commands) or ``group = typer.Typer(name="source", help=...)``
(a subcommand group), declare commands with ``@group.command()`` using the shared options and
``common.respond``, and import the library lazily inside each command (startup stays fast). Then
register it with one line in ``app.py``: ``app.add_typer(analysis.group)`` (and add it to the
``from . import ...`` there). A group module never imports ``app.py``.

Exit codes (CONTRACT.md §3, ``allygraph.errors.ExitCode``): 0 done; 1 nothing to show (unknown
entity, no path, no match); 2 bad input (invalid data, bad arguments, ambiguous name); 74 output
could not be written (a full disk); 70 internal error (a bug). Every message that carries data
goes through ``render.text.safe``.
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
