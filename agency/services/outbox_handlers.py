"""What each outbox kind does when delivered.

A handler returns a short note for the row (or "") and raises PermanentFailure when a retry
cannot help. Rows a handler stages are committed together with the "sent" mark. New kinds go
into HANDLERS (or through `register`); BATCHED_KINDS lists those a worker may take in batches.
In a batch, `perform_later` may leave a send's outcome to come with the next one (`settle()`
brings in the last): an e-mail's text goes out with the next e-mail's envelope.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any

from jinja2 import TemplateNotFound

from agency.extensions import db
from agency.models import User
from agency.services import mail, notifications

Handler = Callable[[dict[str, Any], str], str]
# A batched send's outcome: the note when it is done, or the error (PermanentFailure when a
# retry cannot help).
Done = Callable[[str, BaseException | None], None]


class PermanentFailure(Exception):
    """The message can never be delivered as it is: it goes straight to dead."""


def _compose(payload: dict[str, Any], key: str) -> mail.Outgoing | str:
    """The e-mail to send, or the note when there is none to send."""
    user_id = payload.get("user_id")
    # The recipient may have unsubscribed after the message was written.
    opted_out = user_id is not None and not notifications.wants_mail(db.session.get(User, user_id))
    if opted_out and not payload.get("essential"):
        return "skipped: the recipient turned e-mail off"
    try:
        msg = mail.compose(
            payload["template"],
            payload["to"],
            payload.get("context", {}),
            key,
            payload.get("attachments"),
        )
    except (TemplateNotFound, KeyError, ValueError) as exc:
        raise PermanentFailure(f"cannot build the e-mail: {type(exc).__name__}: {exc}") from exc
    # End the read transaction before the network call: no database lock spans SMTP.
    db.session.rollback()
    return msg


def _permanent(exc: BaseException) -> PermanentFailure | None:
    if isinstance(exc, smtplib.SMTPException) and mail.is_permanent(exc):
        return PermanentFailure(f"SMTP rejected it: {exc}")
    return None


def _send(msg: mail.Outgoing, concluded: mail.Done | None = None) -> None:
    """mail.send, a refusal no retry can change raised as PermanentFailure."""
    try:
        mail.send(msg, concluded)
    except smtplib.SMTPException as exc:
        permanent = _permanent(exc)
        if permanent is None:
            raise
        raise permanent from exc


def _email(payload: dict[str, Any], key: str) -> str:
    msg = _compose(payload, key)
    if isinstance(msg, str):
        return msg
    _send(msg)
    return ""


def _email_later(payload: dict[str, Any], key: str, done: Done) -> None:
    msg = _compose(payload, key)
    if isinstance(msg, str):
        done(msg, None)
        return

    def concluded(exc: BaseException | None) -> None:
        done("", None if exc is None else _permanent(exc) or exc)

    _send(msg, concluded)


def _notify_staff(payload: dict[str, Any], key: str) -> str:
    count = notifications.fan_out_to_staff(payload, key)
    return f"{count} staff e-mail(s) staged"


def _rescore_opening(payload: dict[str, Any], _key: str) -> str:
    from agency.services.engine import engine

    opening_id = int(payload["opening_id"])
    stored = engine().rescore_opening(opening_id)
    alerts = notifications.alert_strong_matches(opening_id)
    return f"{stored} matches, {alerts} alert(s)"


def _rescore_candidate(payload: dict[str, Any], _key: str) -> str:
    from agency.services.engine import engine

    return f"{engine().rescore_candidate(int(payload['candidate_id']))} matches"


def _retrain_ranker(_payload: dict[str, Any], _key: str) -> str:
    from agency.services import ranker

    try:
        model = ranker.retrain()
    except ranker.RankerError as exc:
        return f"not trained: {exc}"  # too few decisions is an answer, not a failure
    return f"{model.version} {'active' if model.active else 'kept rules'}"


def _webhook(payload: dict[str, Any], key: str) -> str:
    from agency.services import webhooks

    return webhooks.deliver(payload, key)


def _import_rows(payload: dict[str, Any], _key: str) -> str:
    from agency.services import imports

    return imports.run_slice(int(payload["job_id"]))


HANDLERS: dict[str, Handler] = {
    "email": _email,
    "notify_staff": _notify_staff,
    "rescore_opening": _rescore_opening,
    "rescore_candidate": _rescore_candidate,
    "retrain_ranker": _retrain_ranker,
    "webhook": _webhook,
    "import_rows": _import_rows,
}


# Kinds whose handler is a quick network send that stages nothing: a worker takes due ones in
# batches (see delivery.deliver_many). Slow or row-staging kinds stay one per task.
BATCHED_KINDS: set[str] = {"email"}


def register(kind: str, handler: Handler, *, batched: bool = False) -> None:
    """Add (or replace) the handler of an outbox kind; `batched` for quick sends."""
    HANDLERS[kind] = handler
    if batched:
        BATCHED_KINDS.add(kind)
    else:
        BATCHED_KINDS.discard(kind)


def perform(kind: str, payload: dict[str, Any], key: str) -> str:
    handler = HANDLERS.get(kind)
    if handler is None:
        raise PermanentFailure(f"no handler for outbox kind {kind!r}")
    return handler(payload, key)


# Kinds whose outcome may come after the handler returned (see `perform_later`): the handler
# in HANDLERS and the one that stands in for it in a batch.
_LATER: dict[str, tuple[Handler, Callable[[dict[str, Any], str, Done], None]]] = {
    "email": (_email, _email_later)
}


def perform_later(kind: str, payload: dict[str, Any], key: str, done: Done) -> None:
    """`perform` for a batch: `done` gets the outcome, maybe only during the next call or
    `settle()` (an e-mail's text goes out with the next one's envelope). An error raised here
    means the message was not sent, and `done` is not called."""
    pair = _LATER.get(kind)
    if pair is None or HANDLERS.get(kind) is not pair[0]:  # none, or replaced by register()
        done(perform(kind, payload, key), None)
        return
    pair[1](payload, key, done)


def settle() -> None:
    """Conclude the send a batch left open, if any (its `done` is called): a batch's end."""
    mail.settle()
