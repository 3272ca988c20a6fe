"""SIPRI Arms Transfers Database trade register (CSV, exactly as exported) -> ``arms_transfer``
relations from supplier to recipient, ``via`` a ``platform`` entity for the weapon designation.

The export's quirks, each handled here:

- a free-text preamble before the header (found by its Recipient and Supplier columns);
- Latin-1 (Windows-1252) text;
- three columns headed by a single space, holding the "?" flag of the column before them;
- delivery years such as "2017; 2018";
- a Comments field with an unquoted line break, which splits one record over two lines: the
  pieces are joined when their fields add up to one record, or rejected with both line numbers;
- a Comments field with an unquoted comma (one field too many): the extra field is put back.

A transfer is in force from its order year until the year after its last delivery (``until``
is exclusive); an order with nothing delivered yet stays open.
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import re
from pathlib import Path

from .common import ColumnError, ImportResult, Namer, find_columns, read_text, rows_progress, slug, to_int

SOURCE_ID = "sipri-arms-transfers"
SOURCE = {
    "title": "SIPRI Arms Transfers Database",
    "publisher": "Stockholm International Peace Research Institute (SIPRI)",
    "url": "http://armstrade.sipri.org/",
    "note": "Information from the SIPRI Arms Transfers Database, URL <http://armstrade.sipri.org/>. Imported by allygraph import sipri; derived values are not SIPRI's.",
}

COLUMNS = ["Recipient", "Supplier", "Year of order", "Number ordered", "Weapon designation", "Weapon description",
           "Number delivered", "Year(s) of delivery", "status", "Comments", "SIPRI TIV per unit",
           "SIPRI TIV for total order", "SIPRI TIV of delivered weapons"]  # fmt: skip
FLAGGED = {"Year of order": "order_year_uncertain", "Number ordered": "number_ordered_uncertain",
           "Number delivered": "number_delivered_uncertain"}  # fmt: skip
HEADER_SCAN = 100


def _find_header(name: str, lines: list[str]) -> int:
    for i, line in enumerate(lines[:HEADER_SCAN]):
        fields = {f.strip().casefold() for f in next(csv.reader([line]), [])}
        if "recipient" in fields and "supplier" in fields:
            return i
    raise ColumnError(
        f"{name}: no header line with the columns 'Recipient' and 'Supplier' in the first {HEADER_SCAN} lines; is this a SIPRI trade-register CSV export?"
    )


def _generated(preamble: list[str]) -> str | None:
    for line in preamble:
        m = re.search(r"Data generated:\s*(\d{1,2} \w{3} \d{4})", line)
        if m:
            try:
                return _dt.datetime.strptime(m.group(1), "%d %b %Y").date().isoformat()
            except ValueError:
                return None
    return None


def _records(name: str, lines: list[str], start: int, width: int, comments: int, result: ImportResult):
    """Yield (line label, fields) per record, repairing split and comma-broken records."""
    tail = width - comments - 1  # fields after Comments
    pending: tuple[int, list[str]] | None = None
    for offset, line in enumerate(lines[start:]):
        lineno = start + offset + 1
        if not line.strip():
            if pending:
                result.reject(name, pending[0], f"has {len(pending[1])} of {width} fields and no continuation line")
                pending = None
            continue
        fields = next(csv.reader([line]))
        if pending is not None:
            first, got = pending
            joined = [*got[:-1], f"{got[-1]} {fields[0]}".strip(), *fields[1:]]
            if len(joined) <= width:
                pending = None
                if len(joined) == width:
                    yield f"{first}-{lineno}", joined
                    continue
                pending = (first, joined)
                continue
            result.reject(name, f"{first}" if first == lineno - 1 else f"{first}-{lineno - 1}",
                          f"has {len(got)} of {width} fields (a record cut by a line break?), and line {lineno} does not complete it")  # fmt: skip
            pending = None
        if len(fields) == width:
            yield str(lineno), fields
        elif len(fields) < width:
            pending = (lineno, fields)
        else:
            extra = len(fields) - width
            if tail >= 0:
                fixed = [
                    *fields[:comments],
                    ",".join(fields[comments : comments + extra + 1]),
                    *fields[comments + extra + 1 :],
                ]
                yield str(lineno), fixed
            else:  # pragma: no cover - Comments is always present
                result.reject(name, lineno, f"has {len(fields)} fields, expected {width}")
    if pending is not None:
        result.reject(name, pending[0], f"has {len(pending[1])} of {width} fields and the file ends")


def _number(text: str, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{column} {text!r} is not a number")
    return value


def _years(text: str) -> list[int]:
    years = []
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"\d{4}", part):
            raise ValueError(f"Year(s) of delivery {text!r}: {part!r} is not a year")
        years.append(int(part))
    return years


class _Parties:
    """SIPRI names -> entity ids (mapping, then the data directory, then the COW list)."""

    def __init__(self, namer: Namer, result: ImportResult):
        self.namer = namer
        self.result = result
        smap = namer.map.get("sipri") or {}
        self.names = smap.get("names") or {}
        self.orgs = {n.casefold() for n in smap.get("organizations") or []}
        self.platforms = {
            (p["supplier"].casefold(), p["designation"].casefold()): p["entity"] for p in smap.get("platforms") or []
        }
        self.cache: dict[str, str] = {}

    def party(self, raw: str) -> str:
        if raw in self.cache:
            return self.cache[raw]
        clean = raw.rstrip("*").strip()
        org = raw.endswith("*") or raw.casefold() in self.orgs
        mapped = self.names.get(raw, self.names.get(clean))
        namer = self.namer
        eid: str | None
        if isinstance(mapped, int):
            eid = namer.cow_id(mapped)
            self._state(mapped, eid)
        elif mapped:
            eid = mapped
            if eid not in namer.existing:
                self.result.add_entity(
                    {"id": eid, "name": clean, "type": "organization" if org else "state", "sources": [SOURCE_ID]}
                )
        else:
            eid = namer.lookup(clean, ("organization",) if org else ("state", "organization"))
            if eid is None and not org:
                eid = namer.iso_entity(clean)
            code = None if org or eid else namer.cow_code_for(clean)
            if code is not None:
                eid = namer.cow_id(code)
                self._state(code, eid)
            elif eid is None:
                eid = slug(clean)
                if eid in namer.existing and namer.existing[eid].get("type") not in ("state", "organization"):
                    eid = f"{eid}_{'org' if org else 'state'}"
                if eid not in namer.existing:
                    ent = {"id": eid, "name": clean, "type": "organization" if org else "state", "sources": [SOURCE_ID]}
                    if clean != raw:
                        ent["aliases"] = [raw]
                    self.result.add_entity(ent)
        self.cache[raw] = eid
        return eid

    def _state(self, code: int, eid: str) -> None:
        from . import cow
        from .common import cow_entity

        state = self.namer.cow.get(code)
        if state is not None and eid not in self.namer.existing:
            self.result.add_entity(cow_entity(state, eid, cow.SOURCE_ID))
            self.result.sources.setdefault(cow.SOURCE_ID, cow.SOURCE)

    def platform(self, supplier: str, designation: str, description: str) -> str:
        mapped = self.platforms.get((supplier.casefold(), designation.casefold()))
        if mapped in self.namer.existing:
            return mapped
        eid = f"platform.{slug(designation)}"
        if eid not in self.result.entities and eid not in self.namer.existing:
            name = (
                designation if self.namer.free_name(designation, eid) else f"{designation} ({description or 'SIPRI'})"
            )
            ent = {"id": eid, "name": name, "type": "platform", "sources": [SOURCE_ID]}
            if description:
                ent["description"] = description
            self.result.add_entity(ent)
        return eid


def read(path: str | Path, namer: Namer | None = None) -> ImportResult:
    """Read a SIPRI trade-register CSV export."""
    name = str(path)
    text = read_text(Path(path))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    hi = _find_header(name, lines)
    header = next(csv.reader([lines[hi]]))
    columns = find_columns(name, header, COLUMNS)
    flags: dict[str, int] = {}
    last = None
    for i, h in enumerate(header):
        if h.strip():
            last = h.strip()
        elif last is not None:
            for col, attr in FLAGGED.items():
                if last.casefold() == col.casefold():
                    flags[attr] = i
    result = ImportResult("sipri", [name])
    source = dict(SOURCE)
    generated = _generated(lines[:hi])
    if generated:
        source = {"title": source["title"], "publisher": source["publisher"], "url": source["url"], "date": generated,
                  "note": source["note"] + f" Export generated {generated}."}  # fmt: skip
    result.sources[SOURCE_ID] = source
    namer = namer or Namer()
    parties = _Parties(namer, result)
    records = list(_records(name, lines, hi + 1, len(header), columns["Comments"], result))
    result.read = len(records) + len(result.rejects)
    used: set[str] = set()
    for label, row in rows_progress(records, "reading SIPRI records"):
        try:
            rel = _transfer(row, columns, flags, parties)
        except ValueError as exc:
            result.reject(name, label, str(exc))
            continue
        rid, n = rel["id"], 1
        while rel["id"] in used:
            n += 1
            rel["id"] = f"{rid}.{n}"
        used.add(rel["id"])
        if "-" in label:
            rel["attributes"]["repaired_lines"] = label
        result.relations[rel["id"]] = rel
    return result


def _transfer(row: list[str], columns: dict[str, int], flags: dict[str, int], parties: _Parties) -> dict:
    def get(col: str) -> str:
        return row[columns[col]].strip()

    recipient, supplier, designation = get("Recipient"), get("Supplier"), get("Weapon designation")
    for col, value in (("Recipient", recipient), ("Supplier", supplier), ("Weapon designation", designation)):
        if not value:
            raise ValueError(f"{col} is empty")
    year = to_int(get("Year of order"), "Year of order")
    if year is None or not 1000 <= year <= 9999:
        raise ValueError(f"Year of order {get('Year of order')!r} is not a year")
    ordered = to_int(get("Number ordered"), "Number ordered")
    delivered = to_int(get("Number delivered"), "Number delivered")
    years = _years(get("Year(s) of delivery"))
    tivs = {attr: _number(get(col), col) for col, attr in (("SIPRI TIV per unit", "tiv_per_unit"),
            ("SIPRI TIV for total order", "tiv_total_order"), ("SIPRI TIV of delivered weapons", "tiv_delivered"))}  # fmt: skip
    description = get("Weapon description")
    src, dst = parties.party(supplier), parties.party(recipient)
    via = parties.platform(supplier, designation, description)
    attrs: dict[str, object] = {"designation": designation}
    if description:
        attrs["weapon_description"] = description
    attrs["order_year"] = year
    if ordered is not None:
        attrs["number_ordered"] = ordered
    if delivered is not None:
        attrs["number_delivered"] = delivered
    if years:
        attrs["delivery_years"] = "; ".join(str(y) for y in years)
    if get("status"):
        attrs["condition"] = get("status")
    for attr, tiv in tivs.items():
        if tiv is not None:
            attrs[attr] = tiv
    for attr, i in flags.items():
        if i < len(row) and row[i].strip() == "?":
            attrs[attr] = True
    rel: dict[str, object] = {"id": f"sipri.{src}.{dst}.{year}.{slug(designation)[:48]}", "from": src, "to": dst, "type": "arms_transfer",
           "since": str(year)}  # fmt: skip
    if years and (not ordered or (delivered or 0) >= ordered):
        rel["until"] = str(max(max(years), year) + 1)
    rel["via"] = via
    rel["attributes"] = attrs
    rel["sources"] = [SOURCE_ID]
    if get("Comments"):
        rel["note"] = get("Comments")
    return rel
