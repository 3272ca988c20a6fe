"""``link`` on a large directory: checked against the compiled cache, not a full validation."""

from __future__ import annotations

from pathlib import Path


def link_large(directory: Path, *args, **kwargs) -> dict | None:
    """None: not available (the caller validates the whole directory)."""
    return None
