"""US ZIP code to coordinates, offline (the `zipcodes` package ships the data)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

_ZIP = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Location:
    zip_code: str
    lat: float
    lon: float
    city: str
    state: str


def load_table() -> None:
    """Read the package's ZIP table now: its first lookup reads it (about 0.6 s)."""
    zipcodes.matching("02139")


@lru_cache(maxsize=4096)
def lookup_zip(raw: str | None) -> Location | None:
    """The location of a 5-digit US ZIP (ZIP+4 accepted), or None when it is not a real one."""
    if not raw:
        return None
    code = raw.strip()[:5]
    if not _ZIP.match(code):
        return None
    try:
        found = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    for row in found:
        if row.get("lat") and row.get("long"):
            return Location(code, float(row["lat"]), float(row["long"]), row["city"], row["state"])
    return None
