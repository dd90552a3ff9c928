"""One candidate as staff see them: profile, credentials to verify, applications, fits, notes."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from agency.extensions import db
from agency.forms import FORM_ERROR_STATUS
from agency.ids import MAX_ID
from agency.models import STAFF_ROLES, Candidate, Credential
from agency.security import audit_here, client_ip, roles_required, signed_in_user
from agency.services import credential_checks, messages, notes, pools
from agency.services.engine import availability_in_words, engine, name_of
from agency.services.staff_queries import timelines as timeline_queries
from agency.staff import bp, pool_views
from agency.staff.forms import NoteForm, VerifyForm

FITS_SHOWN = 8


def _candidate_or_404(candidate_id: int) -> Candidate:
    candidate = timeline_queries.load_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _render(candidate: Candidate, note_form: NoteForm, status: int = 200) -> ResponseReturnValue:
    applications = timeline_queries.candidate_applications(candidate.id)
    candidate_notes = timeline_queries.candidate_notes(candidate.id)
    fits = engine().openings_for(candidate, k=FITS_SHOWN)
    fit_openings = timeline_queries.openings_by_id([f.opening_id for f in fits])
    verifiers = timeline_queries.users_by_id({c.verified_by_id for c in candidate.credentials})
    return (
        render_template(
            "staff/candidate.html",
            candidate=candidate,
            name_of=name_of,
            applications=applications,
            notes=candidate_notes,
            fits=[(f, fit_openings[f.opening_id]) for f in fits if f.opening_id in fit_openings],
            timeline=timeline_queries.candidate_timeline(candidate, applications, candidate_notes),
            verifiers=verifiers,
            note_form=note_form,
            verify_form=VerifyForm(formdata=None),
            availability=availability_in_words(candidate.availability_mask or 0),
            today=date.today(),
            # Issue 21: the person's pools, the "add to a pool" form and what staff e-mailed.
            pools_in=pools.pools_of(candidate.id),
            pool_form=pool_views.members_form(),
            communications=messages.log_of(candidate.id),
        ),
        status,
    )


@bp.route("/candidates/<int:candidate_id>")
@roles_required(*STAFF_ROLES)
def candidate(candidate_id: int) -> ResponseReturnValue:
    person = _candidate_or_404(candidate_id)
    # Staff views of a person's file are part of the "who saw what" record.
    audit_here("candidate_viewed", object_type="candidate", object_id=person.id)
    response = _render(person, NoteForm(formdata=None))
    db.session.commit()
    return response


@bp.route("/candidates/<int:candidate_id>/notes", methods=["POST"])
@roles_required(*STAFF_ROLES)
def candidate_note(candidate_id: int) -> ResponseReturnValue:
    person = _candidate_or_404(candidate_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render(person, form, FORM_ERROR_STATUS)
    notes.add(signed_in_user(), form.body.data, candidate=person, ip=client_ip())
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for("staff.candidate", candidate_id=person.id))


@bp.route("/credentials/<int:credential_id>/verify", methods=["POST"])
@roles_required(*STAFF_ROLES)
def credential_verify(credential_id: int) -> ResponseReturnValue:
    credential = db.session.execute(
        select(Credential)
        .options(joinedload(Credential.credential_type), joinedload(Credential.candidate))
        .where(Credential.id == credential_id)
    ).scalar_one_or_none()
    if credential is None:
        abort(404)
    form = VerifyForm()
    back = _back_to(credential)
    if not form.validate_on_submit():
        flash("Choose verified or rejected.", "error")
        return redirect(back)
    credential_checks.record_check(credential, form.outcome.data, signed_in_user(), ip=client_ip())
    db.session.commit()
    engine().refresh_candidate(credential.candidate_id)
    flash(
        f"{credential.credential_type.code} marked {form.outcome.data}.",
        "success",
    )
    return redirect(back)


BACK_TO_APPLICATION = re.compile(r"application-([0-9]{1,10})")


def _back_to(credential: Credential) -> str:
    """Where the check was made from: the verification queue, the application page whose
    placement gate asked for it, or (by default) the candidate's page. Only our own pages."""
    back = request.form.get("back", "")
    if back == "queue":
        return url_for("staff.credential_queue")
    found = BACK_TO_APPLICATION.fullmatch(back)
    if found and int(found.group(1)) <= MAX_ID:
        return url_for("staff.application", application_id=int(found.group(1)))
    return url_for("staff.candidate", candidate_id=credential.candidate_id)
