"""Secrets in e-mailed links that the database never holds.

A reset or claim link carries a single-use token. The token row keeps only its hash, but the
e-mail waits in the outbox until a worker renders it, so the outbox payload would hold the
live token: anyone who could read the database (a backup, a replica, a support query) could
reset a password. Instead the payload keeps a random nonce, and the token is an HMAC of it
under the app's SECRET_KEY, worked out again when the message is rendered. Reading the database
is then not enough; rotating SECRET_KEY voids links still waiting to be sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from flask import current_app

SEALED = "sealed_link"


def _token(purpose: str, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key_bytes = key.encode() if isinstance(key, str) else bytes(key)
    digest = hmac.new(key_bytes, f"email-link:{purpose}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def mint(purpose: str, prefix: str) -> tuple[str, dict[str, Any]]:
    """A new token for `purpose`, and the sealed context value that renders as prefix + token."""
    nonce = secrets.token_urlsafe(16)
    return _token(purpose, nonce), {SEALED: {"purpose": purpose, "nonce": nonce, "prefix": prefix}}


def open_context(context: dict[str, Any]) -> dict[str, Any]:
    """The context with each sealed link worked out (what the e-mail shows)."""
    opened = dict(context)
    for name, value in context.items():
        if isinstance(value, dict) and isinstance(value.get(SEALED), dict):
            sealed = value[SEALED]
            opened[name] = str(sealed["prefix"]) + _token(
                str(sealed["purpose"]), str(sealed["nonce"])
            )
    return opened
