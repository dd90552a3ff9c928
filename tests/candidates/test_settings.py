"""Notification preferences and the sharing consent."""

from __future__ import annotations

from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import AuditEvent, Candidate, User


def test_preferences_are_shown_and_saved(client: FlaskClient, signed_in) -> None:
    html = client.get("/me/settings").get_data(as_text=True)
    assert 'checked id="email_notifications"' in html  # on by default
    assert 'checked id="notify_new_openings"' not in html
    assert "E-mail me when a new opening fits me well" in html
    response = client.post("/me/settings", data={"notify_new_openings": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, signed_in.user_id)
    assert (user.email_notifications, user.notify_new_openings) == (False, True)
    assert db.session.get(Candidate, signed_in.id).consent_share_profile is False
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "preferences_changed")
    ).scalar_one()
    assert event.details["notify_new_openings"] is True
    html = client.get("/me/settings").get_data(as_text=True)
    assert 'checked id="notify_new_openings"' in html
    assert 'checked id="email_notifications"' not in html
