"""`make run` tells a newcomer every demo login the README promises."""

from __future__ import annotations

import re
from pathlib import Path

from agency.services import demo

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_prints_every_demo_login_the_readme_lists() -> None:
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"`([\w.]+@demo\.clinicmatch\.test)`", readme))
    assert {demo.STAFF_EMAIL, demo.ADMIN_EMAIL, demo.CLINIC_EMAIL, demo.CANDIDATE_EMAIL} <= listed
    script = (ROOT / "scripts" / "run-embedded").read_text()
    message = script[script.index("<<MSG") : script.rindex("MSG")]
    assert {e for e in listed if e not in message} == set()
