"""The terms a job ad states in words: pay (range and unit), employment type, weekly schedule,
and whether each language is required or only preferred."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matching import week
from matching.taxonomy import load_taxonomy

HOURS_PER_YEAR = 2080  # 40 hours x 52 weeks: how US ads turn a salary into an hourly rate
UNIT_HOURS = {"hour": 1.0, "week": 40.0, "month": HOURS_PER_YEAR / 12, "year": HOURS_PER_YEAR}
UNIT_WORDS = {
    "hour": r"hour|hr|h|hourly",
    "week": r"week|wk|weekly",
    "month": r"month|mo|monthly",
    "year": r"year|yr|annum|annually|annual|a\.?\s?y\.?",
}
NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d{1,2})?)\s?(k|K)?"
AMOUNT = r"\$\s?" + NUMBER
UNIT = "|".join(f"(?P<{u}>{w})" for u, w in UNIT_WORDS.items())
PAY = re.compile(
    AMOUNT
    + r"(?:\s*(?:-|\u2013|\u2014|to)\s*\$?\s?"
    + NUMBER
    + r")?\s*(?:/|per\b|an\b|a\b)?\s*(?:"
    + UNIT
    + r")\b",
    re.IGNORECASE,
)
EMPLOYMENT = (
    ("per_diem", re.compile(r"\bper[- ]diem\b|\bPRN\b|\bas[- ]needed\b", re.IGNORECASE)),
    (
        "temp_to_hire",
        re.compile(
            r"\btemp(?:orary)?[- ]to[- ](?:hire|perm\w*)\b|\bcontract[- ]to[- ]hire\b", re.I
        ),
    ),
    ("temp", re.compile(r"\btemporary\b|\btemp\b|\bcontract\b|\blocum\b|\bcover\b", re.I)),
    ("permanent", re.compile(r"\bpermanent\b|\bdirect[- ]hire\b|\bfull[- ]time\b", re.I)),
)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Whole day names or their usual short forms only ("month" and "satisfy" are not days).
DAY = r"\b(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|rs)?s?\b\.?"
DAY_RANGE = re.compile(DAY + r"\s*(?:-|\u2013|\u2014|to|through|thru)\s*" + DAY, re.IGNORECASE)
DAY_SINGLE = re.compile(DAY, re.IGNORECASE)
WEEKENDS = re.compile(r"\bweekends?\b", re.IGNORECASE)
CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
HOURS = re.compile(CLOCK + r"\s*(?:-|\u2013|\u2014|to)\s*" + CLOCK, re.IGNORECASE)
BLOCK_WORDS = (
    (0, re.compile(r"\bmornings?\b", re.I)),
    (1, re.compile(r"\bafternoons?\b", re.I)),
    (2, re.compile(r"\bevenings?\b", re.I)),
)
BLOCK_SPANS = ((7, 12), (12, 17), (17, 21))  # morning, afternoon, evening: hours of the day
REQUIRED = re.compile(
    r"\brequired\b|\brequirement\b|\bmust\b|\bessential\b|\bmandatory\b|\bneeded\b", re.I
)
PREFERRED = re.compile(
    r"\bpreferred\b|\bpreferable\b|\ba plus\b|\bdesirable\b|\bdesired\b|\bbonus\b|"
    r"\bnice to have\b|\bhelpful\b|\badvantage\w*\b|\bideally\b",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"[^.;\n!?]+")


@dataclass
class AdTerms:
    pay_min: float | None = None  # as stated, in pay_unit
    pay_max: float | None = None
    pay_unit: str | None = None  # "hour", "week", "month" or "year"
    employment_type: str | None = None  # temp, temp_to_hire, permanent, per_diem
    shift_mask: int | None = None  # weekly mask (matching.week); None: not stated
    languages_required: set[str] = field(default_factory=set)
    languages_preferred: set[str] = field(default_factory=set)

    @property
    def hourly(self) -> tuple[float | None, float | None]:
        """The stated pay as an hourly rate (a salary over 2,080 hours)."""
        if self.pay_unit is None:
            return None, None
        per = UNIT_HOURS[self.pay_unit]
        lo = None if self.pay_min is None else round(self.pay_min / per, 2)
        hi = None if self.pay_max is None else round(self.pay_max / per, 2)
        return lo, hi


def _amount(number: str, thousands: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if thousands else value


def read_pay(text: str) -> tuple[float | None, float | None, str | None]:
    """The first pay figure with a unit: ("$18-$22 an hour" -> 18, 22, "hour")."""
    for m in PAY.finditer(text):
        unit = next(u for u in UNIT_WORDS if m.group(u))
        lo = _amount(m.group(1), m.group(2))
        hi = _amount(m.group(3), m.group(4)) if m.group(3) else None
        if hi is not None and m.group(4) and not m.group(2):
            lo = lo * 1000 if lo < 1000 else lo  # "$45-55k"
        if hi is not None and hi < lo:
            lo, hi = hi, lo
        if hi is not None:
            return lo, hi, unit
        before = text[max(0, m.start() - 20) : m.start()].lower()
        if re.search(r"up to|max\w*|no more than", before):
            return None, lo, unit
        if re.search(r"start\w*|from|at least|min\w*", before):
            return lo, None, unit
        return lo, lo, unit
    return None, None, None


def read_employment_type(text: str) -> str | None:
    for kind, pattern in EMPLOYMENT:
        if pattern.search(text):
            return kind
    return None


def _hour(h: str, minutes: str | None, half: str | None, other_half: str | None) -> float:
    hour = int(h) % 12 if (half or other_half) else int(h)
    meridiem = (half or other_half or "").lower().replace(".", "")
    # With no am/pm, "8-4" is a clinic day: hours 1-6 are in the afternoon.
    if meridiem == "pm" or (not meridiem and 1 <= hour <= 6):
        hour += 12
    return hour + (int(minutes) / 60 if minutes else 0.0)


def read_schedule(text: str) -> int | None:
    """The weekly mask of the days and blocks an ad names; None when it names no days."""
    days: set[int] = set()
    for m in DAY_RANGE.finditer(text):
        a, b = DAY_NAMES.index(m.group(1).lower()), DAY_NAMES.index(m.group(2).lower())
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    days.update(DAY_NAMES.index(m.group(1).lower()) for m in DAY_SINGLE.finditer(text))
    if WEEKENDS.search(text):
        days.update((5, 6))
    if not days:
        return None
    blocks = {b for b, pattern in BLOCK_WORDS if pattern.search(text)}
    for m in HOURS.finditer(text):
        start = _hour(m.group(1), m.group(2), m.group(3), m.group(6) if not m.group(3) else None)
        end = _hour(m.group(4), m.group(5), m.group(6), None)
        if not 0 <= start < end <= 24:
            continue
        blocks.update(b for b, (lo, hi) in enumerate(BLOCK_SPANS) if start < hi and end > lo)
    if not blocks:
        blocks = {0, 1}  # days without hours: the usual clinic day
    return week.mask_of(days, blocks)


def read_languages(text: str) -> tuple[set[str], set[str]]:
    """(required, preferred) language codes: a mention is required only when its sentence says so
    ("Spanish required", "must speak Spanish"); otherwise it is a preference."""
    patterns = load_taxonomy().patterns["languages"]
    required: set[str] = set()
    preferred: set[str] = set()
    for sentence in SENTENCE.findall(text):
        for code, pattern in patterns.items():
            if not pattern.search(sentence):
                continue
            if PREFERRED.search(sentence):
                preferred.add(code)
            elif REQUIRED.search(sentence):
                required.add(code)
            else:
                preferred.add(code)
    return required, preferred - required


def read_terms(text: str) -> AdTerms:
    lo, hi, unit = read_pay(text)
    required, preferred = read_languages(text)
    return AdTerms(
        pay_min=lo,
        pay_max=hi,
        pay_unit=unit,
        employment_type=read_employment_type(text),
        shift_mask=read_schedule(text),
        languages_required=required,
        languages_preferred=preferred,
    )
