"""Password hashing with argon2id (parameters at or above OWASP's minimum) and rehash on login."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# OWASP's floor for argon2id: 19 MiB, 2 iterations, 1 lane. Production uses argon2-cffi's
# stronger RFC 9106 defaults; tests may drop to the floor, never below it.
OWASP_MINIMUM = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMS") or {
        "time_cost": 3,
        "memory_cost": 64 * 1024,
        "parallelism": 4,
    }
    for key, floor in OWASP_MINIMUM.items():
        if params[key] < floor:
            raise ValueError(f"ARGON2_PARAMS {key}={params[key]} is below OWASP's minimum {floor}")
    return _hasher(params["time_cost"], params["memory_cost"], params["parallelism"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# Verifying against this when the e-mail is unknown keeps the response time the same.
def dummy_verify(password: str) -> None:
    verify_password(_dummy_hash(hasher()), password)


@lru_cache(maxsize=4)
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("not-a-real-password-for-timing")
