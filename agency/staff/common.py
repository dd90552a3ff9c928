"""Helpers shared by the staff views: roles, safe query-string numbers, the current user."""

from __future__ import annotations

from typing import cast

from flask import request
from flask_login import current_user

from agency.models import Role, User

STAFF_ROLES = (Role.STAFF, Role.ADMIN)
MAX_PAGE = 10_000


def page_arg() -> int:
    """The ?page= number, 1 when missing or nonsense, capped so OFFSET stays sane."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def me() -> User:
    return cast(User, current_user._get_current_object())
