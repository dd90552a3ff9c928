"""Accounts: registration, authentication, staff-created users and password resets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from agency.extensions import db
from agency.models import (
    AuthToken,
    Candidate,
    Clinic,
    ClinicRole,
    Role,
    TokenPurpose,
    User,
    utcnow,
)
from agency.services import audit, bulk, duplicates, geo, link_secrets, outbox, passwords
from agency.services.errors import FieldError


class AccountError(FieldError):
    """A user-facing reason an account operation was refused; `field` names the form field."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def _new_user(email: str, password: str, role: Role) -> User:
    if find_user(email) is not None:
        raise AccountError("An account with this e-mail already exists.", field="email")
    user = User(
        email=normalise_email(email),
        password_hash=passwords.hash_password(password),
        role=role,
        active=True,
    )
    db.session.add(user)
    return user


def tell_owner_of_signup(email: str) -> bool:
    """If the e-mail has an account, stage an e-mail telling its owner that someone tried to
    sign up with it (the sign-up page answers as for a new address, so it cannot be used to
    learn who has an account). At most one such e-mail an hour. True if the account exists."""
    user = find_user(email)
    if user is None:
        return False
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    outbox.email(
        "signup_existing_account",
        to=user.email,
        context={"login_url": f"{base}/login", "forgot_url": f"{base}/forgot"},
        dedupe_key=f"signup-existing:{user.id}:{utcnow():%Y%m%d%H}",
        essential=True,
    )
    return True


def register_candidate(email: str, password: str, first_name: str, last_name: str) -> User:
    user = _new_user(email, password, Role.CANDIDATE)
    candidate = Candidate(
        user=user,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        consent_terms_at=utcnow(),
    )
    db.session.add(candidate)
    db.session.flush()
    duplicates.flag(candidate)
    audit.record("account_created", actor_id=user.id, object_type="user", object_id=user.id)
    return user


@dataclass
class ClinicSignup:
    name: str
    zip_code: str
    specialty: str = ""
    phone: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""


def register_clinic(email: str, password: str, signup: ClinicSignup) -> User:
    """A clinic account starts unapproved; staff are told there is one to review."""
    location = geo.lookup_zip(signup.zip_code)
    if location is None:
        raise AccountError("We could not find that US ZIP code.", field="zip_code")
    user = _new_user(email, password, Role.CLINIC)
    clinic = Clinic(
        name=signup.name.strip(),
        zip_code=location.zip_code,
        lat=location.lat,
        lon=location.lon,
        city=signup.city or location.city,
        state=signup.state or location.state,
        address_line=signup.address_line,
        specialty=signup.specialty,
        phone=signup.phone,
        approved=False,
    )
    db.session.add(clinic)
    user.clinic = clinic
    user.clinic_role = ClinicRole.MANAGER  # who signs the clinic up runs its account
    db.session.flush()
    audit.record("account_created", actor_id=user.id, object_type="clinic", object_id=clinic.id)
    outbox.add(
        "notify_staff",
        {"event": "clinic_signed_up", "clinic_id": clinic.id},
        dedupe_key=f"clinic-signed-up:{clinic.id}",
    )
    return user


def create_user(email: str, password: str, role: Role) -> User:
    user = _new_user(email, password, role)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the e-mail and password match an active account; None otherwise."""
    user = find_user(email)
    if user is None:
        passwords.dummy_verify(password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Make every session and remember-me cookie issued to the user so far worthless.

    Both cookies carry the session generation (`User.get_id`) and the user loader refuses an
    old one, so the server, not the browser, decides that a copied cookie is dead."""
    user.session_version = (user.session_version or 1) + 1


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(
    user: User, purpose: TokenPurpose, lifetime: timedelta, prefix: str
) -> tuple[dict[str, Any], AuthToken]:
    """A single-use link for an e-mail: the sealed context value (rendered as prefix + token
    by the worker; the token itself is never stored, see link_secrets) and the token's row
    (its hash only), flushed so the row's id can key the outbox message."""
    token, sealed = link_secrets.mint(purpose.value, prefix)
    row = AuthToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=_token_hash(token),
        expires_at=utcnow() + lifetime,
    )
    db.session.add(row)
    db.session.flush()
    return sealed, row


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way (no account probing)."""
    user = find_user(email)
    if user is None or not user.active:
        return
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link, row = _new_link(
        user, TokenPurpose.PASSWORD_RESET, timedelta(seconds=max_age), f"{base}/reset/"
    )
    outbox.email(
        "password_reset",
        to=user.email,
        context={"reset_url": link, "minutes": max_age // 60},
        dedupe_key=f"password-reset:{row.id}",
        essential=True,
    )


def _live_token(token: str, purpose: TokenPurpose) -> AuthToken | None:
    row = db.session.execute(
        select(AuthToken).where(
            AuthToken.token_hash == _token_hash(token), AuthToken.purpose == purpose
        )
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def user_for_reset_token(token: str) -> AuthToken | None:
    return _live_token(token, TokenPurpose.PASSWORD_RESET)


# A phoned-in candidate may take a while to read the agency's e-mail.
CLAIM_DAYS = 14


def _claim_prefix() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/claim/"


def _claim_context(link: dict[str, Any], first_name: str) -> dict[str, object]:
    return {"claim_url": link, "first_name": first_name, "days": CLAIM_DAYS}


def invite_to_claim(candidate: Candidate) -> None:
    """E-mail the person of a staff-entered record a link to set their password and accept
    the terms (staged in the caller's transaction; a new invitation leaves older ones valid)."""
    user = candidate.user
    if user is None:
        return
    link, row = _new_link(
        user, TokenPurpose.ACCOUNT_CLAIM, timedelta(days=CLAIM_DAYS), _claim_prefix()
    )
    outbox.email(
        "account_invitation",
        to=user.email,
        context=_claim_context(link, candidate.first_name),
        dedupe_key=f"account-claim:{row.id}",
        essential=True,
    )


@dataclass(frozen=True, slots=True)
class ClaimDraft:
    """An invitation of `invite_to_claim` worked out before its user row exists (an import
    drafts them on the thread that checks the next batch): the token's hash and the e-mail's
    outbox payload, already encoded."""

    token_hash: str
    payload: bulk.Encoded


def draft_claims(people: list[tuple[str, str]]) -> list[ClaimDraft]:
    """A claim invitation for each (e-mail, first name); nothing is written (`stage_claims`
    writes them). Needs the app (its SECRET_KEY and public address), not the database."""
    prefix = _claim_prefix()
    drafts = []
    for email, first_name in people:
        token, link = link_secrets.mint(TokenPurpose.ACCOUNT_CLAIM.value, prefix)
        payload = outbox.email_payload(
            "account_invitation", email, _claim_context(link, first_name), essential=True
        )
        drafts.append(ClaimDraft(_token_hash(token), bulk.Encoded(payload)))
    return drafts


def stage_claims(user_ids: list[int], drafts: list[ClaimDraft]) -> int:
    """Write the drafted invitations for these users (one each, in order): the tokens in one
    statement, the e-mails in another, in the caller's transaction. Returns how many."""
    if not user_ids:
        return 0
    now = utcnow()
    expires = now + timedelta(days=CLAIM_DAYS)
    ids = bulk.insert_with_ids(
        AuthToken,
        [
            {
                "user_id": user_id,
                "purpose": TokenPurpose.ACCOUNT_CLAIM.value,  # COPY bypasses the column type
                "token_hash": draft.token_hash,
                "created_at": now,
                "expires_at": expires,
            }
            for user_id, draft in zip(user_ids, drafts, strict=True)
        ],
    )
    staged = outbox.add_bulk(
        "email",
        [
            (draft.payload, f"account-claim:{row_id}")
            for draft, row_id in zip(drafts, ids, strict=True)
        ],
        keys_are_new=True,  # each names a token row drawn just above
    )
    return len(staged)


# A colleague may be on leave when the invitation arrives.
CLINIC_INVITE_DAYS = 7


def invite_to_clinic(user: User, clinic_name: str, inviter_email: str) -> None:
    """E-mail a clinic's new colleague a single-use link to set their password (staged in the
    caller's transaction)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link, row = _new_link(
        user,
        TokenPurpose.CLINIC_INVITE,
        timedelta(days=CLINIC_INVITE_DAYS),
        f"{base}/clinic/join/",
    )
    outbox.email(
        "clinic_invitation",
        to=user.email,
        context={
            "join_url": link,
            "clinic_name": clinic_name,
            "inviter": inviter_email,
            "days": CLINIC_INVITE_DAYS,
        },
        dedupe_key=f"clinic-invite:{row.id}",
        essential=True,
    )


def clinic_invite_token(token: str) -> AuthToken | None:
    row = _live_token(token, TokenPurpose.CLINIC_INVITE)
    if row is None or not row.user.active or row.user.role != Role.CLINIC:
        return None  # removed again before they joined
    return row


def accept_clinic_invite(token: str, password: str) -> User:
    """The colleague sets their password: the login is theirs. Caller commits."""
    row = clinic_invite_token(token)
    if row is None:
        raise AccountError(
            "This invitation link is invalid or has expired. "
            "Ask your clinic's manager for a new one."
        )
    row.used_at = utcnow()
    user = row.user
    user.password_hash = passwords.hash_password(password)
    end_sessions(user)
    audit.record("clinic_invite_accepted", actor_id=user.id, object_type="user", object_id=user.id)
    return user


def claim_token(token: str) -> AuthToken | None:
    return _live_token(token, TokenPurpose.ACCOUNT_CLAIM)


def claim_account(token: str, password: str) -> User:
    """The person sets their password and accepts the terms: the record is theirs, and from
    now on staff may submit it to clinics. Caller commits."""
    row = claim_token(token)
    candidate = None
    if row is not None:
        candidate = db.session.execute(
            select(Candidate).where(Candidate.user_id == row.user_id)
        ).scalar_one_or_none()
    if row is None or candidate is None:
        raise AccountError(
            "This invitation link is invalid or has expired. Ask the agency for a new one."
        )
    now = utcnow()
    row.used_at = now
    user = row.user
    user.password_hash = passwords.hash_password(password)
    end_sessions(user)
    candidate.claimed_at = candidate.consent_terms_at = now
    candidate.consent_share_profile = True
    audit.record(
        "account_claimed", actor_id=user.id, object_type="candidate", object_id=candidate.id
    )
    return user


def reset_password(token: str, new_password: str) -> User:
    row = user_for_reset_token(token)
    if row is None:
        raise AccountError("This reset link is invalid or has expired. Ask for a new one.")
    row.used_at = utcnow()
    user = row.user
    user.password_hash = passwords.hash_password(new_password)
    # Log out every other session that knew the old password.
    end_sessions(user)
    audit.record("password_reset", actor_id=user.id, object_type="user", object_id=user.id)
    return user
