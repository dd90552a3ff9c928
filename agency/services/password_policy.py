"""What makes a password acceptable: length and not one of the most common breached passwords."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    if not _LIST.exists():
        return frozenset()
    return frozenset(
        line.strip().lower()
        for line in _LIST.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


def problems(password: str, email: str | None = None) -> list[str]:
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        found.append("This password is too common; choose one that is harder to guess.")
    if email and lowered == email.strip().lower():
        found.append("Do not use your e-mail address as your password.")
    return found
