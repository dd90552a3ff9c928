"""`flask prepare --demo`: what `make run` needs before it serves, in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from agency import create_app
from agency.extensions import db
from agency.models import Skill, User
from agency.services import demo
from tests.conftest import base_config


@pytest.mark.slow
def test_prepare_migrates_syncs_and_seeds_an_empty_database_once(tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite'}"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["prepare", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Taxonomy synced" in first.output and "Demo loaded" in first.output
    with app.app_context():
        assert "alembic_version" in inspect(db.engine).get_table_names()
        assert db.session.scalar(select(func.count()).select_from(Skill)) > 0
        emails = set(db.session.scalars(select(User.email)))
        assert {demo.STAFF_EMAIL, demo.ADMIN_EMAIL, demo.CLINIC_EMAIL} <= emails
    again = runner.invoke(args=["prepare", "--demo"])
    assert again.exit_code == 0 and "demo not loaded" in again.output
    with app.app_context():
        db.engine.dispose()
