"""Webhooks: clinics and admins register a URL for events; each event is an outbox row per
endpoint (kind "webhook"), delivered by the outbox workers with their retries and backoff.

Every request is signed: `ClinicMatch-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" keyed with the endpoint's secret>`. A receiver recomputes the HMAC over the raw body
and refuses a timestamp older than a few minutes (replays). An endpoint that fails
WEBHOOK_DISABLE_AFTER deliveries in a row is disabled and its owner is e-mailed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from agency.extensions import db
from agency.models import (
    Application,
    Role,
    StageChange,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from agency.services import audit, outbox
from agency.services.errors import FieldError

SUBMITTAL_CREATED = "submittal.created"
STAGE_CHANGED = "application.stage_changed"
EVENTS = (SUBMITTAL_CREATED, STAGE_CHANGED)
SIGNATURE_HEADER = "ClinicMatch-Signature"
TIMEOUT_SECONDS = 10
DISABLE_AFTER = 20
# Stages a clinic sees (clinic_portal.SHOWN_STAGES); a move outside them is internal to the agency.
CLINIC_VISIBLE = frozenset({"submitted", "interview", "offered", "placed"})


class WebhookError(FieldError):
    """A refusal the form shows next to `field`."""


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx: the outbox retries with backoff."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (documented, and used by the tests' receiver)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1')}")


# ---- registration ---------------------------------------------------------------------------


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    return list(
        db.session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.owner_id == user.id)
            .order_by(WebhookEndpoint.created_at.desc())
        ).scalars()
    )


def register(user: User, url: str, events: list[str], ip: str = "") -> WebhookEndpoint:
    if user.role not in (Role.CLINIC, Role.ADMIN):
        raise WebhookError("Only clinics and admins register webhooks.")
    if user.role == Role.CLINIC and user.clinic_id is None:
        raise WebhookError("Your account belongs to no clinic.")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise WebhookError("Enter an http:// or https:// URL.", "url")
    chosen = [e for e in EVENTS if e in set(events)]
    if not chosen:
        raise WebhookError("Choose at least one event.", "events")
    endpoint = WebhookEndpoint(
        owner_id=user.id,
        clinic_id=user.clinic_id if user.role == Role.CLINIC else None,
        url=url,
        secret="whsec_" + secrets.token_hex(24),
        events=chosen,
        active=True,
        consecutive_failures=0,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        "webhook_registered", actor_id=user.id, object_type="webhook", object_id=endpoint.id, ip=ip
    )
    return endpoint


def remove(user: User, endpoint_id: int) -> bool:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) if 0 < endpoint_id < 2**31 else None
    if endpoint is None or endpoint.owner_id != user.id:
        return False
    db.session.delete(endpoint)
    return True


def deliveries(endpoint: WebhookEndpoint, limit: int = 20) -> list[WebhookDelivery]:
    return list(
        db.session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        ).scalars()
    )


# ---- events ---------------------------------------------------------------------------------


def _emit(event: str, event_id: str, data: dict[str, Any], clinic_id: int | None) -> int:
    """One outbox row per active endpoint that listens to this event and may hear it."""
    endpoints = db.session.execute(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).scalars()
    count = 0
    for endpoint in endpoints:
        if event not in (endpoint.events or []):
            continue
        if endpoint.clinic_id is not None and endpoint.clinic_id != clinic_id:
            continue
        outbox.add(
            "webhook",
            {"endpoint_id": endpoint.id, "event": event, "event_id": event_id, "data": data},
            dedupe_key=f"webhook:{endpoint.id}:{event_id}",
        )
        count += 1
    return count


def stage_changed(application: Application, change: StageChange) -> int:
    """Called by the pipeline in the move's transaction (the rows commit with the move)."""
    opening = application.opening
    data = {
        "application_id": application.id,
        "opening_id": application.opening_id,
        "clinic_id": opening.clinic_id,
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "at": (change.created_at or utcnow()).isoformat(),
    }
    event_id = f"stage-change-{change.id}"
    sent = 0
    visible = change.to_stage in CLINIC_VISIBLE or change.from_stage in CLINIC_VISIBLE
    # Clinics hear only about moves inside the part of the pipeline they see.
    clinic_id = opening.clinic_id if visible else -1
    sent += _emit(STAGE_CHANGED, event_id, data, clinic_id)
    if change.to_stage == "submitted":
        sent += _emit(SUBMITTAL_CREATED, f"submittal-{change.id}", data, opening.clinic_id)
    return sent


# ---- delivery (the outbox handler) -----------------------------------------------------------


def _public_address(url: str) -> str:
    """ "" when every address the host resolves to is public; else why not. A webhook must not
    turn the worker into a way to reach the agency's own network (SSRF)."""
    if current_app.config.get("WEBHOOK_ALLOW_PRIVATE"):
        return ""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve the host: {exc}"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return f"refused: {address} is not a public address"
    return ""


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    refused = _public_address(url)
    if refused:
        return None, refused[:500]
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) only: checked on registration)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]


def deliver(payload: dict[str, Any], key: str) -> str:
    endpoint = db.session.get(WebhookEndpoint, int(payload["endpoint_id"]))
    if endpoint is None or not endpoint.active:
        return "skipped: the endpoint was removed or disabled"
    url, secret = endpoint.url, endpoint.secret
    body = json.dumps(
        {
            "id": payload["event_id"],
            "type": payload["event"],
            "created_at": utcnow().isoformat(),
            "data": payload["data"],
        },
        sort_keys=True,
    ).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ClinicMatch-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "ClinicMatch-Event": payload["event"],
        "ClinicMatch-Delivery": key,
    }
    # No database transaction stays open across the network call.
    db.session.rollback()
    started = time.monotonic()
    status, error = _post(url, body, headers)
    elapsed = int((time.monotonic() - started) * 1000)
    endpoint = db.session.get(WebhookEndpoint, int(payload["endpoint_id"]))
    if endpoint is None:
        return "skipped: the endpoint was removed"
    ok = status is not None and 200 <= status < 300
    db.session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event=payload["event"],
            event_id=str(payload["event_id"])[:100],
            status_code=status,
            error=error,
            duration_ms=elapsed,
        )
    )
    if ok:
        endpoint.consecutive_failures = 0
        db.session.commit()
        return f"HTTP {status}"
    endpoint.consecutive_failures += 1
    if endpoint.consecutive_failures >= int(
        current_app.config.get("WEBHOOK_DISABLE_AFTER", DISABLE_AFTER)
    ):
        _disable(endpoint)
    # The log and the count are kept even though this attempt is retried.
    db.session.commit()
    raise DeliveryFailed(error or f"HTTP {status}")


def _disable(endpoint: WebhookEndpoint) -> None:
    endpoint.active = False
    endpoint.disabled_at = utcnow()
    owner = endpoint.owner
    outbox.email(
        "webhook_disabled",
        owner.email,
        {
            "url": endpoint.url,
            "failures": endpoint.consecutive_failures,
            "settings_url": current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            + "/account/webhooks/",
        },
        dedupe_key=f"webhook-disabled:{endpoint.id}:{int(endpoint.disabled_at.timestamp())}",
        user_id=owner.id,
        essential=True,
    )
