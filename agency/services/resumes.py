"""Resumes: store the file, extract its text, and turn what the engine finds in it into
suggestions the candidate confirms (nothing found in a resume is written on its own)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from agency.extensions import db
from agency.models import Candidate, CandidateSkill, Skill, SkillSource
from agency.services import regional, uploads
from matching.taxonomy import load_taxonomy
from matching.text import STRONG_CUES, WPM, extract_skills

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 100_000
MAX_PDF_PAGES = 30


def extract_text(data: bytes, kind: str) -> str:
    """The plain text of a PDF or DOCX; empty when the file has none we can read."""
    try:
        if kind == uploads.PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            parts = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
        elif kind == uploads.DOCX:
            import docx

            document = docx.Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:
                parts.extend(cell.text for row in table.rows for cell in row.cells)
        else:
            return ""
    except Exception as exc:
        # pypdf and python-docx raise many exception types on broken files; the resume is
        # still kept, just without text.
        log.info("could not extract text from a %s: %s", kind, type(exc).__name__)
        return ""
    text = "\n".join(p.strip() for p in parts if p and p.strip())
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


def attach(candidate: Candidate, checked: uploads.CheckedFile) -> None:
    """Replace the candidate's resume with this (already checked) file and its text."""
    old = candidate.resume_path
    candidate.resume_path = uploads.store(checked, "resumes")
    candidate.resume_filename = checked.filename
    candidate.resume_text = extract_text(checked.data, checked.kind)
    uploads.discard(old)


def remove(candidate: Candidate) -> None:
    uploads.discard(candidate.resume_path)
    candidate.resume_path = None
    candidate.resume_filename = None
    candidate.resume_text = ""


@dataclass
class SuggestedSkill:
    code: str
    name: str
    category: str
    level: int
    current: int | None
    # Why it was suggested: the phrase found in the resume (with its "expert in"-like cue).
    evidence: str = ""
    # Stated strongly or mentioned more than once: offered already ticked.
    clear: bool = False


@dataclass
class Suggestions:
    skills: list[SuggestedSkill] = field(default_factory=list)
    ehr: list[tuple[str, str]] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)
    typing_wpm: int | None = None
    credentials: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.skills or self.ehr or self.languages or self.typing_wpm or self.credentials
        )


EVIDENCE_CHARS = 120


def _phrase(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= EVIDENCE_CHARS else words[: EVIDENCE_CHARS - 1] + "…"


def skill_evidence(text: str, code: str) -> tuple[str, bool]:
    """(phrase, clear): where the resume names the skill, and whether that is clear evidence
    (stated strongly, as extract_skills reads it, or mentioned more than once)."""
    pattern = load_taxonomy().patterns["skills"].get(code)
    matches = list(pattern.finditer(text)) if pattern is not None else []
    for m in matches:
        start = max(0, m.start() - 60)
        cue = STRONG_CUES.search(text[start : m.start()])
        if cue:
            return _phrase(text[start + cue.start() : m.end()]), True
    if matches:
        return _phrase(matches[0].group(0)), len(matches) > 1
    wpm = WPM.search(text) if code == "typing" else None
    if wpm:
        return _phrase(wpm.group(0)), True  # a typing speed is stated plainly
    return "", False


def suggestions(candidate: Candidate) -> Suggestions:
    """What the resume says that the profile does not say yet."""
    text = candidate.resume_text or ""
    out = Suggestions()
    if not text.strip():
        return out
    tax = regional.taxonomy()
    found = extract_skills(text, tax)
    held = {cs.skill.code: cs.level for cs in candidate.skills}
    for code, level in sorted(found.skills.items()):
        if code in tax.skill_codes and held.get(code, -1) < level:
            definition = tax.skill(code)
            evidence, clear = skill_evidence(text, code)
            out.skills.append(
                SuggestedSkill(
                    code,
                    definition.name,
                    definition.category,
                    level,
                    held.get(code),
                    evidence=evidence,
                    clear=clear,
                )
            )
    known_ehr, known_lang = set(candidate.ehr_systems or []), set(candidate.languages or [])
    out.ehr = [(c, tax.name_of(c)) for c in sorted(found.ehr - known_ehr) if c in tax.ehr_systems]
    out.languages = [
        (c, tax.name_of(c)) for c in sorted(found.languages - known_lang) if c in tax.languages
    ]
    if found.typing_wpm and not candidate.typing_wpm:
        out.typing_wpm = found.typing_wpm
    held_creds = {c.credential_type.code for c in candidate.credentials}
    out.credentials = [(c, tax.name_of(c)) for c in sorted(found.credentials - held_creds)]
    return out


def confirm(
    candidate: Candidate,
    skill_codes: Iterable[str],
    ehr: Iterable[str],
    languages: Iterable[str],
    typing_wpm: bool,
) -> int:
    """Write only the suggestions the candidate ticked (ignoring anything not suggested).

    Returns how many items were added or raised.
    """
    offered = suggestions(candidate)
    by_code = {s.code: s for s in offered.skills}
    chosen = [by_code[c] for c in dict.fromkeys(skill_codes) if c in by_code]
    changed = 0
    if chosen:
        skills = {
            s.code: s
            for s in db.session.execute(
                select(Skill).where(Skill.code.in_([c.code for c in chosen]))
            ).scalars()
        }
        existing = {cs.skill.code: cs for cs in candidate.skills}
        for suggestion in chosen:
            row = existing.get(suggestion.code)
            if row is not None:
                row.level = max(row.level, suggestion.level)
                row.source = SkillSource.RESUME
                changed += 1
            elif suggestion.code in skills:
                candidate.skills.append(
                    CandidateSkill(
                        skill=skills[suggestion.code],
                        level=suggestion.level,
                        source=SkillSource.RESUME,
                    )
                )
                changed += 1
    ehr_ok = {c for c, _ in offered.ehr} & set(ehr)
    lang_ok = {c for c, _ in offered.languages} & set(languages)
    if ehr_ok:
        candidate.ehr_systems = sorted({*(candidate.ehr_systems or []), *ehr_ok})
        changed += len(ehr_ok)
    if lang_ok:
        candidate.languages = sorted({*(candidate.languages or []), *lang_ok})
        changed += len(lang_ok)
    if typing_wpm and offered.typing_wpm:
        candidate.typing_wpm = offered.typing_wpm
        changed += 1
    return changed
