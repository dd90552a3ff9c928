"""Voluntary self-identification, kept apart from the profile for the bias audit alone.

A candidate may say (or decline to say) their sex, race/ethnicity in the EEO-1 categories, age
band, disability and veteran status. The answers live in their own table, are read only by the
audit report (admins) and by the candidate themself, and never by the matching engine: an
import-linter contract (pyproject.toml) keeps `matching` and the scoring bridge from importing
this module. It is deliberately not re-exported from `agency.models`, which the bridge imports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from agency.extensions import Model
from agency.models.types import UTCDateTime, utcnow

# Every question can be declined; a declined answer is stored as this value.
DECLINED = "declined"
DECLINED_LABEL = "Prefer not to say"

# Each question's answers, value -> label (the order is the order shown).
SEX = {"female": "Female", "male": "Male", "another": "Another sex or gender identity"}
# The EEO-1 race/ethnicity categories.
RACE_ETHNICITY = {
    "hispanic_latino": "Hispanic or Latino",
    "white": "White",
    "black": "Black or African American",
    "native_hawaiian_pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "asian": "Asian",
    "american_indian_alaska_native": "American Indian or Alaska Native",
    "two_or_more": "Two or more races",
}
# 40 is where US age-discrimination protection starts, so no band straddles it.
AGE_BAND = {
    "under_25": "Under 25",
    "25_39": "25 to 39",
    "40_54": "40 to 54",
    "55_plus": "55 or over",
}
DISABILITY = {"yes": "Yes, I have a disability", "no": "No, I do not have a disability"}
VETERAN = {"protected": "I am a protected veteran", "not_protected": "I am not a protected veteran"}

# column -> (question label, answers): one table drives the form, the checks and the report.
CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    "sex": ("Sex", SEX),
    "race_ethnicity": ("Race/ethnicity", RACE_ETHNICITY),
    "age_band": ("Age band", AGE_BAND),
    "disability": ("Disability", DISABILITY),
    "veteran_status": ("Veteran status", VETERAN),
}


def _check(column: str, answers: dict[str, str]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in [*answers, DECLINED])
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")


class SelfIdentification(Model):
    """One candidate's answers; no row means the candidate never answered (not the same as
    declining, which the report counts separately)."""

    __tablename__ = "self_identifications"
    __table_args__ = tuple(_check(column, answers) for column, (_, answers) in CATEGORIES.items())

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    sex: Mapped[str] = mapped_column(String(40), default=DECLINED)
    race_ethnicity: Mapped[str] = mapped_column(String(40), default=DECLINED)
    age_band: Mapped[str] = mapped_column(String(40), default=DECLINED)
    disability: Mapped[str] = mapped_column(String(40), default=DECLINED)
    veteran_status: Mapped[str] = mapped_column(String(40), default=DECLINED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def answers(self) -> dict[str, str]:
        return {column: getattr(self, column) for column in CATEGORIES}


def label(column: str, value: str) -> str:
    """The words for a stored answer."""
    if value == DECLINED:
        return DECLINED_LABEL
    return CATEGORIES[column][1].get(value, value)
