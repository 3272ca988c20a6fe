"""The write cycle every change goes through, and the text surgery it is made of.

``change(data, fn, dry_run)``: lock the data directory, read both files, let ``fn`` splice them,
validate the whole directory as it would be (in a scratch copy), then commit both files together
(``fsutil.commit_data``) or, with ``dry_run``, only report the patch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..dataset import Dataset
from ..errors import AllygraphError, DataError, ExitCode, InvalidChange, UsageError
from ..inputs import read_input
from .doc import Doc, Node, field_of, indent_at

ENTITIES, RELATIONS = "entities.yaml", "relations.yaml"
NEW_RECORD = " (in the new record, which was not written)"  # a problem of a record no file holds yet


class InUse(AllygraphError):
    """A record cannot be removed while others refer to it; ``refs`` lists them."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, what: str, refs: list[dict]):
        self.refs = refs
        listed = ", ".join(f"{r['kind']} {r['id']!r}" for r in refs[:12]) + (" ..." if len(refs) > 12 else "")
        super().__init__(f"{what} is referred to by {len(refs)} record(s): {listed}; change those first, or use --cascade")  # fmt: skip


class Context:
    """What a change function gets: the directory, its two files as Docs, and (on demand) the
    loaded dataset of the directory as it is now."""

    def __init__(self, directory: Path, docs: dict[str, Doc]):
        self.directory, self.docs = directory, docs
        self._ds: Dataset | None = None
        self.changed: list[dict] = []

    @property
    def dataset(self) -> Dataset:
        """The directory as it is now, loaded (from the cache when current) on first use."""
        if self._ds is None:
            from ..load import load

            self._ds = load(self.directory)
        return self._ds

    def note(self, file: str, rid: str | None, action: str, **extra: str) -> None:
        """Record one changed record for the ``{"changed": [...]}`` result (``old``: the id a
        renamed record had)."""
        self.changed.append({"file": str(self.directory / file), "id": rid, "action": action, **extra})


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
            docs[name] = Doc.parse(str(directory / name), raw)  # messages name the file
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

    out: list[str] = []
    for name, doc in docs.items():
        if doc.changed:
            before = doc.original if doc.original is not None else doc.text
            old, new = before.splitlines(keepends=True), doc.applied().splitlines(keepends=True)
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

    directory = data_dir(data, write=not dry_run)
    with lock_data(directory):
        docs = read_docs(directory)
        ctx = Context(directory, docs)
        fn(ctx)
        files = {name: doc.data() for name, doc in docs.items() if doc.changed}
        result: dict = {"changed": ctx.changed}
        if files:
            try:
                dataset = validate_files(directory, files)
            except DataError as exc:
                added = bool(ctx.changed) and all(c["action"] == "added" for c in ctx.changed)
                raise InvalidChange(place_problems(directory, docs, exc.problems, added), directory) from None
            if verify is not None:
                verify(ctx, dataset)
            if dry_run:
                result["dry_run"] = True
                result["patch"] = patch(directory, docs)
            else:
                commit_data(directory, files)
                _refresh_cache(directory, dataset)
    return result


def place_problems(directory: Path, docs: dict[str, Doc], problems: list, added: bool = False) -> list:
    """The problems of the directory as a change would leave it, located where a user can find
    them, in the file as it is (the change shifts the lines after it). A problem in the text the
    change writes is placed where the change goes (the value it replaces, the record it extends)
    and says so; one in a new record has no line at all (a line number of the unwritten file
    would point at nothing, or at something else)."""
    out, applied = [], {}
    for p in problems:
        doc = next((d for name, d in docs.items() if d.changed and p.file == str(directory / name)), None)
        if doc is None or not p.line:
            out.append(p)
            continue
        if doc.name not in applied:
            applied[doc.name] = doc.applied()
        old, inside = doc_offset(doc, p.line, p.column, applied[doc.name])
        text = doc.original if doc.original is not None else doc.text
        if inside and (added or old >= len(text.rstrip())):
            out.append(p._replace(line=0, column=0, message=p.message + NEW_RECORD))
            continue
        start = text.rfind("\n", 0, old) + 1
        message = p.message + (" (in the change, which was not written)" if inside else "")
        out.append(p._replace(line=text.count("\n", 0, old) + 1, column=old - start + 1, message=message))
    return out


def _common(a: str, b: str, part: Callable[[str, int], str]) -> int:
    """The length of the longest common prefix (or suffix, by ``part``), by bisection."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if part(a, mid) == part(b, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def doc_offset(doc: Doc, line: int, column: int, new: str | None = None) -> tuple[int, bool]:
    """Where (line, column) of the changed text (``new``, computed when not given) was in the text
    as read: (offset, False); or, for a place in text the change writes, (the offset where that
    change goes, True)."""
    new = doc.applied() if new is None else new
    at = 0
    for _ in range(line - 1):
        nxt = new.find("\n", at) + 1
        if nxt == 0:
            break
        at = nxt
    at = min(at + max(column - 1, 0), len(new))
    if doc.original is not None:  # settled: the change is what lies between the common ends
        old = doc.original
        head = _common(old, new, lambda x, k: x[:k])
        tail = _common(old[head:], new[head:], lambda x, k: x[len(x) - k :])
        head = old.rfind("\n", 0, head) + 1  # whole lines: a value the change rewrote is in it
        if tail:
            end = new.find("\n", len(new) - tail - 1)
            tail = min(tail, len(new) - (end + 1)) if end >= 0 else 0
        if at < head:
            return at, False
        if at >= len(new) - tail:
            return at - (len(new) - len(old)), False
        return head, True
    delta = 0
    for start, end, text in sorted(doc.splices, key=lambda s: (s[0], s[1])):
        if at < start + delta:
            break
        if at < start + delta + len(text):
            return start, True
        delta += len(text) - (end - start)
    return at - delta, False


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
        ident: dict[str, Any] = dict(rec, status=status or DEFAULT_STATUS)
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


def _blank_separated(doc: Doc, count: int, last_start: int) -> bool:
    """Whether the file puts a blank line between records (looked at before its last one, of
    ``count``, which starts at ``last_start``)."""
    return count < 2 or doc.is_blank(doc.prev_line(doc.line_start(last_start)))


def insert_text(doc: Doc, at: int, text: str) -> None:
    """Insert whole lines at ``at`` (a line start, or the end of a file that lacks its last line break)."""
    if at == len(doc.text) and doc.text and not doc.text.endswith("\n"):
        text = doc.nl + text
    doc.splice(at, at, text)


# --- flow collections (``{a: 1, b: 2}``, ``[x, y]``), on one line or several ------------------


def entry_span(doc: Doc, container: Node, index: int) -> tuple[int, int]:
    """(start, end) of one entry of a collection: a mapping's ``key: value``, a sequence's item."""
    if container.id == "mapping":
        k, v = container.value[index]
        return k.start_mark.index, max(doc.value_end(v), k.end_mark.index)
    item = container.value[index]
    return item.start_mark.index, doc.value_end(item)


def flow_remove(doc: Doc, container: Node, index: int) -> None:
    """Remove one entry of a flow collection with its comma (the one after it, or before it
    when it is the last)."""
    n = len(container.value)
    here = entry_span(doc, container, index)
    if n == 1:
        doc.splice(here[0], here[1], "")
    elif index < n - 1:
        doc.splice(here[0], entry_span(doc, container, index + 1)[0], "")
    else:
        doc.splice(entry_span(doc, container, index - 1)[1], here[1], "")


def flow_insert(doc: Doc, container: Node, text: str, before: int | None = None) -> None:
    """Add an entry to a flow collection: before entry ``before``, else after the last one."""
    if before is not None:
        at = entry_span(doc, container, before)[0]
        doc.splice(at, at, text + ", ")
    elif container.value:
        at = entry_span(doc, container, len(container.value) - 1)[1]
        doc.splice(at, at, ", " + text)
    else:
        at = container.start_mark.index + 1
        doc.splice(at, at, text)


# --- records of a section ------------------------------------------------------------------


def append_item(doc: Doc, section: str, make: Callable[[int], str], flow_text: str | None = None) -> None:
    """Add a record at the end of a list section (``make(indent)`` gives its text; ``flow_text``
    the record on one line, for a section written in flow style), creating the section at the
    end of the file when there is none."""
    top = doc.top(section)
    if top is None:
        insert_text(doc, len(doc.text), f"{section}:{doc.nl}" + make(2))
        return
    key, seq = top
    if seq.id == "sequence" and seq.flow_style and seq.value and flow_text is not None:  # `[]`: a block list
        flow_insert(doc, seq, flow_text)
        return
    if seq.id == "sequence" and seq.value and not seq.flow_style:
        last = seq.value[-1]
        dash = doc.dash(seq, len(seq.value) - 1)  # the last record's start (its content may start lines later)
        sep = doc.nl if _blank_separated(doc, len(seq.value), dash) else ""
        insert_text(doc, doc.record_end(last), sep + make(indent_at(doc, dash)))
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


def append_entry(doc: Doc, section: str, make: Callable[[int], str], before: str | None = None,
                 flow_text: str | None = None) -> None:  # fmt: skip
    """Add an entry at the end of a mapping section (``flow_text``: the entry on one line, for a
    section written in flow style); a missing section is created before the top-level key
    ``before`` (else at the end of the file)."""
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
    if mapping.id == "mapping" and mapping.flow_style and mapping.value and flow_text is not None:
        flow_insert(doc, mapping, flow_text)
        return
    if mapping.id == "mapping" and mapping.value and not mapping.flow_style:
        last_key, last_value = mapping.value[-1]
        sep = doc.nl if _blank_separated(doc, len(mapping.value), last_key.start_mark.index) else ""
        insert_text(doc, doc.record_end(last_value), sep + make(indent_at(doc, last_key.start_mark.index)))
        return
    _fill_empty(doc, key, mapping, make)


def _remove_lines(doc: Doc, start: int, end: int, is_last: bool) -> None:
    """Remove the lines ``[start, end)`` and one blank line beside them: the one after, or before
    when they are the last record (so adding then removing a record gives the file back byte
    for byte)."""
    after = (end, doc.line_end(end)) if end < len(doc.text) else None
    before = doc.prev_line(start)
    if not is_last and after is not None and doc.is_blank(after):
        end = after[1]
    elif is_last and before is not None and doc.is_blank(before):
        start = before[0]
    doc.splice(start, end, "")


def remove_item(doc: Doc, seq: Node, node: Node) -> None:
    """Remove one item of a sequence (a record of ``entities:``/``relations:``, a ``sources``
    citation): its lines in block style (from its dash, wherever its content starts), the item
    and its comma in flow style."""
    index = next(i for i, n in enumerate(seq.value) if n is node)
    if seq.flow_style:
        flow_remove(doc, seq, index)
    else:
        start = doc.line_start(doc.dash(seq, index))
        _remove_lines(doc, start, doc.record_end(node), index == len(seq.value) - 1)


def remove_entry(doc: Doc, mapping: Node, key: Node) -> None:
    """Remove one entry of a mapping (a source of the registry, a ladder), in either style."""
    index = next(i for i, (k, _) in enumerate(mapping.value) if k is key)
    if mapping.flow_style:
        flow_remove(doc, mapping, index)
    else:
        value = mapping.value[index][1]
        _remove_lines(doc, doc.line_start(key.start_mark.index), doc.record_end(value), index == len(mapping.value) - 1)  # fmt: skip


# --- fields of a record --------------------------------------------------------------------


def set_field(doc: Doc, record: Node, key: str, text: str, order: tuple[str, ...] = ()) -> None:
    """Give a record (a mapping node, block or flow) ``key: text``: replace the value where the
    key is written, else add the field in ``order``'s place (after the last field when it has
    none): a line of its own in a block record, an entry in a flow one."""
    from .emit import scalar

    found = field_of(record, key)
    if found is not None:
        k, v = found
        colon = doc.text.index(":", k.end_mark.index)
        if v.id == "scalar" and v.value == "" and not v.style:  # `key:` with nothing after it
            doc.splice(colon + 1, colon + 1, " " + text)
        elif v.id == "scalar" or v.flow_style:
            doc.splice(v.start_mark.index, doc.value_end(v), text)
        else:  # a block list or mapping: the new value goes on the key's line
            doc.splice(colon + 1, doc.value_end(v), " " + text)
        return
    later = None
    if key in order:
        rank = order.index(key)
        later = next((i for i, (k, _) in enumerate(record.value) if k.value in order and order.index(k.value) > rank), None)  # fmt: skip
    if record.flow_style:
        flow_insert(doc, record, f"{scalar(key)}: {text}", later)
        return
    col = indent_at(doc, record.value[0][0].start_mark.index)
    line = " " * col + f"{scalar(key)}: {text}" + doc.nl
    if later:  # not before the first field: that one shares its line with the record's `- `
        at = doc.line_start(record.value[later][0].start_mark.index)
        doc.splice(at, at, line)
        return
    insert_text(doc, doc.record_end(record), line)


def unset_field(doc: Doc, record: Node, key: str) -> bool:
    """Remove a field from a record (block or flow); False when the record has no such field."""
    index = next((i for i, (k, _) in enumerate(record.value) if k.value == key), None)
    if index is None:
        return False
    if record.flow_style:
        flow_remove(doc, record, index)
        return True
    if len(record.value) == 1:
        raise UsageError(f"{doc.name}: cannot remove {key!r}: it is the record's only field")
    k, v = record.value[index]
    if index == 0:  # the next field moves up to where this one starts (after the record's `- `)
        doc.splice(k.start_mark.index, record.value[1][0].start_mark.index, "")
    else:
        doc.splice(doc.line_start(k.start_mark.index), doc.record_end(v), "")
    return True


def set_in_mapping(doc: Doc, record: Node, key: str, sub: str, text: str | None) -> bool:
    """Set (``text``) or remove (None) one entry of a record's mapping field (``attributes``);
    False when there was no such entry to remove."""
    from .emit import scalar

    found = field_of(record, key)
    if found is None or (found[1].id == "scalar" and found[1].value in ("", "~", "null") and not found[1].style):
        if text is None:
            return False
        set_field(doc, record, key, "{" + f"{scalar(sub)}: {text}" + "}", _order_of(record))
        return True
    _, mapping = found
    if mapping.id != "mapping":
        raise UsageError(f"{doc.name}: {key!r} is not a mapping in this record")
    if text is not None:
        set_field(doc, mapping, sub, text)
        return True
    if field_of(mapping, sub) is None:
        return False
    if len(mapping.value) == 1:
        unset_field(doc, record, key)
    else:
        unset_field(doc, mapping, sub)
    return True


def _order_of(record: Node) -> tuple[str, ...]:
    from .emit import ENTITY_KEYS, RELATION_KEYS, SOURCE_KEYS

    keys = {k.value for k, _ in record.value}
    if "from" in keys or "to" in keys:
        return RELATION_KEYS
    if "title" in keys or "url" in keys:
        return SOURCE_KEYS
    return ENTITY_KEYS
