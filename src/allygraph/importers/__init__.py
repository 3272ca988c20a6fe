"""Importers for the datasets analysts already use, and the merge into a data directory.

Each importer module reads its input into an ``ImportResult`` (plain contract dicts with stable
ids, plus a reject per input record that did not become data); ``merge.Target`` merges that
into a data directory. ``run`` does both, as ``allygraph import`` does::

    from allygraph.importers import run, sipri
    summary = run(lambda namer: sipri.read("trade-register.csv", namer), data="my-data", dry_run=True)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from .common import ColumnError, ImportResult, InputError, Namer, Reject
from .merge import MergeReport, Target

__all__ = ["ColumnError", "ImportResult", "InputError", "Namer", "Reject", "Summary", "run"]


@dataclass
class Summary:
    """The outcome of one import: counts, rejects and the changes made (or that would be)."""

    result: ImportResult
    report: MergeReport
    dry_run: bool
    written: bool
    seconds: float
    directory: str

    def to_json(self, changes: bool = False) -> dict:
        r, m = self.result, self.report
        out: dict = {
            "dataset": r.dataset,
            "files": r.files,
            "data": self.directory,
            "dry_run": self.dry_run,
            "written": self.written,
            "read": r.read,
            "imported": r.imported,
            "merged": m.merged,
            "rejected": len(r.rejects),
            "added": m.count("add"),
            "updated": m.count("update") + m.count("enrich"),
            "unchanged": m.count("unchanged") + m.count("kept"),
            "entities": len(r.entities),
            "relations": len(r.relations),
            "sources_added": [c.id for c in m.changes if c.kind == "source"],
            "seconds": round(self.seconds, 2),
            "rejects": [x.to_json() for x in r.rejects],
        }
        if changes:
            out["changes"] = [{"kind": c.kind, "id": c.id, "action": c.action, "fields": c.fields} for c in m.changed]
        return out


def run(read: Callable[[Namer], ImportResult], data: str | os.PathLike | None = None, dry_run: bool = False) -> Summary:
    """Read with ``read(namer)`` and merge into the data directory (write unless ``dry_run``).

    The directory is locked from before it is read until it is written, so imports started
    together run one after the other and each merges into the last one's result. An import
    that produced no record changes nothing.
    """
    from ..fsutil import lock_data
    from ..load import data_dir

    start = time.perf_counter()
    with lock_data(data_dir(data)) as directory:
        target = Target(directory)
        result = read(Namer(target.entities()))
        report = target.merge(result)
        written = False if dry_run or not (result.entities or result.relations) else target.write()
    report.written = written
    return Summary(result, report, dry_run, written, time.perf_counter() - start, str(target.directory))
