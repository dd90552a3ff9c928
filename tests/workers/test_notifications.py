"""The notifications API: who gets which e-mail, preferences, dedupe keys, unsubscribe links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency.extensions import db
from agency.models import (
    Application,
    ApplicationSource,
    Match,
    Role,
    Stage,
    StageChange,
    utcnow,
)
from agency.services import delivery, notifications
from tests.workers.helpers import all_messages


@pytest.fixture
def application(make_candidate, make_opening):
    candidate = make_candidate()
    opening = make_opening()
    application = Application(
        candidate=candidate,
        opening=opening,
        source=ApplicationSource.APPLIED,
        stage=Stage.APPLIED,
    )
    db.session.add(application)
    db.session.commit()
    return application


def emails() -> dict[str, str]:
    """dedupe key -> template of every staged e-mail."""
    return {m.dedupe_key: m.payload["template"] for m in all_messages() if m.kind == "email"}


def test_application_received_mails_the_candidate_and_tells_staff(app, application, make_user):
    staff = make_user(Role.STAFF)
    notifications.application_received(application)
    notifications.application_received(application)  # a retried request: nothing new
    db.session.commit()
    user = application.candidate.user
    assert emails() == {f"applied:{application.id}:u{user.id}": "application_received"}
    (staff_row,) = [m for m in all_messages() if m.kind == "notify_staff"]
    assert delivery.deliver(staff_row.id) is True  # the fan-out (SMTP not involved)
    assert emails()[f"staff:applied:{application.id}:u{staff.id}"] == ("staff_application_received")


def test_stage_changes_and_interviews_go_to_the_candidate(app, application, make_user):
    actor = make_user(Role.STAFF)
    for stage in (Stage.INTERVIEW, Stage.OFFERED):
        change = StageChange(
            application=application, actor_id=actor.id, from_stage="applied", to_stage=stage
        )
        db.session.add(change)
        notifications.stage_changed(application, change)
    db.session.commit()
    assert sorted(emails().values()) == ["interview_invitation", "stage_changed"]


def test_submitted_and_placed_reach_the_clinic(app, application, make_user):
    actor = make_user(Role.STAFF)
    for stage in (Stage.SUBMITTED, Stage.PLACED):
        db.session.add(StageChange(application=application, actor_id=actor.id, to_stage=stage))
        db.session.flush()
    notifications.submitted_to_clinic(application)
    notifications.placement_confirmed(application)
    db.session.commit()
    assert sorted(emails().values()) == [
        "placement_confirmed",
        "placement_confirmed_clinic",
        "submitted_to_clinic",
    ]


def test_clinic_approved_and_erasure(app, make_clinic, make_user):
    clinic = make_clinic()
    notifications.clinic_approved(clinic)
    notifications.account_erased(42)
    db.session.commit()
    assert list(emails().values()) == ["clinic_approved"]
    assert [m.payload for m in all_messages() if m.kind == "notify_staff"] == [
        {"event": "account_erased", "candidate_id": 42}
    ]


def test_users_who_turned_mail_off_get_none(app, application):
    application.candidate.user.email_notifications = False
    notifications.application_received(application)
    db.session.commit()
    assert emails() == {}


def test_new_opening_alerts_only_strong_new_opted_in_and_once_a_day(
    app, make_candidate, make_opening
):
    candidate = make_candidate()
    first, second, old = make_opening(), make_opening(), make_opening()
    old.posted_at = utcnow() - timedelta(days=30)
    db.session.commit()
    assert not notifications.new_opening_fits(candidate, first, 95)  # not opted in
    candidate.user.notify_new_openings = True
    assert not notifications.new_opening_fits(candidate, first, 60)  # not strong
    assert not notifications.new_opening_fits(candidate, first, 89)  # a good fit, not strong
    assert not notifications.new_opening_fits(candidate, old, 95)  # not new
    assert notifications.new_opening_fits(candidate, first, 90)
    db.session.commit()
    assert not notifications.new_opening_fits(candidate, second, 99)  # one a day
    (row,) = all_messages()
    assert "/unsubscribe/" in row.payload["context"]["unsubscribe_url"]


def test_alerts_after_a_rescore_skip_applicants(app, application, make_candidate):
    fits = make_candidate()
    for candidate in (fits, application.candidate):
        candidate.user.notify_new_openings = True
        db.session.add(
            Match(
                candidate_id=candidate.id,
                opening_id=application.opening_id,
                score=92.0,
                model_version="test",
            )
        )
    db.session.commit()
    assert notifications.alert_strong_matches(application.opening_id) == 1
    db.session.commit()
    assert list(emails()) == [f"opening-fits:{fits.id}:{application.opening_id}:u{fits.user.id}"]


def test_unsubscribe_link_works_without_login_and_only_on_post(app, client, make_user):
    user = make_user(notify_new_openings=True)
    url = notifications.unsubscribe_url(user.id)
    path = url.split("5000", 1)[1]
    assert b"Unsubscribe" in client.get(path).data
    db.session.expire_all()
    assert user.email_notifications is True  # a link scanner's GET changes nothing
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert user.email_notifications is False and user.notify_new_openings is False
    assert client.post(path[:-3] + "abc").status_code == 404


def test_openings_topic_only_stops_opening_alerts(app, client, make_user):
    user = make_user(notify_new_openings=True)
    path = "/unsubscribe/" + notifications.unsubscribe_token(user.id, "openings")
    client.post(path)
    db.session.expire_all()
    assert user.notify_new_openings is False and user.email_notifications is True


def test_every_non_essential_template_renders_with_an_unsubscribe_link(app, smtp):
    from agency.services import mail

    context = {
        "first_name": "Ana", "candidate_name": "Ana Diaz", "opening_title": "Receptionist",
        "clinic_name": "Riverside", "opening_url": "u", "dashboard_url": "u", "review_url": "u",
        "stage": "offered", "stage_words": "offered the position", "start_date": "2026-01-05",
        "score": 88, "credential_name": "CPR", "expires_on": "2026-01-01", "days": 30,
        "profile_url": "u", "staff_url": "u", "place": "Boston, MA", "candidate_id": 3,
        "event": "something_new", "details": {"event": "something_new", "id": 3}, "day": "d",
        "new_applications": [{"candidate": "A", "opening": "B", "stage": "applied"}],
        "openings_without_strong": [{"id": 1, "title": "T"}], "expiring_credentials": 2,
        "failed_messages": 1, "outbox_url": "u", "unsubscribe_url": "https://x/unsubscribe/t",
        "subject": "A word from the agency", "body": "Hello Ana", "searches": [],
    }  # fmt: skip
    templates = {
        p.name.split(".")[0]
        for p in (mail.Path(app.template_folder) / "email").glob("*.subject.txt")
    } - {
        "password_reset",
        "signup_existing_account",
        "account_invitation",
        "clinic_invitation",
    }  # account access: essential
    assert len(templates) >= 15
    for template in sorted(templates):
        msg = mail.build(template, "a@example.com", context, f"t:{template}")
        assert "https://x/unsubscribe/t" in msg.get_body(("plain",)).get_content(), template
        assert "https://x/unsubscribe/t" in msg.get_body(("html",)).get_content(), template
        assert msg["List-Unsubscribe"] == "<https://x/unsubscribe/t>"


def test_the_strong_match_threshold_is_the_documented_strong_fit_band() -> None:
    from pathlib import Path

    from matching.scorer import score_band

    threshold = notifications.STRONG_MATCH
    assert score_band(threshold) == "strong fit"
    assert score_band(threshold - 0.01) == "good fit"
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scores.md").read_text()
    assert f"| {threshold:g}-100 | **strong fit**" in docs
