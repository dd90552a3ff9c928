"""Skill taxonomy, credentials, EHR systems, languages and O*NET-derived role profiles."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

ROLES = ("receptionist", "secretary", "hybrid")
SIDES = ("front", "back", "both")
ONET_CODES = {"receptionist": "43-4171.00", "secretary": "43-6013.00"}

# The seed's "key differences": a receptionist's work is the front desk, a secretary's the back
# office. O*NET rates both occupations as clerical work with similar generic importances, so this
# emphasis is what separates the profiles; O*NET orders the skills within each side.
SIDE_EMPHASIS = {
    "receptionist": {"front": 1.0, "both": 0.8, "back": 0.4},
    "secretary": {"front": 0.4, "both": 0.8, "back": 1.0},
}
# A skill that the occupation's own O*NET task statements mention gets this much extra weight.
TASK_EVIDENCE_BONUS = 0.25

CATEGORY_NAMES = {
    "interpersonal": ("Interpersonal and customer service", "front"),
    "multitasking": ("Multitasking", "front"),
    "phones_scheduling": ("Phones and scheduling", "front"),
    "check_in": ("Check-in and waiting area", "front"),
    "insurance": ("Insurance verification", "front"),
    "payments": ("Payments and co-pays", "front"),
    "documentation": ("Medical documentation", "back"),
    "records": ("Records management", "back"),
    "transcription": ("Transcription and terminology", "back"),
    "correspondence": ("Correspondence", "back"),
    "billing": ("Billing", "back"),
    "coding": ("Coding (ICD-10, CPT, HCPCS)", "back"),
    "compliance": ("HIPAA and compliance", "back"),
    "detail": ("Detail orientation", "back"),
    "systems": ("EHR and practice-management systems", "both"),
}


@dataclass(frozen=True)
class SkillDef:
    code: str
    name: str
    category: str
    side: str


@dataclass(frozen=True)
class CategoryDef:
    code: str
    name: str
    side: str


@dataclass(frozen=True)
class CredentialDef:
    code: str
    name: str
    issuer: str
    region: str = ""


@dataclass(frozen=True)
class NamedDef:
    """An EHR system or a language: a stable code, a display name and where it is used."""

    code: str
    name: str
    region: str = ""


@dataclass(frozen=True)
class Taxonomy:
    skills: list[SkillDef]
    categories: list[CategoryDef]
    credentials: list[CredentialDef]
    ehr: list[NamedDef]
    language_defs: list[NamedDef]
    profiles: dict[str, dict[str, float]]
    patterns: dict[str, dict[str, re.Pattern[str]]] = field(repr=False)
    _by_code: dict[str, SkillDef] = field(init=False, repr=False, compare=False)
    _names: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {s.code: s for s in self.skills})
        items: list[SkillDef | CredentialDef | NamedDef] = [
            *self.language_defs,
            *self.ehr,
            *self.credentials,
            *self.skills,
        ]
        object.__setattr__(self, "_names", {i.code: i.name for i in items})

    @property
    def skill_codes(self) -> list[str]:
        return [s.code for s in self.skills]

    @property
    def ehr_systems(self) -> list[str]:
        return [e.code for e in self.ehr]

    @property
    def languages(self) -> list[str]:
        return [lang.code for lang in self.language_defs]

    def skill(self, code: str) -> SkillDef:
        return self._by_code[code]

    def credential(self, code: str) -> CredentialDef | None:
        return next((c for c in self.credentials if c.code == code), None)

    def name_of(self, code: str) -> str:
        """Display name of any skill, credential, EHR or language code."""
        return self._names.get(code, code)

    def role_profile(self, role: str) -> dict[str, float]:
        """Default weight (0-1] of every skill for a role."""
        if role not in self.profiles:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        return dict(self.profiles[role])

    def default_requirements(self, role: str) -> dict[str, tuple[int, float]]:
        """Skill code -> (min level 0-4, weight) to prefill an opening of this role."""
        return {code: (_default_level(w), w) for code, w in self.role_profile(role).items()}


def _default_level(weight: float) -> int:
    # The skills a role leans on most are required at a working level (3 of 4); peripheral
    # ones are only preferred (0 = no minimum, the weight still rewards having them).
    if weight >= 0.85:
        return 3
    if weight >= 0.6:
        return 2
    if weight >= 0.45:
        return 1
    return 0


def data_path(name: str) -> Path:
    return Path(str(resources.files("matching") / "data" / name))


def _rows(name: str) -> Iterator[dict[str, str]]:
    with data_path(name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _onet_descriptors() -> dict[str, dict[str, float]]:
    """Occupation code -> descriptor key ("S:Writing") -> importance scaled to [0, 1]."""
    out: dict[str, dict[str, float]] = {}
    for prefix, name in (("S", "onet_skills.csv"), ("A", "onet_work_activities.csv")):
        for row in _rows(name):
            # Importance runs 1-5; 1 means "not important", so it maps to 0.
            value = (float(row["importance_IM_1_5"]) - 1.0) / 4.0
            out.setdefault(row["onet_soc_code"], {})[f"{prefix}:{row['element_name']}"] = value
    for row in _rows("onet_knowledge_level.csv"):
        # Only levels exist for knowledge in this extract; they run 0-7.
        value = float(row["level_LV_0_7"]) / 7.0
        out.setdefault(row["onet_soc_code_current"], {})[f"K:{row['element_name']}"] = value
    return out


def _task_text(onet_code: str) -> str:
    return " ".join(
        r["task"] for r in _rows("onet_task_statements.csv") if r["onet_soc_code"] == onet_code
    )


def derive_profiles(
    skills: list[tuple[SkillDef, list[str], re.Pattern[str]]],
) -> dict[str, dict[str, float]]:
    """Role profiles from O*NET: mean descriptor importance x side emphasis x task evidence.

    Each skill maps to a few O*NET descriptors (skills, work activities, knowledge). Its weight
    for a role is the mean scaled importance of those descriptors for the role's occupation,
    times the side emphasis, times (1 + bonus) when the occupation's task statements mention
    the skill; then scaled so the role's top skill weighs 1. Hybrid is the mean of both.
    """
    descriptors = _onet_descriptors()
    profiles: dict[str, dict[str, float]] = {}
    for role, onet_code in ONET_CODES.items():
        occ = descriptors[onet_code]
        tasks = _task_text(onet_code)
        raw: dict[str, float] = {}
        for skill, keys, pattern in skills:
            found = [occ[k] for k in keys if k in occ]
            if not found:
                raise ValueError(f"no O*NET descriptor for {skill.code}: {keys}")
            evidence = 1.0 + TASK_EVIDENCE_BONUS * bool(pattern.search(tasks))
            raw[skill.code] = sum(found) / len(found) * SIDE_EMPHASIS[role][skill.side] * evidence
        top = max(raw.values())
        profiles[role] = {code: round(v / top, 3) for code, v in raw.items()}
    rec, sec = profiles["receptionist"], profiles["secretary"]
    hybrid = {code: (rec[code] + sec[code]) / 2 for code in rec}
    top = max(hybrid.values())
    profiles["hybrid"] = {code: round(v / top, 3) for code, v in hybrid.items()}
    return profiles


@cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy shipped in matching/data (cached: it never changes at run time)."""
    defs: list[tuple[SkillDef, list[str], re.Pattern[str]]] = []
    patterns: dict[str, dict[str, re.Pattern[str]]] = {
        "skills": {},
        "credentials": {},
        "ehr": {},
        "languages": {},
    }
    for row in _rows("skills.csv"):
        skill = SkillDef(row["code"], row["name"], row["category"], row["side"])
        pattern = re.compile(row["patterns"], re.IGNORECASE)
        defs.append((skill, row["onet_descriptors"].split(";"), pattern))
        patterns["skills"][skill.code] = pattern
    credentials = []
    for row in _rows("credentials.csv"):
        credentials.append(CredentialDef(row["code"], row["name"], row["issuer"], row["region"]))
        # Credential acronyms are upper case in real text; matching them case-sensitively
        # keeps "cpc" in a URL or "rma" in a word from counting.
        patterns["credentials"][row["code"]] = re.compile(row["pattern"])
    ehr = []
    for row in _rows("ehr_systems.csv"):
        ehr.append(NamedDef(row["code"], row["name"], row["region"]))
        patterns["ehr"][row["code"]] = re.compile(row["pattern"])
    languages = []
    for row in _rows("languages.csv"):
        languages.append(NamedDef(row["code"], row["name"]))
        patterns["languages"][row["code"]] = re.compile(row["pattern"], re.IGNORECASE)
    categories = [CategoryDef(code, name, side) for code, (name, side) in CATEGORY_NAMES.items()]
    return Taxonomy(
        skills=[d[0] for d in defs],
        categories=categories,
        credentials=credentials,
        ehr=ehr,
        language_defs=languages,
        profiles=derive_profiles(defs),
        patterns=patterns,
    )


def in_region(region: str, country: str) -> bool:
    """An entry for everywhere (no region) or one whose regions ("US/GB", "GB/EU") include the
    country (ISO 3166 alpha-2, as the agency's COUNTRY setting)."""
    return not region or country in region.split("/")


@cache
def regional_taxonomy(country: str) -> Taxonomy:
    """The taxonomy an agency in `country` offers: credentials and EHR systems of other countries
    are left out (choices, pasted-ad chips, resume suggestions). Skills, languages and role
    profiles are the same everywhere; the engine itself scores on the full taxonomy."""
    full = load_taxonomy()
    credentials = [c for c in full.credentials if in_region(c.region, country)]
    ehr = [e for e in full.ehr if in_region(e.region, country)]
    patterns = dict(full.patterns)
    patterns["credentials"] = {c.code: full.patterns["credentials"][c.code] for c in credentials}
    patterns["ehr"] = {e.code: full.patterns["ehr"][e.code] for e in ehr}
    return replace(full, credentials=credentials, ehr=ehr, patterns=patterns)
