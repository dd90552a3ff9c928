"""The one-click review link in a timesheet e-mail: the clinic approves or disputes the hours.

No login: the signed token names the timesheet and the clinic member. A GET only shows the
hours with the two choices (mail scanners follow links and must not approve anything); the POST
acts, with the CSRF token of the page it came from.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue

from agency.extensions import db
from agency.public import bp
from agency.security import public
from agency.services import clinic_portal, money, timesheets
from agency.services.timesheets import TimesheetError


@bp.route("/timesheets/review/<token>", methods=["GET", "POST"])
@public
def timesheet_review_link(token: str) -> ResponseReturnValue:
    found = timesheets.read_review_token(token)
    if found is None:
        return render_template("shifts/link_invalid.html"), 404
    sheet, member = found
    context: dict[str, Any] = {
        "sheet": sheet,
        "when": timesheets.when(sheet),
        "worker_name": clinic_portal.display_name(sheet.candidate),
        "status_words": timesheets.status_words,
        "hours": money.hours,
        "can_review": timesheets.can_review(sheet),
        "error": None,
        "done": None,
        "reason": "",
    }
    if request.method == "GET":
        return render_template("timesheets/review_link.html", **context)
    choice = request.form.get("choice", "")[:20]
    reason = request.form.get("reason", "")[:1000]
    try:
        if choice == "approve":
            timesheets.approve(sheet, member)
        elif choice == "dispute":
            timesheets.dispute(sheet, reason, member)
        else:
            raise TimesheetError("Choose approve or dispute.")
    except TimesheetError as exc:
        db.session.rollback()
        return render_template(
            "timesheets/review_link.html", **{**context, "error": str(exc), "reason": reason}
        ), 400
    db.session.commit()
    return render_template(
        "timesheets/review_link.html", **{**context, "done": choice, "can_review": False}
    )
