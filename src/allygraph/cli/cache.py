"""``allygraph cache``: where the compiled caches live, and clearing them."""

from __future__ import annotations

import sys

import typer

from ..render.text import safe

group = typer.Typer(name="cache", help="The compiled cache of data directories.", no_args_is_help=True)


@group.command("clear", epilog="Example: allygraph cache clear")
def cache_clear() -> None:
    """Remove the compiled cache files allygraph made (nothing else in the folder)."""
    from .. import cache

    n = cache.clear()
    print(f"removed {n} cache file(s) from {safe(cache.cache_dir())}")


@group.command("path", epilog="Example: allygraph cache path")
def cache_path() -> None:
    """Print where caches are kept (and, on stderr, why the cache is off if that folder is refused)."""
    from .. import cache

    print(safe(cache.cache_dir()))
    why = cache.refusal()
    if why:
        print(safe(f"allygraph: cache off: {cache.cache_dir()}: {why}"), file=sys.stderr)
