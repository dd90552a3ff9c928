"""Copy the engine's taxonomy (skills, credential types, role profiles) into the database.

Idempotent: existing rows are updated in place, so ids that profiles point at never change.
"""

from __future__ import annotations

from sqlalchemy import select

from agency.extensions import db
from agency.models import CredentialType, RoleProfile, RoleType, Skill
from matching.taxonomy import load_taxonomy


def sync() -> dict[str, int]:
    taxonomy = load_taxonomy()
    skills = {s.code: s for s in db.session.execute(select(Skill)).scalars()}
    for definition in taxonomy.skills:
        skill = skills.get(definition.code)
        if skill is None:
            skill = Skill(code=definition.code)
            db.session.add(skill)
            skills[definition.code] = skill
        skill.name = definition.name
        skill.category = definition.category
        skill.side = definition.side

    ctypes = {c.code: c for c in db.session.execute(select(CredentialType)).scalars()}
    for cred in taxonomy.credentials:
        ctype = ctypes.get(cred.code)
        if ctype is None:
            ctype = CredentialType(code=cred.code)
            db.session.add(ctype)
        ctype.name = cred.name
        ctype.issuer = cred.issuer
    db.session.flush()

    existing = {(p.role, p.skill_id): p for p in db.session.execute(select(RoleProfile)).scalars()}
    n_weights = 0
    for role in (RoleType.RECEPTIONIST, RoleType.SECRETARY, RoleType.HYBRID):
        for code, weight in taxonomy.role_profile(role).items():
            skill_id = skills[code].id
            row = existing.get((role, skill_id))
            if row is None:
                row = RoleProfile(role=role, skill_id=skill_id)
                db.session.add(row)
            row.weight = float(weight)
            n_weights += 1
    db.session.flush()
    return {
        "skills": len(taxonomy.skills),
        "credential_types": len(taxonomy.credentials),
        "role_weights": n_weights,
    }
