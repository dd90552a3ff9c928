"""Resume: upload (checked by content), the suggestions found in it for the candidate to confirm,
removal, and the download by its owner or by staff."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from agency.candidates import bp
from agency.candidates.forms import ResumeForm, SuggestionsForm
from agency.candidates.helpers import (
    commit_profile_change,
    file_response,
    my_candidate,
    next_step_url,
    rescore_after_commit,
)
from agency.extensions import db
from agency.forms import choices
from agency.models import Candidate, CandidateStatus, Role
from agency.security import audit_here, roles_required
from agency.services import profiles, resumes, uploads

LEVEL_NAMES = dict(profiles.SKILL_LEVELS)


def _suggestions_form(offered: resumes.Suggestions) -> SuggestionsForm:
    form = SuggestionsForm()
    form.skills.choices = choices(
        [
            (
                s.code,
                f"{s.name}: {LEVEL_NAMES[s.level].lower()} (level {s.level})"
                + (f", now {s.current}" if s.current else "")
                + (f" · found in your resume: “{s.evidence}”" if s.evidence else ""),
            )
            for s in offered.skills
        ]
    )
    form.ehr_systems.choices = choices(offered.ehr)
    form.languages.choices = choices(offered.languages)
    if offered.typing_wpm:
        form.typing_wpm.label.text = f"Typing speed: {offered.typing_wpm} words per minute"
    return form


@bp.route("/me/resume", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def resume() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    form = ResumeForm()
    if form.validate_on_submit():
        storage = form.resume.data
        try:
            checked = uploads.check(
                storage.read(uploads.MAX_BYTES + 1), storage.filename or "", uploads.RESUME_KINDS
            )
        except uploads.UploadError as exc:
            form.resume.errors.append(str(exc))
        else:
            resumes.attach(candidate, checked)
            audit_here("resume_uploaded", object_type="candidate", object_id=candidate.id)
            commit_profile_change(candidate.id)
            if candidate.resume_text:
                flash("Your resume is uploaded. Check what we found in it below.", "success")
            else:
                flash(
                    "Your resume is uploaded, but we could not read any text in it "
                    "(a scanned image?). Please rate your skills yourself.",
                    "warning",
                )
            return redirect(url_for("candidates.resume"))
    offered = resumes.suggestions(candidate)
    suggestions_form = _suggestions_form(offered)
    # Skills the resume states clearly come ticked; the candidate unticks what is wrong.
    suggestions_form.skills.data = [s.code for s in offered.skills if s.clear]
    return render_template(
        "candidates/resume.html",
        form=form,
        candidate=candidate,
        offered=offered,
        suggestions_form=suggestions_form,
        progress=profiles.completeness(candidate),
    )


@bp.route("/me/resume/suggestions", methods=["POST"])
@roles_required(Role.CANDIDATE)
def confirm_suggestions() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    form = _suggestions_form(resumes.suggestions(candidate))
    if not form.validate_on_submit():
        abort(400)
    added = resumes.confirm(
        candidate,
        skill_codes=form.skills.data or [],
        ehr=form.ehr_systems.data or [],
        languages=form.languages.data or [],
        typing_wpm=bool(form.typing_wpm.data),
    )
    if added:
        profiles.request_rescore(candidate.id)
    db.session.commit()
    if added:
        rescore_after_commit(candidate.id)
        flash(f"Added {added} item{'s' if added != 1 else ''} to your profile.", "success")
    else:
        flash("Nothing was added; you can rate your skills yourself any time.", "info")
    return redirect(next_step_url(candidate))


@bp.route("/me/resume/delete", methods=["POST"])
@roles_required(Role.CANDIDATE)
def delete_resume() -> ResponseReturnValue:
    candidate = my_candidate()
    resumes.remove(candidate)
    audit_here("resume_deleted", object_type="candidate", object_id=candidate.id)
    commit_profile_change(candidate.id)
    flash("Your resume is removed.", "success")
    return redirect(url_for("candidates.resume"))


@bp.route("/files/resumes/<int:candidate_id>")
@roles_required(Role.CANDIDATE, Role.STAFF, Role.ADMIN)
def resume_file(candidate_id: int) -> ResponseReturnValue:
    """The resume: its owner, or agency staff (audited). Clinics never."""
    if current_user.role == Role.CANDIDATE:
        candidate = my_candidate()
        if candidate.id != candidate_id:
            abort(404)
    else:
        candidate = db.get_or_404(Candidate, candidate_id)
        if candidate.status == CandidateStatus.ERASED:
            abort(404)
        audit_here("resume_downloaded", object_type="candidate", object_id=candidate.id)
        db.session.commit()
    return file_response(candidate.resume_path, candidate.resume_filename)
