"""What every command does the same way: open the data, answer in JSON or in blocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ..errors import AllygraphError
from ..render.layout import emit, to_json
from .errors import fail

if TYPE_CHECKING:
    from ..store import Store


def store(
    data: Optional[Path], no_cache: bool = False, min_grade: Optional[str] = None, server: Optional[str] = None
) -> Any:
    """What queries read (see ``load.open_store``): the data of ``--data``, cached unless
    ``--no-cache``, or the graph server of ``--server`` (``server.open_server_store``), narrowed
    to relations resting on a source of ``--min-grade`` or stronger."""
    from ..load import open_store

    S: Store
    if server is not None:
        from ..server import open_server_store

        S = open_server_store(server)
    else:
        S = open_store(data, use_cache=not no_cache)
    if min_grade is None:
        return S
    from ..grades import check_grade
    from ..store.graded import GradedStore

    return GradedStore(S, check_grade(min_grade))


def respond(as_json: bool, compute: Callable[[], dict], to_blocks: Callable[[dict], list]) -> dict:
    """Run ``compute`` (one library call) and print its result, as JSON with ``--json`` or as
    blocks (``render.layout``); a library error becomes a message and its exit code (``errors.fail``)."""
    from ..cache import retry_on_damage

    try:
        result = retry_on_damage(compute)  # a forged or damaged cache, found midway: once more, afresh
    except AllygraphError as exc:
        fail(exc, as_json)
    show(result, as_json, to_blocks)
    return result


def show(result: dict, as_json: bool, to_blocks: Callable[[dict], list]) -> None:
    """Print a command's result: as JSON with ``--json``, else as blocks (``render.layout``)."""
    if as_json:
        to_json(result)
    else:
        emit(to_blocks(result))
