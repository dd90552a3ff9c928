"""The domain model, one module per aggregate; import from here."""

from agency.models.api_tokens import ApiToken, TokenScope
from agency.models.applications import (
    CLOSED_STAGES,
    INTERNAL_STAGES,
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
from agency.models.human_review import HumanReviewRequest, ReviewStatus
from agency.models.imports import ImportJob, ImportKind, ImportRowError, ImportStatus
from agency.models.interviews import (
    CalendarFeed,
    Interview,
    InterviewMode,
    InterviewOutcome,
    InterviewReminder,
    InterviewSlot,
    InterviewStatus,
    SlotStatus,
)
from agency.models.invoices import (
    BillingPeriod,
    ClinicBilling,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    IssuedInvoiceChanged,
)
from agency.models.matches import Decision, Match, RankerModel
from agency.models.messages import Communication, DeliveryStatus, MessageTemplate
from agency.models.openings import (
    EmploymentType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    OpeningStatus,
)
from agency.models.outbox import OutboxMessage, OutboxStatus
from agency.models.pools import SavedSearch, TalentPool, TalentPoolMember
from agency.models.rates import ClinicHoliday, RateCard
from agency.models.reminders import CredentialReminder
from agency.models.shifts import (
    Attendance,
    BookingStatus,
    CancelledBy,
    OfferStatus,
    Shift,
    ShiftBooking,
    ShiftOffer,
    ShiftStatus,
)
from agency.models.skills import CredentialType, RoleProfile, RoleType, Skill
from agency.models.timesheets import BILLABLE_STATUSES, Timesheet, TimesheetStatus
from agency.models.types import utcnow
from agency.models.users import STAFF_ROLES, AuthToken, ClinicRole, Role, TokenPurpose, User
from agency.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "BILLABLE_STATUSES",
    "CLOSED_STAGES",
    "INTERNAL_STAGES",
    "STAFF_ROLES",
    "ApiToken",
    "Application",
    "ApplicationSource",
    "Attendance",
    "Audience",
    "AuditEvent",
    "AuthToken",
    "BillingPeriod",
    "BookingStatus",
    "CalendarFeed",
    "CancelledBy",
    "Candidate",
    "CandidateSkill",
    "CandidateStatus",
    "Clinic",
    "ClinicBilling",
    "ClinicHoliday",
    "ClinicRole",
    "Communication",
    "Credential",
    "CredentialReminder",
    "CredentialType",
    "Decision",
    "DeliveryStatus",
    "DuplicateFlag",
    "DuplicateStatus",
    "EmploymentType",
    "HumanReviewRequest",
    "ImportJob",
    "ImportKind",
    "ImportRowError",
    "ImportStatus",
    "Interview",
    "InterviewMode",
    "InterviewOutcome",
    "InterviewReminder",
    "InterviewSlot",
    "InterviewStatus",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceStatus",
    "IssuedInvoiceChanged",
    "Match",
    "MessageTemplate",
    "Note",
    "OfferStatus",
    "Opening",
    "OpeningCredential",
    "OpeningSkill",
    "OpeningStatus",
    "OutboxMessage",
    "OutboxStatus",
    "RankerModel",
    "RateCard",
    "ReviewStatus",
    "Role",
    "RoleProfile",
    "RoleType",
    "SavedSearch",
    "Shift",
    "ShiftBooking",
    "ShiftOffer",
    "ShiftStatus",
    "Skill",
    "SkillSource",
    "SlotStatus",
    "Stage",
    "StageChange",
    "TalentPool",
    "TalentPoolMember",
    "Timesheet",
    "TimesheetStatus",
    "TokenPurpose",
    "TokenScope",
    "User",
    "VerificationStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
