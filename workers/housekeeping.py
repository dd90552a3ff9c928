"""Broker housekeeping: the embedded SQL transport hides taken messages but never deletes them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import create_engine, text

# A taken message's row is only a leftover once its task is long done (or its worker long dead,
# in which case the outbox sweep has already re-sent the work).
KEEP = timedelta(hours=1)


def purge_taken_sql_messages(broker_url: str, now: datetime | None = None) -> int:
    """Delete taken (invisible) rows older than KEEP from a `sqla+` broker; 0 for other brokers."""
    if not broker_url.startswith("sqla+"):
        return 0
    engine = create_engine(broker_url.removeprefix("sqla+"))
    # kombu stores naive local time in the "timestamp" column.
    cutoff = (now or datetime.now()) - KEEP
    try:
        with engine.begin() as conn:
            result = conn.execute(
                text("DELETE FROM kombu_message WHERE visible = :no AND timestamp < :cutoff"),
                {"no": False, "cutoff": cutoff},
            )
            return int(result.rowcount)
    finally:
        engine.dispose()
