"""Editing the profile: contact, preferences, availability grid, systems, and skill levels."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from agency.candidates import bp
from agency.candidates.forms import ProfileForm, skills_form
from agency.candidates.helpers import commit_profile_change, my_candidate, next_step_url
from agency.extensions import db
from agency.forms import show_field_error
from agency.models import Role
from agency.security import roles_required
from agency.services import profiles
from agency.services.profiles import BLOCKS, DAYS, ProfileError, ProfileInput


@bp.route("/me/profile", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def profile() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    form = ProfileForm(obj=candidate)
    if request.method == "GET":
        form.availability.data = profiles.bits_from_mask(candidate.availability_mask or 0)
    if form.validate_on_submit():
        try:
            profiles.update_profile(
                candidate,
                ProfileInput(
                    first_name=form.first_name.data,
                    last_name=form.last_name.data,
                    phone=form.phone.data or "",
                    zip_code=form.zip_code.data or "",
                    commute_miles=form.commute_miles.data,
                    desired_roles=form.desired_roles.data or [],
                    min_pay=form.min_pay.data,
                    availability_mask=profiles.mask_from_bits(form.availability.data or []),
                    years_experience=float(form.years_experience.data or 0),
                    typing_wpm=form.typing_wpm.data,
                    ehr_systems=form.ehr_systems.data or [],
                    languages=form.languages.data or [],
                    summary=form.summary.data or "",
                ),
            )
        except ProfileError as exc:
            db.session.rollback()
            show_field_error(form, exc, "zip_code")
        else:
            commit_profile_change(candidate.id)
            flash("Your profile is saved.", "success")
            return redirect(next_step_url(candidate))
    checked = set(form.availability.data or [])
    return render_template(
        "candidates/profile.html",
        form=form,
        candidate=candidate,
        progress=profiles.completeness(candidate),
        days=DAYS,
        blocks=BLOCKS,
        checked=checked,
    )


@bp.route("/me/skills", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def skills() -> ResponseReturnValue:
    candidate = my_candidate(full=True)
    groups = profiles.skills_by_category()
    all_skills = [s for _, items in groups for s in items]
    current = {cs.skill_id: cs.level for cs in candidate.skills}
    form = skills_form(all_skills, current)
    if form.validate_on_submit():
        levels = {s.id: int(form[f"skill_{s.id}"].data) for s in all_skills}
        profiles.set_skills(candidate, levels)
        commit_profile_change(candidate.id)
        flash("Your skills are saved.", "success")
        return redirect(next_step_url(candidate))
    return render_template(
        "candidates/skills.html",
        form=form,
        groups=groups,
        candidate=candidate,
        progress=profiles.completeness(candidate),
    )
