"""LIKE patterns for searches that look for what a user typed anywhere in a column.

What a user types is text, not a pattern: `%` and `_` in it must match themselves, or a search
for "100%" or "a_b" would match nearly everything. Use with `.like(contains(text), escape=ESCAPE)`.
"""

from __future__ import annotations

ESCAPE = "/"


def contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"
