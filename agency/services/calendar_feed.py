"""Calendar files (RFC 5545, built with the icalendar library): invitations sent by e-mail and
each user's private calendar feed.

Everything that appears on a calendar is a `CalendarEvent`; a kind of appointment (interviews
today, shifts later) contributes events through a source in `SOURCES`: a function that takes the
reading user and returns that user's events, written in that user's words. The feed and the
invitations never look at the appointments themselves.

An event keeps one UID for life; its SEQUENCE rises with each change, so a calendar replaces the
earlier copy. Times are written in the clinic's zone (TZID plus the VTIMEZONE it needs).

A feed address is a secret: `/calendar/<token>.ics` works without a login (calendar apps cannot
log in), so only the token's SHA-256 is stored and a reset makes the old address stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from agency.extensions import db
from agency.models import CalendarFeed, User, utcnow

PRODID = "-//ClinicMatch//Interviews and shifts//EN"
# A feed shows what happened lately and everything ahead.
FEED_PAST_DAYS = 30
TOKEN_BYTES = 32


@dataclass(frozen=True)
class CalendarEvent:
    """One appointment as a calendar shows it. `start` and `end` are aware datetimes (any zone:
    they are written in `zone`)."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    zone: ZoneInfo
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    # E-mail addresses invited (an invitation names its recipient; a feed names nobody).
    attendees: tuple[str, ...] = field(default_factory=tuple)


EventSource = Callable[[User, datetime], Iterable[CalendarEvent]]


def _sources() -> list[EventSource]:
    # Imported here: the appointment services build on this module, not the other way round.
    from agency.services import interviews, shifts

    return [interviews.calendar_events, shifts.calendar_events]


def _organizer() -> vCalAddress:
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    organizer = vCalAddress(f"mailto:{address or 'no-reply@clinicmatch.local'}")
    organizer.params["CN"] = vText(name or "ClinicMatch")
    return organizer


def _vevent(event: CalendarEvent, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", event.start.astimezone(event.zone))
    vevent.add("dtend", event.end.astimezone(event.zone))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("organizer", _organizer())
    for address in event.attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        vevent.add("attendee", attendee)
    return vevent


def _calendar(events: list[CalendarEvent], method: str | None, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    if events:
        # Only the years around the events: a zone's whole history is kilobytes per e-mail.
        first = min(e.start for e in events).date() - timedelta(days=366)
        last = max(e.end for e in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def invitation(event: CalendarEvent, *, cancel: bool = False) -> bytes:
    """An iTIP message for one event: METHOD:REQUEST (new or changed) or METHOD:CANCEL."""
    return _calendar([event], "CANCEL" if cancel else "REQUEST")


def attachment(event: CalendarEvent, *, cancel: bool = False) -> dict[str, str]:
    """The invitation as an outbox e-mail attachment (see outbox.email)."""
    method = "CANCEL" if cancel else "REQUEST"
    return {
        "filename": "cancel.ics" if cancel else "invite.ics",
        "content_type": "text/calendar",
        "content": invitation(event, cancel=cancel).decode("utf-8"),
        "inline_method": method,
    }


def events_for(user: User, now: datetime | None = None) -> list[CalendarEvent]:
    """Every event the user's calendar shows, from each source, soonest first."""
    since = (now or utcnow()) - timedelta(days=FEED_PAST_DAYS)
    found = [event for source in _sources() for event in source(user, since)]
    return sorted(found, key=lambda e: (e.start, e.uid))


def feed(user: User, now: datetime | None = None) -> bytes:
    """The user's private feed: a calendar (no METHOD) an app subscribes to."""
    return _calendar(events_for(user, now), None, name="ClinicMatch")


# --- The private feed address --------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.execute(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id)
    ).scalar_one_or_none()


def reset(user: User) -> str:
    """A new secret address for the user (the old one stops working); the token, shown once.
    The caller commits."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = feed_of(user)
    if row is None:
        row = CalendarFeed(user_id=user.id, token_hash=_hash(token))
        db.session.add(row)
    else:
        row.token_hash, row.created_at, row.last_used_at = _hash(token), utcnow(), None
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None (unknown, reset, or account off)."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(
        select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None or row.user is None or not row.user.active:
        return None
    return row.user


def touch(user: User) -> None:
    """Record that the feed was read (at most once an hour: calendar apps poll often)."""
    row = feed_of(user)
    now = utcnow()
    if row is None:
        return
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        row.last_used_at = now


def feed_url(token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/calendar/{token}.ics"


def utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
