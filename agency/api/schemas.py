"""The API's request and response shapes (marshmallow): validation of every body and parameter
happens here, before a service is called; the OpenAPI description is generated from them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from agency.ids import MAX_ID
from agency.models import EmploymentType, OpeningStatus, RoleType, Stage, TokenScope
from agency.services import openings

# apispec writes a Decimal bound as a string, which JSON Schema refuses for `maximum`.
PAY_RANGE = {"minimum": 0, "maximum": int(openings.MAX_PAY), "description": "Dollars an hour"}


class Money(fields.Decimal):
    """Dollars as an exact decimal string ("18.50"): a JSON number would be a float."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)


class Strict(ma.Schema):
    """Unknown fields are an error (a typo must not be silently ignored); strings lose NUL bytes
    and surrounding space, as the forms' base class does."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _clean_strings(self, data: Any, **_kw: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: (v.replace("\x00", "").strip() if isinstance(v, str) else v)
                for k, v in data.items()
            }
        return data


def _id(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)


def _codes(**kw: Any) -> fields.List[str]:
    return fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(0, 40), **kw
    )


# ---- problems and pages -----------------------------------------------------------------------


class FieldErrorSchema(ma.Schema):
    pointer = fields.String(required=True, metadata={"description": "JSON pointer to the field"})
    detail = fields.String(required=True)
    # "in": where the field was (json, query, path, headers)
    location = fields.String(data_key="in")


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema))


class CursorArgs(Strict):
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "The `next_cursor` of the previous page"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    name = item.__name__.replace("Schema", "") + "PageSchema"
    return type(
        name,
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last"},
            ),
        },
    )


# ---- openings ---------------------------------------------------------------------------------


class ClinicBriefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)
    state = fields.String(required=True)
    zip_code = fields.String(required=True)


class SkillRequirementSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(1, 64))
    min_level = fields.Integer(
        strict=True, load_default=2, validate=validate.Range(0, 4), metadata={"description": "0-4"}
    )
    weight = fields.Float(load_default=1.0, allow_nan=False, validate=validate.Range(0, 1))


class OpeningSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    role_type = fields.String(required=True)
    description = fields.String(required=True)
    employment_type = fields.String(required=True)
    status = fields.String(required=True)
    positions = fields.Integer(required=True)
    shift_mask = fields.Integer(
        required=True,
        metadata={"description": "Weekly schedule: bit day*3+block (Mon=0; morning..evening)"},
    )
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    pay_min = Money(allow_none=True, required=True)
    pay_max = Money(allow_none=True, required=True)
    pay_unit = fields.Constant("HOUR", required=True)
    min_typing_wpm = fields.Integer(allow_none=True, required=True)
    ehr_systems = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    skills = fields.List(fields.Nested(SkillRequirementSchema), required=True)
    credentials = fields.List(fields.String(), required=True)
    clinic = fields.Nested(ClinicBriefSchema, required=True)
    posted_at = fields.DateTime(allow_none=True, required=True)
    updated_at = fields.DateTime(required=True)


class OpeningFilterArgs(CursorArgs):
    role_type = fields.String(validate=validate.OneOf(RoleType.values()))
    employment_type = fields.String(validate=validate.OneOf(EmploymentType.values()))
    mine = fields.Boolean(
        load_default=False,
        metadata={"description": "A clinic's own openings in every status (clinic tokens)"},
    )


class OpeningInputSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(1, openings.MAX_TITLE))
    role_type = fields.String(required=True, validate=validate.OneOf(RoleType.values()))
    description = fields.String(load_default="", validate=validate.Length(max=openings.MAX_TEXT))
    employment_type = fields.String(
        load_default=EmploymentType.TEMP_TO_HIRE,
        validate=validate.OneOf(EmploymentType.values()),
    )
    positions = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(*openings.POSITIONS)
    )
    shift_mask = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, openings.FULL_MASK)
    )
    start_date = fields.Date(required=True)
    end_date = fields.Date(load_default=None, allow_none=True)
    pay_min = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        validate=validate.Range(0, openings.MAX_PAY),
        metadata=PAY_RANGE,
    )
    pay_max = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        validate=validate.Range(0, openings.MAX_PAY),
        metadata=PAY_RANGE,
    )
    min_typing_wpm = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(*openings.TYPING_WPM),
    )
    ehr_systems = _codes(load_default=list)
    languages = _codes(load_default=list)
    skills = fields.List(
        fields.Nested(SkillRequirementSchema), load_default=list, validate=validate.Length(0, 60)
    )
    credentials = _codes(load_default=list)
    publish = fields.Boolean(
        load_default=True, metadata={"description": "false keeps a new opening as a draft"}
    )


class OpeningPatchSchema(OpeningInputSchema):
    """Any subset of the fields; the others keep their values."""

    class Meta:
        unknown = ma.RAISE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.load_default = ma.missing


class StatusActionSchema(Strict):
    action = fields.String(required=True, validate=validate.OneOf(list(openings.STATUS_ACTIONS)))


OPENING_STATUSES = OpeningStatus.values()

# ---- submittals (what a clinic sees) ------------------------------------------------------------


class SharedCredentialSchema(ma.Schema):
    name = fields.String(required=True)
    code = fields.String(required=True)
    verified = fields.Boolean(required=True)
    expires_on = fields.Date(allow_none=True, required=True)
    expired = fields.Boolean(required=True)
    expiring = fields.Boolean(required=True)


class SharedSkillSchema(ma.Schema):
    category = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)


class SharedProfileSchema(ma.Schema):
    display_name = fields.String(required=True)
    shared = fields.Boolean(
        required=True, metadata={"description": "false: the candidate shares no profile details"}
    )
    years_experience = fields.Float(required=True)
    typing_wpm = fields.Integer(allow_none=True, required=True)
    skills = fields.List(fields.Nested(SharedSkillSchema), required=True)
    ehr = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    credentials = fields.List(fields.Nested(SharedCredentialSchema), required=True)
    availability_mask = fields.Integer(required=True)


class ClinicStatusSchema(ma.Schema):
    label = fields.String(
        required=True, metadata={"description": "The stage in the clinic's words"}
    )
    kind = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "The clinic's own reason"})


class AgencyNoteSchema(ma.Schema):
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class SubmittalSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The application's id"})
    opening_id = fields.Integer(required=True)
    stage = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    candidate = fields.Nested(SharedProfileSchema, required=True)
    # What the recruiter chose to share; never the engine's internal verdicts.
    status = fields.Nested(ClinicStatusSchema, required=True)
    agency_notes = fields.List(fields.Nested(AgencyNoteSchema), required=True)
    allowed_feedback = fields.List(fields.String(), required=True)


class SubmittalArgs(CursorArgs):
    opening_id = _id()


class FeedbackSchema(Strict):
    to_stage = fields.String(
        required=True,
        validate=validate.OneOf([Stage.INTERVIEW, Stage.OFFERED, Stage.REJECTED]),
    )
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "Required when declining"},
    )


# ---- applications and moves (staff) -----------------------------------------------------------


class StageChangeSchema(ma.Schema):
    from_stage = fields.String(allow_none=True, required=True)
    to_stage = fields.String(required=True)
    reason = fields.String(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class ApplicationSchema(ma.Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    opening_id = fields.Integer(required=True)
    source = fields.String(required=True)
    stage = fields.String(required=True)
    stage_reason = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    allowed_moves = fields.List(fields.String(), required=True)
    history = fields.List(fields.Nested(StageChangeSchema), required=True)


class ApplicationArgs(CursorArgs):
    opening_id = _id()
    candidate_id = _id()
    stage = fields.String(validate=validate.OneOf(Stage.values()))


class MoveSchema(Strict):
    to_stage = fields.String(required=True, validate=validate.OneOf(Stage.values()))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


# ---- candidates and matches -------------------------------------------------------------------


class CandidateCredentialSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    verification_status = fields.String(required=True)
    expires_on = fields.Date(allow_none=True, required=True)


class CandidateSchema(ma.Schema):
    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    phone = fields.String(required=True)
    zip_code = fields.String(required=True)
    status = fields.String(required=True)
    desired_roles = fields.List(fields.String(), required=True)
    min_pay = Money(allow_none=True, required=True)
    years_experience = fields.Float(allow_none=True, required=True)
    typing_wpm = fields.Integer(allow_none=True, required=True)
    availability_mask = fields.Integer(required=True)
    commute_miles = fields.Float(allow_none=True, required=True)
    languages = fields.List(fields.String(), required=True)
    ehr_systems = fields.List(fields.String(), required=True)
    skills = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    credentials = fields.List(fields.Nested(CandidateCredentialSchema), required=True)
    updated_at = fields.DateTime(required=True)


class CandidateArgs(CursorArgs):
    pass


class MatchSchema(ma.Schema):
    rank = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    name = fields.String(required=True)
    score = fields.Float(required=True)
    eligible = fields.Boolean(required=True)
    miles = fields.Float(allow_none=True, required=True)
    application_id = fields.Integer(allow_none=True, required=True)
    stage = fields.String(allow_none=True, required=True)
    failed_constraints = fields.List(fields.String(), required=True)
    components = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Each component's value in [0, 1]; null where it does not apply"},
    )
    contributions = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Points each component adds to the score"},
    )
    strengths = fields.List(fields.String(), required=True)
    gaps = fields.List(fields.String(), required=True)
    summary = fields.String(required=True)


class MatchArgs(Strict):
    k = fields.Integer(load_default=25, validate=validate.Range(1, 100))
    eligible_only = fields.Boolean(load_default=False)


class MatchListSchema(ma.Schema):
    items = fields.List(fields.Nested(MatchSchema), required=True)
    total = fields.Integer(required=True)


# ---- tokens (documentation of the settings page's result) ---------------------------------------

SCOPES = TokenScope.values()
