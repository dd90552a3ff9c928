"""Shared fixtures: an app per test on a clean database, clients, and factory fixtures.

The schema is created once per backend and session. A test then runs inside one outer
transaction that is rolled back at its end: every session the test and its requests open joins
that transaction, and their commits become savepoints, so nothing a test writes outlives it and
no table has to be emptied. Tests whose work must be seen by another connection (a worker
process, a live server, concurrent transactions) ask for real commits with the `commits` marker
(or a directory's `db_isolation` fixture) and start from truncated tables instead.
SQLite always runs; PostgreSQL too when TEST_DATABASE_URL is set (each xdist worker gets its
own database so parallel runs never share rows).
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from agency import create_app
from agency.extensions import db
from tests import factories, url_builders

url_builders.install()

TEST_ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def _backends() -> list[str]:
    chosen = os.environ.get("TEST_DB_BACKENDS")
    if chosen:
        return [b.strip() for b in chosen.split(",") if b.strip()]
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def _postgres_url(worker: str) -> str:
    base = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"{base.database or 'clinicmatch_test'}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, str]:
    urls = {}
    for backend in _backends():
        if backend == "sqlite":
            urls[backend] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        else:
            urls[backend] = _postgres_url(re.sub(r"\W", "", worker_id))
    return urls


def base_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": TEST_ARGON2,
        "MAIL_SERVER": None,
        "MAIL_DIR": str(tmp_path / "mail"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "OUTBOX_ENQUEUE_AFTER_COMMIT": False,
        "SERVER_NAME": None,
        # A bug should fail the test with its traceback, not hide behind the 500 page.
        "PROPAGATE_UNEXPECTED_ERRORS": True,
    }


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, `g` and
    database session, even though the test itself holds an app context open."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


_schema_ready: set[str] = set()


def _reset_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app_config(tmp_path: Path, database_urls: dict[str, str], backend: str) -> dict[str, Any]:
    """Override keys in this fixture (or per test) before `app` is built."""
    return base_config(tmp_path, database_urls[backend])


@pytest.fixture
def db_isolation(request: pytest.FixtureRequest) -> str:
    """ "rollback" (the default) or "commits"; a directory's conftest may override it, and
    TEST_DB_ISOLATION=commits runs every test the old way (to tell a fixture problem apart)."""
    if request.node.get_closest_marker("commits"):
        return "commits"
    return os.environ.get("TEST_DB_ISOLATION", "rollback")


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Every session opened inside joins one transaction on one connection, which is rolled
    back at the end; a session's commit releases a savepoint instead of committing."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        _sqlite_savepoints(engine)
    connection = engine.connect()
    outer = connection.begin()
    factory = db.session.session_factory
    saved = dict(factory.kw)
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    db.session.remove()
    try:
        yield
    finally:
        db.session.remove()
        factory.kw = saved
        outer.rollback()
        connection.close()


def _bound_first(
    self: FlaskSession, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any
) -> Any:
    # Flask-SQLAlchemy picks the app's engine before looking at the session's own bind; a test
    # session bound to the test's connection must use that connection.
    if bind is None and self.bind is not None:
        return self.bind
    return _flask_get_bind(self, mapper, clause, bind, **kw)


_flask_get_bind = FlaskSession.get_bind
FlaskSession.get_bind = _bound_first  # type: ignore[method-assign]


def _sqlite_savepoints(engine: Engine) -> None:
    """pysqlite opens transactions lazily and around DML only, which breaks SAVEPOINT; the
    SQLAlchemy docs' recipe hands BEGIN to SQLAlchemy instead."""
    if getattr(engine, "_test_savepoints", False):
        return

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _explicit_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    engine.dispose()  # connections already open were made without the listener
    engine._test_savepoints = True  # type: ignore[attr-defined]


@pytest.fixture
def app(app_config: dict[str, Any], db_isolation: str) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(url)
        if db_isolation == "rollback":
            with _rolled_back():
                yield app
        else:
            _reset_tables()
            yield app
            db.session.remove()
            _reset_tables()
        db.engine.dispose()


@pytest.fixture
def bridge(app: Flask) -> Any:
    """The app's engine bridge (`agency.services.engine.Engine`): every app gets a fresh one,
    so no test inherits another's pool or memo."""
    return app.extensions["engine"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> factories.UserFactory:
    return factories.UserFactory()


@pytest.fixture
def make_clinic(app: Flask) -> factories.ClinicFactory:
    return factories.ClinicFactory()


@pytest.fixture
def make_candidate(app: Flask) -> factories.CandidateFactory:
    return factories.CandidateFactory()


@pytest.fixture
def make_opening(app: Flask) -> factories.OpeningFactory:
    return factories.OpeningFactory()


@pytest.fixture
def make_credential(app: Flask) -> factories.CredentialFactory:
    return factories.CredentialFactory()


@pytest.fixture
def make_application(app: Flask) -> factories.ApplicationFactory:
    return factories.ApplicationFactory()


@pytest.fixture
def taxonomy(app: Flask) -> dict[str, int]:
    """The engine's skills and credentials copied into the database."""
    from agency.services import taxonomy_sync

    counts = taxonomy_sync.sync()
    db.session.commit()
    return counts


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client: FlaskClient) -> Any:
    def _login(user: Any) -> Any:
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


class QueryCounter:
    """Counts the SQL statements run while it is active (for bounded-query tests)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    # The test's rolled-back transaction turns commits into savepoints: not the app's queries.
    BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(self.BOOKKEEPING):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """`with count_queries() as q: client.get(...)`, then assert on `q.count`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def _counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return _counting
