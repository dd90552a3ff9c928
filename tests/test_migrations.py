"""The Alembic migrations build exactly the schema the models declare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from agency import create_app
from agency.extensions import db
from tests.conftest import base_config


@pytest.fixture
def empty_db_url(tmp_path: Path, database_urls: dict[str, str], backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    url = make_url(database_urls[backend])
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _app(tmp_path: Path, url: str) -> Flask:
    return create_app(base_config(tmp_path, url))


# Alembic cannot reflect an expression index (ix_openings_board_newest); it skips comparing it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_upgrade_from_empty_matches_models(tmp_path: Path, empty_db_url: str) -> None:
    app = _app(tmp_path, empty_db_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            diff: list[Any] = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "candidates", "openings", "outbox_messages", "audit_events"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
