"""The domain model, one module per aggregate; import from here."""

from agency.models.api_tokens import ApiToken, TokenScope
from agency.models.applications import (
    CLOSED_STAGES,
    Application,
    ApplicationSource,
    Audience,
    Note,
    Stage,
    StageChange,
)
from agency.models.audit import AuditEvent
from agency.models.candidates import (
    Candidate,
    CandidateSkill,
    CandidateStatus,
    Credential,
    SkillSource,
    VerificationStatus,
)
from agency.models.clinics import Clinic
from agency.models.duplicates import DuplicateFlag, DuplicateStatus
from agency.models.matches import Decision, Match, RankerModel
from agency.models.openings import (
    EmploymentType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    OpeningStatus,
)
from agency.models.outbox import OutboxMessage, OutboxStatus
from agency.models.reminders import CredentialReminder
from agency.models.skills import CredentialType, RoleProfile, RoleType, Skill
from agency.models.types import utcnow
from agency.models.users import AuthToken, Role, TokenPurpose, User
from agency.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "CLOSED_STAGES",
    "ApiToken",
    "Application",
    "ApplicationSource",
    "Audience",
    "AuditEvent",
    "AuthToken",
    "Candidate",
    "CandidateSkill",
    "CandidateStatus",
    "Clinic",
    "Credential",
    "CredentialReminder",
    "CredentialType",
    "Decision",
    "DuplicateFlag",
    "DuplicateStatus",
    "EmploymentType",
    "Match",
    "Note",
    "Opening",
    "OpeningCredential",
    "OpeningSkill",
    "OpeningStatus",
    "OutboxMessage",
    "OutboxStatus",
    "RankerModel",
    "Role",
    "RoleProfile",
    "RoleType",
    "Skill",
    "SkillSource",
    "Stage",
    "StageChange",
    "TokenPurpose",
    "TokenScope",
    "User",
    "VerificationStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
