"""Plain factories for the engine's records, importable by tests and hypothesis strategies."""

from __future__ import annotations

from datetime import date
from typing import Any

from matching.features import CandidateProfile, OpeningSpec
from matching.week import FULL_MASK

CLINIC = (40.7484, -73.9857)  # Midtown Manhattan
WEEKDAY_MORNINGS = sum(1 << (day * 3) for day in range(5))

FRONT = {
    "customer_service": 4,
    "interpersonal_communication": 4,
    "conflict_resolution": 3,
    "multitasking": 4,
    "phone_handling": 4,
    "appointment_scheduling": 4,
    "patient_check_in": 4,
    "waiting_area": 3,
    "insurance_verification": 4,
    "copay_collection": 4,
    "ehr_navigation": 3,
    "microsoft_office": 2,
}
BACK = {
    "medical_documentation": 4,
    "records_management": 4,
    "data_entry": 4,
    "medical_transcription": 4,
    "typing": 4,
    "medical_terminology": 4,
    "correspondence": 4,
    "minute_taking": 3,
    "medical_billing": 4,
    "icd10_coding": 4,
    "cpt_coding": 4,
    "hcpcs_coding": 3,
    "hipaa_compliance": 4,
    "detail_orientation": 4,
    "ehr_navigation": 3,
    "microsoft_office": 3,
}


def make_candidate_plain(**overrides: Any) -> CandidateProfile:
    base: dict[str, Any] = {
        "id": 1,
        "skills": dict(FRONT),
        "availability": FULL_MASK,
        "lat": CLINIC[0] + 0.03,
        "lon": CLINIC[1],
        "commute_miles": 20.0,
        "min_pay": 20.0,
        "years_experience": 4.0,
        "typing_wpm": 45,
        "text": "Medical receptionist: front desk, greeting patients, phones, scheduling.",
    }
    base.update(overrides)
    return CandidateProfile(**base)


def make_opening_plain(**overrides: Any) -> OpeningSpec:
    base: dict[str, Any] = {
        "id": 100,
        "role": "receptionist",
        "shift_mask": WEEKDAY_MORNINGS,
        "lat": CLINIC[0],
        "lon": CLINIC[1],
        "pay_min": 19.0,
        "pay_max": 25.0,
        "start_date": date(2026, 12, 7),
        "text": "Front desk medical receptionist: greet patients, answer phones, verify insurance.",
    }
    base.update(overrides)
    return OpeningSpec(**base)
