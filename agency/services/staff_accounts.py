"""Administrators manage the agency's own accounts: create staff, deactivate, reactivate."""

from __future__ import annotations

from agency.models import STAFF_ROLES, Role, User
from agency.services import accounts, audit


def create(email: str, password: str, role: str, actor: User, ip: str = "") -> User:
    """Raises accounts.AccountError (field "email") when the address is taken."""
    if role not in STAFF_ROLES:
        raise accounts.AccountError("Choose staff or administrator.", field="role")
    user = accounts.create_user(email, password, Role(role))
    audit.record(
        "staff_account_created",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        ip=ip,
        details={"email": user.email, "role": role},
    )
    return user


def set_active(user: User, active: bool, actor: User, ip: str = "") -> None:
    """Deactivating also ends the person's sessions (the session version changes)."""
    if user.id == actor.id:
        raise accounts.AccountError("You cannot deactivate your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version = (user.session_version or 1) + 1
    audit.record(
        "staff_account_reactivated" if active else "staff_account_deactivated",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        ip=ip,
        details={"email": user.email},
    )
