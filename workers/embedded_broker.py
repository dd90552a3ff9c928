"""The embedded broker: kombu's SQLAlchemy transport on SQLite, tuned for `make run`.

Stock, it polls once a second (with prefetch 1 that caps a worker at one task a second) and uses
SQLite's default rollback journal. Registered under the "sqla" alias, so the URL stays
`sqla+sqlite:///instance/broker.sqlite`.
"""

from __future__ import annotations

from typing import Any

from kombu import transport as kombu_transports
from kombu.transport import sqlalchemy as sqla
from sqlalchemy import event

POLLING_INTERVAL = 0.05


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: the web process can enqueue while the worker reads; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Channel(sqla.Channel):
    def _engine_from_config(self) -> Any:
        engine = super()._engine_from_config()
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _pragmas)
        return engine


class Transport(sqla.Transport):
    Channel = Channel
    polling_interval = POLLING_INTERVAL


def register() -> None:
    """Make `sqla+...` broker URLs use this transport (idempotent)."""
    path = f"{__name__}:Transport"
    kombu_transports.TRANSPORT_ALIASES["sqla"] = path
    kombu_transports.TRANSPORT_ALIASES["sqlalchemy"] = path
