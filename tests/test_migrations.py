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
from sqlalchemy.exc import IntegrityError

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


def test_stage_columns_migration_cleans_or_refuses_existing_values(
    tmp_path: Path, empty_db_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # 0024 puts a CHECK on the stage history and decision columns: a stage written with other
    # case or spaces is rewritten, anything else stops the migration with the value named.
    app = _app(tmp_path, empty_db_url)
    with app.app_context():
        upgrade(revision="0021")
        insert = text(
            "INSERT INTO decisions (stage, positive, components, created_at)"
            " VALUES (:stage, true, '{}', CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as conn:
            conn.execute(insert, [{"stage": " Placed "}, {"stage": "hired"}])
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            upgrade(revision="0024")
        assert "decisions.stage = 'hired'" in capfd.readouterr().err
        with db.engine.connect() as conn:  # refused before anything changed
            assert conn.execute(text("SELECT count(*) FROM decisions")).scalar() == 2
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM decisions WHERE stage = 'hired'"))
        upgrade(revision="0024")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT stage FROM decisions")).scalars().all() == ["placed"]
        refused = pytest.raises(IntegrityError, match=r"(?i)check constraint")
        with refused, db.engine.begin() as conn:
            conn.execute(insert, {"stage": "hired"})
        downgrade(revision="base")
        db.engine.dispose()


def test_rebuilding_a_table_keeps_the_rows_that_point_at_it(
    tmp_path: Path, empty_db_url: str
) -> None:
    # 0021 rebuilds `users` on SQLite (batch mode: copy, drop, rename). With foreign keys
    # enforced, the drop set every candidate's user_id to NULL: the login and its profile
    # came apart. A candidate's link to their account survives every migration.
    app = _app(tmp_path, empty_db_url)
    with app.app_context():
        upgrade(revision="0020")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, active,"
                    " email_notifications, notify_new_openings, session_version, created_at,"
                    " updated_at) VALUES (7, 'rosa@example.com', 'x', 'candidate', true, true,"
                    " true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO candidates (id, user_id, first_name, last_name, phone, zip_code,"
                    " commute_miles, desired_roles, availability_mask, years_experience,"
                    " languages, ehr_systems, summary, resume_text, status,"
                    " consent_share_profile, created_at, updated_at) VALUES (3, 7, 'Rosa', 'Q',"
                    " '6175550100', '02139', 10, '[]', 0, 2, '[]', '[]', '', '', 'active', true,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT user_id FROM candidates WHERE id = 3")).scalar() == 7
            if conn.dialect.name == "sqlite":  # enforced again for the app's own connections
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            # The rebuilt table has planner statistics again: a migrated database without them
            # served its pages through worse plans until someone ran ANALYZE.
            if conn.dialect.name == "sqlite":
                stats = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'users'"
                assert conn.exec_driver_sql(stats).scalar() > 0
            else:  # -1: never analyzed
                tuples = "SELECT reltuples FROM pg_class WHERE relname = 'users'"
                assert conn.exec_driver_sql(tuples).scalar() >= 0
        downgrade(revision="base")
        db.engine.dispose()
