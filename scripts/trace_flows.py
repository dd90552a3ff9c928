"""Which files of this repository run while two requests are served: a candidate applies, and
staff open an opening's ranked review (the counts in the README's data-flow section).

    .venv/bin/python scripts/trace_flows.py

Each flow runs on a cold process (a fresh app: nothing cached) against a small SQLite database
in a temporary folder. Counted: the .py files under agency/ and matching/ whose functions are
called during the request (imports not counted), and the templates rendered.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agency import create_app  # noqa: E402
from agency.extensions import db  # noqa: E402
from agency.models import Role  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import base_config  # noqa: E402

COUNTED = (str(ROOT / "agency"), str(ROOT / "matching"))
seen: set[str] = set()


def _profile(frame: FrameType, event: str, _arg: Any) -> None:
    # A module body running (a lazy import inside the request) is an import: not counted.
    if event != "call" or frame.f_code.co_name == "<module>":
        return
    name = frame.f_code.co_filename
    if name.startswith(COUNTED):
        seen.add(os.path.relpath(name, ROOT))
    elif name.endswith(".html"):
        seen.add(name)


def _traced(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    sys.setprofile(_profile)
    try:
        return getattr(client, method)(url, **kwargs)
    finally:
        sys.setprofile(None)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    config = base_config(tmp, f"sqlite:///{tmp / 'trace.sqlite'}")
    with create_app(config).app_context():
        from agency.services import taxonomy_sync

        db.create_all()
        taxonomy_sync.sync()
        db.session.commit()
        opening = factories.OpeningFactory()(title="Front Desk Receptionist")
        people = [factories.CandidateFactory()() for _ in range(5)]
        for person in people:
            factories.CredentialFactory()(person, "CPC")
        staff = factories.UserFactory()(Role.STAFF)
        opening_id, candidate_email, staff_email = opening.id, people[0].user.email, staff.email

    for flow, email in (("apply", candidate_email), ("review", staff_email)):
        client = create_app(config).test_client()  # a cold process
        response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.status_code
        seen.clear()
        if flow == "apply":
            assert _traced(client, "get", f"/me/apply/{opening_id}").status_code == 200
            response = _traced(client, "post", f"/me/apply/{opening_id}", data={"note": "Hi"})
            assert response.status_code == 302, response.status_code
        else:
            assert _traced(client, "get", f"/staff/openings/{opening_id}").status_code == 200
        python = sorted(f for f in seen if f.endswith(".py"))
        templates = [f for f in seen if f.endswith(".html")]
        print(f"{flow}: {len(python)} Python files, {len(templates)} templates")
        for name in python:
            print(f"  {name}")


if __name__ == "__main__":
    main()
