"""What every importer shares: input reading, column checks, dates, ids and name mapping.

An importer turns input files into an ``ImportResult``: plain contract dicts (CONTRACT.md §1)
keyed by stable ids, the source registry entries they cite, and a reject for every input record
that did not become data. ``merge.py`` then puts the result into a data directory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import dates
from ..errors import AllygraphError, InputError
from ..names import build_index, exact_key, loose_key, suggest

csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class Reject:
    """One input record that did not become data, and why."""

    file: str
    line: str  # "328" or "328-329" for a record spread over lines
    reason: str

    def to_json(self) -> dict[str, str]:
        """The reject as a JSON object: file, line, reason."""
        return {"file": self.file, "line": self.line, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ImportResult:
    """What one import produced, before it is merged into a data directory."""

    dataset: str
    files: list[str]
    read: int = 0
    entities: dict[str, dict] = field(default_factory=dict)
    relations: dict[str, dict] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """How many records read became data (read minus rejected)."""
        return self.read - len(self.rejects)

    def reject(self, file: str, line: int | str, reason: str) -> None:
        """Record that the input record at ``file:line`` did not become data, and why."""
        self.rejects.append(Reject(file, str(line), reason))

    def add_entity(self, ent: dict) -> None:
        """Add an entity, folding it into one already produced under the same id."""
        old = self.entities.get(ent["id"])
        if old is None:
            self.entities[ent["id"]] = ent
            return
        for alias in ent.get("aliases", []):
            if alias not in old.setdefault("aliases", []):
                old["aliases"].append(alias)
        old.setdefault("attributes", {}).update(ent.get("attributes", {}))
        for src in ent.get("sources", []):
            if src not in old.setdefault("sources", []):
                old["sources"].append(src)


class ColumnError(AllygraphError):
    """An input file lacks a column the importer needs (missing, or renamed)."""


def read_text(path: Path) -> str:
    """Decode an export: UTF-8 when it is (BOM or not), else Windows-1252, else Latin-1. At most
    ``inputs.MAX_IMPORT_BYTES`` are read; a device, FIFO or directory is refused unread."""
    from .. import inputs

    try:
        raw = inputs.read_input(path, limit=inputs.MAX_IMPORT_BYTES, what="a CSV file")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def find_columns(file: str, header: list[str], required: list[str], optional: tuple[str, ...] = ()) -> dict[str, int]:
    """Map each wanted column name to its index; a missing one is a ColumnError naming it."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().casefold(), i)
    found: dict[str, int] = {}
    missing: list[str] = []
    for name in required:
        if name.casefold() in index:
            found[name] = index[name.casefold()]
        else:
            missing.append(name)
    for name in optional:
        if name.casefold() in index:
            found[name] = index[name.casefold()]
    if missing:
        present = [h.strip() for h in header if h.strip()]
        parts = []
        for name in missing:
            hint = suggest(name, [p for p in present if p.casefold() not in {r.casefold() for r in required}], limit=1)
            parts.append(f"{name!r}" + (f" (renamed to {hint[0]!r}?)" if hint else ""))
        plural = "s" if len(missing) > 1 else ""
        shown = ", ".join(present[:40]) + (", ..." if len(present) > 40 else "")
        raise ColumnError(f"{file}: missing column{plural} {', '.join(parts)}; the header has: {shown}")
    return found


def csv_records(
    path: Path, required: list[str], optional: tuple[str, ...] = ()
) -> tuple[str, dict[str, int], list[tuple[int, list[str]]]]:
    """A plain CSV with a header line: (display name, column index, [(line number, fields)])."""
    name = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: file is empty, expected a header line") from None
    except csv.Error as exc:
        raise InputError(f"{name}:1: not CSV: {exc}") from None
    columns = find_columns(name, header, required, optional)
    rows: list[tuple[int, list[str]]] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{name}:{start}: not CSV: {exc}") from None
        line = reader.line_num
        if row and any(cell.strip() for cell in row):
            rows.append((start, row))
    return name, columns, rows


def cell(row: list[str], columns: Mapping[str, int], name: str) -> str:
    """The stripped value of column ``name`` in a CSV row (``""`` when the column or the cell is missing)."""
    i = columns.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def to_int(text: str, what: str) -> int | None:
    """An integer cell; empty means None; anything else is a ValueError naming the column."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(float(text)) if re.fullmatch(r"-?\d+(\.0+)?", text) else int(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a whole number") from None


def ymd(year: int | None, month: int | None, day: int | None) -> str | None:
    """A partial date from year/month/day cells, where 0 or empty means unknown (or open)."""
    if not year:
        return None
    text = f"{year:04d}"
    if month:
        text += f"-{month:02d}"
        if day:
            text += f"-{day:02d}"
    return dates.parse(text)


def slug(text: str) -> str:
    """An id fragment: lowercase ASCII letters, digits and '_'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return out or "x"


def natural_key(text: str) -> list:
    """Sort 'atop_999' before 'atop_1005'."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


# --- the bundled mapping and COW table -------------------------------------------------------


@lru_cache(maxsize=1)
def mapping() -> dict:
    """The bundled name mapping (``data/mapping.yaml``)."""
    import yaml

    text = resources.files(__package__).joinpath("data/mapping.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


@dataclass(frozen=True)
class CowState:
    code: int
    abb: str
    name: str
    tenures: tuple[tuple[str, str | None], ...]  # (start, end or None when still a member)


def parse_cow_rows(
    name: str, columns: dict[str, int], rows: list[tuple[int, list[str]]], result: ImportResult | None = None
) -> dict[int, CowState]:
    """COW state rows -> one CowState per code; a bad row becomes a reject (or is skipped)."""
    found: dict[int, dict] = {}
    for line, row in rows:
        try:
            code = to_int(cell(row, columns, "ccode"), "ccode")
            if code is None:
                raise ValueError("ccode is empty")
            abb, nm = cell(row, columns, "stateabb"), cell(row, columns, "statenme")
            if not nm:
                raise ValueError("statenme is empty")
            start = ymd(*(to_int(cell(row, columns, c), c) for c in ("styear", "stmonth", "stday")))
            end = ymd(*(to_int(cell(row, columns, c), c) for c in ("endyear", "endmonth", "endday")))
            version = cell(row, columns, "version")
            if end is not None and version.isdigit() and end == f"{version}-12-31":
                end = None  # the last day of the data: still a member
        except ValueError as exc:
            if result is not None:
                result.reject(name, line, str(exc))
            continue
        entry = found.setdefault(code, {"abb": abb, "name": nm, "tenures": []})
        entry["tenures"].append((start, end))
    return {c: CowState(c, e["abb"], e["name"], tuple(e["tenures"])) for c, e in found.items()}


COW_COLUMNS = ["ccode", "stateabb", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday"]


@lru_cache(maxsize=1)
def bundled_cow() -> dict[int, CowState]:
    """The bundled COW state list (v2016), code -> state."""
    path = resources.files(__package__).joinpath("data/cow_states2016.csv")
    with resources.as_file(path) as real:
        name, columns, rows = csv_records(real, COW_COLUMNS, ("version",))
    return parse_cow_rows(name, columns, rows)


# --- name mapping ------------------------------------------------------------------------------


class Namer:
    """Turns dataset codes and names into entity ids, consistently across importers.

    Order: the bundled mapping; an entity of the data directory that carries the code
    (``attributes.cow_code``) or the name; the bundled COW list; the country's ISO 3166 code
    (``iso3``: today's names such as Türkiye or Czechia) against the data directory's
    ``attributes.iso3`` and the COW list; a new id from the name.
    """

    def __init__(self, existing: Mapping[str, Mapping] | None = None, cow: Mapping[int, CowState] | None = None):
        self.existing = dict(existing or {})
        self.index = build_index(self.existing)
        self.cow = dict(cow) if cow is not None else bundled_cow()
        self.map = mapping()
        self.by_code: dict[int, str] = {}
        self.by_iso: dict[str, str] = {}
        for eid, ent in self.existing.items():
            attrs = ent.get("attributes") or {}
            code, iso = attrs.get("cow_code"), attrs.get("iso3")
            if isinstance(code, int) and ent.get("type") == "state":
                self.by_code.setdefault(code, eid)
            if isinstance(iso, str) and ent.get("type") == "state":
                self.by_iso.setdefault(iso.upper(), eid)
        self._cow_iso: dict[str, int] | None = None
        self._cow_names: dict[str, int] = {}
        self.add_cow(self.cow)
        self.taken: set[str] = {exact_key(k) for k in self.index["exact"]}

    def add_cow(self, states: Mapping[int, CowState]) -> None:
        """Use these COW states (a newer list than the bundled one) for their codes."""
        self.cow.update(states)
        for state in states.values():
            for key in (exact_key(state.name), loose_key(state.name)):
                self._cow_names[key] = state.code

    def lookup(self, name: str, types: tuple[str, ...] = ("state", "organization")) -> str | None:
        """An existing entity of one of ``types`` that ``name`` names unambiguously."""
        for table, key in (("exact", exact_key(name)), ("loose", loose_key(name))):
            ids = [i for i in self.index[table].get(key, []) if self.existing[i].get("type") in types]
            if len(ids) == 1:
                return ids[0]
            if ids:
                return None
        return None

    def cow_id(self, code: int) -> str:
        """The entity id for a COW state code."""
        mapped = (self.map.get("cow") or {}).get(code)
        if mapped:
            return mapped
        if code in self.by_code:
            return self.by_code[code]
        state = self.cow.get(code)
        if state is None:
            raise KeyError(code)
        found = self.lookup(state.name, ("state",))
        if found:
            return found
        found = self._by_iso_of(code)
        if found:
            return found
        eid = slug(state.name)
        if eid in self.existing and self.existing[eid].get("type") != "state":
            eid = f"{eid}_{code}"
        return eid

    def cow_code_for(self, name: str) -> int | None:
        """The COW code of the state with this name or alias, or (failing that) of the state
        today that has the same ISO 3166 code, if one is known."""
        found = self._cow_names.get(exact_key(name)) or self._cow_names.get(loose_key(name))
        if found:
            return found
        code = iso3(name)
        return self.cow_by_iso().get(code) if code else None

    def iso_entity(self, name: str) -> str | None:
        """The state of the data directory whose ``attributes.iso3`` is this name's ISO code."""
        code = iso3(name) if self.by_iso else None
        return self.by_iso.get(code) if code else None

    def _by_iso_of(self, code: int) -> str | None:
        """A state of the data directory that is COW state ``code`` under its ISO code or one of
        its ISO names (COW's "Turkey" is the "Türkiye" someone wrote by hand)."""
        iso = next((i for i, c in self.cow_by_iso().items() if c == code), None)
        if iso is None:
            return None
        if iso in self.by_iso:
            return self.by_iso[iso]
        for name in iso_names(iso):
            found = self.lookup(name, ("state",))
            if found:
                return found
        return None

    def cow_by_iso(self) -> dict[str, int]:
        """ISO 3166 alpha-3 -> COW code, for the COW states still in the system (a state that
        left it, such as the Republic of Vietnam, has no ISO code today)."""
        if self._cow_iso is None:
            table = self.map.get("iso3") or {}
            self._cow_iso = {}
            for code, state in self.cow.items():
                if state.tenures and state.tenures[-1][1] is None:
                    iso = table.get(code) or iso3(state.name)
                    if iso:
                        self._cow_iso.setdefault(iso, code)
        return self._cow_iso

    def free_name(self, name: str, eid: str) -> bool:
        """True when ``name`` names no entity other than ``eid``."""
        ids = self.index["exact"].get(exact_key(name), [])
        return not ids or ids == [eid]


# --- ISO 3166 names, from pycountry ------------------------------------------------------------


def _name_forms(text: str) -> list[str]:
    """A country name and the forms it may be written in: "Congo, The Democratic Republic of
    the" is "Democratic Republic of the Congo"; "Bosnia-Herzegovina" is "Bosnia and Herzegovina"."""
    forms = [text]
    if ", " in text:
        head, tail = text.split(", ", 1)
        forms.append(f"{tail} {head}")
    forms += [re.sub(r"(?i)^the\s+", "", f) for f in forms]
    forms += [f.replace("-", " and ").replace("&", "and") for f in forms]
    forms += [re.sub(r"\bSt\.?\s", "Saint ", f) for f in forms]
    return list(dict.fromkeys(forms))


@lru_cache(maxsize=1)
def _iso_tables() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(loose name key -> ISO alpha-3, ISO alpha-3 -> its names), from pycountry."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - a dependency; without it only the hand tables apply
        return {}, {}
    index: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        for attr in ("common_name", "name", "official_name"):
            text = getattr(country, attr, None)
            if text:
                names.setdefault(country.alpha_3, []).append(text)
            for form in _name_forms(text) if text else ():
                index.setdefault(loose_key(form), country.alpha_3)
    return index, names


def iso_names(code: str) -> list[str]:
    """The names pycountry gives the country with ISO alpha-3 ``code`` (common name first)."""
    return _iso_tables()[1].get(code, [])


def iso3(name: str) -> str | None:
    """The ISO 3166 alpha-3 code of a country today named ``name`` (pycountry's names, official
    names and common names; case, accents and punctuation ignored), or None. Names of states
    gone (USSR, Yugoslavia) have none: ``mapping.yaml`` maps those.

    >>> iso3("Türkiye"), iso3("Cote d'Ivoire"), iso3("Bosnia-Herzegovina"), iso3("Soviet Union")
    ('TUR', 'CIV', 'BIH', None)
    """
    index = _iso_tables()[0]
    for form in _name_forms(name.strip()):
        found = index.get(loose_key(form))
        if found:
            return found
    return None


def cow_entity(state: CowState, eid: str, source: str) -> dict:
    """A state entity carrying its COW code, abbreviation and membership dates."""
    attrs: dict[str, object] = {"cow_code": state.code, "cow_abb": state.abb}
    first, last = state.tenures[0][0], state.tenures[-1][1]
    if first:
        attrs["cow_member_since"] = first
    if last:
        attrs["cow_member_until"] = last
    if len(state.tenures) > 1:
        attrs["cow_tenures"] = "; ".join(f"{s}/{e or ''}" for s, e in state.tenures)
    return {"id": eid, "name": state.name, "type": "state", "aliases": [state.abb] if state.abb else [],
            "attributes": attrs, "sources": [source]}  # fmt: skip


def rows_progress(rows: list, description: str) -> Iterator:
    """Iterate over ``rows`` with a progress bar on a terminal (see ``progress.track``)."""
    from ..progress import track

    return track(rows, total=len(rows), description=description)
