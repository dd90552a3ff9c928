"""Regional entries of the taxonomy: a US agency's taxonomy has none of the UK's systems and
qualifications, and a reader of text with it finds none of them."""

from __future__ import annotations

from matching.taxonomy import in_region, load_taxonomy, regional_taxonomy
from matching.text import extract_skills

UK_ONLY_EHR = {"emis", "systmone", "vision", "lorenzo", "medway", "docman"}
UK_ONLY_CREDENTIALS = {"AMSPAR", "ECDL", "NVQ_ADMIN", "RSA_OCR"}
TEXT = (
    "Receptionist with EMIS Web and SystmOne, AMSPAR qualified, ECDL and NVQ level 3 in business "
    "admin; also used Epic and athenahealth, CPC certified."
)


def test_regions_read_as_lists_of_countries() -> None:
    assert in_region("", "US") and in_region("US/GB", "GB") and in_region("GB/EU", "GB")
    assert not in_region("GB/EU", "US") and not in_region("US", "GB")


def test_a_us_taxonomy_leaves_the_uk_entries_out() -> None:
    us = regional_taxonomy("US")
    assert UK_ONLY_EHR.isdisjoint(us.ehr_systems)
    assert UK_ONLY_CREDENTIALS.isdisjoint(c.code for c in us.credentials)
    assert {"epic", "athenahealth", "nextgen"} <= set(us.ehr_systems)
    assert {"CPC", "BLS", "HIPAA"} <= {c.code for c in us.credentials}
    # The full taxonomy (the engine's) still knows them, with their names.
    assert set(load_taxonomy().ehr_systems) >= UK_ONLY_EHR
    assert us.name_of("athenahealth") == "athenahealth"


def test_a_uk_taxonomy_has_them_and_the_systems_used_in_both() -> None:
    gb = regional_taxonomy("GB")
    assert set(gb.ehr_systems) >= UK_ONLY_EHR
    assert "epic" in gb.ehr_systems and "athenahealth" not in gb.ehr_systems
    assert "AMSPAR" in {c.code for c in gb.credentials}


def test_reading_text_with_the_us_taxonomy_finds_only_us_entries() -> None:
    found = extract_skills(TEXT, regional_taxonomy("US"))
    assert found.ehr == {"epic", "athenahealth"}
    assert found.credentials == {"CPC"}
    everything = extract_skills(TEXT)
    assert {"emis", "systmone"} <= everything.ehr and "AMSPAR" in everything.credentials
