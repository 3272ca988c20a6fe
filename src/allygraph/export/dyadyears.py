"""``export dyadyears``: the dyad-year panel (``analysis.dyads``) as one CSV file.

Empty cells are missing values (no partnership that year); 0/1 columns and counts are integers,
so ``pandas.read_csv`` reads them as such. The file goes through ``fsutil`` like every export.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError


def write_rows(result: dict, fh: IO[str]) -> None:
    """Write a ``dyad_years`` result's rows as CSV (header first) to a text stream."""
    w = csv.DictWriter(fh, fieldnames=result["columns"], lineterminator="\n")
    w.writeheader()
    w.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in result["rows"])


def export_dyadyears(G: object, dest: str | os.PathLike, **options: Any) -> dict[str, Any]:
    """Compute the panel of ``G`` (options as ``analysis.dyads.dyad_years``) and write it to
    ``dest`` ('-': stdout). Returns the export stats: ``{"format", "path", "files", "rows",
    "from", "to", "directed", "states", "skipped", "bytes"}``."""
    from ..analysis.dyads import dyad_years
    from ..store import as_store

    text = str(dest)
    if text != "-" and Path(text).suffix.lower() != ".csv":
        raise UsageError(f"-o {text!r}: a dyad-year panel is a CSV file: name it {Path(text).stem}.csv")
    S = as_store(G)
    result = dyad_years(S, **options)
    stats: dict[str, Any] = {"format": "dyadyears", "path": text, "files": [text], "rows": len(result["rows"])}
    stats.update({k: result[k] for k in ("from", "to", "directed", "states", "skipped")})
    if text == "-":
        buf = io.StringIO()
        write_rows(result, buf)
        data = buf.getvalue()
        sys.stdout.write(data)
        sys.stdout.flush()
        stats["bytes"] = len(data.encode("utf-8"))
        return stats
    from ..fsutil import atomic_open

    protect = (str(S.directory),) if getattr(S, "directory", None) else ()
    try:
        with atomic_open(Path(text), protect=protect) as fh:
            write_rows(result, fh)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or text}: {exc.strerror or exc}") from None
    stats["bytes"] = Path(text).stat().st_size
    return stats
