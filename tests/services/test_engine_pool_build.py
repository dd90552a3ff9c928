"""The pool built from columns (no profile per candidate) holds what the profiles would."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from agency.extensions import db
from agency.models import (
    CandidateSkill,
    CredentialType,
    Opening,
    OpeningCredential,
    OpeningSkill,
    OpeningStatus,
    Skill,
)
from agency.services.engine import pool as pool_module
from agency.services.engine.pool import (
    active,
    fit_text_space,
    load_columns,
    load_opening_specs,
    load_profiles,
    opening_query,
    opening_spec,
)
from matching.features import EncodedRows
from matching.ranking import CandidatePool


def _give(candidate, code: str, level: int) -> None:
    skill = db.session.execute(db.select(Skill).where(Skill.code == code)).scalar_one()
    db.session.add(CandidateSkill(candidate_id=candidate.id, skill_id=skill.id, level=level))


def _people(make_candidate, make_credential):
    coder = make_candidate(
        typing_wpm=72, ehr_systems=["epic", "athenahealth"], min_pay=21.5, languages=["spanish"]
    )
    _give(coder, "icd10_coding", 3)
    _give(coder, "phone_handling", 2)
    make_credential(coder, "CPC", expires_on=date.today() + timedelta(days=40))
    make_credential(coder, "BLS", verification_status="pending")
    desk = make_candidate(desired_roles=["receptionist"], summary="", resume_text="")
    _give(desk, "phone_handling", 4)
    make_credential(desk, "BLS", expires_on=None)  # never expires
    make_credential(desk, "CPC", issued_on=None, expires_on=date(1999, 6, 1))  # long expired
    # Pasted text: accents, curly quotes, dashes, a ligature (the tokenizer's slow path).
    make_candidate(
        lat=None,
        lon=None,
        desired_roles=[],
        min_pay=None,
        summary="Réceptionniste \u2013 naïve\u2019s café_front desk; ﬁling, Ürgent CPR/BLS",
        resume_text="Front desk at Clínica São José: check-in, scheduling (Épic) ÉPIC x",
    )
    away = make_candidate(status="inactive")  # not in the pool, nor their skills or credentials
    _give(away, "icd10_coding", 4)
    make_credential(away, "CPC")
    db.session.commit()


def test_the_pool_built_from_columns_equals_the_one_built_from_profiles(
    taxonomy, make_candidate, make_credential, monkeypatch
) -> None:
    monkeypatch.setattr(pool_module, "CHUNK_ROWS", 2)  # several chunks of rows
    monkeypatch.setattr(pool_module, "SKILL_ID_RANGE", 2)  # skills read in several ranges
    _people(make_candidate, make_credential)
    profiles = load_profiles(active())
    columns, texts = load_columns(active())
    assert texts == [p.text for p in profiles]
    space = fit_text_space(texts)
    by_profiles = CandidatePool.from_profiles(profiles, text_space=space)
    by_columns = CandidatePool.from_columns(columns, texts, space)
    assert by_columns.row_of == by_profiles.row_of and len(by_columns) == 3
    n = by_columns.n_rows
    for f in fields(EncodedRows):
        got, want = getattr(by_columns.store, f.name), getattr(by_profiles.store, f.name)
        if f.name == "credentials":
            assert got.keys() == want.keys()
            for key in want:
                assert np.array_equal(got[key][:n], want[key][:n])
        elif f.name == "levels_t":
            assert np.array_equal(got[:, :n], want[:, :n])
        else:
            assert np.array_equal(got[:n], want[:n], equal_nan=True), f.name
    assert (by_columns.text_matrix != by_profiles.text_matrix).nnz == 0
    # Each row of the pool's text matrix (built from the whole corpus at once) is the vector a
    # single pair is scored with (tokenized the plain regex way).
    matrix = space.transform(texts)
    for i, text in enumerate(texts):
        cells = matrix.getrow(i)
        assert dict(zip(cells.indices.tolist(), cells.data.tolist(), strict=True)) == {
            j: pytest.approx(v, abs=1e-6) for j, v in space.vector(text).items()
        }
    assert {"réceptionniste", "clínica", "épic"} <= space.vocabulary_.keys()


def test_a_change_to_one_candidate_reaches_the_pool_built_from_columns(
    bridge, taxonomy, make_candidate, make_credential
) -> None:
    _people(make_candidate, make_credential)
    with bridge.pool() as pool:
        built = pool
    mover = make_candidate(typing_wpm=30)
    db.session.commit()
    bridge.refresh_candidate(mover.id)
    with bridge.pool() as pool:
        assert pool is built
        wpm_column = pool.layout.wpm
        assert pool.store.X[pool.row_of[mover.id], wpm_column] == 30
    mover.typing_wpm = 90
    db.session.commit()
    bridge.refresh_candidate(mover.id)
    with bridge.pool() as pool:
        assert pool.store.X[pool.row_of[mover.id], wpm_column] == 90


def test_the_openings_read_as_rows_equal_each_opening_read_as_an_object(
    taxonomy, make_clinic, make_opening
) -> None:
    skills = {s.code: s for s in db.session.execute(db.select(Skill)).scalars()}
    cpc = db.session.execute(
        db.select(CredentialType).where(CredentialType.code == "CPC")
    ).scalar_one()
    coder = make_opening(
        role_type="secretary",
        ehr_systems=["epic", "athenahealth"],
        languages=["spanish"],
        pay_min=None,
        pay_max=Decimal("27.50"),
        min_typing_wpm=55,
        description="",
    )
    coder.skills.append(OpeningSkill(skill=skills["icd10_coding"], min_level=3, weight=1.5))
    coder.skills.append(OpeningSkill(skill=skills["phone_handling"], min_level=1, weight=0.25))
    coder.credentials.append(OpeningCredential(credential_type=cpc))
    no_place = make_opening(make_clinic(lat=None, lon=None), shift_mask=0, ehr_systems=[])
    closed = make_opening(status=OpeningStatus.CLOSED)
    plain = make_opening()
    db.session.commit()

    def by_object(ids):
        found = db.session.execute(opening_query().where(Opening.id.in_(ids))).scalars()
        return sorted((opening_spec(o) for o in found), key=lambda s: s.id)

    ids = [coder.id, no_place.id, plain.id]
    assert load_opening_specs() == by_object(ids)
    assert load_opening_specs([coder.id, closed.id]) == by_object([coder.id])
    assert load_opening_specs([closed.id], open_only=False) == by_object([closed.id])
    assert load_opening_specs([]) == []
