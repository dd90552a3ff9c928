import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.taxonomy import data_path
from matching.text import classify_role, extract_skills, load_role_model

POSTINGS = Path(__file__).resolve().parents[3] / "shared" / "data" / "postings"
needs_postings = pytest.mark.skipif(
    not POSTINGS.is_dir(), reason="../shared/data/postings is absent"
)


def onet_tasks(code):
    with data_path("onet_task_statements.csv").open(newline="", encoding="utf-8") as fh:
        return [r["task"] for r in csv.DictReader(fh) if r["onet_soc_code"] == code]


def test_shipped_model_is_plain_json_without_posting_text():
    data = json.loads(data_path("role_classifier.json").read_text(encoding="utf-8"))
    assert data["classifier"]["classes"] == ["receptionist", "secretary", "other"]
    assert "sklearn_version" in data["meta"]
    assert load_role_model().coef.shape[0] == 3
    assert "description" not in data and "texts" not in data


@pytest.mark.parametrize(
    ("code", "role"), [("43-4171.00", "receptionist"), ("43-6013.00", "secretary")]
)
def test_classifies_onet_task_statements(code, role):
    tasks = onet_tasks(code)
    assert len(tasks) >= 15
    assert [classify_role(t)[0] for t in tasks] == [role] * len(tasks)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        (
            "Busy GP surgery seeks a friendly receptionist to greet patients, book appointments.",
            "receptionist",
        ),
        (
            "Front desk: verify insurance eligibility, collect co-pays, schedule appointments "
            "in Epic, "
            "greet patients and answer multi-line phones.",
            "receptionist",
        ),
        (
            "Medical secretary: audio typing of clinic letters, consultant diary, EMIS, "
            "medical terminology.",
            "secretary",
        ),
        (
            "Detail-oriented medical coder: ICD-10, CPT and HCPCS coding, billing, HIPAA.",
            "secretary",
        ),
        ("Software engineer with Python and Kubernetes experience.", "other"),
        ("Registered nurse for the ICU: administer medications and monitor patients.", "other"),
    ],
)
def test_classifies_uk_and_us_wording(text, role):
    got, confidence = classify_role(text)
    assert got == role
    assert 0.34 < confidence <= 1.0


def test_extracts_skills_credentials_ehr_and_languages():
    found = extract_skills(
        "Front desk receptionist: verify insurance eligibility, collect co-pays, "
        "schedule appointments "
        "in Epic and athenahealth. CMAA and BLS required. Expert in handling difficult callers. "
        "Bilingual English/Spanish. Types 65 wpm."
    )
    assert {
        "patient_check_in",
        "insurance_verification",
        "copay_collection",
        "appointment_scheduling",
    } <= set(found.skills)
    assert found.skills["conflict_resolution"] == 3  # "Expert in" marks a strong level
    assert found.credentials == {"CMAA", "BLS"}
    assert found.ehr == {"epic", "athenahealth"}
    assert found.languages == {"english", "spanish"}
    assert found.typing_wpm == 65
    assert found.role == "receptionist"


def test_extracts_uk_wording():
    found = extract_skills(
        "Medical secretary for a GP surgery: audio typing, clinic letters, minute taking, "
        "diary management "
        "on SystmOne and EMIS; AMSPAR qualification; GDPR and confidentiality."
    )
    assert {
        "medical_transcription",
        "correspondence",
        "minute_taking",
        "appointment_scheduling",
    } <= set(found.skills)
    assert "hipaa_compliance" in found.skills
    assert found.ehr == {"systmone", "emis"}
    assert "AMSPAR" in found.credentials
    reqs = found.as_requirements("secretary")
    assert reqs["medical_transcription"][0] >= 2


def run_cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_classify_role_cli_reads_json_lines_without_titles(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [
        {"description": "Medical receptionist at the front desk: phones, check-in, co-pays."},
        {"title": "Medical Secretary", "description": "Audio typing, clinic letters and records."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("classify-role", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["role"] for o in out] == ["receptionist", "secretary"]
    assert all(set(o) >= {"role", "confidence", "skills"} for o in out)


@needs_postings
def test_eval_role_reports_macro_f1_above_090():
    from matching.training import cross_validate

    assert cross_validate(POSTINGS)["macro_f1"] > 0.90
