"""``init``: a data directory of one's own, made from the bundled data.

The bundled data inside the installed package is read-only (a reinstall would replace it, and
``diff --rev`` cannot read its history), so editing starts from a copy: ``allygraph init [DIR]``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

DEFAULT_INIT = "allygraph-data"  # in the working directory


def init(directory: str | os.PathLike | None = None) -> dict:
    """Make a data directory of one's own from the bundled data: ``directory`` (default
    ``./allygraph-data``) is created if need be and gets a copy of both files; existing files
    are never overwritten. ``{"directory": absolute path, "files": [...], "env": "ALLYGRAPH_DATA=..."}``."""
    import shlex

    from ..fsutil import commit_data, lock_data
    from ..load import ENTITIES_FILE, RELATIONS_FILE, bundled_data_dir

    target = Path(directory if directory is not None else DEFAULT_INIT).expanduser()
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory; choose another place for the data")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {target}: {exc.strerror or exc}") from None
    source = bundled_data_dir()
    names = [ENTITIES_FILE, RELATIONS_FILE]
    files = {name: (source / name).read_bytes() for name in names}
    try:
        with lock_data(target):
            there = [name for name in names if os.path.lexists(target / name)]
            if there:
                raise UsageError(f"{target} already holds {' and '.join(there)}: init never overwrites data; "
                                 "choose another directory, or use this one with --data")  # fmt: skip
            commit_data(target, files)
    except OSError as exc:
        raise UsageError(f"cannot write into {target}: {exc.strerror or exc}") from None
    full = target.absolute()
    return {"directory": str(full), "files": [str(full / name) for name in names],
            "env": f"ALLYGRAPH_DATA={shlex.quote(str(full))}"}  # fmt: skip
