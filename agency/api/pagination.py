"""Cursor pagination: newest first by id, the cursor an opaque token naming the last id seen.

Stable under inserts (a new row never shifts the next page, as an offset would) and each page is
one index range scan however deep the client has read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from agency.api.errors import abort
from agency.ids import MAX_ID

T = TypeVar("T")


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, value = raw.partition(":")
        last_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id, version = 0, ""
    if version != "v1" or not 0 < last_id <= MAX_ID:
        # The same shape as a validation error: the client sees which parameter is wrong.
        abort(
            422,
            message="The cursor is not one this API gave out.",
            errors={"query": {"cursor": ["Not a cursor from this API."]}},
        )
    return last_id


def result(rows: Sequence[T], limit: int, key: Callable[[T], int]) -> tuple[list[T], str | None]:
    items = list(rows[:limit])
    more = len(rows) > limit
    return items, (encode(key(items[-1])) if more and items else None)
