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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .common import ColumnError, ImportResult, InputError, Namer, Reject
from .merge import MergeReport, Target

__all__ = ["ColumnError", "ImportResult", "InputError", "Namer", "Reject", "Summary", "rejects_csv", "run"]


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
        """The summary as ``allygraph import --json`` prints it (``changes`` lists every change)."""
        r, m = self.result, self.report
        tally = m.tally()
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
            "added": tally["new"],
            "updated": tally["updated"],
            "unchanged": tally["unchanged"],
            "kept_edited": tally["kept"],
            "records": len(r.entities) + len(r.relations),
            "entities": len(r.entities),
            "relations": len(r.relations),
            "sources_added": [c.id for c in m.changes if c.kind == "source"],
            "notes": [_change_json(c) for c in m.notable],
            "seconds": round(self.seconds, 2),
            "rejects": [x.to_json() for x in r.rejects],
        }
        if changes:
            out["changes"] = [_change_json(c) for c in m.changed]
        return out

    def lines(self) -> list[str]:
        """The summary in words, each number named once: the records read (imported plus
        rejected), then the records they made (new, updated, unchanged and kept add up)."""
        j = self.to_json()
        made = " and ".join(f"{n} {kind}" for n, kind in ((j["relations"], "relations"), (j["entities"], "entities")) if n) or "no records"  # fmt: skip
        sources = f"; {len(j['sources_added'])} source(s) added" if j["sources_added"] else ""
        return [
            f"{j['dataset']}: {j['read']} records read: {j['imported']} imported, {j['rejected']} rejected",
            f"{made}: {j['added']} new, {j['updated']} updated, {j['unchanged']} unchanged, "
            f"{j['kept_edited']} kept as edited by hand{sources}",
        ]


def _change_json(c) -> dict:
    out = {"kind": c.kind, "id": c.id, "action": c.action, "fields": c.fields}
    if c.why:
        out["why"] = c.why
    if c.into:
        out["into"], out["differs"] = c.into, c.differs
    return out


def run(read: Callable[[Namer], ImportResult], data: str | os.PathLike | None = None, dry_run: bool = False,
        rejects: str | os.PathLike | None = None, inputs: Sequence[str | os.PathLike | None] = ()) -> Summary:  # fmt: skip
    """Read with ``read(namer)`` and merge into the data directory (write unless ``dry_run``).

    The directory is locked from before it is read until it is written, so imports started
    together run one after the other and each merges into the last one's result. An import
    that produced no record changes nothing. ``rejects`` also writes the rejected records as CSV
    (file, line, reason), even on a dry run; it is refused before anything is read when it is
    inside the data directory or one of the ``inputs`` files.
    """
    from ..fsutil import atomic_write_text, check_target, lock_data
    from ..load import data_dir

    protect = [data_dir(data, write=not dry_run), *(Path(p) for p in inputs if p is not None)]  # never the bundled copy
    rejects_target = check_target(Path(rejects), protect) if rejects is not None else None
    start = time.perf_counter()
    with lock_data(data_dir(data)) as directory:
        target = Target(directory)
        result = read(Namer(target.entities()))
        report = target.merge(result)
        written = False if dry_run or not (result.entities or result.relations) else target.write()
    report.written = written
    if rejects_target is not None:
        atomic_write_text(rejects_target, rejects_csv(result.rejects), protect=protect)
    return Summary(result, report, dry_run, written, time.perf_counter() - start, str(target.directory))


def rejects_csv(rejects: Sequence[Reject]) -> str:
    """Rejected records as CSV text: a ``file,line,reason`` header, then one row each."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "line", "reason"])
    writer.writerows([r.file, r.line, r.reason] for r in rejects)
    return out.getvalue()
