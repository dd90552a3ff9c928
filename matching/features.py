"""Candidate and opening records, and their encoding into the float32 arrays the scorer reads."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.geo import radius_cosine, unit_vector
from matching.taxonomy import ROLES, Taxonomy, load_taxonomy
from matching.week import FULL_MASK

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

MAX_LEVEL = 4
EPOCH = date(2000, 1, 1)
# Credential cells: days since EPOCH of a verified credential's expiry, or one of these.
NOT_HELD = -32768
UNVERIFIED = -32767
NO_EXPIRY = 32767
NO_DAY = -(2**31)  # "no today given": below every credential cell
# Typing speed a role needs when the opening does not say (wpm); receptionists are not tested.
DEFAULT_TYPING_WPM = {"receptionist": None, "secretary": 50, "hybrid": 40}
EXPERIENCE_SCALE_YEARS = 3.0


@dataclass(frozen=True)
class CredentialHeld:
    code: str
    verified: bool = True
    expires: date | None = None


@dataclass
class CandidateProfile:
    id: int
    skills: dict[str, int] = field(default_factory=dict)
    credentials: list[CredentialHeld] = field(default_factory=list)
    availability: int = 0
    lat: float | None = None
    lon: float | None = None
    commute_miles: float = 15.0
    min_pay: float | None = None
    years_experience: float = 0.0
    typing_wpm: int | None = None
    ehr: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    desired_roles: set[str] = field(default_factory=set)
    text: str = ""
    reliability: float | None = None


@dataclass
class OpeningSpec:
    id: int
    role: str
    required_skills: dict[str, tuple[int, float]] = field(default_factory=dict)
    required_credentials: set[str] = field(default_factory=set)
    ehr: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    shift_mask: int = 0
    lat: float | None = None
    lon: float | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    start_date: date = field(default_factory=date.today)
    positions: int = 1
    min_typing_wpm: int | None = None
    text: str = ""
    # The day the match is judged on. A credential counts only while valid on both this day and
    # the start date (once the start has passed, an expired one must not count again). The
    # engine never reads the clock: callers pass it; None judges on the start date alone.
    today: date | None = None


def day_number(d: date) -> int:
    return (d - EPOCH).days


def effective_requirements(
    opening: OpeningSpec, taxonomy: Taxonomy
) -> dict[str, tuple[int, float]]:
    """The role profile's defaults, overridden skill by skill by what the opening states."""
    if opening.role not in ROLES:
        raise ValueError(f"unknown role {opening.role!r}; expected one of {ROLES}")
    reqs = taxonomy.default_requirements(opening.role)
    for code, (level, weight) in opening.required_skills.items():
        if code in reqs:
            reqs[code] = (min(max(int(level), 0), MAX_LEVEL), max(float(weight), 0.0))
    return reqs


def typing_target(opening: OpeningSpec) -> int | None:
    if opening.min_typing_wpm:
        return opening.min_typing_wpm
    return DEFAULT_TYPING_WPM.get(opening.role)


class CodeBook:
    """Codes (EHR systems, languages, credentials) -> bit or row numbers; grows on new codes."""

    def __init__(self, codes: Iterable[str], limit: int = 63) -> None:
        self.index: dict[str, int] = {}
        self.limit = limit
        for code in codes:
            self.add(code)

    def add(self, code: str) -> int | None:
        key = code.strip().lower()
        if key not in self.index:
            if len(self.index) >= self.limit:
                return None
            self.index[key] = len(self.index)
        return self.index[key]

    def get(self, code: str) -> int | None:
        return self.index.get(code.strip().lower())

    def mask(self, codes: Iterable[str], grow: bool = True) -> int:
        out = 0
        for code in codes:
            bit = self.add(code) if grow else self.get(code)
            if bit is not None:
                out |= 1 << bit
        return out

    def codes_in(self, mask: int) -> list[str]:
        return [code for code, bit in self.index.items() if mask >> bit & 1]


class Layout:
    """Column layout of the dense feature matrix, plus the code books shared by a pool."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.skills = self.taxonomy.skill_codes
        self.skill_column = {code: j for j, code in enumerate(self.skills)}
        self.skill_names = [self.taxonomy.skill(c).name for c in self.skills]
        s = len(self.skills)
        self.experience = s
        self.wpm = s + 1
        self.role = {role: s + 2 + i for i, role in enumerate(ROLES)}
        self.role_columns = np.array([self.role[role] for role in ROLES], dtype=np.intp)
        self.reliability = s + 5
        self.has_reliability = s + 6
        self.fit = {role: s + 7 + i for i, role in enumerate(ROLES)}
        self.width = s + 10
        self.ehr = CodeBook(self.taxonomy.ehr_systems)
        self.languages = CodeBook(self.taxonomy.languages)
        self.credentials = CodeBook((c.code for c in self.taxonomy.credentials), limit=10_000)
        # Openings compiled against this layout (see compile_cached), oldest first.
        self.compiled: dict[Hashable, OpeningQuery] = {}
        profiles = {r: self.taxonomy.role_profile(r) for r in ROLES}
        self.profile_matrix = np.array(
            [[profiles[r][code] for code in self.skills] for r in ROLES], dtype=np.float64
        )
        self.profile_matrix /= self.profile_matrix.sum(axis=1, keepdims=True) * MAX_LEVEL
        # Skill fit against each role's default requirements, precomputed per candidate so that
        # ranking is a plain matrix product; an opening corrects only the skills it changes.
        self.default_caps: dict[str, npt.NDArray[np.float64]] = {}
        self.default_weights: dict[str, npt.NDArray[np.float64]] = {}
        self._default_scale: dict[str, npt.NDArray[np.float64]] = {}
        for role in ROLES:
            reqs = self.taxonomy.default_requirements(role)
            levels = np.array([reqs[c][0] for c in self.skills], dtype=np.float64)
            self.default_caps[role] = np.where(levels > 0, levels, MAX_LEVEL)
            self.default_weights[role] = w = np.array(
                [reqs[c][1] for c in self.skills], dtype=np.float64
            )
            self._default_scale[role] = w / self.default_caps[role] / w.sum()

    def default_fit(self, levels: npt.NDArray[np.float32], role: str) -> npt.NDArray[np.float64]:
        caps, scale = self.default_caps[role], self._default_scale[role]
        return np.asarray(np.minimum(levels, caps) @ scale, dtype=np.float64)


def role_desire(role: str, desired: set[str]) -> float | None:
    """How much the candidate wants this kind of job; None when they did not say."""
    if not desired:
        return None
    if role in desired:
        return 1.0
    if role == "hybrid" and desired & {"receptionist", "secretary"}:
        return 0.75
    if "hybrid" in desired and role != "hybrid":
        return 0.75
    return 0.0


@dataclass
class EncodedRows:
    """Per-candidate arrays for a batch of profiles (row i = profiles[i])."""

    X: F32
    cos_commute: F32
    min_pay: F32
    availability: npt.NDArray[np.int32]
    ehr: I64
    languages: I64
    lat: F32
    lon: F32
    commute: F32
    wpm: F32
    xyz: F32  # (rows, 3) unit vectors of home locations (zero when unknown)
    credentials: dict[int, npt.NDArray[np.int16]]
    levels_t: npt.NDArray[np.uint8]  # (skills, rows): skill levels column by column
    has_text: F32  # 1 where the candidate has a resume or profile text, else 0


@dataclass
class CandidateColumns:
    """Candidates as columns, entry i of each list for candidate i: what a database query hands
    over, encoded without building a CandidateProfile per person (at 100,000 candidates the
    profiles' sets and dicts were most of a pool build's time and memory).

    Skills and credentials are long-form: one entry per (candidate row, code); a skill entry
    names its code by its index in `skill_code_table` (millions of entries at 100,000
    candidates: arrays, not lists).
    """

    ids: list[int]
    availability: list[int]
    lat: list[float | None]
    lon: list[float | None]
    commute_miles: list[float]
    min_pay: list[float | None]
    years_experience: list[float]
    typing_wpm: list[int | None]
    ehr: list[Iterable[str]]
    languages: list[Iterable[str]]
    desired_roles: list[Iterable[str]]
    has_text: list[bool]
    reliability: list[float | None]
    skill_rows: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    skill_code_ids: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    skill_levels: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    skill_code_table: list[str] = field(default_factory=list)
    credential_rows: list[int] = field(default_factory=list)
    credential_codes: list[str] = field(default_factory=list)
    credential_cells: list[int] = field(default_factory=list)  # see credential_cell()

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> CandidateColumns:
        """No candidates yet: lists to extend chunk by chunk."""
        return cls([], [], [], [], [], [], [], [], [], [], [], [], [])

    @classmethod
    def of(cls, profiles: Sequence[CandidateProfile]) -> CandidateColumns:
        cols = cls(
            ids=[p.id for p in profiles],
            availability=[p.availability for p in profiles],
            lat=[p.lat for p in profiles],
            lon=[p.lon for p in profiles],
            commute_miles=[p.commute_miles for p in profiles],
            min_pay=[p.min_pay for p in profiles],
            years_experience=[p.years_experience for p in profiles],
            typing_wpm=[p.typing_wpm for p in profiles],
            ehr=[p.ehr for p in profiles],
            languages=[p.languages for p in profiles],
            desired_roles=[p.desired_roles for p in profiles],
            has_text=[bool(p.text.strip()) for p in profiles],
            reliability=[p.reliability for p in profiles],
        )
        code_ids: dict[str, int] = {}
        rows, codes, levels = [], [], []
        for i, p in enumerate(profiles):
            for code, level in p.skills.items():
                rows.append(i)
                codes.append(code_ids.setdefault(code, len(code_ids)))
                levels.append(int(level))
            for cred in p.credentials:
                cols.credential_rows.append(i)
                cols.credential_codes.append(cred.code)
                cols.credential_cells.append(credential_cell(cred))
        cols.skill_rows = np.array(rows, dtype=np.int64)
        cols.skill_code_ids = np.array(codes, dtype=np.int64)
        cols.skill_levels = np.array(levels, dtype=np.int64)
        cols.skill_code_table = list(code_ids)
        return cols


def encode_profiles(profiles: Sequence[CandidateProfile], layout: Layout) -> EncodedRows:
    return encode_columns(CandidateColumns.of(profiles), layout)


def _code_masks(values: list[Iterable[str]], book: CodeBook) -> I64:
    """Each row's codes as a bit mask (most rows repeat a few combinations)."""
    cache: dict[frozenset[str], int] = {}
    out = np.zeros(len(values), dtype=np.int64)
    for i, codes in enumerate(values):
        key = frozenset(codes)
        bits = cache.get(key)
        if bits is None:
            bits = cache[key] = book.mask(codes)
        out[i] = bits
    return out


def _credential_columns(
    cols: CandidateColumns, layout: Layout, n: int
) -> dict[int, npt.NDArray[np.int16]]:
    """Per credential row of the layout, each candidate's best cell for it (NOT_HELD when
    none); codes are numbered in order of first appearance, as the layout numbers them."""
    creds: dict[int, npt.NDArray[np.int16]] = {}
    if not cols.credential_codes:
        return creds
    row_of = {code: layout.credentials.add(code) for code in dict.fromkeys(cols.credential_codes)}
    entry_rows = np.array([-1 if r is None else r for r in map(row_of.get, cols.credential_codes)])
    candidates = np.asarray(cols.credential_rows, dtype=np.intp)
    cells = np.asarray(cols.credential_cells, dtype=np.int16)
    for row in dict.fromkeys(row_of.values()):  # ("CPC" and "cpc" share a row)
        if row is None:
            continue
        mine = entry_rows == row
        column = creds[row] = np.full(n, NOT_HELD, dtype=np.int16)
        np.maximum.at(column, candidates[mine], cells[mine])
    return creds


def encode_columns(cols: CandidateColumns, layout: Layout) -> EncodedRows:
    n = len(cols)
    X = np.zeros((n, layout.width), dtype=np.float32)
    cos_commute = np.full(n, 2.0, dtype=np.float32)
    lat = np.full(n, np.nan, dtype=np.float32)
    lon = np.full(n, np.nan, dtype=np.float32)
    xyz = np.zeros((n, 3), dtype=np.float32)
    # Column by column: a per-row Python loop that writes into numpy cells costs tens of
    # microseconds a candidate, seconds for a 100,000-candidate pool.
    skill_col = layout.skill_column
    # The layout's column of each code in the table (-1: a code the layout does not know).
    column_of = np.array([skill_col.get(c, -1) for c in cols.skill_code_table] + [-1])
    cols_j = column_of[cols.skill_code_ids]
    known = cols_j >= 0
    # np.minimum/np.maximum, not np.clip: clip's Python wrapper costs several microseconds a
    # call, a measurable share of encoding the one candidate of an explained pair.
    X[cols.skill_rows[known], cols_j[known]] = np.minimum(
        np.maximum(cols.skill_levels[known], 0), MAX_LEVEL
    )
    desire_cache: dict[frozenset[str], list[float] | None] = {}
    desires: list[list[float] | None] = []
    for roles in cols.desired_roles:
        key = frozenset(roles)
        if key not in desire_cache:
            desire_cache[key] = (
                [0.5 * (role_desire(r, set(key)) or 0.0) for r in ROLES] if key else None
            )
        desires.append(desire_cache[key])
    rel = np.array([np.nan if r is None else r for r in cols.reliability], dtype=np.float64)
    has_rel = ~np.isnan(rel)
    X[has_rel, layout.reliability] = np.minimum(np.maximum(rel[has_rel], 0.0), 1.0)
    X[has_rel, layout.has_reliability] = 1.0
    ehr = _code_masks(cols.ehr, layout.ehr)
    langs = _code_masks(cols.languages, layout.languages)
    creds = _credential_columns(cols, layout, n)
    years = np.array(cols.years_experience, dtype=np.float64).reshape(n)
    X[:, layout.wpm] = [w or 0 for w in cols.typing_wpm]
    commute = np.array(cols.commute_miles, dtype=np.float32).reshape(n)
    min_pay = np.array(
        [np.nan if v is None else v for v in cols.min_pay], dtype=np.float32
    ).reshape(n)
    avail = np.array([a & FULL_MASK for a in cols.availability], dtype=np.int32).reshape(n)
    # Saturating: the first years of front-office experience matter most.
    X[:, layout.experience] = 1.0 - np.exp(-np.maximum(years, 0.0) / EXPERIENCE_SCALE_YEARS)
    wished = np.array([d is not None for d in desires], dtype=bool)
    role_cols = layout.role_columns
    if wished.any():
        X[np.flatnonzero(wished)[:, None], role_cols] = [d for d in desires if d is not None]
    located = [
        i
        for i, (a, b) in enumerate(zip(cols.lat, cols.lon, strict=True))
        if a is not None and b is not None
    ]
    if located:
        at = np.array(located, dtype=np.intp)
        lats = [cols.lat[i] for i in located]
        lons = [cols.lon[i] for i in located]
        lat[at] = lats
        lon[at] = lons
        xyz[at] = [unit_vector(a, b) for a, b in zip(lats, lons, strict=True)]  # type: ignore[arg-type]
        # A few dozen distinct commutes among 100,000 candidates.
        cosines = {c: radius_cosine(c) for c in set(cols.commute_miles)}
        cos_commute[at] = [cosines[cols.commute_miles[i]] for i in located]
    # Role fit = half the stated wish (above) + half how well the skills cover the role profile;
    # with no wish stated, the coverage alone (a missing wish is not held against anyone).
    coverage = X[:, : len(layout.skills)].astype(np.float64) @ layout.profile_matrix.T
    share = np.where(wished, 0.5, 1.0)
    X[:, role_cols] += (share[:, None] * coverage).astype(np.float32)
    levels = X[:, : len(layout.skills)]
    for role in ROLES:
        X[:, layout.fit[role]] = layout.default_fit(levels, role)
    wpm = X[:, layout.wpm].copy()
    levels_t = np.ascontiguousarray(levels.T.astype(np.uint8))
    has_text = np.array(cols.has_text, dtype=np.float32).reshape(n)
    return EncodedRows(
        X,
        cos_commute,
        min_pay,
        avail,
        ehr,
        langs,
        lat,
        lon,
        commute,
        wpm,
        xyz,
        creds,
        levels_t,
        has_text,
    )


def credential_cell(cred: CredentialHeld) -> int:
    if not cred.verified:
        return UNVERIFIED
    if cred.expires is None:
        return NO_EXPIRY
    return min(max(day_number(cred.expires), 0), NO_EXPIRY - 1)


def from_day_number(days: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + days)


COMPONENTS = (
    "skills",
    "role",
    "experience",
    "typing",
    "ehr",
    "distance",
    "pay",
    "availability",
    "text",
    "reliability",
)
DISTANCE_HALF_MILES = 10.0  # the distance component is 0.5 at this many miles
TEXT_FULL_COSINE = 0.4  # resume/description cosine treated as a perfect text match
# What the candidate brings to the job (skills first) decides whether they fit; where they live,
# what they ask and when they are free decide how convenient they are. Convenience counts in full
# only once the candidate covers this share of the opening's weighted skills, and in proportion
# below it: an available neighbour who cannot do the work is not a good match. The same holds for
# the rest of the profile (experience, typing, EHR, resume, track record): every component but
# skills is scaled by the gate, which runs from SKILL_GATE_FLOOR (no skills) to 1 (SKILL_GATE_FULL
# of them). The floor keeps the rest telling candidates apart (nearer is still better) without
# letting it carry a mismatch.
SKILL_GATE_FULL = 0.75
SKILL_GATE_FLOOR = 0.25
# A pay range with only one end stated is read as a range this wide around it.
ASSUMED_PAY_SPAN = 0.25


@dataclass
class OpeningQuery:
    """An opening compiled against a pool's layout and a set of component weights."""

    opening: OpeningSpec
    requirements: dict[str, tuple[int, float]]
    weights: dict[str, float]
    applicable: dict[str, bool]
    caps: F32  # per column: min(value, cap) is what counts
    W: F32  # (width,): points per unit of each column of X
    u0: F32  # (3,): the clinic's unit vector (zero when unknown)
    skill_weights: npt.NDArray[np.float64]  # normalised, per skill column, over caps
    den0: float
    typing_target: int | None
    shift: int
    languages: int
    ehr: int
    credential_rows: list[tuple[str, int | None]]
    start_day: int
    today_day: int  # the day judged on (see OpeningSpec.today); NO_DAY when none was given
    has_location: bool
    skill_corrections: list[tuple[int, F32]]  # (skill, points by level) where the opening differs
    typing_coef: float  # points per wpm below the target in the fast path
    fit_column: int | None  # the column of X holding the default skill fit (None: no skills)
    # What explanations derive from the query alone, worked out on first use and kept with it.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


def compile_opening(
    opening: OpeningSpec, layout: Layout, weights: dict[str, float]
) -> OpeningQuery:
    reqs = effective_requirements(opening, layout.taxonomy)
    s = len(layout.skills)
    caps = np.full(layout.width, np.inf, dtype=np.float32)
    skill_w = np.zeros(s, dtype=np.float64)
    for j, code in enumerate(layout.skills):
        level, w = reqs.get(code, (0, 0.0))
        # A level above the requirement earns nothing more, so the skill fit stays <= 1.
        caps[j] = level if level > 0 else MAX_LEVEL
        skill_w[j] = w
    total = skill_w.sum()
    skill_w = skill_w / total / caps[:s] if total > 0 else skill_w
    target = typing_target(opening)
    has_location = opening.lat is not None and opening.lon is not None
    applicable = {c: True for c in COMPONENTS}
    applicable["typing"] = target is not None
    applicable["ehr"] = bool(opening.ehr)
    applicable["skills"] = total > 0
    # Components the opening gives nothing to compare with drop out for everybody; those the
    # candidate leaves blank (resume, pay ask, location, track record) drop out per candidate.
    applicable["distance"] = has_location
    applicable["pay"] = opening.pay_min is not None or opening.pay_max is not None
    applicable["availability"] = bool(opening.shift_mask & FULL_MASK)
    applicable["text"] = bool(opening.text.strip())
    applicable["reliability"] = False  # per candidate: decided by the has_reliability column
    W = np.zeros(layout.width, dtype=np.float32)
    u0 = np.zeros(3, dtype=np.float32)
    corrections: list[tuple[int, F32]] = []
    if applicable["skills"]:
        d_caps, d_w = layout.default_caps[opening.role], layout.default_weights[opening.role]
        raw_w = np.array([reqs.get(c, (0, 0.0))[1] for c in layout.skills], dtype=np.float64)
        W[layout.fit[opening.role]] = weights["skills"] * d_w.sum() / total
        grid = np.arange(MAX_LEVEL + 1, dtype=np.float64)
        for j in range(s):
            if raw_w[j] != d_w[j] or caps[j] != d_caps[j]:
                table = raw_w[j] * np.minimum(grid, caps[j]) / caps[j]
                table -= d_w[j] * np.minimum(grid, d_caps[j]) / d_caps[j]
                corrections.append((j, (weights["skills"] * table / total).astype(np.float32)))
    W[layout.experience] = weights["experience"]
    if target is not None:
        caps[layout.wpm] = target
    W[layout.role[opening.role]] = weights["role"]
    W[layout.reliability] = weights["reliability"]
    if has_location:
        assert opening.lat is not None and opening.lon is not None
        u0[:] = unit_vector(opening.lat, opening.lon)
    den0 = sum(weights[c] for c in COMPONENTS if applicable[c])
    return OpeningQuery(
        opening=opening,
        requirements=reqs,
        weights=weights,
        applicable=applicable,
        caps=caps,
        W=W,
        u0=u0,
        skill_weights=skill_w,
        den0=den0,
        typing_target=target,
        shift=opening.shift_mask & FULL_MASK,
        languages=layout.languages.mask(opening.languages),
        ehr=layout.ehr.mask(opening.ehr),
        credential_rows=[
            (c, layout.credentials.add(c)) for c in sorted(opening.required_credentials)
        ],
        start_day=day_number(opening.start_date),
        today_day=day_number(opening.today) if opening.today is not None else NO_DAY,
        has_location=has_location,
        skill_corrections=corrections,
        typing_coef=weights["typing"] / target if target is not None else 0.0,
        fit_column=layout.fit[opening.role] if applicable["skills"] else None,
    )


# Compiled openings a layout keeps: a ranking page, an explanation or a rescore that asks again
# for an opening it asked for recently finds it compiled.
COMPILED_KEPT = 512


def compile_cached(opening: OpeningSpec, layout: Layout, weights: dict[str, float]) -> OpeningQuery:
    """compile_opening, kept on the layout per (spec, weights): compiling is a few dozen small
    numpy and Python steps, a measurable share of ranking 100,000 candidates or of one pair.

    The key is every field of the spec by value, so a changed spec (even the same object
    changed in place) compiles again; the query keeps a copy of the spec it was compiled from.
    Codes the layout learns while compiling keep their bit for good, so a kept query stays true.
    """
    key = (_spec_key(opening), tuple(weights.items()))
    found = layout.compiled.get(key)
    if found is None:
        found = compile_opening(_spec_copy(opening), layout, dict(weights))
        if len(layout.compiled) >= COMPILED_KEPT:
            layout.compiled.pop(next(iter(layout.compiled), None), None)
        layout.compiled[key] = found
    return found


_SPEC_FIELDS = tuple(f.name for f in fields(OpeningSpec))


def _frozen(value: object) -> Hashable:
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if isinstance(value, dict):
        return frozenset((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _spec_key(opening: OpeningSpec) -> tuple[Hashable, ...]:
    return (type(opening), *(_frozen(getattr(opening, name)) for name in _SPEC_FIELDS))


def _spec_copy(opening: OpeningSpec) -> OpeningSpec:
    """A copy whose sets, dicts and lists are its own (the caller may change theirs later)."""
    mutable = (set, dict, list)
    own: dict[str, Any] = {
        name: type(value)(value)
        for name in _SPEC_FIELDS
        if isinstance(value := getattr(opening, name), mutable)
    }
    return replace(opening, **own)


def popcount(a: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.uint8]:
    return np.asarray(np.bitwise_count(a), dtype=np.uint8)
