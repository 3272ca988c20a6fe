"""The one place that turns an exception into a message on stderr and an exit code.

``fail`` reports a library error (an ``AllygraphError``, which carries its ``ExitCode``) from
inside a command, also as JSON with ``--json``; ``handle`` decides for whatever reaches
``main()``: click's own errors (recognised by type), a closed pipe, a full disk, Ctrl-C, a bug.
Every data string is made safe (``render.text.safe``) before it reaches a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click.exceptions

from ..errors import OUTPUT_ERRNOS, AllygraphError, AmbiguousName, DataError, ExitCode, InvalidChange, UnknownEntity
from ..render.layout import to_json
from ..render.text import safe


def _say(message: object) -> None:
    print(f"allygraph: {safe(message)}", file=sys.stderr)


def fail(exc: AllygraphError, as_json: bool = False) -> NoReturn:
    """Report a library error on stderr (and as ``{"error": ...}`` on stdout with ``--json``),
    then exit with the code it carries."""
    if isinstance(exc, DataError):
        for p in exc.errors:
            print(str(p), file=sys.stderr)
        _say(exc if isinstance(exc, InvalidChange) else f"{exc} (run `allygraph check` for the full report)")
    else:
        _say(exc)
    if as_json:
        err: dict = {"message": str(exc), "kind": type(exc).__name__}
        if isinstance(exc, UnknownEntity):
            err["suggestions"] = exc.suggestions
        if isinstance(exc, AmbiguousName):
            err["choices"] = [{"id": i, "name": n} for i, n in exc.choices]
        if isinstance(exc, DataError):
            err["errors"] = [p.to_json() for p in exc.errors]
        to_json({"error": err})
    raise click.exceptions.Exit(int(exc.exit_code))


def usage(message: str) -> NoReturn:
    """A bad combination of arguments: one line, exit 2."""
    _say(message)
    raise click.exceptions.Exit(ExitCode.BAD_INPUT)


def cannot_write(where: object, exc: OSError) -> NoReturn:
    """A file the command was asked to write could not be: one line, exit 2."""
    _say(f"cannot write {where}: {exc.strerror or exc}")
    raise click.exceptions.Exit(ExitCode.BAD_INPUT)


def handle(exc: BaseException) -> int:
    """The exit status for ``exc``, which reached ``main()``, after a one-line message on stderr
    where one is due. A ``SystemExit`` other than click's closed-pipe exit is raised again."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # bare `allygraph`: the help is printed
        return ExitCode.DONE
    if isinstance(exc, click.exceptions.ClickException):  # usage errors: one line, never a traceback
        ctx = getattr(exc, "ctx", None)
        sub = ctx.command_path if ctx else "allygraph"
        _say(f"{exc.format_message()} (see `{sub} --help`)")
        return exc.exit_code
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, (click.exceptions.Abort, KeyboardInterrupt)):
        _say("interrupted" if isinstance(exc, KeyboardInterrupt) else "aborted")
        return ExitCode.INTERRUPTED
    if isinstance(exc, SystemExit):
        # click's wrapper of a closed stdout, by name: click 8.2 renamed it _PacifyFlushWrapper and
        # warns on the old name (mypy: the old name is only a module __getattr__ now), 9.0 drops it
        if type(sys.stdout).__name__.lstrip("_") != "PacifyFlushWrapper":
            raise exc
        _drop_stdout()  # click met a closed pipe
        return ExitCode.PIPE
    if isinstance(exc, BrokenPipeError):  # the reader went away (`| head`): stop quietly
        _drop_stdout()
        return ExitCode.PIPE
    if isinstance(exc, MemoryError):  # the library names the data where it can (load.out_of_memory)
        _say("out of memory: the data (or the answer asked for) is too large for the memory available")
        return ExitCode.BAD_INPUT
    if isinstance(exc, OSError) and exc.errno in OUTPUT_ERRNOS:
        _drop_stdout()
        _say(f"cannot write the output: {exc.strerror or exc}")
        return ExitCode.OUTPUT
    return _internal_error(exc)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _internal_error(exc: BaseException) -> int:
    """A bug: one line asking for a report (``ALLYGRAPH_DEBUG=1`` shows the traceback instead)."""
    if os.environ.get("ALLYGRAPH_DEBUG"):
        raise exc
    _say(f"internal error: {type(exc).__name__}: {exc} (set ALLYGRAPH_DEBUG=1 for details; please report it)")
    return ExitCode.INTERNAL
