"""Exports of the staff lists (candidates, openings, pipeline, placements, audit log): the rows
the list's filters show, as CSV (streamed) or XLSX, ?format=csv|xlsx beside the same filters."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request, send_file
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.forms import choices
from agency.models import STAFF_ROLES, Stage, utcnow
from agency.security import audit_here, roles_required
from agency.services import exports
from agency.services.staff_queries import search as search_queries
from agency.services.staff_queries import timelines as timeline_queries
from agency.staff import bp
from agency.staff.forms import AuditFilterForm
from agency.staff.search import (
    candidate_filters,
    candidate_search_form,
    opening_filters,
    opening_search_form,
)


def _download(sheet: exports.Sheet, query: Any) -> ResponseReturnValue:
    fmt = request.args.get("format", "csv")
    if fmt not in exports.FORMATS:
        abort(404)
    filters = {k: v for k, v in request.args.items() if k != "format"}
    # A list of people's data leaving the system is part of "who saw what".
    audit_here("list_exported", object_type=sheet.name, details={"format": fmt, **filters})
    db.session.commit()
    name = f"clinicmatch-{sheet.name}-{utcnow():%Y%m%d-%H%M}.{fmt}"
    if fmt == "xlsx":
        return send_file(
            exports.xlsx_file(sheet, exports.objects(query)),
            mimetype=exports.XLSX_TYPE,
            as_attachment=True,
            download_name=name,
        )
    return Response(
        exports.streamed_csv(sheet, query),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/candidates/export")
@roles_required(*STAFF_ROLES)
def candidates_export() -> ResponseReturnValue:
    form = candidate_search_form()
    if not form.validate():
        abort(400)
    return _download(exports.CANDIDATES, search_queries.candidate_query(candidate_filters(form)))


@bp.route("/openings/export")
@roles_required(*STAFF_ROLES)
def openings_export() -> ResponseReturnValue:
    form = opening_search_form()
    if not form.validate():
        abort(400)
    return _download(exports.OPENINGS, search_queries.opening_query(opening_filters(form)))


@bp.route("/pipeline/export")
@roles_required(*STAFF_ROLES)
def pipeline_export() -> ResponseReturnValue:
    stage = request.args.get("stage", "")
    if stage and stage not in Stage.values():
        abort(404)
    return _download(exports.APPLICATIONS, exports.pipeline_query(stage))


@bp.route("/placements/export")
@roles_required(*STAFF_ROLES)
def placements_export() -> ResponseReturnValue:
    return _download(exports.PLACEMENTS, exports.placements_query())


@bp.route("/admin/audit/export")
@roles_required(*STAFF_ROLES)
def audit_export() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    form.action.choices = choices(
        [("", "Any action")] + [(a, a) for a in timeline_queries.audit_actions()]
    )
    if not form.validate():
        abort(400)
    query = timeline_queries.audit_query(
        form.action.data or "", form.actor.data or "", form.candidate.data
    )
    return _download(exports.AUDIT, query)
