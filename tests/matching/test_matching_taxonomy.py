import re

import pytest

from matching.taxonomy import ROLES, load_taxonomy


def test_skill_codes_are_unique_snake_case_and_categorised():
    tax = load_taxonomy()
    codes = tax.skill_codes
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes)
    assert {"insurance_verification", "icd10_coding", "cpt_coding", "hcpcs_coding"} <= set(codes)
    categories = {c.code for c in tax.categories}
    assert {s.category for s in tax.skills} <= categories
    assert {s.side for s in tax.skills} <= {"front", "back", "both"}


def test_credentials_ehr_and_languages():
    tax = load_taxonomy()
    creds = {c.code: c for c in tax.credentials}
    assert {"CMAA", "CPC", "CCS", "RHIT", "CEHRS", "HIPAA", "BLS"} <= set(creds)
    assert creds["CPC"].issuer == "AAPC"
    assert {"epic", "cerner", "athenahealth", "systmone", "emis"} <= set(tax.ehr_systems)
    assert {"english", "spanish"} <= set(tax.languages)


@pytest.mark.parametrize("role", ROLES)
def test_every_skill_has_a_default_weight(role):
    tax = load_taxonomy()
    profile = tax.role_profile(role)
    assert set(profile) == set(tax.skill_codes)
    assert all(0 < w <= 1 for w in profile.values())
    assert max(profile.values()) == 1.0
    reqs = tax.default_requirements(role)
    assert all(0 <= level <= 4 and w == profile[c] for c, (level, w) in reqs.items())


def _side_mean(role, side):
    tax = load_taxonomy()
    profile = tax.role_profile(role)
    return sum(profile[s.code] for s in tax.skills if s.side == side) / sum(
        1 for s in tax.skills if s.side == side
    )


def test_profiles_follow_the_front_desk_back_office_split():
    assert _side_mean("receptionist", "front") > 2 * _side_mean("receptionist", "back")
    assert _side_mean("secretary", "back") > 2 * _side_mean("secretary", "front")
    hybrid = load_taxonomy().role_profile("hybrid")
    assert min(hybrid.values()) > 0.2
    sec = load_taxonomy().default_requirements("secretary")
    rec = load_taxonomy().default_requirements("receptionist")
    assert sec["records_management"][0] > rec["records_management"][0]
    assert rec["customer_service"][0] > sec["customer_service"][0]


def test_unknown_role_is_rejected():
    with pytest.raises(ValueError, match="unknown role"):
        load_taxonomy().role_profile("nurse")
