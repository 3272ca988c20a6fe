"""The command line: parse arguments, call the library, render the result. Nothing else.

Layout:

- ``app.py``: the Typer ``app``, its root options, the table of commands (``COMMANDS``) and
  ``main()`` (the ``allygraph`` entry point); only the command that runs is imported and built;
- ``options.py``: every option more than one command takes, declared once (``DataOpt``,
  ``JsonOpt``, ``NoCacheOpt``, ``TypeOpt``, ``AsOfOpt``, ...);
- ``errors.py``: the one place that turns an exception into a message and an ``ExitCode``;
- ``common.py``: opening the data (``store``) and answering in JSON or blocks (``respond``);
- one module per command group: ``query.py``, ``export.py``, ``imports.py``, ``cache.py``.

Adding a command group (e.g. ``analysis.py``): write the module with
``group = typer.Typer()`` (top-level commands) or ``group = typer.Typer(name="source", help=...)``
(a subcommand group), declare commands with ``@group.command()`` using the shared options and
``common.respond``, and import the library lazily inside each command (startup stays fast). Then
register each command with one line of ``COMMANDS`` in ``app.py``: ``"rank": "analysis.group"``
(a subcommand group: its name, ``"source": "edit.source_group"``); ``tests/test_startup.py``
fails while the table and the modules disagree. A group module never imports ``app.py``.

Exit codes (CONTRACT.md §3, ``allygraph.errors.ExitCode``): 0 done; 1 nothing to show (unknown
entity, no path, no match); 2 bad input (invalid data, bad arguments, ambiguous name); 74 output
could not be written (a full disk); 70 internal error (a bug). Every message that carries data
goes through ``render.text.safe``.
"""

from __future__ import annotations

import gc

# Importing click, Typer and the app makes some 60,000 objects that live as long as the process
# and hold no garbage: the cyclic collector would scan them again and again while they are made,
# and once more at exit. It is paused while they are made, and they are frozen (moved where it
# never looks); what a command makes later is collected as usual (a fifth of a cached query's time).
_collecting = gc.isenabled()
gc.disable()
try:
    from .app import app, main
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

__all__ = ["app", "main"]
