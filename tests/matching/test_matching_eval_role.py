"""`python -m matching eval-role` prints per-class figures and the confusion matrix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TEXTS = {
    "receptionist": "Front desk receptionist: greet patients, answer phones, check-in, co-pays {}.",
    "secretary": "Medical secretary: audio typing, clinic letters, records, ICD-10 coding {}.",
    "other": "Warehouse associate: forklift, picking, packing and shipping orders {}.",
}


def test_eval_role_prints_per_class_figures_and_the_confusion_matrix(tmp_path: Path) -> None:
    rows = [
        {"role_family": role, "description": text.format(i)}
        for role, text in TEXTS.items()
        for i in range(6)
    ]
    (tmp_path / "postings.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "matching", "eval-role", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    out = done.stdout
    assert "precision" in out and "recall" in out and "confusion" in out
    result = json.loads(out[out.index("{") :])
    confusion = result["confusion"]
    assert [sum(row) for row in confusion] == [6, 6, 6]  # every posting counted once, by role
    assert set(result["per_class_recall"]) == set(TEXTS)
    correct = sum(confusion[i][i] for i in range(3))
    assert correct / 18 == pytest.approx(
        sum(result["per_class_recall"].values()) / 3
    )  # equal class sizes
