"""Staff imports: upload a CSV or XLSX, check the column mapping on a preview, watch the job."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from agency.extensions import csrf, db
from agency.forms import FORM_ERROR_STATUS, choices, show_field_error
from agency.models import STAFF_ROLES, Clinic, ImportJob, ImportStatus
from agency.security import audit_here, roles_required, signed_in_user
from agency.services import imports
from agency.staff import bp, import_rows  # noqa: F401 (registers the row checkers)
from agency.staff.forms import ImportMappingForm, ImportUploadForm
from agency.staff.opening_intake import approved_clinics

RECENT = 20


def _larger_body(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """An import file may be larger than the site's request cap (MAX_CONTENT_LENGTH, sized for
    resumes). The cap must rise before anything reads the body, and the app-wide CSRF check reads
    it before any view runs: so this one view is exempt from that hook and makes the same check
    itself, just after raising the cap. (A hook on the staff blueprint would run on every staff
    page; under roles_required, only staff get the larger cap.)"""

    @wraps(view)
    def raised(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        request.max_content_length = imports.max_bytes() + 1024 * 1024
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(raised)


def _job_or_404(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


def _upload_form() -> ImportUploadForm:
    form = ImportUploadForm()
    form.clinic.choices = choices(
        [("", "Choose a clinic")] + [(str(c.id), c.name) for c in approved_clinics()]
    )
    return form


def _render_upload(form: ImportUploadForm, status: int = 200) -> ResponseReturnValue:
    recent = db.session.execute(
        select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(RECENT)
    ).scalars()
    return render_template("staff/import.html", form=form, jobs=list(recent)), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
@_larger_body
def import_upload() -> ResponseReturnValue:
    form = _upload_form()
    if not form.validate_on_submit():
        return _render_upload(form, FORM_ERROR_STATUS if form.is_submitted() else 200)
    clinic = None
    if form.kind.data == "openings":
        clinic = db.session.get(Clinic, int(form.clinic.data)) if form.clinic.data else None
    # The cap is checked on the stream: a larger file is never read into memory whole.
    data = form.file.data.stream.read(imports.max_bytes() + 1)
    try:
        job = imports.create(
            form.kind.data, data, form.file.data.filename or "", signed_in_user(), clinic
        )
    except imports.ImportFileError as exc:
        db.session.rollback()
        show_field_error(form, exc, default="file")
        return _render_upload(form, FORM_ERROR_STATUS)
    db.session.commit()
    return redirect(url_for("staff.import_job", job_id=job.id))


def _mapping_form(job: ImportJob, header: list[str], **kwargs: Any) -> Any:
    return ImportMappingForm.for_columns(imports.COLUMNS[job.kind], header, **kwargs)


@bp.route("/import/<int:job_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def import_job(job_id: int) -> ResponseReturnValue:
    job = _job_or_404(job_id)
    if job.status != ImportStatus.UPLOADED.value or not imports.file_present(job):
        return render_template(
            "staff/import_progress.html", job=job, gone=not imports.file_present(job)
        )
    header, rows = imports.preview(job)
    guessed = imports.guess_mapping(job.kind, header)
    data = {f"col_{name}": str(index) for name, index in guessed.items()}
    form = _mapping_form(job, header, data=data)
    status = 200
    if form.validate_on_submit():
        mapping = {}
        for column in imports.COLUMNS[job.kind]:
            value = form[f"col_{column.name}"].data
            if value:
                mapping[column.name] = int(value)
        try:
            imports.start(job, mapping, bool(form.send_invitations.data), signed_in_user())
        except imports.ImportFileError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash("The import is running; this page follows it.", "success")
            return redirect(url_for("staff.import_job", job_id=job.id))
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return (
        render_template("staff/import_mapping.html", job=job, form=form, header=header, rows=rows),
        status,
    )


@bp.route("/import/<int:job_id>/progress")
@roles_required(*STAFF_ROLES)
def import_progress(job_id: int) -> ResponseReturnValue:
    job = _job_or_404(job_id)
    body = imports.progress(job)
    body["report_url"] = url_for("staff.import_errors", job_id=job.id)
    return jsonify(body)


@bp.route("/import/<int:job_id>/errors.csv")
@roles_required(*STAFF_ROLES)
def import_errors(job_id: int) -> ResponseReturnValue:
    job = _job_or_404(job_id)
    audit_here("import_report_downloaded", object_type="import_job", object_id=job.id)
    db.session.commit()
    return Response(
        imports.error_report(job.id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'},
    )
