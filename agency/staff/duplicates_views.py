"""Likely duplicate candidates: the open pairs, a side-by-side comparison, merge or dismiss."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from agency.extensions import db
from agency.models import STAFF_ROLES, DuplicateFlag, DuplicateStatus
from agency.security import audit_here, client_ip, roles_required, signed_in_user
from agency.services import duplicates
from agency.services.engine import engine
from agency.staff import bp
from agency.staff.forms import MergeForm

log = logging.getLogger(__name__)


def _open_pair_or_404(flag_id: int) -> DuplicateFlag:
    pair = db.session.get(DuplicateFlag, flag_id)
    if pair is None or pair.status != DuplicateStatus.OPEN:
        abort(404)
    return pair


@bp.route("/duplicates")
@roles_required(*STAFF_ROLES)
def duplicates_list() -> ResponseReturnValue:
    pairs = duplicates.open_flags()
    return render_template("staff/duplicates.html", pairs=pairs)


@bp.route("/duplicates/<int:flag_id>")
@roles_required(*STAFF_ROLES)
def duplicate_pair(flag_id: int) -> ResponseReturnValue:
    pair = _open_pair_or_404(flag_id)
    for person in (pair.candidate, pair.other):
        audit_here("candidate_viewed", object_type="candidate", object_id=person.id)
    html = render_template(
        "staff/duplicate_pair.html",
        pair=pair,
        people=(pair.candidate, pair.other),
        applications=duplicates.application_counts([pair.candidate_id, pair.other_id]),
        form=MergeForm(formdata=None),
    )
    db.session.commit()
    return html


@bp.route("/duplicates/<int:flag_id>/merge", methods=["POST"])
@roles_required(*STAFF_ROLES)
def duplicate_merge(flag_id: int) -> ResponseReturnValue:
    pair = _open_pair_or_404(flag_id)
    form = MergeForm()
    ids = (pair.candidate_id, pair.other_id)
    if not form.validate_on_submit() or form.keep.data not in ids:
        flash("Choose which record to keep.", "error")
        return redirect(url_for("staff.duplicate_pair", flag_id=pair.id))
    keep, drop = (
        (pair.candidate, pair.other) if form.keep.data == ids[0] else (pair.other, pair.candidate)
    )
    drop_id, drop_name = drop.id, drop.full_name
    try:
        duplicates.merge(keep, drop, signed_in_user(), ip=client_ip())
        db.session.commit()
    except duplicates.MergeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.duplicates_list"))
    except IntegrityError:
        # A record the merge cannot move without a clash: nothing was changed.
        db.session.rollback()
        log.exception("merge of candidates %s failed", ids)
        flash("These records could not be merged; nothing was changed.", "error")
        return redirect(url_for("staff.duplicate_pair", flag_id=flag_id))
    engine().refresh_candidate(drop_id)
    engine().refresh_candidate(keep.id)
    flash(f"{drop_name}'s record was merged into this one.", "success")
    return redirect(url_for("staff.candidate", candidate_id=keep.id))


@bp.route("/duplicates/<int:flag_id>/dismiss", methods=["POST"])
@roles_required(*STAFF_ROLES)
def duplicate_dismiss(flag_id: int) -> ResponseReturnValue:
    pair = _open_pair_or_404(flag_id)
    duplicates.dismiss(pair, signed_in_user(), ip=client_ip())
    db.session.commit()
    flash("Marked as two different people; this pair will not be flagged again.", "success")
    return redirect(url_for("staff.duplicates_list"))
