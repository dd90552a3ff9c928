"""Posting and managing openings: drafts from a role profile or pasted text, save, status changes.

Saving writes the opening and its outbox rows (rescore, tell staff) in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from agency.extensions import db
from agency.models import (
    Clinic,
    CredentialType,
    EmploymentType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    OpeningStatus,
    RoleType,
    Skill,
    User,
    utcnow,
)
from agency.services import audit, outbox, regional
from agency.services.errors import FieldError
from matching import week
from matching.ad_terms import AdTerms, read_terms
from matching.taxonomy import load_taxonomy
from matching.text import extract_skills

# The schedule mask's rule lives in matching.week; the opening views and the API convert
# through this module.
from matching.week import FULL_MASK as FULL_MASK
from matching.week import bits_from_mask as bits_from_mask
from matching.week import cells as cells
from matching.week import mask_from_bits as mask_from_bits

DAYS = week.DAYS
BLOCKS = ("Morning", "Afternoon", "Evening")
BLOCK_HOURS = ("7am-12pm", "12-5pm", "5-9pm")
# A skill without a minimum level is advertised as "nice to have" only from this weight up: a
# role's peripheral defaults (a front desk's coding skills, weight about 0.15) still count a
# little in the score but are no selling point of the job (a skill the ad names weighs 0.5+).
NICE_TO_HAVE_MIN_WEIGHT = 0.5
LEVEL_WORDS = {0: "Nice to have", 1: "Basic", 2: "Working", 3: "Strong", 4: "Expert"}
# The limits of an opening, read by problems() below, the clinic's form and the API schema.
MAX_TITLE = 200
POSITIONS = (1, 50)
MAX_PAY = Decimal("500")  # dollars an hour
TYPING_WPM = (0, 200)
MAX_TEXT = 20_000


class OpeningError(FieldError):
    """A rule the opening breaks, in words for the form; `field` names the form field."""


@dataclass
class OpeningDraft:
    """Everything a clinic fills in for an opening, before it is saved."""

    title: str = ""
    role_type: str = RoleType.RECEPTIONIST
    description: str = ""
    employment_type: str = EmploymentType.TEMP_TO_HIRE
    positions: int = 1
    shift_mask: int = 0
    start_date: date | None = None
    end_date: date | None = None
    pay_min: Decimal | None = None
    pay_max: Decimal | None = None
    min_typing_wpm: int | None = None
    ehr_systems: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    # skill code -> (minimum level 0-4, weight 0-1)
    skills: dict[str, tuple[int, float]] = field(default_factory=dict)
    credentials: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TextFindings:
    """What the engine understood from a pasted job description, to show the clinic."""

    role: str
    confidence: float
    skills: list[str]
    credentials: list[str]
    ehr: list[str]
    languages: list[str]
    typing_wpm: int | None
    pay: str = ""  # the pay as the ad states it ("$45,000-$52,000 a year"), empty when it does not
    employment_type: str = ""
    schedule: str = ""
    preferred_languages: list[str] = field(default_factory=list)


# ---- the weekly schedule mask -------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleDay:
    day: str
    blocks: list[str]


def schedule_days(mask: int) -> list[ScheduleDay]:
    """The days the opening works, each with its blocks ("Monday: Morning, Afternoon")."""
    out = []
    for d, day in enumerate(DAYS):
        blocks = [BLOCKS[b] for b in range(3) if week.has(mask, d, b)]
        if blocks:
            out.append(ScheduleDay(day, blocks))
    return out


def schedule_summary(mask: int) -> str:
    """The week in words, consecutive days with the same blocks grouped: "Mon-Fri morning"."""
    if not mask:
        return "Flexible schedule"
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for d in range(7):
        blocks = tuple(BLOCKS[b].lower() for b in range(3) if week.has(mask, d, b))
        if not blocks:
            continue
        if runs and runs[-1][1] == d - 1 and runs[-1][2] == blocks:
            runs[-1] = (runs[-1][0], d, blocks)
        else:
            runs.append((d, d, blocks))
    parts = []
    for first, last, blocks in runs:
        days = DAYS[first][:3] if first == last else f"{DAYS[first][:3]}-{DAYS[last][:3]}"
        parts.append(f"{days} {' and '.join(blocks) if len(blocks) < 3 else 'all day'}")
    return "; ".join(parts)


# ---- drafts -----------------------------------------------------------------------------------


def default_draft(role: str) -> OpeningDraft:
    """A new opening of this role, prefilled with the role profile's default requirements."""
    if role not in RoleType.values():
        role = RoleType.RECEPTIONIST
    reqs = load_taxonomy().default_requirements(role)
    titles = {
        "receptionist": "Medical Receptionist",
        "secretary": "Medical Secretary",
        "hybrid": "Medical Receptionist / Secretary",
    }
    return OpeningDraft(
        title=titles[role],
        role_type=role,
        languages=["english"],
        skills={code: (level, weight) for code, (level, weight) in reqs.items()},
        # Monday to Friday, mornings and afternoons: the usual clinic week.
        shift_mask=week.mask_of(range(5), (0, 1)),
    )


def _guess_title(text: str, role: str) -> str:
    first = next((line.strip(" :-*#\t") for line in text.splitlines() if line.strip()), "")
    if 3 <= len(first) <= 80 and not first.endswith("."):
        return first
    return default_draft(role).title


def draft_from_text(text: str) -> tuple[OpeningDraft, TextFindings]:
    """Fill an opening from a pasted job description (role, skills, credentials, EHR, ...)."""
    text = text[:MAX_TEXT]
    tax = regional.taxonomy()
    found = extract_skills(text, tax)
    role = found.role if found.role in RoleType.values() else RoleType.RECEPTIONIST
    known_creds = {c.code for c in tax.credentials}
    draft = default_draft(role)
    draft.title = _guess_title(text, role)
    draft.description = text.strip()
    draft.skills = found.as_requirements(role)
    draft.credentials = sorted(c for c in found.credentials if c in known_creds)
    draft.ehr_systems = sorted(found.ehr)
    terms = read_terms(text)
    # Only a language the ad requires becomes a hard requirement; "Spanish preferred" does not
    # shut out everyone who does not speak it.
    draft.languages = sorted(terms.languages_required | {"english"})
    draft.min_typing_wpm = found.typing_wpm
    low, high = terms.hourly
    draft.pay_min = _pay(low)
    draft.pay_max = _pay(high)
    if draft.pay_min is not None and draft.pay_max is not None and draft.pay_min > draft.pay_max:
        draft.pay_min = draft.pay_max
    if terms.employment_type:
        draft.employment_type = terms.employment_type
    if terms.shift_mask:
        draft.shift_mask = terms.shift_mask
    findings = TextFindings(
        role=role,
        confidence=found.confidence,
        skills=[tax.name_of(c) for c in sorted(found.skills)],
        credentials=list(draft.credentials),
        ehr=[tax.name_of(c) for c in draft.ehr_systems],
        languages=[tax.name_of(c) for c in sorted(found.languages)],
        typing_wpm=found.typing_wpm,
        pay=_pay_words(terms),
        employment_type=terms.employment_type or "",
        schedule=schedule_summary(terms.shift_mask) if terms.shift_mask else "",
        preferred_languages=[tax.name_of(c) for c in sorted(terms.languages_preferred)],
    )
    return draft, findings


def _pay(hourly: float | None) -> Decimal | None:
    if hourly is None or not 0 < hourly <= MAX_PAY:
        return None
    return Decimal(str(hourly)).quantize(Decimal("0.01"))


def _pay_words(terms: AdTerms) -> str:
    if terms.pay_unit is None:
        return ""
    low, high = terms.pay_min, terms.pay_max
    figures = [f"${v:,.2f}".replace(".00", "") for v in (low, high) if v is not None]
    if low is not None and high is not None and low == high:
        figures = figures[:1]
    lead = "up to " if low is None else "from " if high is None else ""
    per = "an hour" if terms.pay_unit == "hour" else f"a {terms.pay_unit}"
    return f"{lead}{'-'.join(figures)} {per}"


def draft_from_opening(
    opening: Opening, *, copy: bool = False, today: date | None = None
) -> OpeningDraft:
    """The opening as a draft, to edit it or (copy=True) to post a similar one."""
    today = today or date.today()
    draft = OpeningDraft(
        title=opening.title,
        role_type=opening.role_type,
        description=opening.description or "",
        employment_type=opening.employment_type,
        positions=opening.positions,
        shift_mask=opening.shift_mask or 0,
        start_date=opening.start_date,
        end_date=opening.end_date,
        pay_min=opening.pay_min,
        pay_max=opening.pay_max,
        min_typing_wpm=opening.min_typing_wpm,
        ehr_systems=list(opening.ehr_systems or []),
        languages=list(opening.languages or []),
        skills={s.skill.code: (s.min_level, float(s.weight)) for s in opening.skills},
        credentials=sorted(c.credential_type.code for c in opening.credentials),
    )
    if copy:
        draft.title = f"{opening.title} (copy)"[:200]
        if draft.start_date is None or draft.start_date < today:
            # A copy of an old opening would otherwise start in the past.
            length = (
                (draft.end_date - draft.start_date) if draft.end_date and draft.start_date else None
            )
            draft = replace(draft, start_date=today, end_date=(today + length) if length else None)
    return draft


# ---- rules and saving -------------------------------------------------------------------------


def problems(
    draft: OpeningDraft, today: date | None = None, *, is_new: bool = True
) -> list[OpeningError]:
    """Every rule the draft breaks (empty when it can be saved)."""
    today = today or date.today()
    tax = load_taxonomy()
    out: list[OpeningError] = []
    if not draft.title.strip():
        out.append(OpeningError("Give the opening a title.", "title"))
    elif len(draft.title) > MAX_TITLE:
        out.append(OpeningError(f"At most {MAX_TITLE} characters.", "title"))
    if draft.role_type not in RoleType.values():
        out.append(OpeningError("Choose receptionist, secretary or hybrid.", "role_type"))
    if draft.employment_type not in EmploymentType.values():
        out.append(OpeningError("Choose an employment type.", "employment_type"))
    if not POSITIONS[0] <= draft.positions <= POSITIONS[1]:
        out.append(
            OpeningError(f"Between {POSITIONS[0]} and {POSITIONS[1]} positions.", "positions")
        )
    if draft.start_date is None:
        out.append(OpeningError("Choose a start date.", "start_date"))
    elif is_new and draft.start_date < today:
        out.append(OpeningError("The start date cannot be in the past.", "start_date"))
    if draft.start_date and draft.end_date and draft.end_date < draft.start_date:
        out.append(OpeningError("The end date must be on or after the start date.", "end_date"))
    for name in ("pay_min", "pay_max"):
        value = getattr(draft, name)
        if value is not None and not (0 <= value <= MAX_PAY):
            out.append(OpeningError(f"Enter an hourly rate between $0 and ${MAX_PAY}.", name))
    if draft.pay_min is not None and draft.pay_max is not None and draft.pay_min > draft.pay_max:
        out.append(OpeningError("The minimum pay is above the maximum.", "pay_min"))
    if not 0 <= draft.shift_mask <= week.FULL_MASK:
        out.append(OpeningError("That schedule is not possible.", "schedule"))
    low, high = TYPING_WPM
    if draft.min_typing_wpm is not None and not low <= draft.min_typing_wpm <= high:
        out.append(
            OpeningError(f"Typing speed between {low} and {high} words a minute.", "min_typing_wpm")
        )
    unknown = set(draft.skills) - set(tax.skill_codes)
    if unknown or any(not (0 <= lvl <= 4 and 0 <= w <= 1) for lvl, w in draft.skills.values()):
        out.append(OpeningError("Unknown skill or level.", "skills"))
    if set(draft.ehr_systems) - set(tax.ehr_systems):
        out.append(OpeningError("Unknown EHR system.", "ehr_systems"))
    if set(draft.languages) - set(tax.languages):
        out.append(OpeningError("Unknown language.", "languages"))
    if set(draft.credentials) - {c.code for c in tax.credentials}:
        out.append(OpeningError("Unknown credential.", "credentials"))
    return out


def _set_requirements(opening: Opening, draft: OpeningDraft) -> None:
    skills = {
        s.code: s
        for s in db.session.execute(
            select(Skill).where(Skill.code.in_(list(draft.skills)))
        ).scalars()
    }
    ctypes = {
        c.code: c
        for c in db.session.execute(
            select(CredentialType).where(CredentialType.code.in_(draft.credentials))
        ).scalars()
    }
    missing = (set(draft.skills) - set(skills)) | (set(draft.credentials) - set(ctypes))
    if missing:
        # The taxonomy is synced into the database at deploy; a gap here is a setup error.
        raise OpeningError("The skill list is not set up yet. Please tell the agency.", "skills")
    current = {s.skill.code: s for s in opening.skills}
    for code, row in current.items():
        if code not in draft.skills:
            opening.skills.remove(row)
    for code, (level, weight) in draft.skills.items():
        kept = current.get(code)
        if kept is None:
            opening.skills.append(OpeningSkill(skill=skills[code], min_level=level, weight=weight))
        else:
            kept.min_level, kept.weight = level, weight
    held = {c.credential_type.code: c for c in opening.credentials}
    for code, held_row in held.items():
        if code not in draft.credentials:
            opening.credentials.remove(held_row)
    for code in draft.credentials:
        if code not in held:
            opening.credentials.append(OpeningCredential(credential_type=ctypes[code]))


def request_rescore(opening: Opening) -> None:
    """Ask the worker to recompute the opening's matches (keyed on this version of it)."""
    stamp = int(opening.updated_at.timestamp() * 1_000_000)
    outbox.add(
        "rescore_opening",
        {"opening_id": opening.id},
        dedupe_key=f"rescore-opening:{opening.id}:{stamp}",
    )


def request_open_rescores(key: str) -> int:
    """Ask the worker to recompute the matches of every open opening (an outbox row each, in
    the caller's transaction, once per `key`): after many candidates arrived at once, whom no
    opening's stored matches include yet. Returns how many."""
    ids = db.session.execute(
        select(Opening.id).where(Opening.status == OpeningStatus.OPEN).order_by(Opening.id)
    ).scalars()
    count = 0
    for opening_id in ids:
        outbox.add("rescore_opening", {"opening_id": opening_id}, dedupe_key=f"{key}:{opening_id}")
        count += 1
    return count


def save(
    clinic: Clinic,
    draft: OpeningDraft,
    actor: User,
    opening: Opening | None = None,
    *,
    publish: bool = True,
    ip: str = "",
    entered_for_clinic: bool = False,
) -> Opening:
    """Create (opening=None) or update an opening of this approved clinic, with its outbox rows.

    `entered_for_clinic`: staff type in a job order the clinic gave them (by phone); a new
    opening is marked with who entered it. Raises OpeningError (nothing written) when the
    clinic may not post or the draft breaks a rule.
    """
    if not clinic.approved:
        raise OpeningError("Your clinic is waiting for approval; you can post once it is approved.")
    if opening is not None and opening.clinic_id != clinic.id:
        raise OpeningError("This opening belongs to another clinic.")
    is_new = opening is None
    # An edit may keep a start date that has since passed; a new opening may not.
    start_changed = opening is None or draft.start_date != opening.start_date
    found = problems(draft, is_new=start_changed)
    if found:
        raise found[0]
    if opening is None:
        opening = Opening(clinic=clinic, created_by_id=actor.id, status=OpeningStatus.DRAFT)
        if entered_for_clinic:
            opening.entered_by_id = actor.id
        db.session.add(opening)
    opening.title = draft.title.strip()[:200]
    opening.role_type = RoleType(draft.role_type)
    opening.description = draft.description.strip()[:MAX_TEXT]
    opening.employment_type = EmploymentType(draft.employment_type)
    opening.positions = draft.positions
    opening.shift_mask = draft.shift_mask
    opening.start_date = draft.start_date  # type: ignore[assignment]
    opening.end_date = draft.end_date
    opening.pay_min = draft.pay_min
    opening.pay_max = draft.pay_max
    opening.min_typing_wpm = draft.min_typing_wpm
    opening.ehr_systems = sorted(set(draft.ehr_systems))
    opening.languages = sorted(set(draft.languages))
    _set_requirements(opening, draft)
    if publish and opening.status == OpeningStatus.DRAFT:
        opening.status = OpeningStatus.OPEN
        opening.posted_at = utcnow()
    # Set explicitly: a change to the skills alone would not touch the opening's row.
    opening.updated_at = utcnow()
    db.session.flush()
    request_rescore(opening)
    if opening.status == OpeningStatus.OPEN:
        outbox.add(
            "notify_staff",
            {"event": "opening_posted", "opening_id": opening.id},
            dedupe_key=f"staff:opening-posted:{opening.id}",
        )
    audit.record(
        "opening_created" if is_new else "opening_updated",
        actor_id=actor.id,
        object_type="opening",
        object_id=opening.id,
        ip=ip,
        details={"status": opening.status, **({"entered": True} if entered_for_clinic else {})},
    )
    return opening


# Which status each action leads to, and from which statuses it is allowed.
STATUS_ACTIONS: dict[str, tuple[OpeningStatus, frozenset[OpeningStatus]]] = {
    "publish": (OpeningStatus.OPEN, frozenset({OpeningStatus.DRAFT})),
    "hold": (OpeningStatus.ON_HOLD, frozenset({OpeningStatus.OPEN})),
    "close": (
        OpeningStatus.CLOSED,
        frozenset(
            {
                OpeningStatus.DRAFT,
                OpeningStatus.OPEN,
                OpeningStatus.ON_HOLD,
                OpeningStatus.FILLED,
            }
        ),
    ),
    "reopen": (
        OpeningStatus.OPEN,
        frozenset({OpeningStatus.ON_HOLD, OpeningStatus.CLOSED, OpeningStatus.FILLED}),
    ),
}
ACTION_LABELS = {"publish": "Publish", "hold": "Put on hold", "close": "Close", "reopen": "Reopen"}


def allowed_actions(opening: Opening) -> list[str]:
    return [a for a, (_to, sources) in STATUS_ACTIONS.items() if opening.status in sources]


def change_status(opening: Opening, action: str, actor: User, ip: str = "") -> Opening:
    """Publish, put on hold, close or reopen; raises OpeningError when the move is not allowed."""
    if not opening.clinic.approved:
        raise OpeningError("Your clinic is waiting for approval.")
    if action not in allowed_actions(opening):
        words = opening.status.replace("_", " ")
        article = "An" if words[0] in "aeiou" else "A"
        raise OpeningError(f"{article} {words} opening cannot be changed that way.")
    to_status = STATUS_ACTIONS[action][0]
    before = opening.status
    opening.status = to_status
    if to_status == OpeningStatus.OPEN:
        opening.posted_at = opening.posted_at or utcnow()
        opening.filled_at = None
    opening.updated_at = utcnow()
    db.session.flush()
    request_rescore(opening)
    if action == "publish":
        outbox.add(
            "notify_staff",
            {"event": "opening_posted", "opening_id": opening.id},
            dedupe_key=f"staff:opening-posted:{opening.id}",
        )
    audit.record(
        "opening_status_changed",
        actor_id=actor.id,
        object_type="opening",
        object_id=opening.id,
        ip=ip,
        details={"from": before, "to": to_status},
    )
    return opening


def days_open(opening: Opening, today: date | None = None) -> int | None:
    if opening.posted_at is None:
        return None
    end = opening.filled_at.date() if opening.filled_at else (today or date.today())
    return max((end - opening.posted_at.date()).days, 0)
