"""ClinicMatch: the Flask application of a medical staffing agency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from agency import logs, timezones
from agency.config import build_config
from matching import week

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and Celery."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    instance_path = (
        Path(test_config.get("INSTANCE_PATH", app.instance_path))
        if test_config
        else (Path(app.instance_path))
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(instance_path))
    if test_config:
        app.config.update(test_config)

    # First, so the request id and the start time are set before any other hook can answer.
    logs.init_app(app)

    from agency import db_setup, security
    from agency.extensions import csrf, db, fragment_cache, limiter, login_manager, migrate

    db.init_app(app)
    db_setup.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    fragment_cache.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    timezones.init_app(app)
    # The schedule grids number their cells with the weekly mask's one rule.
    app.add_template_global(week.bit, "week_bit")

    from agency import errors, services
    from agency.auth import bp as auth_bp
    from agency.calendar import bp as calendar_bp
    from agency.candidates import bp as candidates_bp
    from agency.clinics import bp as clinics_bp

    # Kept out of `agency.models` so the scoring bridge cannot reach it; its table still has
    # to be in the metadata for migrations and the tests that walk every table.
    from agency.models import self_id  # noqa: F401
    from agency.public import bp as public_bp
    from agency.staff import bp as staff_bp

    for blueprint in (public_bp, auth_bp, candidates_bp, clinics_bp, staff_bp, calendar_bp):
        app.register_blueprint(blueprint)
    from agency import api

    api.init_app(app)
    errors.init_app(app)
    services.init_app(app)

    from agency import cli

    cli.init_app(app)

    from workers.celery_app import celery_init_app

    celery_init_app(app)
    if app.config.get("WARM_ON_START"):
        # `make run`'s dev server: load the ZIP table, pool and templates before it listens, so
        # the first visitor does not wait for them (gunicorn warms before forking instead).
        from agency.services import warmup

        warmup.warm(app)
    return app
