"""Flask commands: create-user, seed-demo, sync-taxonomy, prepare."""

from __future__ import annotations

import time

import click
from flask import Flask

from agency.extensions import db
from agency.models import Role
from agency.services import accounts
from agency.services.password_policy import problems


def init_app(app: Flask) -> None:
    init_scoring_commands(app)

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_user(email: str, role: str, password: str) -> None:
        """Create a staff, admin (or any) account."""
        found = problems(password, email=email)
        if found:
            raise click.ClickException(found[0])
        try:
            user = accounts.create_user(email, password, Role(role))
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")

    @app.cli.command("sync-taxonomy")
    def sync_taxonomy_cmd() -> None:
        """Copy the engine's skills, credentials and role profiles into the database."""
        from agency.services import taxonomy_sync

        counts = taxonomy_sync.sync()
        db.session.commit()
        click.echo(f"Taxonomy synced: {counts}")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
    @click.option("--candidates", default=300, show_default=True, type=click.IntRange(0))
    @click.option("--openings", default=40, show_default=True, type=click.IntRange(0))
    @click.option("--clinics", default=12, show_default=True, type=click.IntRange(1))
    @click.option(
        "--rescore",
        type=click.Choice(["now", "worker", "none"]),
        default="now",
        show_default=True,
        help="Score the open openings here, leave it to the worker (outbox rows), or not at all.",
    )
    def seed_demo_cmd(
        if_empty: bool, candidates: int, openings: int, clinics: int, rescore: str
    ) -> None:
        """Load a believable demo agency (fixed seed: the same data every time)."""
        from agency.services import demo

        if if_empty and not demo.database_is_empty():
            click.echo("Database already has data; demo not loaded.")
            return
        started = time.perf_counter()
        summary = demo.seed(n_candidates=candidates, n_openings=openings, n_clinics=clinics)
        db.session.commit()
        demo.analyze()
        db.session.commit()
        seconds = time.perf_counter() - started
        click.echo(summary)
        click.echo(
            f"Inserted {summary.rows:,} rows in {seconds:.1f} s "
            f"({summary.rows / max(seconds, 1e-9):,.0f} rows/s)."
        )
        if rescore == "now":
            from agency.services.engine import engine

            started = time.perf_counter()
            stored = engine().rescore_all()
            # The rescore stamps every opening and writes the Match rows: without a second
            # vacuum the stale half of the openings table keeps the board's count off its index.
            demo.analyze()
            click.echo(
                f"Scored the open openings: {stored:,} matches stored "
                f"in {time.perf_counter() - started:.1f} s."
            )
        elif rescore == "worker":
            queued = demo.queue_rescores()
            db.session.commit()
            click.echo(f"Queued {queued:,} rescore jobs in the outbox for the worker.")
        else:
            click.echo("Openings not scored (run `flask rescore` later).")

    @app.cli.command("prepare")
    @click.option("--demo", is_flag=True, help="Load the demo agency when the database is empty.")
    @click.pass_context
    def prepare_cmd(ctx: click.Context, demo: bool) -> None:
        """Migrate, sync the taxonomy and (with --demo) seed, in one process: each `flask`
        command loads the app and the engine's libraries again, seconds every time."""
        from flask_migrate import upgrade

        upgrade()
        ctx.invoke(sync_taxonomy_cmd)
        if demo:
            ctx.invoke(seed_demo_cmd, if_empty=True)


def init_scoring_commands(app: Flask) -> None:
    @app.cli.command("rescore")
    def rescore_cmd() -> None:
        """Recompute the Match rows of every open opening."""
        from agency.services.engine import engine

        started = time.perf_counter()
        n = engine().rescore_all()
        click.echo(f"Rescored: {n:,} matches stored in {time.perf_counter() - started:.1f} s.")
