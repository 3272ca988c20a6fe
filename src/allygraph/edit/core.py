"""The write cycle every change goes through, and the text surgery it is made of.

``change(data, fn, dry_run)``: lock the data directory, read both files, let ``fn`` splice them,
validate the whole directory as it would be (in a scratch copy), then commit both files together
(``fsutil.commit_data``) or, with ``dry_run``, only report the patch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..dataset import Dataset
from ..errors import AllygraphError, DataError, UsageError
from ..inputs import read_input
from .doc import Doc, Node, field_of, indent_at, last_end

ENTITIES, RELATIONS = "entities.yaml", "relations.yaml"


class InUse(AllygraphError):
    """A record cannot be removed while others refer to it; ``refs`` lists them."""

    exit_code = 2

    def __init__(self, what: str, refs: list[dict]):
        self.refs = refs
        listed = ", ".join(f"{r['kind']} {r['id']!r}" for r in refs[:12]) + (" ..." if len(refs) > 12 else "")
        super().__init__(f"{what} is referred to by {len(refs)} record(s): {listed}; change those first, or use --cascade")  # fmt: skip


class Context:
    """What a change function gets: the directory, its two files as Docs, and (on demand) the
    loaded dataset of the directory as it is now."""

    def __init__(self, directory: Path, docs: dict[str, Doc]):
        self.directory, self.docs = directory, docs
        self._ds = None
        self.changed: list[dict] = []

    @property
    def dataset(self) -> Dataset:
        """The directory as it is now, loaded (from the cache when current) on first use."""
        if self._ds is None:
            from ..load import load

            self._ds = load(self.directory)
        return self._ds

    def note(self, file: str, rid: str | None, action: str) -> None:
        """Record one changed record for the ``{"changed": [...]}`` result."""
        self.changed.append({"file": str(self.directory / file), "id": rid, "action": action})


def read_docs(directory: Path) -> dict[str, Doc]:
    """Both data files of ``directory`` as Docs (a missing file is an empty one)."""
    docs = {}
    for name in (ENTITIES, RELATIONS):
        try:
            raw = read_input(directory / name)  # a device or FIFO: InputError, before a byte is read
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise UsageError(f"cannot read {directory / name}: {exc.strerror}") from None
        try:
            docs[name] = Doc.parse(name, raw)
        except UnicodeDecodeError:
            raise UsageError(f"{directory / name}: not UTF-8; run `allygraph check`") from None
    return docs


def validate_files(directory: Path, files: dict[str, bytes]) -> Dataset:
    """Validate ``directory`` as it would be with ``files`` (name -> bytes) replacing its own:
    the Dataset, or DataError with the messages ``check`` gives (naming the real files)."""
    from ..fsutil import scratch_folder
    from ..load import validate

    now: dict[str, bytes | Path] = {}
    for name in (ENTITIES, RELATIONS):
        if name in files:
            now[name] = files[name]
        elif (directory / name).exists():
            now[name] = directory / name  # copied as it is
    with scratch_folder(now, prefix="allygraph-edit-") as scratch:
        dataset, problems = validate(scratch)
    prefix, real = str(scratch), str(directory)
    problems = [p._replace(file=real + p.file[len(prefix) :]) if p.file.startswith(prefix) else p for p in problems]
    if dataset is None:
        raise DataError(problems)
    dataset.directory = real
    return dataset


def patch(directory: Path, docs: dict[str, Doc]) -> str:
    """The change as a unified diff (what ``--dry-run`` shows)."""
    import difflib

    out = []
    for name, doc in docs.items():
        if doc.splices:
            old, new = doc.text.splitlines(keepends=True), doc.applied().splitlines(keepends=True)
            path = str(directory / name)
            out += difflib.unified_diff(old, new, path, path)
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def change(data: str | os.PathLike | None, fn: Callable[[Context], None], dry_run: bool = False,
           verify: Callable[[Context, Dataset], None] | None = None) -> dict:  # fmt: skip
    """Run one change under the directory's lock: ``{"changed": [...]}`` (and ``"patch"`` with
    ``dry_run``). Raises DataError (nothing written) when the result would be invalid; ``verify``
    (given the context and the new dataset) may refuse it too."""
    from ..fsutil import commit_data, lock_data
    from ..load import data_dir

    directory = data_dir(data)
    with lock_data(directory):
        docs = read_docs(directory)
        ctx = Context(directory, docs)
        fn(ctx)
        files = {name: doc.data() for name, doc in docs.items() if doc.splices}
        result: dict = {"changed": ctx.changed}
        if files:
            dataset = validate_files(directory, files)
            if verify is not None:
                verify(ctx, dataset)
            if dry_run:
                result["dry_run"] = True
                result["patch"] = patch(directory, docs)
            else:
                commit_data(directory, files)
                _refresh_cache(directory, dataset)
    return result


def _refresh_cache(directory: Path, dataset) -> None:
    """Keep the validated result as the directory's cache, so the next query need not rebuild it."""
    from .. import cache

    if not cache.is_large(directory):
        cache.put(directory, dataset, cache.stamp(directory))


def relation_record(resolve: Callable[[str], str], a: str, type: str, b: str, sources: list[str], tier: str | None,
                    status: str | None, since: str | None, until: str | None, via: str | None,
                    attributes: dict | None, note: str | None, rid: str | None) -> dict:  # fmt: skip
    """The record ``link`` writes: names resolved to ids, the id derived when not given."""
    from .. import dates
    from ..load import derive_relation_id
    from ..vocab import DEFAULT_STATUS

    rec = {"id": rid, "from": resolve(a), "to": resolve(b), "type": type, "tier": tier, "status": status,
           "since": since, "until": until, "via": resolve(via) if via else None, "attributes": attributes or None,
           "sources": list(sources), "note": note}  # fmt: skip
    if rid is None:
        ident = dict(rec, status=status or DEFAULT_STATUS)
        try:
            for key in ("since", "until"):
                if ident[key] is not None:
                    ident[key] = dates.parse_checked(ident[key])
        except ValueError as exc:
            raise UsageError(f"--{key}: {exc}") from None
        rec["id"] = derive_relation_id(ident)
    return rec


# --- text surgery ------------------------------------------------------------------------------


def items(doc: Doc, section: str) -> list:
    """The record nodes of a list section (entities, relations, tiers)."""
    top = doc.top(section)
    if top is None or top[1].id != "sequence":
        return []
    return top[1].value


def entries(doc: Doc, section: str) -> list:
    """The (key, value) nodes of a mapping section (sources, ladders, declared types)."""
    top = doc.top(section)
    if top is None or top[1].id != "mapping":
        return []
    return top[1].value


def scalar_of(record: Node, key: str) -> str | None:
    """The text of a record's scalar field (None when absent or not a scalar)."""
    f = field_of(record, key)
    return f[1].value if f is not None and f[1].id == "scalar" else None


def _dash_column(doc: Doc, item) -> int:
    head = doc.text[doc.line_start(item.start_mark.index) : item.start_mark.index]
    return head.rfind("-") if "-" in head else max(indent_at(doc, item.start_mark.index) - 2, 0)


def _blank_separated(doc: Doc, nodes: list, start_of: Callable) -> bool:
    """Whether the file puts a blank line between records (looked at on its last two)."""
    if len(nodes) < 2:
        return True
    return doc.is_blank(doc.prev_line(doc.line_start(start_of(nodes[-1]))))


def insert_text(doc: Doc, at: int, text: str) -> None:
    """Insert whole lines at ``at`` (a line start, or the end of a file that lacks its last line break)."""
    if at == len(doc.text) and doc.text and not doc.text.endswith("\n"):
        text = doc.nl + text
    doc.splice(at, at, text)


def append_item(doc: Doc, section: str, make: Callable[[int], str]) -> None:
    """Add a record at the end of a list section (``make(indent)`` gives its text), creating
    the section at the end of the file when there is none."""
    top = doc.top(section)
    if top is None:
        insert_text(doc, len(doc.text), f"{section}:{doc.nl}" + make(2))
        return
    key, seq = top
    if seq.id == "sequence" and seq.value and not seq.flow_style:
        last = seq.value[-1]
        sep = doc.nl if _blank_separated(doc, seq.value, lambda n: n.start_mark.index) else ""
        insert_text(doc, doc.record_end(last), sep + make(_dash_column(doc, last)))
        return
    _fill_empty(doc, key, seq, make)


def _fill_empty(doc: Doc, key, value, make: Callable[[int], str]) -> None:
    if value.id == "scalar" and value.value not in ("", "~", "null"):
        raise UsageError(f"{doc.name}: '{key.value}' is not a list or mapping; fix it first (allygraph check)")
    if value.id != "scalar" and value.value:
        raise UsageError(f"{doc.name}: '{key.value}' is written in flow style; run `allygraph fmt` first")
    colon = doc.text.index(":", key.end_mark.index)
    if value.id != "scalar" or value.value:  # `[]`, `{}`, `~` or `null`: the new block replaces it
        doc.splice(colon + 1, value.end_mark.index, "")
    insert_text(doc, doc.line_end(colon), make(2))


def append_entry(doc: Doc, section: str, make: Callable[[int], str], before: str | None = None) -> None:
    """Add an entry at the end of a mapping section; a missing section is created before the
    top-level key ``before`` (else at the end of the file)."""
    top = doc.top(section)
    if top is None:
        where = doc.top(before) if before else None
        block = f"{section}:{doc.nl}" + make(2)
        if where is not None:
            at = doc.line_start(where[0].start_mark.index)
            doc.splice(at, at, block + doc.nl)
        else:
            insert_text(doc, len(doc.text), block)
        return
    key, mapping = top
    if mapping.id == "mapping" and mapping.value and not mapping.flow_style:
        last_key, last_value = mapping.value[-1]
        sep = doc.nl if _blank_separated(doc, [k for k, _ in mapping.value], lambda n: n.start_mark.index) else ""
        insert_text(doc, doc.record_end(last_value), sep + make(indent_at(doc, last_key.start_mark.index)))
        return
    _fill_empty(doc, key, mapping, make)


def remove_record(doc: Doc, first: Node, last: Node, is_last: bool) -> None:
    """Remove a record's lines (from node ``first``'s line to ``last``'s end) and one blank line
    beside it: the one after, or before when it is the last record (so adding then removing a
    record gives the file back byte for byte)."""
    start, end = doc.line_start(first.start_mark.index), doc.record_end(last)
    after = (end, doc.line_end(end)) if end < len(doc.text) else None
    before = doc.prev_line(start)
    if not is_last and doc.is_blank(after):
        end = after[1]
    elif is_last and doc.is_blank(before):
        start = before[0]
    doc.splice(start, end, "")


def set_field(doc: Doc, record: Node, key: str, text: str, order: tuple[str, ...] = ()) -> None:
    """Give a record (a mapping node) ``key: text``: replace the value where the key is
    written, else add a line in ``order``'s place (after the last field when it has none)."""
    found = field_of(record, key)
    if found is not None:
        k, v = found
        colon = doc.text.index(":", k.end_mark.index)
        if v.id == "scalar" and v.value == "" and not v.style:  # `key:` with nothing after it
            doc.splice(colon + 1, colon + 1, " " + text)
        elif v.id == "scalar" or v.flow_style:
            doc.splice(v.start_mark.index, last_end(v), text)
        else:
            doc.splice(colon + 1, last_end(v), " " + text)
        return
    col = indent_at(doc, record.value[0][0].start_mark.index)
    line = " " * col + f"{key}: {text}" + doc.nl
    if key in order:
        later = [k for k, _ in record.value[1:] if k.value in order and order.index(k.value) > order.index(key)]
        if later:
            at = doc.line_start(later[0].start_mark.index)
            doc.splice(at, at, line)
            return
    insert_text(doc, doc.record_end(record), line)


def unset_field(doc: Doc, record: Node, key: str) -> bool:
    """Remove a field's lines from a record; False when the record has no such field."""
    found = field_of(record, key)
    if found is None:
        return False
    k, v = found
    if k is record.value[0][0]:
        raise UsageError(f"cannot remove {key!r}: it is the first field of its record (on the '- ' line)")
    doc.splice(doc.line_start(k.start_mark.index), doc.line_end(last_end(v) - 1), "")
    return True


def set_in_mapping(doc: Doc, record: Node, key: str, sub: str, text: str | None) -> None:
    """Set (``text``) or remove (None) one entry of a record's mapping field (``attributes``)."""
    from .emit import scalar

    found = field_of(record, key)
    if found is None:
        if text is not None:
            set_field(doc, record, key, "{" + f"{scalar(sub)}: {text}" + "}", _order_of(record))
        return
    _, mapping = found
    if mapping.id != "mapping":
        raise UsageError(f"{key!r} is not a mapping in this record")
    if mapping.flow_style:
        pairs = [(k.value, doc.text[k.start_mark.index : k.end_mark.index], doc.text[v.start_mark.index : v.end_mark.index])
                 for k, v in mapping.value]  # fmt: skip
        if text is None:
            pairs = [p for p in pairs if p[0] != sub]
        elif any(p[0] == sub for p in pairs):
            pairs = [(p[0], p[1], text if p[0] == sub else p[2]) for p in pairs]
        else:
            pairs.append((sub, scalar(sub), text))
        if not pairs:
            unset_field(doc, record, key)
            return
        doc.splice(mapping.start_mark.index, mapping.end_mark.index, "{" + ", ".join(f"{k}: {v}" for _, k, v in pairs) + "}")  # fmt: skip
    elif text is None:
        if len(mapping.value) == 1 and field_of(mapping, sub) is not None:
            unset_field(doc, record, key)
        else:
            unset_field(doc, mapping, sub)
    else:
        set_field(doc, mapping, sub, text)


def _order_of(record: Node) -> tuple[str, ...]:
    from .emit import ENTITY_KEYS, RELATION_KEYS, SOURCE_KEYS

    keys = {k.value for k, _ in record.value}
    if "from" in keys or "to" in keys:
        return RELATION_KEYS
    if "title" in keys or "url" in keys:
        return SOURCE_KEYS
    return ENTITY_KEYS
