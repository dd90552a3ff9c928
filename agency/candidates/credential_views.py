"""Credentials: list with clear expiry, add, edit (a verified one returns to pending), delete,
and the download of a credential's document by its owner or by staff."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload

from agency.candidates import bp
from agency.candidates.forms import CredentialForm
from agency.candidates.helpers import commit_profile_change, file_response, my_candidate
from agency.extensions import db
from agency.forms import show_field_error
from agency.models import Candidate, CandidateStatus, Credential, Role
from agency.security import audit_here, roles_required
from agency.services import pending_uploads, profiles, uploads
from agency.services.profiles import CredentialInput, ProfileError


def _type_choices() -> list[tuple[str, str]]:
    return [
        (str(t.id), t.name + (f" ({t.code})" if t.code else ""))
        for t in profiles.credential_types()
    ]


def _owned(candidate: Candidate, credential_id: int) -> Credential:
    credential = db.session.execute(
        db.select(Credential)
        .options(joinedload(Credential.credential_type))
        .where(Credential.id == credential_id, Credential.candidate_id == candidate.id)
    ).scalar_one_or_none()
    if credential is None:
        abort(404)
    return credential


def _checked_document(form: CredentialForm) -> tuple[bool, uploads.CheckedFile | None]:
    """(ok, file): a refused file becomes an error next to the upload field."""
    storage = form.document.data
    if not storage or not getattr(storage, "filename", ""):
        return True, None
    try:
        return True, uploads.check(
            storage.read(uploads.MAX_BYTES + 1), storage.filename, uploads.DOCUMENT_KINDS
        )
    except uploads.UploadError as exc:
        form.document.errors.append(str(exc))
        return False, None


def _document(form: CredentialForm) -> tuple[bool, uploads.CheckedFile | None]:
    """(ok, file): the file uploaded now, else the one kept from an earlier try with errors.

    A file uploaded now (and accepted) is kept for a retry in case this try has errors too.
    """
    ok, document = _checked_document(form)
    if not ok:
        return False, None
    user_id = current_user.id
    if document is not None:
        pending_uploads.drop(form.kept_document.data, user_id)  # replaced
        form.kept_document.data = pending_uploads.keep(document, user_id)
    else:
        document = pending_uploads.load(form.kept_document.data, user_id, uploads.DOCUMENT_KINDS)
        if document is None:
            form.kept_document.data = ""
    form.kept_name = document.filename if document else ""
    return True, document


def _submitted(candidate: Candidate, credential: Credential | None, form: CredentialForm) -> Any:
    """Handle a posted form: the redirect once saved, else None to show the form with errors."""
    if not form.is_submitted():
        return None
    valid = form.validate()
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        return None  # a forged or stale post: nothing of it is kept
    ok, document = _document(form)
    if not (valid and ok):
        return None
    response = _save(candidate, credential, form, document)
    if response is not None:
        pending_uploads.drop(form.kept_document.data, current_user.id)  # used
    return response


def _save(
    candidate: Candidate,
    credential: Credential | None,
    form: CredentialForm,
    document: uploads.CheckedFile | None,
) -> Any:
    data = CredentialInput(
        credential_type_id=form.credential_type_id.data,
        issuer=form.issuer.data or "",
        number=form.number.data or "",
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
    )
    try:
        saved, reset = profiles.save_credential(candidate, credential, data, document)
    except ProfileError as exc:
        db.session.rollback()
        show_field_error(form, exc, "credential_type_id")
        return None
    db.session.flush()
    audit_here(
        "credential_saved",
        object_type="credential",
        object_id=saved.id,
        details={"reset_to_pending": reset},
    )
    commit_profile_change(candidate.id)
    if reset:
        flash("Saved. Because you changed it, our staff will verify this credential again.", "info")
    else:
        flash("Your credential is saved. Our staff will verify it.", "success")
    return redirect(url_for("candidates.credentials"))


@bp.route("/me/credentials", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def credentials() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    form = CredentialForm(type_choices=_type_choices())
    response = _submitted(candidate, None, form)
    if response is not None:
        return response
    rows = sorted(
        ((c, profiles.expiry(c)) for c in candidate.credentials),
        key=lambda pair: (pair[0].expires_on is None, pair[0].expires_on or pair[0].created_at),
    )
    return render_template(
        "candidates/credentials.html",
        form=form,
        rows=rows,
        candidate=candidate,
        progress=profiles.completeness(candidate),
    )


@bp.route("/me/credentials/<int:credential_id>/edit", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def edit_credential(credential_id: int) -> ResponseReturnValue:
    candidate = my_candidate()
    credential = _owned(candidate, credential_id)
    form = CredentialForm(obj=credential, type_choices=_type_choices())
    response = _submitted(candidate, credential, form)
    if response is not None:
        return response
    return render_template(
        "candidates/credential_edit.html",
        form=form,
        credential=credential,
        expiry=profiles.expiry(credential),
    )


@bp.route("/me/credentials/<int:credential_id>/delete", methods=["POST"])
@roles_required(Role.CANDIDATE)
def delete_credential(credential_id: int) -> ResponseReturnValue:
    candidate = my_candidate()
    credential = _owned(candidate, credential_id)
    audit_here("credential_deleted", object_type="credential", object_id=credential.id)
    profiles.delete_credential(credential)
    commit_profile_change(candidate.id)
    flash("The credential is removed.", "success")
    return redirect(url_for("candidates.credentials"))


@bp.route("/files/credentials/<int:credential_id>")
@roles_required(Role.CANDIDATE, Role.STAFF, Role.ADMIN)
def credential_file(credential_id: int) -> ResponseReturnValue:
    """The credential's document: its owner, or agency staff (audited). Clinics never."""
    if current_user.role == Role.CANDIDATE:
        credential = _owned(my_candidate(), credential_id)
    else:
        credential = db.get_or_404(Credential, credential_id)
        if credential.candidate.status == CandidateStatus.ERASED:
            abort(404)
        audit_here(
            "document_downloaded",
            object_type="credential",
            object_id=credential.id,
            candidate_id=credential.candidate_id,
            details={"candidate_id": credential.candidate_id},
        )
        db.session.commit()
    return file_response(credential.document_path, credential.document_filename)
