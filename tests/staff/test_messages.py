"""Staff e-mail to candidates: templates with whitelisted placeholders (unknown ones are form
errors), a message to one person or a whole pool through the outbox, people who turned e-mail
off skipped, every message in the person's communication log, in their export, gone on
erasure."""

from __future__ import annotations

import json

from agency.extensions import db
from agency.models import Communication, MessageTemplate, OutboxMessage, Role
from agency.services import messages, pools, privacy
from tests.conftest import login
from tests.factories import PASSWORD


def _staff_mail() -> list[OutboxMessage]:
    return list(
        db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("staff-message:%"))
            .order_by(OutboxMessage.id)
        ).scalars()
    )


def _log(candidate_id: int) -> list[Communication]:
    return list(
        db.session.execute(
            db.select(Communication).where(Communication.candidate_id == candidate_id)
        ).scalars()
    )


def test_templates_are_created_and_edited_with_known_placeholders_only(client, staff) -> None:
    data = {
        "name": "Interview invite",
        "subject": "{first_name}, an opening for you",
        "body": "Hello {first_name},\n\n{clinic_name} is hiring for {opening_title}.",
    }
    assert client.post("/staff/message-templates/new", data=data).status_code == 302
    template = db.session.execute(db.select(MessageTemplate)).scalar_one()
    listing = client.get("/staff/message-templates").get_data(as_text=True)
    assert "Interview invite" in listing
    for body, words in (
        ("Hi {firstname}", "Unknown placeholder {firstname}"),
        ("Hi {first_name.__class__}", "Unknown placeholder"),
        ("Hi {first_name!r}", "Unknown placeholder {first_name!r}"),
        ("Hi {0}", "Unknown placeholder {0}"),
        ("Hi {first_name", "Unbalanced braces"),
    ):
        page = client.post(
            f"/staff/message-templates/{template.id}", data={**data, "body": body}
        ).get_data(as_text=True)
        assert words in page, body
    db.session.expire_all()
    assert db.session.get(MessageTemplate, template.id).body == data["body"]
    edited = client.post(
        f"/staff/message-templates/{template.id}", data={**data, "body": "Hi {{literal}}"}
    )
    assert edited.status_code == 302


def test_a_candidate_is_emailed_from_their_page_and_the_log_shows_it(client, staff, scene) -> None:
    person = scene.near
    page = client.get(f"/staff/candidates/{person.id}").get_data(as_text=True)
    assert f"/staff/candidates/{person.id}/message" in page
    form = client.get(f"/staff/candidates/{person.id}/message").get_data(as_text=True)
    assert scene.opening.title in form  # the opening they applied to is offered
    response = client.post(
        f"/staff/candidates/{person.id}/message",
        data={
            "subject": "About {opening_title}",
            "body": "Hello {first_name}, {clinic_name} liked your profile.",
            "opening_id": str(scene.opening.id),
        },
    )
    assert response.status_code == 302
    (message,) = _staff_mail()
    assert message.payload["to"] == person.user.email
    context = message.payload["context"]
    assert context["subject"] == f"About {scene.opening.title}"
    assert context["body"] == f"Hello {person.first_name}, {scene.clinic.name} liked your profile."
    assert context["unsubscribe_url"]
    (entry,) = _log(person.id)
    assert entry.status == "queued" and entry.sent_by_id == staff.id
    page = client.get(f"/staff/candidates/{person.id}").get_data(as_text=True)
    assert f"About {scene.opening.title}" in page


def test_a_message_naming_an_opening_needs_one_and_keeps_the_input(client, staff, scene) -> None:
    page = client.post(
        f"/staff/candidates/{scene.near.id}/message",
        data={"subject": "Hi", "body": "About {opening_title} and {shoe_size}"},
    ).get_data(as_text=True)
    assert "Unknown placeholder {shoe_size}" in page
    assert "About {opening_title} and {shoe_size}" in page
    page = client.post(
        f"/staff/candidates/{scene.near.id}/message",
        data={"subject": "Hi", "body": "About {opening_title}"},
    ).get_data(as_text=True)
    assert "choose the opening" in page
    assert _staff_mail() == [] and _log(scene.near.id) == []


def test_a_pool_is_emailed_at_once_and_opted_out_people_are_skipped(client, staff, scene) -> None:
    pool = pools.create("Everyone", staff)
    pools.add(pool, [scene.near.id, scene.other.id, scene.far.id], staff)
    scene.far.user.email_notifications = False  # unsubscribed earlier
    db.session.commit()
    response = client.post(
        f"/staff/pools/{pool.id}/message",
        data={"subject": "New shifts this week", "body": "Dear {full_name}, shifts are open."},
    )
    assert response.status_code == 302
    sent = {m.payload["to"] for m in _staff_mail()}
    assert sent == {scene.near.user.email, scene.other.user.email}
    (skipped,) = _log(scene.far.id)
    assert skipped.status == "not_sent"
    assert _log(scene.other.id)[0].body == f"Dear {scene.other.full_name}, shifts are open."
    follow = client.get(f"/staff/pools/{pool.id}")
    assert follow.status_code == 200


def test_the_log_is_exported_and_erased_with_the_person(app, client, staff, scene) -> None:
    person = scene.near
    messages.send([person], "Hello", "Hi {first_name}", staff)
    db.session.commit()
    client.post("/logout")
    assert login(client, person.user.email, PASSWORD).status_code == 302
    data = json.loads(client.post("/me/export").data)
    assert data["communications"][0]["body"] == f"Hi {person.first_name}"
    privacy.erase(person)
    db.session.commit()
    assert _log(person.id) == []


def test_erased_people_get_no_message_page(client, staff, scene) -> None:
    privacy.erase(scene.other)
    db.session.commit()
    assert client.get(f"/staff/candidates/{scene.other.id}/message").status_code == 404


def test_other_roles_cannot_send(client, make_user, login_as, scene) -> None:
    login_as(make_user(Role.CLINIC))
    response = client.post(
        f"/staff/candidates/{scene.near.id}/message", data={"subject": "x", "body": "y"}
    )
    assert response.status_code == 403
    assert client.get("/staff/message-templates").status_code == 403


def test_the_new_emails_render_and_escape_what_staff_typed(app) -> None:
    from agency.services import mail

    staff_message = mail.build(
        "staff_message",
        "someone@example.com",
        {"subject": "Hi <b>", "body": "Line one\n\n<script>x</script>", "unsubscribe_url": "u"},
        "k1",
    )
    html_part = staff_message.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    for template, context in (
        (
            "clinic_invitation",
            {"join_url": "https://x/j", "clinic_name": "C", "inviter": "m@x", "days": 7},
        ),
        (
            "saved_search_alert",
            {
                "day": "2026-12-02",
                "searches": [{"name": "S", "count": 3, "candidates": [], "url": "https://x/s"}],
                "unsubscribe_url": "https://x/u",
            },
        ),
    ):
        message = mail.build(template, "someone@example.com", context, f"k-{template}")
        assert message["Subject"]
