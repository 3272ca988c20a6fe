"""Correlates of War state list (``states2016.csv``) -> state entities with their COW code.

One entity per COW code (a state that left and re-entered the system has several rows; its
tenures go into ``attributes.cow_tenures``). Membership dates stay attributes rather than the
entity's ``since``/``until``: COW membership is not statehood (Japan leaves the list in 1945).
"""

from __future__ import annotations

from pathlib import Path

from .common import COW_COLUMNS, ImportResult, Namer, cow_entity, csv_records, parse_cow_rows, rows_progress

SOURCE_ID = "cow-states-2016"
SOURCE = {
    "title": "State System Membership List, v2016",
    "publisher": "Correlates of War Project",
    "url": "https://correlatesofwar.org/data-sets/state-system-membership",
    "date": "2017",
    "note": 'Correlates of War Project. 2017. "State System Membership List, v2016." Imported by allygraph import cow-states.',
}


def read(path: str | Path, namer: Namer | None = None) -> ImportResult:
    """Read a COW ``states*.csv`` file.

    >>> result = read(Path(__file__).parent / "data" / "cow_states2016.csv")
    >>> result.read, len(result.entities), result.entities["japan"]["attributes"]["cow_code"]
    (243, 217, 740)
    """
    name, columns, rows = csv_records(Path(path), COW_COLUMNS, ("version",))
    result = ImportResult("cow-states", [name], read=len(rows), sources={SOURCE_ID: SOURCE})
    states = parse_cow_rows(name, columns, list(rows_progress(rows, "reading COW states")), result)
    namer = namer or Namer()
    namer.add_cow(states)
    for code in sorted(states):
        result.add_entity(cow_entity(states[code], namer.cow_id(code), SOURCE_ID))
    return result
