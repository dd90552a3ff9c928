"""Scheduled jobs: credential reminders once per threshold, the digest, retention, rescoring."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from agency.extensions import db
from agency.models import AuthToken, OutboxMessage, OutboxStatus, Role, TokenPurpose, utcnow
from agency.services import delivery, digest, reminders, retention
from tests.workers.conftest import SmtpServer
from tests.workers.helpers import all_messages, stage_email


def deliver_everything() -> None:
    """Deliver until nothing is pending (fan-outs stage more)."""
    for _ in range(5):
        pending = [m.id for m in all_messages() if m.status == OutboxStatus.PENDING]
        if not pending:
            return
        for message_id in pending:
            delivery.deliver(message_id)


def test_each_credential_reminder_is_sent_once_however_often_the_job_runs(
    app, smtp: SmtpServer, make_candidate, make_credential, make_user
) -> None:
    staff = make_user(Role.STAFF)
    candidate = make_candidate()
    today = date.today()
    credential = make_credential(candidate, expires_on=today + timedelta(days=59))
    for day_offset in (0, 0, 1, 30, 30, 31, 52, 53, 53):
        for _ in range(3):
            reminders.stage_credential_reminders(today + timedelta(days=day_offset))
        deliver_everything()
    keys = smtp.sink.keys()
    assert all(count == 1 for count in keys.values()), keys
    to = Counter(str(m["To"]) for m in smtp.sink.accepted)
    assert to == {candidate.user.email: 3, staff.email: 3}
    # Staff: one summary for each scan that reminded somebody, naming the threshold.
    summaries = [m for m in smtp.sink.accepted if m["To"] == staff.email]
    assert {str(m["Subject"]) for m in summaries} == {"Credential reminders: 1 candidate reminded"}
    bodies = [m.get_body(("plain",)).get_content() for m in summaries]
    assert sorted(b.split("(within ")[1].split(")")[0] for b in bodies) == [
        "30 days",
        "60 days",
        "7 days",
    ]
    assert credential.id


def test_a_credential_first_seen_late_gets_only_the_tightest_reminder(
    app, make_candidate, make_credential
) -> None:
    candidate = make_candidate()
    make_credential(candidate, expires_on=date.today() + timedelta(days=20))
    reminders.stage_credential_reminders()
    keys = [m.dedupe_key for m in all_messages() if m.kind == "email"]
    assert len(keys) == 1 and ":30:" in keys[0]


def test_the_daily_digest_goes_to_staff_once_a_day(app, make_user, make_opening) -> None:
    make_user(Role.STAFF)
    make_user(Role.ADMIN, email_notifications=False)
    make_opening()
    assert digest.stage_daily_digest() == 1
    assert digest.stage_daily_digest() == 0
    (row,) = all_messages()
    assert row.payload["template"] == "staff_digest"
    assert len(row.payload["context"]["openings_without_strong"]) == 1


def test_retention_removes_expired_tokens_and_old_sent_messages(app, make_user) -> None:
    user = make_user()
    old = utcnow() - timedelta(days=200)
    db.session.add_all(
        [
            AuthToken(user_id=user.id, purpose=TokenPurpose.PASSWORD_RESET,
                      token_hash="a" * 64, expires_at=old),
            AuthToken(user_id=user.id, purpose=TokenPurpose.PASSWORD_RESET,
                      token_hash="b" * 64, expires_at=utcnow() + timedelta(hours=1)),
        ]
    )  # fmt: skip
    stage_email("old-sent")
    stage_email("new-sent")
    stage_email("old-dead")
    db.session.commit()
    for m in all_messages():
        m.status = OutboxStatus.DEAD if "dead" in m.dedupe_key else OutboxStatus.SENT
        m.sent_at = old if "old" in m.dedupe_key else utcnow()
    db.session.commit()
    purged = retention.purge()
    assert (purged.tokens, purged.messages) == (1, 1)
    assert retention.purge().messages == 0
    left = db.session.execute(db.select(OutboxMessage.dedupe_key)).scalars().all()
    assert sorted(left) == ["new-sent", "old-dead"]


def test_rescore_kinds_recompute_matches_through_the_outbox(
    app, taxonomy, make_candidate, make_opening
) -> None:
    from agency.models import Match
    from agency.services import outbox

    candidate = make_candidate()
    opening = make_opening()
    outbox.add("rescore_opening", {"opening_id": opening.id}, "rescore-opening:t")
    outbox.add("rescore_candidate", {"candidate_id": candidate.id}, "rescore-candidate:t")
    db.session.commit()
    deliver_everything()
    assert {m.status for m in all_messages()} == {OutboxStatus.SENT}
    pairs = db.session.execute(db.select(Match.candidate_id, Match.opening_id)).all()
    assert (candidate.id, opening.id) in pairs


def test_an_unknown_kind_is_dead_and_says_why(app) -> None:
    from agency.services import outbox

    outbox.add("no_such_kind", {}, "unknown:1")
    db.session.commit()
    deliver_everything()
    (row,) = all_messages()
    assert row.status == OutboxStatus.DEAD and "no_such_kind" in row.last_error


def test_beat_tasks_are_thin_and_idempotent(app, make_user, caplog) -> None:
    make_user(Role.STAFF)
    tasks = app.extensions["celery"].tasks
    for name in ("credential_reminders", "daily_digest", "retention_cleanup", "sweep_outbox"):
        tasks[f"workers.{name}"].run()
        tasks[f"workers.{name}"].run()
    assert [m.payload["template"] for m in all_messages()] == ["staff_digest"]
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["sweep-outbox"]["schedule"] == 30.0
    assert {"credential-reminders", "daily-digest", "retention-cleanup", "retrain-ranker"} <= set(
        schedule
    )


def test_weekly_retrain_goes_through_the_outbox_once_a_week(app) -> None:
    task = app.extensions["celery"].tasks["workers.retrain_ranker"]
    task.run()
    task.run()
    (row,) = all_messages()
    assert row.kind == "retrain_ranker" and row.dedupe_key.startswith("retrain:weekly:")
    deliver_everything()
    (row,) = all_messages()
    # Too few staff decisions yet is an answer, not a failure.
    assert row.status == OutboxStatus.SENT and row.last_error.startswith("not trained")
